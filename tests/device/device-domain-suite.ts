/**
 * Device domain on a real store (SQLite and PostgreSQL) with a fake clock: enrollment codes (expiry, single use,
 * attempt limits), nonce → session (replay refused), retirement refused everywhere.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRateLimiter, createSharedRateLimiter, type RateLimiter } from '../../server/src/domain/auth/rate-limiter.ts';
import type { DomainContext } from '../../server/src/domain/context.ts';
import { clearPushSubscription, retireDevice, setPushSubscription } from '../../server/src/domain/devices/device-service.ts';
import { authenticateDevice, issueNonce, openSession, SESSION_TTL_MS } from '../../server/src/domain/devices/device-sessions.ts';
import { createEnrollmentCode, enrollDevice } from '../../server/src/domain/devices/enrollment.ts';
import { hashSecret } from '../../server/src/domain/devices/secrets.ts';
import type { Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { createFakeClock } from '../support/fake-clock.ts';
import { makeDeviceKeys, signChallenge, type TestDeviceKeys } from './device-keys.ts';

/** The device domain suite, run on one database. */
export function defineDeviceDomainSuite(label: string, open: () => Promise<OpenDatabase>): void {
  describe(`device domain on ${label}`, () => {
    let close: () => Promise<void>;
    let store: Store;
    const clock = createFakeClock();
    let ctx: DomainContext;
    let limiter: RateLimiter;
    let keys: TestDeviceKeys;
    let seq = 0;
    const tag = Math.random().toString(36).slice(2, 8);

    beforeAll(async () => {
      const db = await open();
      close = db.close;
      store = createStore(db.db, db.kind);
      ctx = { store, clock, actor: 'test' };
      keys = await makeDeviceKeys();
    });
    afterAll(() => close());
    beforeEach(() => {
      limiter = createRateLimiter({ max: 5, windowMs: 60_000, clock });
    });

    async function newUser(): Promise<string> {
      const email = `dev${++seq}-${tag}@example.com`;
      await store.directory.upsertUser({ email }, clock.now());
      return email;
    }

    async function enrolled() {
      const email = await newUser();
      const { code } = await createEnrollmentCode(ctx, { email });
      const { device } = await enrollDevice(ctx, { code, identityKey: keys.identityKey, transportKey: keys.transportKey }, limiter, 'addr');
      return { email, device };
    }

    async function session(deviceId: string) {
      const { nonce } = await issueNonce(ctx, { deviceId });
      return openSession(ctx, { deviceId, nonce, signature: await signChallenge(keys, deviceId, nonce) }, limiter, 'addr');
    }

    describe('enrollment codes', () => {
      it('are ≥128-bit, stored only as a hash, and enroll a device once', async () => {
        const email = await newUser();
        const { code, expiresAt } = await createEnrollmentCode(ctx, { email });
        expect(Buffer.from(code, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
        expect(expiresAt.getTime() - clock.now().getTime()).toBe(15 * 60_000);
        const stored = await store.devices.findEnrollmentCode(hashSecret(code));
        expect(stored?.codeHash).not.toContain(code);
        const { device, email: who } = await enrollDevice(ctx, { code, identityKey: keys.identityKey, transportKey: keys.transportKey, name: 'Phone' }, limiter, 'a');
        expect(who).toBe(email);
        expect(device).toMatchObject({ status: 'enrolled', name: 'Phone', identityKey: keys.identityKey, transportKey: keys.transportKey });
        await expect(enrollDevice(ctx, { code, identityKey: keys.identityKey, transportKey: keys.transportKey }, limiter, 'a')).rejects.toMatchObject({
          code: 'gone',
          details: { reason: 'used' },
        });
      });

      it('expire after 15 minutes', async () => {
        const { code } = await createEnrollmentCode(ctx, { email: await newUser() });
        clock.advance(15 * 60_000);
        await expect(enrollDevice(ctx, { code, identityKey: keys.identityKey, transportKey: keys.transportKey }, limiter, 'b')).rejects.toMatchObject({
          code: 'gone',
          details: { reason: 'expired' },
        });
      });

      it('refuse unknown codes, and after too many failures refuse even a right code', async () => {
        const { code } = await createEnrollmentCode(ctx, { email: await newUser() });
        const bad = { code: 'A'.repeat(24), identityKey: keys.identityKey, transportKey: keys.transportKey };
        for (let i = 0; i < 5; i++) await expect(enrollDevice(ctx, bad, limiter, 'c')).rejects.toMatchObject({ code: 'not_found' });
        await expect(enrollDevice(ctx, { ...bad, code }, limiter, 'c')).rejects.toMatchObject({ code: 'rate_limited' });
        await expect(enrollDevice(ctx, bad, limiter, 'other')).rejects.toMatchObject({ code: 'not_found' });
        clock.advance(60_000);
        await expect(enrollDevice(ctx, { ...bad, code }, limiter, 'c')).resolves.toMatchObject({ device: { status: 'enrolled' } });
      });

      it('count refusals in the shared (database) limiter, although the refusing transaction rolls back', async () => {
        const shared = createSharedRateLimiter(store.attempts, 'enroll-suite', { max: 3, windowMs: 60_000, clock });
        const { code } = await createEnrollmentCode(ctx, { email: await newUser() });
        const bad = { code: 'B'.repeat(24), identityKey: keys.identityKey, transportKey: keys.transportKey };
        for (let i = 0; i < 3; i++) await expect(enrollDevice(ctx, bad, shared, 'e')).rejects.toMatchObject({ code: 'not_found' });
        await expect(enrollDevice(ctx, { ...bad, code }, shared, 'e')).rejects.toMatchObject({ code: 'rate_limited' });
        clock.advance(60_000);
        for (let i = 0; i < 2; i++) await expect(enrollDevice(ctx, bad, shared, 'e')).rejects.toMatchObject({ code: 'not_found' });
        await expect(enrollDevice(ctx, { ...bad, code }, shared, 'e')).resolves.toMatchObject({ device: { status: 'enrolled' } });
        // The success cleared the count: two more refusals stay under the limit of 3.
        for (let i = 0; i < 2; i++) await expect(enrollDevice(ctx, bad, shared, 'e')).rejects.toMatchObject({ code: 'not_found' });
        expect(await shared.retryAfter('e')).toBe(0);
        await expect(enrollDevice(ctx, bad, shared, 'e')).rejects.toMatchObject({ code: 'not_found' });
        expect(await shared.retryAfter('e')).toBe(60_000);
      });

      it('reject keys that are not P-256 SPKI', async () => {
        const { code } = await createEnrollmentCode(ctx, { email: await newUser() });
        const rsa = (await crypto.subtle.generateKey({ name: 'RSA-PSS', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign'])) as CryptoKeyPair;
        const rsaSpki = Buffer.from(await crypto.subtle.exportKey('spki', rsa.publicKey)).toString('base64');
        await expect(enrollDevice(ctx, { code, identityKey: rsaSpki, transportKey: keys.transportKey }, limiter, 'd')).rejects.toMatchObject({ code: 'validation_failed' });
        await expect(enrollDevice(ctx, { code, identityKey: keys.identityKey, transportKey: keys.identityKey }, limiter, 'd')).rejects.toMatchObject({ code: 'validation_failed' });
      });

      it('need a known user', async () => {
        await expect(createEnrollmentCode(ctx, { email: 'nobody@example.com' })).rejects.toMatchObject({ code: 'not_found' });
      });
    });

    describe('device sessions', () => {
      it('open with a signed nonce and authenticate until they expire', async () => {
        const { device } = await enrolled();
        const s = await session(device.id);
        expect(s.token).toMatch(/^dst_/);
        expect((await authenticateDevice(ctx, s.token)).id).toBe(device.id);
        clock.advance(SESSION_TTL_MS);
        await expect(authenticateDevice(ctx, s.token)).rejects.toMatchObject({ code: 'unauthorized' });
      });

      it('refuse a replayed nonce, an expired nonce and a wrong signature', async () => {
        const { device } = await enrolled();
        const { nonce } = await issueNonce(ctx, { deviceId: device.id });
        const signature = await signChallenge(keys, device.id, nonce);
        await openSession(ctx, { deviceId: device.id, nonce, signature }, limiter, 'e');
        await expect(openSession(ctx, { deviceId: device.id, nonce, signature }, limiter, 'e')).rejects.toMatchObject({ code: 'unauthorized' });

        const late = await issueNonce(ctx, { deviceId: device.id });
        clock.advance(2 * 60_000);
        await expect(openSession(ctx, { deviceId: device.id, nonce: late.nonce, signature: await signChallenge(keys, device.id, late.nonce) }, limiter, 'e')).rejects.toMatchObject({
          code: 'unauthorized',
        });

        const other = await makeDeviceKeys();
        const fresh = await issueNonce(ctx, { deviceId: device.id });
        await expect(openSession(ctx, { deviceId: device.id, nonce: fresh.nonce, signature: await signChallenge(other, device.id, fresh.nonce) }, limiter, 'e')).rejects.toMatchObject({
          code: 'unauthorized',
        });
        // The failed attempt spent the nonce too: the right signature cannot use it afterwards.
        await expect(openSession(ctx, { deviceId: device.id, nonce: fresh.nonce, signature: await signChallenge(keys, device.id, fresh.nonce) }, limiter, 'e')).rejects.toMatchObject({
          code: 'unauthorized',
        });
      });

      it('refuse a nonce issued to another device', async () => {
        const a = await enrolled();
        const b = await enrolled();
        const { nonce } = await issueNonce(ctx, { deviceId: a.device.id });
        await expect(openSession(ctx, { deviceId: b.device.id, nonce, signature: await signChallenge(keys, b.device.id, nonce) }, limiter, 'f')).rejects.toMatchObject({ code: 'unauthorized' });
      });
    });

    describe('retired devices', () => {
      it('are refused everywhere: sessions, nonces, open tokens', async () => {
        const { device } = await enrolled();
        const s = await session(device.id);
        await setPushSubscription(ctx, device, { endpoint: 'https://push.example.com/x', keys: { p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url'), auth: Buffer.alloc(16, 2).toString('base64url') } }, { allowInsecure: false });
        expect(await store.devices.pushSubscriptionsOf(device.userId)).toHaveLength(1);
        await retireDevice(ctx, device.id);
        await expect(authenticateDevice(ctx, s.token)).rejects.toMatchObject({ code: 'unauthorized' });
        await expect(issueNonce(ctx, { deviceId: device.id })).rejects.toMatchObject({ code: 'device_retired' });
        expect(await store.devices.pushSubscriptionsOf(device.userId)).toEqual([]);
        await expect(retireDevice(ctx, device.id)).rejects.toMatchObject({ code: 'conflict' });
      });
    });

    describe('push subscriptions', () => {
      const p256dh = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url');
      const auth = Buffer.alloc(16, 9).toString('base64url');

      it('validate scheme and key sizes, then store and clear', async () => {
        const { device } = await enrolled();
        const put = (endpoint: string, k = { p256dh, auth }, allowInsecure = false) => setPushSubscription(ctx, device, { endpoint, keys: k }, { allowInsecure });
        await expect(put('http://push.example.com/x')).rejects.toMatchObject({ code: 'validation_failed' });
        await expect(put('https://push.example.com/x', { p256dh: p256dh.slice(0, 40), auth })).rejects.toMatchObject({ code: 'validation_failed' });
        await expect(put('https://push.example.com/x', { p256dh, auth: Buffer.alloc(15).toString('base64url') })).rejects.toMatchObject({ code: 'validation_failed' });
        await put('http://localhost:9/x', { p256dh, auth }, true);
        expect(await store.devices.pushSubscriptionsOf(device.userId)).toEqual([{ deviceId: device.id, endpoint: 'http://localhost:9/x', p256dh, auth }]);
        await clearPushSubscription(ctx, device);
        expect(await store.devices.pushSubscriptionsOf(device.userId)).toEqual([]);
      });
    });
  });
}
