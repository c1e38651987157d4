/**
 * Push over HTTP/2: push services that offer h2 (FCM, Mozilla, Apple) get one multiplexed session
 * per origin; an HTTPS origin that only speaks HTTP/1.1 is detected by ALPN and served over the
 * keep-alive HTTP/1.1 agent. Local TLS servers play the push services (self-signed certificates
 * made by openssl), since the real ones cannot be reached from here.
 */
import { execFile } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushRequest } from '../../server/src/channels/push/build-push-request.ts';
import { createPushChannel } from '../../server/src/channels/push/push-channel.ts';
import type { PushHttpResult } from '../../server/src/channels/push/push-http-client.ts';
import { createHttp2Pool } from '../../server/src/channels/push/push-http2.ts';
import { localhostCertificate } from '../../server/src/channels/push/testing/localhost-cert.ts';
import { createVapidSigner, generateVapidKeys } from '../../server/src/channels/push/vapid.ts';
import type { Channel, Clock, Notice, PushSubscriptionRecord } from '../../server/src/ports.ts';
import { decryptPush } from '../support/decrypt-push.ts';

const clock: Clock = { now: () => new Date('2030-01-01T00:00:00Z') };
interface Seen {
  path: string;
  version: string;
  headers: Record<string, unknown>;
  body: Buffer;
}
const seen: Seen[] = [];
let sessions = 0;
let h1Connections = 0;
let key: string;
let cert: string;
let h2Server: http2.Http2SecureServer;
let h1Server: https.Server;
let h2Base: string;
let h1Base: string;
let channel: Channel;
const keysByDevice = new Map<string, ReturnType<typeof createECDH>>();
const authByDevice = new Map<string, Buffer>();

function answer(path: string, respond: (status: number, headers?: Record<string, string>, text?: string) => void): void {
  if (path.endsWith('/ok')) respond(201);
  else if (path.endsWith('/410')) respond(410, {}, 'gone');
  else if (path.endsWith('/429')) respond(429, { 'retry-after': '9' }, 'slow down');
  else if (path.endsWith('/goaway')) respond(201);
  else if (!path.endsWith('/hang')) respond(418);
}

function subscription(deviceId: string, base: string, path: string): PushSubscriptionRecord {
  const ua = createECDH('prime256v1');
  ua.generateKeys();
  const auth = randomBytes(16);
  keysByDevice.set(deviceId, ua);
  authByDevice.set(deviceId, auth);
  return { deviceId, endpoint: `${base}/push/${deviceId}${path}`, p256dh: ua.getPublicKey().toString('base64url'), auth: auth.toString('base64url') };
}

function notice(subscriptions: PushSubscriptionRecord[]): Notice {
  return {
    recipientId: 'r-1',
    kind: 'newCertificates',
    user: { email: null, displayName: null, locale: 'en' },
    url: 'https://portal.example.com/smime/retrieve?r=r-1',
    topic: 'smime-certificates',
    subscriptions,
  };
}

beforeAll(async () => {
  ({ key, cert } = localhostCertificate());

  // An h2-only service (no HTTP/1.1 fallback): anything that is not HTTP/2 fails here.
  h2Server = http2.createSecureServer({ key, cert });
  h2Server.on('session', () => {
    sessions += 1;
  });
  h2Server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const path = String(headers[':path']);
      seen.push({ path, version: '2.0', headers, body: Buffer.concat(chunks) });
      answer(path, (status, extra = {}, text = '') => {
        stream.respond({ ':status': status, ...extra });
        stream.end(text);
      });
      if (path.endsWith('/goaway')) stream.session?.goaway();
    });
  });
  h2Server.listen(0, '127.0.0.1');
  await once(h2Server, 'listening');
  h2Base = `https://localhost:${(h2Server.address() as net.AddressInfo).port}`;

  h1Server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', version: req.httpVersion, headers: req.headers, body: Buffer.concat(chunks) });
      answer(req.url ?? '', (status, extra = {}, text = '') => res.writeHead(status, extra).end(text));
    });
  });
  h1Server.on('connection', () => {
    h1Connections += 1;
  });
  h1Server.listen(0, '127.0.0.1');
  await once(h1Server, 'listening');
  h1Base = `https://localhost:${(h1Server.address() as net.AddressInfo).port}`;

  const vapid = createVapidSigner({ ...generateVapidKeys(), subject: 'mailto:it@example.com', clock });
  channel = createPushChannel({ vapid, timeoutMs: 500, ttlSeconds: 3600, allowInsecureEndpoints: false, httpAgentOptions: { ca: cert }, clock });
});

afterAll(async () => {
  await channel.close();
  h2Server.close();
  h1Server.closeAllConnections();
  h1Server.close();
});

