/**
 * Enrollment end to end in real Chromium: code → keys made → device registered → session works
 * → reload → keys still there and non-extractable; used, expired, unknown and missing codes
 * show a clear page.
 */
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../server/src/domain/devices/secrets.ts';
import { newId } from '../../server/src/ids.ts';
import { newContext, useE2e } from './harness.ts';

const e2e = useE2e();

/** Reads the device record from IndexedDB inside the page and describes its keys. */
const readKeys = () =>
  new Promise<unknown>((resolve, reject) => {
    const open = indexedDB.open('smime-portal');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('device').objectStore('device').get('current');
      get.onsuccess = async () => {
        const r = get.result as { deviceId: string; identity: CryptoKeyPair; transport: CryptoKeyPair } | undefined;
        if (!r) return resolve(null);
        const exportable = await crypto.subtle.exportKey('pkcs8', r.identity.privateKey).then(
          () => true,
          () => false,
        );
        resolve({
          deviceId: r.deviceId,
          identity: { alg: r.identity.privateKey.algorithm.name, extractable: r.identity.privateKey.extractable, usages: r.identity.privateKey.usages },
          transport: { alg: r.transport.privateKey.algorithm.name, extractable: r.transport.privateKey.extractable, usages: r.transport.privateKey.usages },
          exportable,
        });
      };
    };
  });

describe('enrollment in Chromium', () => {
  it('enrolls, opens a session, and keeps non-extractable keys across reloads', async () => {
    const context = await newContext(e2e.browser, e2e.server.base);
    const page = await context.newPage();
    const { code, email, userId } = await e2e.server.newCode();
    await page.goto(`/enroll?code=${code}`);
    await page.getByRole('button', { name: 'Enroll this device' }).click();
    await expect.poll(() => page.locator('#enroll-done').textContent(), { timeout: 10_000 }).toContain(email);

    const devices = await e2e.server.store.devices.listDevices(userId);
    expect(devices).toHaveLength(1);
    const keys = (await page.evaluate(readKeys)) as { deviceId: string };
    expect(keys.deviceId).toBe(devices[0]!.id);

    await page.goto('/');
    await expect.poll(() => page.locator('#server-status').textContent(), { timeout: 10_000 }).toContain('Connected to the portal');
    expect((await e2e.server.store.devices.getDevice(keys.deviceId))?.lastSeenAt).not.toBeNull();

    await page.reload();
    expect(await page.evaluate(readKeys)).toEqual({
      deviceId: devices[0]!.id,
      identity: { alg: 'ECDSA', extractable: false, usages: ['sign'] },
      transport: { alg: 'ECDH', extractable: false, usages: expect.arrayContaining(['deriveBits', 'deriveKey']) },
      exportable: false,
    });
    await page.goto('/keychain');
    await expect.poll(() => page.locator('#device-keys').textContent()).toContain('non-extractable');
    expect(context.problems).toEqual([]);
    await context.close();
  });

  it('shows a clear page for used, expired, unknown and missing codes', async () => {
    const context = await newContext(e2e.browser, e2e.server.base);
    const page = await context.newPage();
    const enrollWith = async (code: string) => {
      await page.goto(`/enroll?code=${code}`);
      await page.getByRole('button', { name: 'Enroll this device' }).click();
      return page.locator('#enroll-error').textContent({ timeout: 10_000 });
    };
    const used = await e2e.server.newCode();
    await e2e.server.store.devices.markCodeUsed((await e2e.server.store.devices.findEnrollmentCode(hashSecret(used.code)))!.id, new Date());
    expect(await enrollWith(used.code)).toContain('already used');

    const expiredCode = 'E'.repeat(24);
    const user = await e2e.server.newCode();
    await e2e.server.store.devices.createEnrollmentCode({ id: newId(), userId: user.userId, codeHash: hashSecret(expiredCode), createdAt: new Date(Date.now() - 20 * 60_000), expiresAt: new Date(Date.now() - 5 * 60_000), usedAt: null, createdBy: 'test' });
    expect(await enrollWith(expiredCode)).toContain('has expired');

    expect(await enrollWith('U'.repeat(24))).toContain('not valid');

    await page.goto('/enroll');
    expect(await page.locator('#enroll-error').textContent()).toContain('no enrollment code');
    expect(context.problems).toEqual([]);
    await context.close();
  });
});
