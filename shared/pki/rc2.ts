/**
 * RC2 (RFC 2268) in CBC mode. OpenSSL's `-legacy` PKCS#12 (and older Windows exports) encrypt the
 * certificate bags with pbeWithSHAAnd40BitRC2-CBC, which no WebCrypto implements. Only decryption
 * is needed to read such files; encryption is kept for the round-trip tests.
 */

import { stripPkcs5 } from './des.ts';

const PITABLE = Uint8Array.from([
  0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d,
  0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2,
  0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
  0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82,
  0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc,
  0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
  0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03,
  0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7,
  0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
  0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec,
  0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39,
  0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
  0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9,
  0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9,
  0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
  0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
]);

/** RFC 2268 §2 key expansion into 64 16-bit words, limited to `effectiveBits`. */
export function rc2ExpandKey(key: Uint8Array, effectiveBits: number): Uint16Array {
  const t = key.length;
  if (t < 1 || t > 128) throw new RangeError('RC2 key must be 1 to 128 bytes');
  if (effectiveBits < 1 || effectiveBits > 1024) throw new RangeError('RC2 effective bits out of range');
  const t8 = (effectiveBits + 7) >> 3;
  const tm = 0xff >> (8 * t8 - effectiveBits);
  const l = new Uint8Array(128);
  l.set(key);
  for (let i = t; i < 128; i++) l[i] = PITABLE[(l[i - 1]! + l[i - t]!) & 0xff]!;
  l[128 - t8] = PITABLE[l[128 - t8]! & tm]!;
  for (let i = 127 - t8; i >= 0; i--) l[i] = PITABLE[l[i + 1]! ^ l[i + t8]!]!;
  const k = new Uint16Array(64);
  for (let i = 0; i < 64; i++) k[i] = l[2 * i]! | (l[2 * i + 1]! << 8);
  return k;
}

const S = [1, 2, 3, 5];

/** Encrypts one block in place (four little-endian 16-bit words). */
function encryptWords(r: Uint16Array, k: Uint16Array): void {
  let j = 0;
  const mix = () => {
    for (let i = 0; i < 4; i++) {
      const x =
        (r[i]! + k[j]! + (r[(i + 3) & 3]! & r[(i + 2) & 3]!) + (~r[(i + 3) & 3]! & r[(i + 1) & 3]!)) &
        0xffff;
      j++;
      r[i] = (x << S[i]!) | (x >>> (16 - S[i]!));
    }
  };
  const mash = () => {
    for (let i = 0; i < 4; i++) r[i] = r[i]! + k[r[(i + 3) & 3]! & 63]!;
  };
  for (let n = 0; n < 5; n++) mix();
  mash();
  for (let n = 0; n < 6; n++) mix();
  mash();
  for (let n = 0; n < 5; n++) mix();
}

/** Decrypts one block in place: the inverse steps of encryptWords in reverse order. */
function decryptWords(r: Uint16Array, k: Uint16Array): void {
  let j = 63;
  const rmix = () => {
    for (let i = 3; i >= 0; i--) {
      const x = r[i]!;
      const rot = ((x >>> S[i]!) | (x << (16 - S[i]!))) & 0xffff;
      r[i] = rot - k[j]! - (r[(i + 3) & 3]! & r[(i + 2) & 3]!) - (~r[(i + 3) & 3]! & r[(i + 1) & 3]!);
      j--;
    }
  };
  const rmash = () => {
    for (let i = 3; i >= 0; i--) r[i] = r[i]! - k[r[(i + 3) & 3]! & 63]!;
  };
  for (let n = 0; n < 5; n++) rmix();
  rmash();
  for (let n = 0; n < 6; n++) rmix();
  rmash();
  for (let n = 0; n < 5; n++) rmix();
}

function load(src: Uint8Array, off: number, r: Uint16Array): void {
  for (let i = 0; i < 4; i++) r[i] = src[off + 2 * i]! | (src[off + 2 * i + 1]! << 8);
}

function store(r: Uint16Array, dst: Uint8Array, off: number): void {
  for (let i = 0; i < 4; i++) {
    dst[off + 2 * i] = r[i]! & 0xff;
    dst[off + 2 * i + 1] = r[i]! >>> 8;
  }
}

/** Encrypts one 8-byte block (ECB); for test vectors. */
export function rc2EncryptBlock(key: Uint8Array, effectiveBits: number, block: Uint8Array): Uint8Array {
  const r = new Uint16Array(4);
  load(block, 0, r);
  encryptWords(r, rc2ExpandKey(key, effectiveBits));
  const out = new Uint8Array(8);
  store(r, out, 0);
  return out;
}

/** Decrypts one 8-byte block (ECB); for test vectors. */
export function rc2DecryptBlock(key: Uint8Array, effectiveBits: number, block: Uint8Array): Uint8Array {
  const r = new Uint16Array(4);
  load(block, 0, r);
  decryptWords(r, rc2ExpandKey(key, effectiveBits));
  const out = new Uint8Array(8);
  store(r, out, 0);
  return out;
}

/** CBC encryption with PKCS#5 padding. */
export function rc2CbcEncrypt(key: Uint8Array, effectiveBits: number, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (iv.length !== 8) throw new RangeError('RC2 IV must be 8 bytes');
  const k = rc2ExpandKey(key, effectiveBits);
  const padLen = 8 - (plaintext.length % 8);
  const data = new Uint8Array(plaintext.length + padLen);
  data.set(plaintext);
  data.fill(padLen, plaintext.length);
  const r = new Uint16Array(4);
  for (let off = 0; off < data.length; off += 8) {
    for (let i = 0; i < 8; i++) data[off + i] = data[off + i]! ^ (off === 0 ? iv[i]! : data[off - 8 + i]!);
    load(data, off, r);
    encryptWords(r, k);
    store(r, data, off);
  }
  return data;
}

/** CBC decryption; null when the length or padding is wrong. */
export function rc2CbcDecrypt(key: Uint8Array, effectiveBits: number, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  if (iv.length !== 8) throw new RangeError('RC2 IV must be 8 bytes');
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) return null;
  const k = rc2ExpandKey(key, effectiveBits);
  const out = new Uint8Array(ciphertext.length);
  const r = new Uint16Array(4);
  for (let off = 0; off < ciphertext.length; off += 8) {
    load(ciphertext, off, r);
    decryptWords(r, k);
    store(r, out, off);
    for (let i = 0; i < 8; i++) out[off + i] = out[off + i]! ^ (off === 0 ? iv[i]! : ciphertext[off - 8 + i]!);
  }
  return stripPkcs5(out);
}
