import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  concatBytes,
  fromBase64,
  fromBase64Url,
  fromHex,
  timingSafeEqual,
  toBase64,
  toBase64Url,
  toHex,
} from './bytes.ts';

describe('bytes', () => {
  it('hex round-trips and matches Buffer', () => {
    const b = new Uint8Array(randomBytes(300));
    expect(toHex(b)).toBe(Buffer.from(b).toString('hex'));
    expect(fromHex(toHex(b))).toEqual(b);
    expect(fromHex('AB:cd 01')).toEqual(new Uint8Array([0xab, 0xcd, 0x01]));
    expect(() => fromHex('abc')).toThrow();
    expect(() => fromHex('zz')).toThrow();
  });

  it('base64 and base64url match Buffer for every padding case and large inputs', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 100000]) {
      const b = new Uint8Array(randomBytes(len));
      expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect(toBase64Url(b)).toBe(Buffer.from(b).toString('base64url'));
      expect(fromBase64(toBase64(b))).toEqual(b);
      expect(fromBase64Url(toBase64Url(b))).toEqual(b);
    }
    expect(() => fromBase64('a')).toThrow();
    expect(() => fromBase64('@@@@')).toThrow();
  });

  it('concatenates and compares', () => {
    const a = new Uint8Array([1, 2]);
    const b = new Uint8Array([3]);
    expect(concatBytes(a, b, new Uint8Array(0))).toEqual(new Uint8Array([1, 2, 3]));
    expect(bytesEqual(a, new Uint8Array([1, 2]))).toBe(true);
    expect(bytesEqual(a, b)).toBe(false);
    expect(timingSafeEqual(a, new Uint8Array([1, 2]))).toBe(true);
    expect(timingSafeEqual(a, new Uint8Array([1, 3]))).toBe(false);
    expect(timingSafeEqual(a, b)).toBe(false);
  });
});
