import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { toHex } from '../x509-builders.ts';
import { desCbcDecrypt, desCbcEncrypt } from './des-cbc.ts';

const KEY = new Uint8Array([0x13, 0x34, 0x57, 0x79, 0x9b, 0xbc, 0xdf, 0xf1]);
const IV = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

describe('DES-CBC', () => {
  it('matches the classic FIPS test vector (one zero-IV block)', () => {
    const c = desCbcEncrypt(KEY, new Uint8Array(8), new Uint8Array([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]));
    expect(toHex(c.subarray(0, 8))).toBe('85e813540f0ab405');
  });

  it('agrees with OpenSSL (legacy provider) both ways', () => {
    const plaintext = new TextEncoder().encode('an SCEP PKCS#10 request body of odd length!');
    const ours = desCbcEncrypt(KEY, IV, plaintext);
    const args = ['enc', '-des-cbc', '-provider', 'legacy', '-provider', 'default', '-K', toHex(KEY), '-iv', toHex(IV)];
    const theirs = spawnSync('openssl', args, { input: plaintext });
    expect(theirs.status, theirs.stderr.toString()).toBe(0);
    expect(toHex(ours)).toBe(toHex(new Uint8Array(theirs.stdout)));
    expect(new TextDecoder().decode(desCbcDecrypt(KEY, IV, ours))).toBe('an SCEP PKCS#10 request body of odd length!');
  });

  it('rejects bad padding and bad lengths', () => {
    const ours = desCbcEncrypt(KEY, IV, new Uint8Array(16));
    expect(() => desCbcDecrypt(new Uint8Array(8), IV, ours)).toThrow();
    expect(() => desCbcDecrypt(KEY, IV, ours.subarray(0, 7))).toThrow(/length/);
  });
});
