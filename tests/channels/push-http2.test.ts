/**
 * Push over HTTP/2: push services that offer h2 (FCM, Mozilla, Apple) get one multiplexed session
 * per origin; an HTTPS origin that only speaks HTTP/1.1 is detected by ALPN and served over the
 * keep-alive HTTP/1.1 agent. Local TLS servers play the push services (self-signed certificates
 * made by openssl), since the real ones cannot be reached from here.
 */
import http2 from 'node:http2';
import type net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createPushChannel } from '../../server/src/channels/push/push-channel.ts';
import { decryptPush } from '../support/decrypt-push.ts';
import {
  authByDevice,
  cert,
  channel,
  clock,
  h1Base,
  h1Connections,
  h2Base,
  key,
  keysByDevice,
  notice,
  seen,
  sessions,
  subscription,
  usePushServices,
} from './push-services.ts';

usePushServices();

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
});
