/**
 * A pooled client for push services. web-push's sendNotification opens a new TLS connection per
 * message; a campaign sends thousands of messages to a handful of origins (FCM, Mozilla, Apple),
 * so connections are kept open and reused: HTTP/2 sessions where the origin offers h2 (see
 * push-http2.ts), otherwise keep-alive HTTP/1.1 through one Agent per scheme.
 */
import http from 'node:http';
import https from 'node:https';
import type { PushRequest } from './build-push-request.ts';
import { networkReason, readText, settleOnce } from './push-answer.ts';
import { createHttp2Pool } from './push-http2.ts';

export interface PushHttpClientOptions {
  /** Extra Agent options (maxSockets, TLS CA for tests…); keepAlive is always on. */
  agentOptions?: https.AgentOptions;
  /** Whole-request deadline: connect, send and read the response. */
  timeoutMs: number;
  /** Offer HTTP/2 to https origins (ALPN). Default true. */
  http2?: boolean;
}

/** A push service's answer, or why none came. */
export type PushHttpResult =
  | { kind: 'response'; status: number; headers: http.IncomingHttpHeaders; text: string }
  | { kind: 'network'; reason: string };

export interface PushHttpClient {
  /** `url`: `request.url` already parsed, if the caller has it (saves parsing it again). */
  post(request: PushRequest, url?: URL): Promise<PushHttpResult>;
  close(): void;
}

/** Creates the client; `close()` destroys idle and active sockets of both agents. */
export function createPushHttpClient(options: PushHttpClientOptions): PushHttpClient {
  const agentOptions = { maxSockets: 64, ...options.agentOptions, keepAlive: true };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const h2 = options.http2 === false ? null : createHttp2Pool({ tls: options.agentOptions ?? {}, timeoutMs: options.timeoutMs });

  return {
    async post(request, parsed) {
      const url = parsed ?? new URL(request.url);
      const isHttps = url.protocol === 'https:';
      if (isHttps && h2) {
        const result = await h2.post(url, request);
        if (result !== 'http1') return result;
      }
      return postHttp1(url, request, isHttps);
    },
    close() {
      h2?.close();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };

  function postHttp1(url: URL, request: PushRequest, isHttps: boolean): Promise<PushHttpResult> {
    const send = isHttps ? https.request : http.request;
    const req = send(url, { method: request.method, headers: request.headers, agent: isHttps ? httpsAgent : httpAgent });
    const { promise, finish } = settleOnce(options.timeoutMs, () => req.destroy());
    req.on('error', (error: NodeJS.ErrnoException) => finish(networkReason(error)));
    req.on('response', (res) => {
      res.on('error', (error) => finish(networkReason(error)));
      readText(res, (text) => finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.end(request.body);
    return promise;
  }
}
