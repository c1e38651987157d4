/**
 * Push failure classification. Real push services cannot be made to answer 410/429/5xx/400 or
 * hang on demand, so a small local HTTP endpoint plays those parts.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushChannel } from '../../server/src/channels/push/push-channel.ts';
import { createVapidSigner, generateVapidKeys } from '../../server/src/channels/push/vapid.ts';
import type { Channel, Clock, Notice, PushSubscriptionRecord } from '../../server/src/ports.ts';

const clock: Clock = { now: () => new Date('2030-01-01T00:00:00Z') };
const seen: { path: string; headers: http.IncomingHttpHeaders; bytes: number }[] = [];
let connections = 0;
let server: http.Server;
let base: string;
let channel: Channel;

function fault(req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (req.url) {
    case '/ok':
      return void res.writeHead(201).end();
    case '/410':
      return void res.writeHead(410).end('gone');
    case '/404':
      return void res.writeHead(404).end();
    case '/429':
      return void res.writeHead(429, { 'Retry-After': '7' }).end('slow down');
    case '/429-date':
      return void res.writeHead(429, { 'Retry-After': 'Tue, 01 Jan 2030 00:02:00 GMT' }).end();
    case '/500':
      return void res.writeHead(500).end('internal');
    case '/400':
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end('UnauthorizedRegistration: bad\njwt');
    case '/hang':
      return; // never answers
    default:
      res.writeHead(418).end();
  }
}

function subscription(deviceId: string, pathname: string): PushSubscriptionRecord {
  const ua = createECDH('prime256v1');
  ua.generateKeys();
  return {
    deviceId,
    endpoint: `${base}${pathname}`,
    p256dh: ua.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
}

function notice(subscriptions: PushSubscriptionRecord[]): Notice {
  return {
    recipientId: 'r-9',
    kind: 'newCertificates',
    user: { email: null, displayName: null, locale: 'en' },
    url: 'https://portal.example.com/smime/retrieve?r=r-9',
    topic: 'a topic with spaces and more than thirty-two characters',
    subscriptions,
  };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, bytes });
      fault(req, res);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const vapid = createVapidSigner({ ...generateVapidKeys(), subject: 'mailto:it@example.com', clock });
  channel = createPushChannel({ vapid, timeoutMs: 300, ttlSeconds: 86400, allowInsecureEndpoints: true, clock });
});

afterAll(async () => {
  await channel.close();
  server.closeAllConnections();
  server.close();
});

describe('push failure classification', () => {
  it('410 and 404 are gone with the device ids, never retryable', async () => {
    expect(await channel.send(notice([subscription('a', '/410'), subscription('b', '/404')]))).toEqual({
      status: 'gone',
      reason: 'every push subscription is gone',
      goneDeviceIds: ['a', 'b'],
    });
  });

  it('429 is retryable honouring Retry-After in seconds or as an HTTP date', async () => {
    expect(await channel.send(notice([subscription('a', '/429')]))).toEqual({
      status: 'retryable',
      reason: 'push service answered 429: slow down',
      retryAfterMs: 7000,
      goneDeviceIds: [],
    });
    expect(await channel.send(notice([subscription('a', '/429-date')]))).toMatchObject({
      status: 'retryable',
      retryAfterMs: 120_000,
    });
  });

  it('5xx is retryable without a delay when none is given', async () => {
    const outcome = await channel.send(notice([subscription('a', '/500')]));
    expect(outcome).toEqual({ status: 'retryable', reason: 'push service answered 500: internal', goneDeviceIds: [] });
  });

  it('other 4xx is permanent with the status and the service text', async () => {
    expect(await channel.send(notice([subscription('a', '/400')]))).toEqual({
      status: 'permanent',
      reason: 'push service answered 400: UnauthorizedRegistration: bad jwt',
      goneDeviceIds: [],
    });
  });

  it('a hanging service times out as retryable', async () => {
    const started = Date.now();
    const outcome = await channel.send(notice([subscription('a', '/hang')]));
    expect(outcome).toEqual({ status: 'retryable', reason: expect.stringContaining('timeout after 300 ms'), goneDeviceIds: [] });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a refused connection is retryable', async () => {
    const closed = http.createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as net.AddressInfo;
    closed.close();
    await once(closed, 'close');
    const outcome = await channel.send(
      notice([{ ...subscription('a', '/ok'), endpoint: `http://127.0.0.1:${port}/ok` }]),
    );
    expect(outcome).toMatchObject({ status: 'retryable', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('mixes: sent wins, gone ids are reported; retryable beats permanent with the longest delay', async () => {
    expect(await channel.send(notice([subscription('a', '/500'), subscription('b', '/ok'), subscription('c', '/410')]))).toEqual({
      status: 'sent',
      goneDeviceIds: ['c'],
    });
    expect(await channel.send(notice([subscription('a', '/400'), subscription('b', '/429'), subscription('c', '/410')]))).toEqual({
      status: 'retryable',
      reason: 'push service answered 429: slow down',
      retryAfterMs: 7000,
      goneDeviceIds: ['c'],
    });
  });

  it('a malformed subscription key is permanent for that subscription', async () => {
    const bad = { ...subscription('a', '/ok'), p256dh: 'AAAA' };
    expect(await channel.send(notice([bad]))).toMatchObject({
      status: 'permanent',
      reason: expect.stringContaining('invalid push subscription'),
    });
  });

  it('refuses http:// endpoints unless insecure endpoints are allowed', async () => {
    const strict = createPushChannel({
      vapid: createVapidSigner({ ...generateVapidKeys(), subject: 'mailto:it@example.com', clock }),
      timeoutMs: 300,
      ttlSeconds: 60,
      allowInsecureEndpoints: false,
    });
    expect(await strict.send(notice([subscription('a', '/ok')]))).toEqual({
      status: 'permanent',
      reason: 'push endpoint scheme http: is not allowed',
      goneDeviceIds: [],
    });
    await strict.close();
  });

  it('sends the RFC 8030/8291 headers and reuses one keep-alive connection and one JWT', async () => {
    const vapid = createVapidSigner({ ...generateVapidKeys(), subject: 'mailto:it@example.com', clock });
    const fresh = createPushChannel({ vapid, timeoutMs: 2000, ttlSeconds: 86400, allowInsecureEndpoints: true, clock });
    seen.length = 0;
    const before = connections;
    for (let i = 0; i < 5; i += 1) {
      expect((await fresh.send(notice([subscription('a', '/ok')]))).status).toBe('sent');
    }
    await fresh.close();
    expect(connections - before).toBe(1);
    expect(vapid.signatureCount).toBe(1);
    expect(seen).toHaveLength(5);
    const authorizations = new Set(seen.map((s) => s.headers.authorization));
    expect(authorizations.size).toBe(1);
    const first = seen[0]!;
    expect(first.headers).toMatchObject({
      ttl: '86400',
      urgency: 'high',
      'content-encoding': 'aes128gcm',
      'content-type': 'application/octet-stream',
      topic: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      authorization: expect.stringMatching(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]{87}$/),
    });
    expect(Number(first.headers['content-length'])).toBe(first.bytes);
  });
});
