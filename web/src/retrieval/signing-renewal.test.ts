import { describe, expect, it } from 'vitest';
import type { BundlePolicy } from '../../../shared/schemas/bundle.ts';
import type { KeychainEntry } from '../keychain/certificate-store.ts';
import { makeSigningKeys, usableDeviceSigning } from './signing-renewal.ts';

const policy = (renewalThreshold: number) => ({ signing: { profileType: 'scep', keyAlgorithm: 'RSA-2048', renewalThreshold } }) as BundlePolicy;
const entry = (over: Partial<KeychainEntry>): KeychainEntry =>
  ({ thumbprint: 'a'.repeat(64), purpose: 'signing', source: 'scep', deviceId: 'dev-1', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2026-12-31T00:00:00.000Z', ...over }) as KeychainEntry;
const at = (iso: string) => Date.parse(iso);

describe('usableDeviceSigning (renewal on a later visit)', () => {
  it('keeps the certificate before the threshold and renews after it', () => {
    const entries = [entry({})];
    expect(usableDeviceSigning(entries, 'dev-1', policy(0.8), at('2026-06-01T00:00:00Z'))).toBe(entries[0]);
    expect(usableDeviceSigning(entries, 'dev-1', policy(0.8), at('2026-11-15T00:00:00Z'))).toBeNull();
    expect(usableDeviceSigning(entries, 'dev-1', policy(0.3), at('2026-06-01T00:00:00Z'))).toBeNull();
  });

  it('ignores expired, other devices’, imported and encryption certificates', () => {
    const now = at('2026-03-01T00:00:00Z');
    expect(usableDeviceSigning([entry({ notAfter: '2026-02-01T00:00:00.000Z' })], 'dev-1', policy(0.8), now)).toBeNull();
    expect(usableDeviceSigning([entry({ deviceId: 'dev-2' })], 'dev-1', policy(0.8), now)).toBeNull();
    expect(usableDeviceSigning([entry({ source: 'imported' })], 'dev-1', policy(0.8), now)).toBeNull();
    expect(usableDeviceSigning([entry({ purpose: 'encryption' })], 'dev-1', policy(0.8), now)).toBeNull();
  });

  it('makes non-extractable signing keys of the policy’s algorithm', async () => {
    const ec = await makeSigningKeys('EC-P256');
    expect(ec.privateKey).toMatchObject({ extractable: false, algorithm: { name: 'ECDSA', namedCurve: 'P-256' } });
    const rsa = await makeSigningKeys('RSA-2048');
    expect(rsa.privateKey).toMatchObject({ extractable: false, algorithm: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048 } });
  });
});
