/**
 * A pooled keep-alive HTTP(S) client for push services. web-push's sendNotification opens a new
 * TLS connection per message; a campaign sends thousands of messages to a handful of origins
 * (FCM, Mozilla, Apple), so connections are kept open and reused through one Agent per scheme.
 */
import http from 'node:http';
import https from 'node:https';
import type { PushRequest } from './build-push-request.ts';

export interface PushHttpClientOptions {
  /** Extra Agent options (maxSockets, TLS CA for tests…); keepAlive is always on. */
  agentOptions?: https.AgentOptions;
  /** Whole-request deadline: connect, send and read the response. */
  timeoutMs: number;
}

/** A push service's answer, or why none came. */
export type PushHttpResult =
  | { kind: 'response'; status: number; headers: http.IncomingHttpHeaders; text: string }
  | { kind: 'network'; reason: string };

export interface PushHttpClient {
  post(request: PushRequest): Promise<PushHttpResult>;
  close(): void;
}

/** Only the start of an error body is kept: enough for the reason, bounded in memory. */
const MAX_TEXT_BYTES = 2048;

/** Creates the client; `close()` destroys idle and active sockets of both agents. */
export function createPushHttpClient(options: PushHttpClientOptions): PushHttpClient {
  const agentOptions = { maxSockets: 64, ...options.agentOptions, keepAlive: true };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  return {
    post(request) {
      const url = new URL(request.url);
      const isHttps = url.protocol === 'https:';
      const send = isHttps ? https.request : http.request;
      return new Promise<PushHttpResult>((resolve) => {
        let settled = false;
        const finish = (result: PushHttpResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(result);
        };
        const req = send(url, {
          method: request.method,
          headers: request.headers,
          agent: isHttps ? httpsAgent : httpAgent,
        });
        const timer = setTimeout(() => {
          finish({ kind: 'network', reason: `timeout after ${options.timeoutMs} ms` });
          req.destroy();
        }, options.timeoutMs);
        req.on('error', (error: NodeJS.ErrnoException) => {
          finish({ kind: 'network', reason: error.code ? `${error.code}: ${error.message}` : error.message });
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          // The body is read to its end even when not kept, so the socket can be reused.
          res.on('data', (chunk: Buffer) => {
            if (kept < MAX_TEXT_BYTES) {
              chunks.push(chunk);
              kept += chunk.length;
            }
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).subarray(0, MAX_TEXT_BYTES).toString('utf8');
            finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, text });
          });
          res.on('error', (error) => finish({ kind: 'network', reason: error.message }));
        });
        req.end(request.body);
      });
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
