import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, toHex } from '../pki/bytes.ts';
import { sha256 } from '../pki/sha.ts';
import { type KeyEnvelope, openEnvelopeToKey, openEnvelopeToPkcs8, sealToDevice } from './key-envelope.ts';
import { isSmimeError } from './smime-error.ts';

const subtle = globalThis.crypto.subtle;

async function device() {
  const pair = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveKey'])) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  return { privateKey: pair.privateKey, spki };
}

async function rsaPkcs8(): Promise<Uint8Array> {
  const pair = (await subtle.generateKey(
    { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['encrypt', 'decrypt'],
  )) as CryptoKeyPair;
  return new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
}

const thumbprint = toHex(sha256(new TextEncoder().encode('certificate')));

describe('key envelope', async () => {
  const a = await device();
  const b = await device();
  const pkcs8 = await rsaPkcs8();
  const envelope = await sealToDevice({ devicePublicKeySpki: a.spki, deviceId: 'dev-a', thumbprint, privateKeyPkcs8: pkcs8 });

  it('has the documented shape and no plaintext key', () => {
    expect(envelope.v).toBe(1);
    expect(envelope.alg).toBe('ECDH-ES+HKDF-SHA256+A256GCM');
    expect(fromBase64Url(envelope.epk)).toHaveLength(65);
    expect(fromBase64Url(envelope.iv)).toHaveLength(12);
    expect(JSON.stringify(envelope)).not.toContain(toBase64Url(pkcs8.subarray(0, 30)));
  });

  it('round-trips to the same PKCS#8 and to a non-extractable key that works', async () => {
    const opened = await openEnvelopeToPkcs8({ envelope, devicePrivateKey: a.privateKey, deviceId: 'dev-a', thumbprint });
    expect(opened).toEqual(pkcs8);
    const key = await openEnvelopeToKey({
      envelope,
      devicePrivateKey: a.privateKey,
      deviceId: 'dev-a',
      thumbprint,
      keyAlgorithm: { name: 'RSA-OAEP', hash: 'SHA-256' },
    });
    expect(key.extractable).toBe(false);
    expect(key.type).toBe('private');
    expect(key.usages).toContain('decrypt');
    // The unwrapped key decrypts what its public half encrypts.
    const pub = await subtle.importKey('pkcs8', pkcs8.slice().buffer, { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['decrypt']);
    const jwk = await subtle.exportKey('jwk', pub);
    const pubKey = await subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RSA-OAEP-256', ext: true }, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    const ct = await subtle.encrypt({ name: 'RSA-OAEP' }, pubKey, new Uint8Array([1, 2, 3]));
    expect(new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP' }, key, ct))).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('unwraps an EC signing key as a non-extractable ECDSA key', async () => {
    const ec = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair;
    const ecPkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', ec.privateKey));
    const env = await sealToDevice({ devicePublicKeySpki: a.spki, deviceId: 'dev-a', thumbprint, privateKeyPkcs8: ecPkcs8 });
    const key = await openEnvelopeToKey({
      envelope: env,
      devicePrivateKey: a.privateKey,
      deviceId: 'dev-a',
      thumbprint,
      keyAlgorithm: { name: 'ECDSA', namedCurve: 'P-256' },
    });
    expect(key.extractable).toBe(false);
    expect(key.usages).toEqual(['sign']);
  });

  it("does not open with another device's key, id or thumbprint", async () => {
    const attempts = [
      { devicePrivateKey: b.privateKey, deviceId: 'dev-a', thumbprint },
      { devicePrivateKey: a.privateKey, deviceId: 'dev-b', thumbprint },
      { devicePrivateKey: a.privateKey, deviceId: 'dev-a', thumbprint: toHex(sha256(new Uint8Array([9]))) },
    ];
    for (const attempt of attempts) {
      const err = await openEnvelopeToPkcs8({ envelope, ...attempt }).catch((e: unknown) => e);
      expect(isSmimeError(err, 'envelope_not_for_this_device')).toBe(true);
      expect((err as Error).message).toMatch(/another device/);
      const err2 = await openEnvelopeToKey({ envelope, ...attempt, keyAlgorithm: { name: 'RSA-OAEP', hash: 'SHA-256' } }).catch(
        (e: unknown) => e,
      );
      expect(isSmimeError(err2, 'envelope_not_for_this_device')).toBe(true);
    }
  });

  it('fails on a tampered ct, iv or epk', async () => {
    const flip = (field: string) => {
      const bytes = fromBase64Url(field);
      bytes[bytes.length - 1]! ^= 1;
      return toBase64Url(bytes);
    };
    const tampered: KeyEnvelope[] = [
      { ...envelope, ct: flip(envelope.ct) },
      { ...envelope, iv: flip(envelope.iv) },
      { ...envelope, epk: toBase64Url(fromBase64Url((await sealToDevice({ devicePublicKeySpki: a.spki, deviceId: 'x', thumbprint, privateKeyPkcs8: pkcs8 })).epk)) },
    ];
    for (const env of tampered) {
      const err = await openEnvelopeToPkcs8({ envelope: env, devicePrivateKey: a.privateKey, deviceId: 'dev-a', thumbprint }).catch(
        (e: unknown) => e,
      );
      expect(isSmimeError(err, 'envelope_not_for_this_device')).toBe(true);
    }
  });

  it('refuses unknown versions and malformed fields', async () => {
    const bad = [{ ...envelope, v: 2 }, { ...envelope, alg: 'other' }, { ...envelope, epk: 'AAAA' }] as unknown as KeyEnvelope[];
    for (const env of bad) {
      const err = await openEnvelopeToPkcs8({ envelope: env, devicePrivateKey: a.privateKey, deviceId: 'dev-a', thumbprint }).catch(
        (e: unknown) => e,
      );
      expect(isSmimeError(err, 'envelope_invalid')).toBe(true);
    }
  });

  it('opens in a few milliseconds', async () => {
    const start = performance.now();
    for (let i = 0; i < 10; i++) {
      await openEnvelopeToKey({ envelope, devicePrivateKey: a.privateKey, deviceId: 'dev-a', thumbprint, keyAlgorithm: { name: 'RSA-OAEP', hash: 'SHA-256' } });
    }
    expect((performance.now() - start) / 10).toBeLessThan(50);
  });
});
