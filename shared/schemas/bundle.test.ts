import { describe, expect, it } from 'vitest';
import { toBase64, toHex } from '../pki/bytes.ts';
import { sha1, sha256 } from '../pki/sha.ts';
import { sealToDevice } from '../smime/key-envelope.ts';
import { type DeliveryBundle, parseDeliveryBundle } from './bundle.ts';
import { policySettingsSchema } from './policy.ts';

const subtle = globalThis.crypto.subtle;

async function sampleBundle(): Promise<{ bundle: DeliveryBundle; pkcs8: Uint8Array }> {
  const device = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveKey'])) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', device.publicKey));
  const key = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', key.privateKey));
  const cert = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]); // stands in for a DER certificate
  const thumbprint = toHex(sha256(cert));
  const envelope = await sealToDevice({ devicePublicKeySpki: spki, deviceId: 'dev-1', thumbprint, privateKeyPkcs8: pkcs8 });
  const { signing, encryption, signAll, signAllUserChangeAllowed, encryptAll, encryptAllUserChangeAllowed } = policySettingsSchema.parse({});
  const credential = {
    thumbprint,
    sha1: toHex(sha1(cert)),
    purpose: 'smimeEncryption' as const,
    source: 'imported' as const,
    certificate: toBase64(cert),
    chain: [],
    notBefore: '2024-01-01T00:00:00.000Z',
    notAfter: '2026-01-01T00:00:00.000Z',
    envelope,
  };
  return {
    pkcs8,
    bundle: {
      version: 1,
      device: { id: 'dev-1' },
      policy: { signing, encryption, signAll, signAllUserChangeAllowed, encryptAll, encryptAllUserChangeAllowed },
      signing: { action: 'csr' },
      encryption: { current: thumbprint, history: [credential] },
      trustAnchors: [toBase64(cert)],
    },
  };
}

describe('delivery bundle schema', () => {
  it('accepts a bundle with a real envelope, and carries no PKCS#8', async () => {
    const { bundle, pkcs8 } = await sampleBundle();
    const json = JSON.parse(JSON.stringify(bundle)) as unknown;
    const parsed = parseDeliveryBundle(json);
    expect(parsed.ok).toBe(true);
    expect(JSON.stringify(bundle)).not.toContain(toBase64(pkcs8).slice(0, 40));
  });

  it('refuses an unknown future version before validating anything else', async () => {
    const { bundle } = await sampleBundle();
    expect(parseDeliveryBundle({ ...bundle, version: 2, signing: 'whatever' })).toEqual({ ok: false, reason: 'unsupported_version', version: 2 });
    expect(parseDeliveryBundle(null)).toMatchObject({ ok: false, reason: 'unsupported_version' });
  });

  it('ignores additive fields within version 1 but rejects broken ones', async () => {
    const { bundle } = await sampleBundle();
    const extra = parseDeliveryBundle({ ...bundle, futureHint: true });
    expect(extra.ok && 'futureHint' in extra.bundle).toBe(false);
    const broken = structuredClone(bundle) as { encryption: { history: { envelope: { alg: string } }[] } };
    broken.encryption.history[0]!.envelope.alg = 'RSA-OAEP';
    expect(parseDeliveryBundle(broken)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(parseDeliveryBundle({ ...bundle, signing: { action: 'install' } })).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
