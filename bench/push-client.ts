/**
 * `npm run bench -- push-client`: CPU per push request over HTTP/2 — our client (push-http2.ts,
 * through createHttp2Pool as the push channel uses it) against node:http2's client used directly
 * (a lower bound for what the push channel cost with it: it added a timer and stream events per
 * request). Both send the same requests, 256 in flight, to the campaign benchmark's HTTPS
 * receiver (a child process); two rounds each, the first one warming up. Size: BENCH_H2_N (20000).
 */
import http2 from 'node:http2';
import type { PushRequest } from '../server/src/channels/push/build-push-request.ts';
import { createHttp2Pool } from '../server/src/channels/push/push-http2.ts';
import { pushReceiver } from './campaign-peers.ts';

const N = Number(process.env.BENCH_H2_N ?? 20_000);
const IN_FLIGHT = 256;
const body = Buffer.alloc(300, 7);
// The shape of a real push request: web-push's header names, a VAPID header of realistic length.
const headers: Record<string, string> = {
  TTL: '86400',
  Urgency: 'high',
  Topic: 'smime-certificates',
  'Content-Encoding': 'aes128gcm',
  'Content-Type': 'application/octet-stream',
  'Content-Length': String(body.length),
  Authorization: `vapid t=${'x'.repeat(380)}, k=${'y'.repeat(87)}`,
};

/** CPU µs per request of `send` over N requests (the second of two rounds). */
async function cpuPerRequest(send: (i: number) => Promise<void>): Promise<{ cpuUs: number; rate: number }> {
  let result = { cpuUs: 0, rate: 0 };
  for (let round = 0; round < 2; round += 1) {
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < N) await send(next++);
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    result = { cpuUs: (cpu.user + cpu.system) / N, rate: N / ((performance.now() - t0) / 1000) };
  }
  return result;
}

export async function benchPushClient(print: (line: string) => void): Promise<void> {
  const sink = await pushReceiver(true);
  try {
    const session = http2.connect(sink.base, { ca: sink.ca });
    const nodeHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const node = await cpuPerRequest(
      (i) =>
        new Promise<void>((resolve, reject) => {
          const stream = session.request({ ':method': 'POST', ':path': `/d/${i}`, ...nodeHeaders });
          stream.on('response', (h) => {
            if (h[':status'] !== 201) reject(new Error(`status ${h[':status']}`));
            stream.resume();
            stream.on('end', resolve);
          });
          stream.on('error', reject);
          stream.end(body);
        }),
    );
    session.close();

    const pool = createHttp2Pool({ tls: { ca: sink.ca }, timeoutMs: 30_000 });
    const ours = await cpuPerRequest(async (i) => {
      const push: PushRequest = { url: `${sink.base}/d/${i}`, method: 'POST', headers, body };
      const r = await pool.post(new URL(push.url), push);
      if (r === 'http1' || r.kind !== 'response' || r.status !== 201) throw new Error(`push failed: ${JSON.stringify(r)}`);
    });
    pool.close();

    print(`${N} requests over one HTTP/2 connection, ${IN_FLIGHT} in flight, TLS on loopback`);
    print(`  node:http2 client: ${node.cpuUs.toFixed(1)} µs CPU per request (${node.rate.toFixed(0)}/s)`);
    print(`  our client:        ${ours.cpuUs.toFixed(1)} µs CPU per request (${ours.rate.toFixed(0)}/s)`);
    print(`  node:http2 / ours: ${(node.cpuUs / ours.cpuUs).toFixed(1)}× the CPU`);
  } finally {
    await sink.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchPushClient((line) => console.log(line));
}
