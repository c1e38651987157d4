import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors.ts';
import type { Clock } from '../../ports.ts';
import { createVapidSigner, generateVapidKeys } from './vapid.ts';

function fakeClock(iso: string): Clock & { advance(ms: number): void } {
  let now = Date.parse(iso);
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
  };
}

function decode(header: string) {
  const match = /^vapid t=([^,]+), k=(.+)$/.exec(header);
  if (!match) throw new Error(`not a vapid header: ${header}`);
  const [h, p, s] = match[1]!.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
    k: match[2]!,
  };
}

describe('generateVapidKeys', () => {
  it('makes a 65-byte uncompressed public and 32-byte private base64url key', () => {
    const keys = generateVapidKeys();
    expect(keys.publicKey).toMatch(/^[\w-]{87}$/);
    expect(keys.privateKey).toMatch(/^[\w-]{43}$/);
    expect(Buffer.from(keys.publicKey, 'base64url')[0]).toBe(4);
  });
});

describe('createVapidSigner', () => {
  const keys = generateVapidKeys();

  it('signs an ES256 JWT for the endpoint origin, verifiable with the public key', () => {
    const clock = fakeClock('2030-05-01T12:00:00Z');
    const signer = createVapidSigner({ ...keys, subject: 'mailto:it@example.com', clock });
    const jwt = decode(signer.authorizationFor('https://fcm.googleapis.com/fcm/send/abc'));
    expect(jwt.header).toEqual({ typ: 'JWT', alg: 'ES256' });
    expect(jwt.claims).toEqual({
      aud: 'https://fcm.googleapis.com',
      exp: Date.parse('2030-05-02T00:00:00Z') / 1000,
      sub: 'mailto:it@example.com',
    });
    expect(jwt.k).toBe(keys.publicKey);
    const raw = Buffer.from(keys.publicKey, 'base64url');
    const publicKey = createPublicKey({
      format: 'jwk',
      key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
    });
    const ok = verify('sha256', Buffer.from(jwt.signingInput), { key: publicKey, dsaEncoding: 'ieee-p1363' }, jwt.signature);
    expect(ok).toBe(true);
  });

  it('reuses the JWT per origin until one hour before it expires', () => {
    const clock = fakeClock('2030-05-01T12:00:00Z');
    const signer = createVapidSigner({ ...keys, subject: 'https://portal.example.com', clock });
    const first = signer.authorizationFor('https://updates.push.services.mozilla.com/wpush/v2/x');
    clock.advance(10 * 3600_000);
    expect(signer.authorizationFor('https://updates.push.services.mozilla.com/wpush/v2/y')).toBe(first);
    expect(signer.signatureCount).toBe(1);
    signer.authorizationFor('https://web.push.apple.com/abc');
    expect(signer.signatureCount).toBe(2);
    clock.advance(3600_000); // 11 h after signing: within the last hour of a 12 h JWT
    const renewed = signer.authorizationFor('https://updates.push.services.mozilla.com/wpush/v2/x');
    expect(renewed).not.toBe(first);
    expect(signer.signatureCount).toBe(3);
    expect(decode(renewed).claims.exp).toBe(Date.parse('2030-05-02T11:00:00Z') / 1000);
  });

  it('rejects bad subjects, mismatched keys and lifetimes over 24 h without echoing the key', () => {
    const clock = fakeClock('2030-05-01T12:00:00Z');
    const other = generateVapidKeys();
    const attempts = [
      () => createVapidSigner({ ...keys, subject: 'http://example.com', clock }),
      () => createVapidSigner({ ...keys, subject: 'not a url', clock }),
      () => createVapidSigner({ publicKey: keys.publicKey, privateKey: other.privateKey, subject: 'mailto:a@b.c', clock }),
      () => createVapidSigner({ publicKey: keys.publicKey, privateKey: 'AAAA', subject: 'mailto:a@b.c', clock }),
      () => createVapidSigner({ ...keys, subject: 'mailto:a@b.c', clock, lifetimeSeconds: 25 * 3600 }),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught, 'validation_failed')).toBe(true);
      expect((caught as Error).message).not.toContain(other.privateKey);
      expect((caught as Error).message).not.toContain(keys.privateKey);
    }
  });
});
