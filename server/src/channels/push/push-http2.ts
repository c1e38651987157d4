/**
 * HTTP/2 to push services. The big ones (FCM, Mozilla autopush, Apple) speak h2, where one TLS
 * connection carries hundreds of concurrent pushes: less CPU per message than HTTP/1.1 (no
 * per-request header text, no socket juggling) and far fewer connections. Each origin is probed
 * once with ALPN (`h2`, `http/1.1`); origins that answer `http/1.1` are remembered and served by
 * the keep-alive HTTP/1.1 client instead.
 */
import http2 from 'node:http2';
import type https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { PushRequest } from './build-push-request.ts';
import { networkReason, readText, settleOnce } from './push-answer.ts';
import type { PushHttpResult } from './push-http-client.ts';

/** An idle session is closed after this long (push services close theirs after a few minutes). */
const IDLE_MS = 60_000;
/** An origin that refused h2 is probed again after this long (it may have been upgraded). */
const H1_MEMORY_MS = 10 * 60_000;

export interface Http2Pool {
  /** The result, or 'http1' when the origin does not speak h2 (the caller sends over HTTP/1.1). */
  post(url: URL, request: PushRequest): Promise<PushHttpResult | 'http1'>;
  close(): void;
}

type Session = { kind: 'h2'; session: http2.ClientHttp2Session } | { kind: 'http1'; until: number };

export function createHttp2Pool(options: { tls?: https.AgentOptions; timeoutMs: number }): Http2Pool {
  const sessions = new Map<string, Promise<Session>>();
  let closed = false;

  /** Opens (ALPN-probes) a session to `url`'s origin; the connect itself is bounded by the timeout. */
  function connect(url: URL): Promise<Session> {
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
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          resolve({ kind: 'http1', until: Date.now() + H1_MEMORY_MS });
          return;
        }
        const session = http2.connect(url.origin, { createConnection: () => socket });
        session.setTimeout(IDLE_MS, () => session.close());
        session.unref();
        resolve({ kind: 'h2', session });
      });
    });
  }

  function sessionFor(url: URL): Promise<Session> {
    const known = sessions.get(url.origin);
    if (known) return known;
    const attempt = connect(url);
    sessions.set(url.origin, attempt);
    const forget = () => {
      if (sessions.get(url.origin) === attempt) sessions.delete(url.origin);
    };
    // A failed connect is not cached, and a failed or closing session is forgotten: the next
    // push connects afresh.
    attempt.then(
      (s) => {
        if (s.kind !== 'h2') return;
        s.session.on('error', forget);
        s.session.on('goaway', forget);
        s.session.on('close', forget);
      },
      forget,
    );
    return attempt;
  }

  function request(session: http2.ClientHttp2Session, url: URL, push: PushRequest): Promise<PushHttpResult> {
    const headers: http2.OutgoingHttpHeaders = { ':method': push.method, ':path': `${url.pathname}${url.search}` };
    for (const [name, value] of Object.entries(push.headers)) headers[name.toLowerCase()] = value;
    const stream = session.request(headers);
    const { promise, finish } = settleOnce(options.timeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('error', (error: NodeJS.ErrnoException) => finish(networkReason(error)));
    stream.on('response', (responseHeaders) => {
      const status = Number(responseHeaders[':status'] ?? 0);
      readText(stream, (text) => finish({ kind: 'response', status, headers: responseHeaders as Record<string, string | string[] | undefined>, text }));
    });
    // A stream refused before any response (GOAWAY, reset) ends without 'response'.
    stream.on('close', () => finish({ kind: 'network', reason: `stream closed (code ${stream.rstCode ?? 0})` }));
    stream.end(push.body);
    return promise;
  }

  async function post(url: URL, push: PushRequest): Promise<PushHttpResult | 'http1'> {
    if (closed) return { kind: 'network', reason: 'push client closed' };
    let session: Session;
    try {
      session = await sessionFor(url);
    } catch (error) {
      return networkReason(error as NodeJS.ErrnoException);
    }
    if (session.kind === 'http1') {
      if (Date.now() > session.until) sessions.delete(url.origin);
      return 'http1';
    }
    if (session.session.closed || session.session.destroyed) {
      sessions.delete(url.origin);
      return post(url, push);
    }
    return request(session.session, url, push);
  }

  return {
    post,
    close() {
      closed = true;
      for (const attempt of sessions.values()) {
        attempt.then((s) => s.kind === 'h2' && s.session.destroy()).catch(() => undefined);
      }
      sessions.clear();
    },
  };
}
