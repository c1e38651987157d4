import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { hmac, SHA1, SHA256, sha1, sha256 } from './sha.ts';

describe('sha', () => {
  it('matches the FIPS 180 "abc" vectors', () => {
    const abc = new TextEncoder().encode('abc');
    expect(toHex(sha1(abc))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toHex(sha256(abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches node:crypto for every length around block boundaries', () => {
    for (let len = 0; len < 200; len++) {
      const data = randomBytes(len);
      expect(toHex(sha1(data))).toBe(createHash('sha1').update(data).digest('hex'));
      expect(toHex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('iterate(data, r) equals r nested digests', () => {
    for (const hash of [SHA1, SHA256]) {
      const data = randomBytes(150);
      let expected = hash.digest(data);
      for (let r = 1; r < 50; r++) expected = hash.digest(expected);
      expect(toHex(hash.iterate(data, 50))).toBe(toHex(expected));
      expect(toHex(hash.iterate(data, 1))).toBe(toHex(hash.digest(data)));
    }
  });

  it('computes HMAC like node:crypto, including keys longer than a block', () => {
    for (const keyLen of [0, 20, 64, 100]) {
      const key = randomBytes(keyLen);
      const data = randomBytes(333);
      expect(toHex(hmac(SHA1, key, data))).toBe(createHmac('sha1', key).update(data).digest('hex'));
      expect(toHex(hmac(SHA256, key, data))).toBe(createHmac('sha256', key).update(data).digest('hex'));
    }
  });
});
