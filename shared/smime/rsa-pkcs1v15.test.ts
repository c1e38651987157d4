import { afterAll, describe, expect, it } from 'vitest';
import { issue, openssl, workdir } from '../pki/test-openssl.mts';
import { rsaNumbersFromPkcs8, rsaPkcs1v15Decrypt, syntheticKey, type UnpadTrace, unpadFixedLength } from './rsa-pkcs1v15.ts';
import { isSmimeError } from './smime-error.ts';

const w = workdir();
afterAll(() => w.cleanup());

const id = issue(w, 'rsa', { subj: '/CN=PKCS1 test' });
const key = rsaNumbersFromPkcs8(id.keyDer);
const cek = globalThis.crypto.getRandomValues(new Uint8Array(32));
const wrapped = openssl(['pkeyutl', '-encrypt', '-certin', '-inkey', id.certPem, '-pkeyopt', 'rsa_padding_mode:pkcs1'], {
  input: cek,
});

describe('RSA PKCS#1 v1.5 decryption', () => {
  it('unwraps a CEK wrapped by openssl pkeyutl', () => {
    expect(wrapped).toHaveLength(256);
    expect(rsaPkcs1v15Decrypt(key, wrapped, 32)).toEqual(cek);
  });

  it('returns a deterministic key of the right length for a corrupted ciphertext, without throwing', () => {
    const bad = wrapped.slice();
    bad[100]! ^= 0x55;
    const first = rsaPkcs1v15Decrypt(key, bad, 32);
    const second = rsaPkcs1v15Decrypt(key, bad, 32);
    expect(first).toHaveLength(32);
    expect(first).toEqual(second);
    expect(first).not.toEqual(cek);
    expect(first).toEqual(syntheticKey(key, bad, 32));
    // A different bad ciphertext gives a different synthetic key.
    bad[101]! ^= 1;
    expect(rsaPkcs1v15Decrypt(key, bad, 32)).not.toEqual(first);
  });

  it('treats a valid padding with the wrong length as bad padding (implicit rejection)', () => {
    // The 32-byte CEK asked for as a 16-byte key: the separator is not where it must be.
    const out = rsaPkcs1v15Decrypt(key, wrapped, 16);
    expect(out).toEqual(syntheticKey(key, wrapped, 16));
  });

  it('runs the same unpadding operations for good and bad blocks', () => {
    const synthetic = new Uint8Array(32).fill(7);
    const good = new Uint8Array(256);
    good[1] = 2;
    good.fill(0xaa, 2, 223);
    good.set(cek, 224);
    const badShapes = [good.slice(), good.slice(), good.slice(), good.slice()];
    badShapes[0]![0] = 1; // first byte not 00
    badShapes[1]![1] = 1; // not block type 2
    badShapes[2]![50] = 0; // a zero inside PS (an early separator)
    badShapes[3]![223] = 5; // no separator before the key
    const goodTrace: UnpadTrace = { ops: 0 };
    expect(unpadFixedLength(good, 32, synthetic, goodTrace)).toEqual(cek);
    for (const bad of badShapes) {
      const trace: UnpadTrace = { ops: 0 };
      expect(unpadFixedLength(bad, 32, synthetic, trace)).toEqual(synthetic);
      expect(trace.ops).toBe(goodTrace.ops);
    }
    expect(goodTrace.ops).toBe(256);
  });

  it('throws only on public facts: key type and ciphertext size', () => {
    const ec = issue(w, 'ec', { subj: '/CN=ec', kind: 'ec256' });
    expect(() => rsaNumbersFromPkcs8(ec.keyDer)).toThrow(/not an RSA key/);
    const tooLong = new Uint8Array(257).fill(1);
    let err: unknown;
    try {
      rsaPkcs1v15Decrypt(key, tooLong, 32);
    } catch (e) {
      err = e;
    }
    expect(isSmimeError(err, 'rsa_key_invalid')).toBe(true);
  });
});
