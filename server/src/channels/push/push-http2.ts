/**
 * HTTP/2 to push services. The big ones (FCM, Mozilla autopush, Apple) speak h2, where one TLS
 * connection carries hundreds of concurrent pushes: less CPU per message than HTTP/1.1 (no
 * per-request header text, no socket juggling) and far fewer connections. Each origin is probed
 * once with ALPN (`h2`, `http/1.1`); origins that answer `http/1.1` are remembered and served by
 * the keep-alive HTTP/1.1 client instead.
 *
 * The h2 sessions are our own lean client (h2-session.ts) rather than node:http2, whose
 * per-stream objects and events cost several times the CPU of the framing itself.
 */
import type https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { PushRequest } from './build-push-request.ts';
import { FIELD_NAME, isConnectionSpecific } from './h2-frames.ts';
import { H2Session } from './h2-session.ts';
import { networkReason } from './push-answer.ts';
import type { PushHttpResult } from './push-http-client.ts';

/** An idle session is closed after this long (push services close theirs after a few minutes). */
const IDLE_MS = 60_000;
/** An origin that refused h2 is probed again after this long (it may have been upgraded). */
const H1_MEMORY_MS = 10 * 60_000;
/**
 * A request handed back unsent — the session got GOAWAY or used up its stream ids before the
 * request left, or the service refused the stream (GOAWAY above it, REFUSED_STREAM) without
 * processing it — is tried at most this many times in all.
 */
const MAX_ATTEMPTS = 2;

/** What node:http refuses in a header value: control characters other than HTAB, and non-latin1. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

export interface Http2Pool {
  /** The result, or 'http1' when the origin does not speak h2 (the caller sends over HTTP/1.1). */
  post(url: URL, request: PushRequest): Promise<PushHttpResult | 'http1'>;
  close(): void;
}

export interface Http2PoolOptions {
  tls?: https.AgentOptions;
  /** Deadline of the connect, and of each request. */
  timeoutMs: number;
  /** Idle sessions close after this long (default 60 s). */
  idleMs?: number;
}

type Session = { kind: 'h2'; session: H2Session } | { kind: 'http1'; until: number };

/** Creates the pool: one h2 session per origin, opened on first use and forgotten when it ends. */
export function createHttp2Pool(options: Http2PoolOptions): Http2Pool {
  const sessions = new Map<string, Promise<Session>>();
  /** The h2 sessions of `sessions` once connected, so a push skips awaiting the connect. */
  const ready = new Map<string, H2Session>();
  /** Every session whose socket is open, including those draining after GOAWAY, for `close()`. */
  const live = new Set<H2Session>();
  const requestFields = createFieldBuilder();
  let closed = false;

  /** Opens (ALPN-probes) a session to `url`'s origin; the connect itself is bounded by the timeout. */
  function connect(url: URL, onRetire: () => void): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      const socket = tls.connect({
        ...options.tls,
        host: url.hostname,
        port: Number(url.port || 443),
        // SNI carries host names only (RFC 6066).
        ...(net.isIP(url.hostname) ? {} : { servername: url.hostname }),
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${options.timeoutMs} ms`)), options.timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', fail);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        if (closed) {
          socket.destroy();
          reject(new Error('push client closed'));
        } else if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          resolve({ kind: 'http1', until: Date.now() + H1_MEMORY_MS });
        } else {
          const session = new H2Session({ socket, timeoutMs: options.timeoutMs, idleMs: options.idleMs ?? IDLE_MS, onRetire });
          live.add(session);
          socket.once('close', () => live.delete(session));
          resolve({ kind: 'h2', session });
        }
      });
    });
  }

  function sessionFor(url: URL): Promise<Session> {
    const known = sessions.get(url.origin);
    if (known) return known;
    // A failed connect is not cached, and a session that stops taking requests (GOAWAY, error,
    // close, idle) is forgotten: the next push connects afresh.
    const forget = () => {
      if (sessions.get(url.origin) !== attempt) return;
      sessions.delete(url.origin);
      ready.delete(url.origin);
    };
    const attempt = connect(url, forget);
    sessions.set(url.origin, attempt);
    attempt.then((connected) => {
      if (connected.kind === 'h2' && connected.session.usable && sessions.get(url.origin) === attempt) ready.set(url.origin, connected.session);
    }, forget);
    return attempt;
  }

  async function post(url: URL, push: PushRequest): Promise<PushHttpResult | 'http1'> {
    if (closed) return { kind: 'network', reason: 'push client closed' };
    // Throws for headers HTTP/2 cannot carry: a local, permanent error (see push-channel.ts).
    const fields = requestFields(url, push);
    let reason = '';
    // One deadline for the request, from its first send: a request sent again (unprocessed by
    // the first connection) gets what is left of it, not a fresh timeout.
    let deadline = 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      let session = ready.get(url.origin);
      if (!session) {
        let connected: Session;
        try {
          connected = await sessionFor(url);
        } catch (error) {
          return networkReason(error as NodeJS.ErrnoException);
        }
        if (connected.kind === 'http1') {
          if (Date.now() > connected.until) sessions.delete(url.origin);
          return 'http1';
        }
        session = connected.session;
      }
      const now = Date.now();
      if (deadline === 0) deadline = now + options.timeoutMs;
      else if (now >= deadline) return { kind: 'network', reason: `timeout after ${options.timeoutMs} ms` };
      const result = await session.request(fields, push.body, deadline - now);
      if (result.kind !== 'unsent') return result;
      reason = result.reason;
    }
    return { kind: 'network', reason };
  }

  return {
    post,
    close() {
      closed = true;
      for (const session of live) session.close('push client closed');
      live.clear();
      sessions.clear();
      ready.clear();
    },
  };
}

/**
 * Builds request header lists for HPACK: pseudo-headers first, names in lower case. Refuses what
 * HTTP/2 cannot carry — invalid names or characters, connection-specific fields — naming the
 * header but never its value (it may be the VAPID Authorization). Push headers repeat from one
 * request to the next, so each name's last accepted value is remembered and not checked again.
 */
export function createFieldBuilder(): (url: URL, push: PushRequest) => string[] {
  const accepted = new Map<string, { lower: string; value: string }>();
  return (url, push) => {
    const fields = [':method', push.method, ':scheme', 'https', ':authority', url.host, ':path', url.pathname + url.search];
    for (const name in push.headers) {
      const value = push.headers[name]!;
      const known = accepted.get(name);
      if (known?.value === value) {
        fields.push(known.lower, value);
        continue;
      }
      const lower = name.toLowerCase();
      if (!FIELD_NAME.test(lower)) throw new Error(`invalid HTTP header name ${JSON.stringify(name.slice(0, 40))}`);
      if (INVALID_VALUE.test(value)) throw new Error(`invalid character in the value of header ${lower}`);
      if (/^[\t ]|[\t ]$/.test(value)) throw new Error(`the value of header ${lower} starts or ends with whitespace`);
      if (isConnectionSpecific(lower, value)) throw new Error(`header ${lower} is not allowed in HTTP/2`);
      if (accepted.size > 64) accepted.clear();
      accepted.set(name, { lower, value });
      fields.push(lower, value);
    }
    return fields;
  };
}
