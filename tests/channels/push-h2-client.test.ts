/**
 * Our HTTP/2 client (server/src/channels/push/h2-*.ts) against node:http2 (nghttp2) services on
 * loopback TLS: HPACK table sizes, small windows, PING, REFUSED_STREAM, large responses, 1000
 * concurrent streams, deadlines, idle sessions, and a pool that does not keep the process alive.
 * Faults nghttp2 will not produce are in server/src/channels/push/h2-faults.test.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createHttp2Pool } from '../../server/src/channels/push/push-http2.ts';
import { decryptPush } from '../support/decrypt-push.ts';
import {
  authByDevice,
  cert,
  channel,
  h2Base,
  h2Service,
  keysByDevice,
  notice,
  pushRequest,
  response,
  type Seen,
  subscription,
  usePushServices,
} from './push-services.ts';

usePushServices();

describe('our HTTP/2 client against node:http2 services', () => {
  it.each([0, 64])('keeps headers right when the service allows a %i-octet HPACK table', async (size) => {
    const got: Seen[] = [];
    const service = await h2Service({ headerTableSize: size }, (stream, headers, body) => {
      got.push({ path: String(headers[':path']), version: '2.0', headers, body });
      stream.respond({ ':status': 201 });
      stream.end();
    });
    const subs = Array.from({ length: 12 }, (_, i) => subscription(`t${size}-${i}`, service.base, '/ok'));
    expect((await channel.send(notice([subs[0]!]))).status).toBe('sent');
    const outcomes = await Promise.all(subs.slice(1).map((s) => channel.send(notice([s]))));
    expect(outcomes.map((o) => o.status)).toEqual(Array(11).fill('sent'));
    expect(got).toHaveLength(12);
    for (const [i, seenOne] of got.entries()) {
      expect(seenOne.headers).toMatchObject({ ':method': 'POST', ':scheme': 'https', ':authority': new URL(service.base).host, ttl: '3600', urgency: 'high', topic: 'smime-certificates', 'content-encoding': 'aes128gcm', 'content-length': String(seenOne.body.length) });
      expect(String(seenOne.headers.authorization)).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
      const device = seenOne.path.split('/')[2]!;
      expect(JSON.parse(decryptPush(seenOne.body, keysByDevice.get(device)!, authByDevice.get(device)!).toString('utf8'))).toMatchObject({ tag: 'smime-certificates' });
      expect(i === 0 || got[i - 1]!.path !== seenOne.path).toBe(true);
    }
    service.close();
  });

  it('waits for WINDOW_UPDATE when the service grants small windows: bodies arrive intact', async () => {
    const got = new Map<string, Buffer>();
    const service = await h2Service({ initialWindowSize: 100 }, (stream, headers, body) => {
      got.set(String(headers[':path']), body);
      stream.respond({ ':status': 201 });
      stream.end();
    });
    // Encrypted pushes through the channel: ~300-octet bodies in 100-octet stream windows.
    const subs = Array.from({ length: 20 }, (_, i) => subscription(`w${i}`, service.base, '/ok'));
    expect((await Promise.all(subs.map((s) => channel.send(notice([s]))))).map((o) => o.status)).toEqual(Array(20).fill('sent'));
    for (const s of subs) {
      const body = got.get(new URL(s.endpoint).pathname)!;
      expect(JSON.parse(decryptPush(body, keysByDevice.get(s.deviceId)!, authByDevice.get(s.deviceId)!).toString('utf8'))).toMatchObject({ url: 'https://portal.example.com/smime/retrieve?r=r-1' });
    }
    // 4 KiB bodies, 40 at once: 160 KiB, more than the 64 KiB connection window as well.
    const pool = createHttp2Pool({ tls: { ca: cert }, timeoutMs: 5000 });
    const bodies = Array.from({ length: 40 }, () => randomBytes(4096));
    const results = await Promise.all(bodies.map((body, i) => pool.post(new URL(`${service.base}/big/${i}`), pushRequest(`${service.base}/big/${i}`, body))));
    expect(results.map((r) => response(r).status)).toEqual(Array(40).fill(201));
    for (const [i, body] of bodies.entries()) expect(got.get(`/big/${i}`)!.equals(body)).toBe(true);
    pool.close();
    service.close();
  });

  it('answers the service PING', async () => {
    const service = await h2Service({}, (stream) => {
      stream.respond({ ':status': 201 });
      stream.end();
    });
    const pool = createHttp2Pool({ tls: { ca: cert }, timeoutMs: 2000 });
    const url = `${service.base}/ping`;
    expect(response(await pool.post(new URL(url), pushRequest(url, Buffer.from('x')))).status).toBe(201);
    const payload = Buffer.from('8 octets');
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      service.sessions[0]!.ping(payload, (error, _duration, answer) => (error ? reject(error) : resolve(answer)));
    });
    expect(echoed).toEqual(payload);
    expect(response(await pool.post(new URL(url), pushRequest(url, Buffer.from('y')))).status).toBe(201);
    expect(service.sessions).toHaveLength(1);
    pool.close();
    service.close();
  });

  it('a stream the service refuses (REFUSED_STREAM) is sent once more, then is a retryable network result; the session lives on', async () => {
    const refusals = new Map<string, number>();
    const service = await h2Service({}, (stream, headers) => {
      const path = String(headers[':path']);
      const seen = (refusals.get(path) ?? 0) + 1;
      refusals.set(path, seen);
      // /refused is refused every time; /refused-once only the first time.
      if (path.endsWith('/refused') || (path.endsWith('/refused-once') && seen === 1)) {
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      stream.respond({ ':status': 201 });
      stream.end();
    });
    expect(await channel.send(notice([subscription('rf', service.base, '/refused')]))).toMatchObject({
      status: 'retryable',
      reason: 'push service unreachable: push service reset the stream (REFUSED_STREAM)',
    });
    expect(refusals.get('/push/rf/refused')).toBe(2);
    expect((await channel.send(notice([subscription('rf1', service.base, '/refused-once')]))).status).toBe('sent');
    expect(refusals.get('/push/rf1/refused-once')).toBe(2);
    expect((await channel.send(notice([subscription('rf2', service.base, '/ok')]))).status).toBe('sent');
    expect(service.sessions).toHaveLength(1);
    service.close();
  });

  it('reads a large response body to its end, keeping only its first 2048 octets as text', async () => {
    const big = 'E'.repeat(2040) + 'abcdefghij' + 'z'.repeat(3 * 1024 * 1024);
    const service = await h2Service({}, (stream, headers) => {
      const large = String(headers[':path']).endsWith('/large');
      stream.respond({ ':status': large ? 500 : 201 });
      stream.end(large ? big : '');
    });
    const pool = createHttp2Pool({ tls: { ca: cert }, timeoutMs: 10_000 });
    const url = `${service.base}/large`;
    const answer = response(await pool.post(new URL(url), pushRequest(url, Buffer.from('x'))));
    expect(answer.status).toBe(500);
    expect(answer.text).toBe(big.slice(0, 2048));
    // The 3 MiB needed our WINDOW_UPDATEs; the same session goes on.
    const again = await Promise.all([1, 2, 3].map(() => pool.post(new URL(`${service.base}/ok`), pushRequest(`${service.base}/ok`, Buffer.from('y')))));
    expect(again.map((r) => response(r).status)).toEqual([201, 201, 201]);
    expect(service.sessions).toHaveLength(1);
    pool.close();
    service.close();
  });

  it('carries 1000 concurrent requests on one session, each answered with its own status', async () => {
    const statuses = [201, 202, 400, 404, 410, 413, 429, 500, 503];
    const service = await h2Service({}, (stream, headers, body) => {
      const status = Number(String(headers[':path']).split('/')[2]);
      stream.respond({ ':status': status, 'x-echo': body.toString('utf8') });
      stream.end(status === 201 ? '' : `status ${status}`);
    });
    const pool = createHttp2Pool({ tls: { ca: cert }, timeoutMs: 20_000 });
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const url = `${service.base}/s/${statuses[i % statuses.length]}/${i}`;
        return pool.post(new URL(url), pushRequest(url, Buffer.from(`body ${i}`)));
      }),
    );
    results.forEach((result, i) => {
      const status = statuses[i % statuses.length]!;
      expect(response(result)).toMatchObject({ status, headers: { 'x-echo': `body ${i}` }, text: status === 201 ? '' : `status ${status}` });
    });
    expect(service.sessions).toHaveLength(1);
    pool.close();
    service.close();
  });

  it('cancels a stream at its deadline with RST_STREAM(CANCEL)', async () => {
    const resets: number[] = [];
    const service = await h2Service({}, (stream) => {
      stream.on('close', () => resets.push(stream.rstCode));
    });
    const pool = createHttp2Pool({ tls: { ca: cert }, timeoutMs: 300 });
    const url = `${service.base}/hang`;
    expect(await pool.post(new URL(url), pushRequest(url, Buffer.from('x')))).toEqual({ kind: 'network', reason: 'timeout after 300 ms' });
    while (resets.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(resets).toEqual([http2.constants.NGHTTP2_CANCEL]);
    pool.close();
    service.close();
  });

  it('closes an idle session with GOAWAY; the next push opens a new one', async () => {
    const service = await h2Service({}, (stream) => {
      stream.respond({ ':status': 201 });
      stream.end();
    });
    const pool = createHttp2Pool({ tls: { ca: cert }, timeoutMs: 2000, idleMs: 200 });
    const url = `${service.base}/ok`;
    expect(response(await pool.post(new URL(url), pushRequest(url, Buffer.from('x')))).status).toBe(201);
    const first = service.sessions[0]!;
    const [code] = (await once(first, 'goaway')) as [number];
    expect(code).toBe(http2.constants.NGHTTP2_NO_ERROR);
    await once(first, 'close');
    expect(response(await pool.post(new URL(url), pushRequest(url, Buffer.from('y')))).status).toBe(201);
    expect(service.sessions).toHaveLength(2);
    pool.close();
    service.close();
  });

  it('does not keep the process alive: a script that never calls close() exits by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'push-h2-unref-'));
    const script = join(dir, 'post.mts');
    const pool = new URL('../../server/src/channels/push/push-http2.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      `import { createHttp2Pool } from ${JSON.stringify(pool)};
const pool = createHttp2Pool({ tls: { ca: process.env.CA }, timeoutMs: 5000 });
const url = process.env.URL!;
const result = await pool.post(new URL(url), { url, method: 'POST', headers: { TTL: '60' }, body: Buffer.from('x') });
console.log(JSON.stringify(result === 'http1' ? result : result.kind === 'response' ? result.status : result.reason));
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, CA: cert, URL: `${h2Base}/push/unref/ok` }, timeout: 20_000 });
    expect(stdout.trim()).toBe('201');
    rmSync(dir, { recursive: true, force: true });
  });
});
