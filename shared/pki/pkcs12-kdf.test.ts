import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes.ts';
import { bmpPassword, KDF_IV, KDF_KEY, KDF_MAC, legacyBmpPassword, pkcs12Kdf } from './pkcs12-kdf.ts';
import { SHA1 } from './sha.ts';

// Dr Stephen Henson's PKCS#12 KDF vectors (used by OpenSSL and Bouncy Castle).
describe('pkcs12Kdf', () => {
  it.each([
    ['smeg', '0a58cf64530d823f', 1, KDF_KEY, 24, '8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3'],
    ['smeg', '0a58cf64530d823f', 1, KDF_IV, 8, '79993dfe048d3b76'],
    ['smeg', '642b99ab44fb4b1f', 1, KDF_KEY, 24, 'f3a95fec48d7711e985cfe67908c5ab79fa3d7c5caa5d966'],
    ['smeg', '642b99ab44fb4b1f', 1, KDF_IV, 8, 'c0a38d64a79bea1d'],
    ['smeg', '3d83c0e4546ac140', 1, KDF_MAC, 20, '8d967d88f6caa9d714800ab3d48051d63f73a312'],
    ['queeg', '05dec959acff72f7', 1000, KDF_KEY, 24, 'ed2034e36328830ff09df1e1a07dd357185dac0d4f9eb3d4'],
  ] as const)('password %s salt %s iter %i id %i', (pw, salt, iter, id, len, expected) => {
    expect(toHex(pkcs12Kdf(SHA1, bmpPassword(pw), fromHex(salt), iter, id, len))).toBe(expected);
  });

  it('encodes passwords as BMPString with a terminating zero pair', () => {
    expect(toHex(bmpPassword('smeg'))).toBe('0073006d006500670000');
    expect(toHex(bmpPassword(''))).toBe('0000');
    expect(toHex(bmpPassword('п密'))).toBe('043f5bc60000');
    expect(toHex(bmpPassword('😀'))).toBe('d83dde000000');
    expect(toHex(legacyBmpPassword('п'))).toBe('00d000bf0000');
  });
});