describe('push over HTTP/2', () => {
  it('multiplexes concurrent pushes to one origin over one h2 session, payload intact', async () => {
    seen.length = 0;
    const before = sessions;
    const subs = Array.from({ length: 20 }, (_, i) => subscription(`d${i}`, h2Base, '/ok'));
    const outcomes = await Promise.all(subs.map((s) => channel.send(notice([s]))));
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(sessions - before).toBe(1);
    expect(seen).toHaveLength(20);
    const first = seen.find((s) => s.path === '/push/d0/ok')!;
    expect(first.version).toBe('2.0');
    expect(first.headers).toMatchObject({ ':method': 'POST', ttl: '3600', urgency: 'high', topic: 'smime-certificates', 'content-encoding': 'aes128gcm' });
    expect(String(first.headers.authorization)).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    const plain = decryptPush(first.body, keysByDevice.get('d0')!, authByDevice.get('d0')!);
    expect(JSON.parse(plain.toString('utf8'))).toMatchObject({ url: 'https://portal.example.com/smime/retrieve?r=r-1', tag: 'smime-certificates' });
  });

  it('classifies h2 answers like HTTP/1.1 ones: 410 gone, 429 with Retry-After, a hang times out', async () => {
    expect(await channel.send(notice([subscription('g', h2Base, '/410')]))).toEqual({ status: 'gone', reason: 'every push subscription is gone', goneDeviceIds: ['g'] });
    expect(await channel.send(notice([subscription('s', h2Base, '/429')]))).toMatchObject({ status: 'retryable', retryAfterMs: 9000, reason: 'push service answered 429: slow down' });
    expect(await channel.send(notice([subscription('h', h2Base, '/hang')]))).toMatchObject({ status: 'retryable', reason: expect.stringContaining('timeout after 500 ms') });
  });

  it('opens a new session after the service sends GOAWAY', async () => {
    const before = sessions;
    expect((await channel.send(notice([subscription('x', h2Base, '/goaway')]))).status).toBe('sent');
    await new Promise((r) => setTimeout(r, 50));
    expect((await channel.send(notice([subscription('y', h2Base, '/ok')]))).status).toBe('sent');
    expect(sessions - before).toBeGreaterThanOrEqual(1);
    expect(seen.at(-1)).toMatchObject({ path: '/push/y/ok', version: '2.0' });
  });

  it('falls back to keep-alive HTTP/1.1 for an HTTPS service without h2', async () => {
    seen.length = 0;
    const before = h1Connections;
    for (let i = 0; i < 4; i += 1) {
      expect((await channel.send(notice([subscription(`o${i}`, h1Base, '/ok')]))).status).toBe('sent');
    }
    expect(seen.map((s) => s.version)).toEqual(['1.1', '1.1', '1.1', '1.1']);
    // One probe connection (ALPN did not choose h2), then one reused keep-alive connection.
    expect(h1Connections - before).toBe(2);
    expect(await channel.send(notice([subscription('o9', h1Base, '/410')]))).toMatchObject({ status: 'gone', goneDeviceIds: ['o9'] });
  });

  it('keeps to the concurrent-stream limit the service sets: pushes above it wait, none is refused', async () => {
    let open = 0;
    let most = 0;
    const limited = http2.createSecureServer({ key, cert, settings: { maxConcurrentStreams: 5 } });
    limited.on('stream', (stream) => {
      open += 1;
      most = Math.max(most, open);
      stream.resume();
      stream.on('end', () =>
        setTimeout(() => {
          open -= 1;
          stream.respond({ ':status': 201 });
          stream.end();
        }, 5),
      );
    });
    limited.listen(0, '127.0.0.1');
    await once(limited, 'listening');
    const base = `https://localhost:${(limited.address() as net.AddressInfo).port}`;
    // The first push opens the session (and learns the limit); then 60 at once.
    expect((await channel.send(notice([subscription('l0', base, '/ok')]))).status).toBe('sent');
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, i) => channel.send(notice([subscription(`l${i + 1}`, base, '/ok')]))));
    expect(outcomes.map((o) => o.status)).toEqual(Array(60).fill('sent'));
    expect(most).toBeLessThanOrEqual(5);
    limited.close();
  });

  it('an unreachable h2 origin is retryable and does not poison later pushes', async () => {
    const closed = http2.createSecureServer({ key, cert }).listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as net.AddressInfo;
    closed.close();
    await once(closed, 'close');
    const outcome = await channel.send(notice([subscription('z', `https://localhost:${port}`, '/ok')]));
    expect(outcome).toMatchObject({ status: 'retryable', reason: expect.stringContaining('ECONNREFUSED') });
    expect((await channel.send(notice([subscription('w', h2Base, '/ok')]))).status).toBe('sent');
  });
});

/** A one-off h2-only push service: `onStream` gets each request once its body has arrived. */
async function h2Service(settings: http2.Settings, onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void) {
  const server = http2.createSecureServer({ key, cert, settings });
  const sessionsSeen: http2.ServerHttp2Session[] = [];
  server.on('session', (session) => sessionsSeen.push(session));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    // Resets (ours on timeout, the service's own REFUSED_STREAM) surface as stream errors here.
    stream.on('error', () => undefined);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => onStream(stream, headers, Buffer.concat(chunks)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `https://localhost:${(server.address() as net.AddressInfo).port}`,
    sessions: sessionsSeen,
    close: () => {
      for (const session of sessionsSeen) session.destroy();
      server.close();
    },
  };
}

function pushRequest(url: string, body: Buffer, headers: Record<string, string> = {}): PushRequest {
  return { url, method: 'POST', headers: { TTL: '60', 'Content-Type': 'application/octet-stream', ...headers }, body };
}

function response(result: PushHttpResult | 'http1') {
  if (result === 'http1' || result.kind !== 'response') throw new Error(`expected a response, got ${JSON.stringify(result)}`);
  return result;
}

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

  it('refuses a header value with CR/LF locally, as a permanent error that does not show the value', async () => {
    const leaky = createPushChannel({
      vapid: { authorizationFor: () => 'vapid t=secret-token\r\nx-injected: 1, k=key', signatureCount: 0 },
      timeoutMs: 500,
      ttlSeconds: 60,
      allowInsecureEndpoints: false,
      httpAgentOptions: { ca: cert },
      clock,
    });
    const outcome = await leaky.send(notice([subscription('crlf', h2Base, '/ok')]));
    expect(outcome).toMatchObject({ status: 'permanent', reason: 'push request rejected locally: invalid character in the value of header authorization' });
    expect(JSON.stringify(outcome)).not.toContain('secret-token');
    await leaky.close();
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
