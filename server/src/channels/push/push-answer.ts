/**
 * Reading a push service's answer over HTTP/1.1: one settle-once result with a whole-request
 * deadline, and only the start of the body kept (MAX_TEXT_BYTES and networkReason are shared
 * with the HTTP/2 client, h2-stream.ts and push-http2.ts).
 */
import type { Readable } from 'node:stream';
import type { PushHttpResult } from './push-http-client.ts';

/** Only the start of an error body is kept: enough for the reason, bounded in memory. */
export const MAX_TEXT_BYTES = 2048;

/** A result that settles once: the first of answer, error or deadline wins. */
export function settleOnce(timeoutMs: number, onTimeout: () => void): { promise: Promise<PushHttpResult>; finish(result: PushHttpResult): void } {
  let resolve!: (result: PushHttpResult) => void;
  const promise = new Promise<PushHttpResult>((r) => {
    resolve = r;
  });
  let settled = false;
  const finish = (result: PushHttpResult) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    resolve(result);
  };
  const timer = setTimeout(() => {
    finish({ kind: 'network', reason: `timeout after ${timeoutMs} ms` });
    onTimeout();
  }, timeoutMs);
  return { promise, finish };
}

/** The reason of a network error, with its code when there is one. */
export function networkReason(error: NodeJS.ErrnoException): PushHttpResult {
  return { kind: 'network', reason: error.code ? `${error.code}: ${error.message}` : error.message };
}

/** Reads the body to its end (so the connection can be reused), keeping its first bytes as text. */
export function readText(body: Readable, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  body.on('data', (chunk: Buffer) => {
    if (kept < MAX_TEXT_BYTES) {
      chunks.push(chunk);
      kept += chunk.length;
    }
  });
  body.on('end', () => done(kept === 0 ? '' : Buffer.concat(chunks).subarray(0, MAX_TEXT_BYTES).toString('utf8')));
}
