/**
 * The PKCS#12 key derivation (RFC 7292 Appendix B.2) used by the PKCS#12 MAC and by the
 * pbeWithSHAAnd* encryption schemes. It is not PBKDF2: the password is a BMPString and each
 * output block is a hash iterated `iterations` times.
 */

import type { SyncHash } from './sha.ts';

/** Purpose byte D of Appendix B.3. */
export const KDF_KEY = 1;
export const KDF_IV = 2;
export const KDF_MAC = 3;

/**
 * RFC 7292 BMPString password: UTF-16BE plus two zero bytes. JS strings are already UTF-16,
 * so characters outside the BMP come out as surrogate pairs, as OpenSSL writes them.
 */
export function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

/**
 * The bytes OpenSSL before 1.1.0 used for a non-ASCII password: each UTF-8 byte widened to
 * 16 bits. Only tried as a fallback when the proper BMPString fails the MAC.
 */
export function legacyBmpPassword(password: string): Uint8Array {
  const utf8 = new TextEncoder().encode(password);
  const out = new Uint8Array(utf8.length * 2 + 2);
  for (let i = 0; i < utf8.length; i++) out[2 * i + 1] = utf8[i]!;
  return out;
}

/** Repeats `src` to fill a multiple of v bytes (empty stays empty), per Appendix B.2 steps 2–3. */
function stretch(src: Uint8Array, v: number): Uint8Array {
  if (src.length === 0) return src;
  const out = new Uint8Array(v * Math.ceil(src.length / v));
  for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
  return out;
}

/**
 * Derives `length` bytes for purpose `id` from an already encoded password (see bmpPassword).
 */
export function pkcs12Kdf(
  hash: SyncHash,
  passwordBytes: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  id: number,
  length: number,
): Uint8Array {
  const u = hash.outputLength;
  const v = hash.blockLength;
  const s = stretch(salt, v);
  const p = stretch(passwordBytes, v);
  const i = new Uint8Array(s.length + p.length);
  i.set(s);
  i.set(p, s.length);
  const out = new Uint8Array(length);
  const input = new Uint8Array(v + i.length);
  input.fill(id, 0, v);
  const b = new Uint8Array(v);
  for (let produced = 0; produced < length; produced += u) {
    input.set(i, v);
    const a = hash.iterate(input, Math.max(1, iterations));
    out.set(a.subarray(0, Math.min(u, length - produced)), produced);
    if (produced + u >= length) break;
    for (let k = 0; k < v; k++) b[k] = a[k % u]!;
    // I_j = (I_j + B + 1) mod 2^(8v), big-endian, for every v-byte block of I.
    for (let j = 0; j < i.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[j + k]! + b[k]! + carry;
        i[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return out;
}
