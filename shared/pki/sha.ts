/**
 * Small synchronous SHA-1 and SHA-256. The PKCS#12 key derivation (RFC 7292 Appendix B) hashes
 * its own output thousands of times; one awaited WebCrypto digest per round costs far more than
 * the hashing itself, so these run in plain JS. WebCrypto stays in use for single large digests.
 */

/** A hash with its output length `u` and block length `v` in bytes (RFC 7292 Appendix B names). */
export interface SyncHash {
  readonly name: 'SHA-1' | 'SHA-256';
  readonly outputLength: number;
  readonly blockLength: number;
  digest(data: Uint8Array): Uint8Array;
  /** H applied `iterations` times (H^r of RFC 7292 B.2 step 6a), without per-round allocation. */
  iterate(data: Uint8Array, iterations: number): Uint8Array;
}

/** Pads per FIPS 180-4 (0x80, zeros, 64-bit big-endian bit length) into big-endian words. */
function paddedWords(data: Uint8Array): Int32Array {
  const len = data.length;
  const total = (((len + 8) >> 6) + 1) << 6;
  const words = new Int32Array(total >> 2);
  for (let i = 0; i < len; i++) words[i >> 2] = words[i >> 2]! | (data[i]! << (24 - ((i & 3) << 3)));
  words[len >> 2] = words[len >> 2]! | (0x80 << (24 - ((len & 3) << 3)));
  words[(total >> 2) - 2] = Math.floor(len / 0x20000000);
  words[(total >> 2) - 1] = (len << 3) >>> 0;
  return words;
}

function wordsToBytes(h: Int32Array, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    const v = h[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = v >>> 16;
    out[i * 4 + 2] = v >>> 8;
    out[i * 4 + 3] = v;
  }
  return out;
}

const SHA1_IV = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);

/** One SHA-1 compression of 16 words at `off` into state `h`; `w` is an 80-word scratch. */
function sha1Compress(h: Int32Array, words: Int32Array, off: number, w: Int32Array): void {
  for (let i = 0; i < 16; i++) w[i] = words[off + i]!;
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

const K256 = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const SHA256_IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** One SHA-256 compression of 16 words at `off` into state `h`; `w` is a 64-word scratch. */
function sha256Compress(h: Int32Array, words: Int32Array, off: number, w: Int32Array): void {
  for (let i = 0; i < 16; i++) w[i] = words[off + i]!;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K256[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

type Compress = (h: Int32Array, words: Int32Array, off: number, w: Int32Array) => void;

function makeHash(name: 'SHA-1' | 'SHA-256', iv: Int32Array, compress: Compress, scratch: number): SyncHash {
  const n = iv.length;
  const digestWords = (data: Uint8Array, h: Int32Array, w: Int32Array) => {
    const words = paddedWords(data);
    h.set(iv);
    for (let off = 0; off < words.length; off += 16) compress(h, words, off, w);
  };
  return {
    name,
    outputLength: n * 4,
    blockLength: 64,
    digest(data) {
      const h = new Int32Array(n);
      digestWords(data, h, new Int32Array(scratch));
      return wordsToBytes(h, n);
    },
    iterate(data, iterations) {
      const h = new Int32Array(n);
      const w = new Int32Array(scratch);
      digestWords(data, h, w);
      // Re-hashing a digest is always one block: the digest words, 0x80, zeros, bit length.
      const block = new Int32Array(16);
      block[n] = 0x80000000 | 0;
      block[15] = n * 32;
      for (let r = 1; r < iterations; r++) {
        block.set(h);
        h.set(iv);
        compress(h, block, 0, w);
      }
      return wordsToBytes(h, n);
    },
  };
}

export const SHA1: SyncHash = makeHash('SHA-1', SHA1_IV, sha1Compress, 80);
export const SHA256: SyncHash = makeHash('SHA-256', SHA256_IV, sha256Compress, 64);

/** SHA-1 (FIPS 180-4). Needed for legacy PKCS#12 and thumbprints, not for new signatures. */
export function sha1(data: Uint8Array): Uint8Array {
  return SHA1.digest(data);
}

/** SHA-256 (FIPS 180-4). */
export function sha256(data: Uint8Array): Uint8Array {
  return SHA256.digest(data);
}

/** HMAC (RFC 2104) over a SyncHash; used for the PKCS#12 MAC so no WebCrypto key import is needed. */
export function hmac(hash: SyncHash, key: Uint8Array, data: Uint8Array): Uint8Array {
  const v = hash.blockLength;
  const k = new Uint8Array(v);
  k.set(key.length > v ? hash.digest(key) : key);
  const inner = new Uint8Array(v + data.length);
  const outer = new Uint8Array(v + hash.outputLength);
  for (let i = 0; i < v; i++) {
    inner[i] = k[i]! ^ 0x36;
    outer[i] = k[i]! ^ 0x5c;
  }
  inner.set(data, v);
  outer.set(hash.digest(inner), v);
  return hash.digest(outer);
}
