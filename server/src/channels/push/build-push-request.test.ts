import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPushRequest, toPushTopic } from './build-push-request.ts';

describe('toPushTopic', () => {
  it('keeps a valid topic and hashes anything else to 32 base64url characters', () => {
    expect(toPushTopic('campaign-42_x')).toBe('campaign-42_x');
    const hashed = toPushTopic('campaign 42 / reminder');
    expect(hashed).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(toPushTopic('campaign 42 / reminder')).toBe(hashed);
    expect(toPushTopic('x'.repeat(33))).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(toPushTopic('')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('buildPushRequest', () => {
  it('builds an aes128gcm POST with TTL, Urgency, Topic and the given Authorization', () => {
    const ua = createECDH('prime256v1');
    ua.generateKeys();
    const payload = new TextEncoder().encode('{"title":"t"}');
    const request = buildPushRequest({
      subscription: {
        deviceId: 'd1',
        endpoint: 'https://push.example.net/p/abc',
        p256dh: ua.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      },
      payload,
      ttlSeconds: 600,
      urgency: 'high',
      topic: 'campaign-1',
      authorization: 'vapid t=a.b.c, k=key',
    });
    expect(request.url).toBe('https://push.example.net/p/abc');
    expect(request.method).toBe('POST');
    // aes128gcm: 86-byte header + plaintext + 1 delimiter + 16-byte tag (RFC 8188).
    expect(request.body.length).toBe(86 + payload.length + 17);
    expect(request.headers).toEqual({
      TTL: '600',
      Urgency: 'high',
      Topic: 'campaign-1',
      Authorization: 'vapid t=a.b.c, k=key',
      'Content-Encoding': 'aes128gcm',
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(request.body.length),
    });
  });
});
