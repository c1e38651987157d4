/**
 * DES and 3DES-EDE (FIPS 46-3) in CBC mode, in plain JS. WebCrypto has no DES, yet
 * pbeWithSHAAnd3-KeyTripleDES-CBC is what Windows exports and what iOS imports, so PKCS#12
 * needs it both ways. Tables below are the standard's; the S-boxes and P are folded into
 * eight 64-entry lookup tables once, so a round is eight lookups.
 */

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64,
  56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53,
  45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13,
  30, 6, 22, 11, 4, 25,
];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60,
  52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21,
  13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52,
  31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const SBOX = [
  '14 4 13 1 2 15 11 8 3 10 6 12 5 9 0 7 0 15 7 4 14 2 13 1 10 6 12 11 9 5 3 8 4 1 14 8 13 6 2 11 15 12 9 7 3 10 5 0 15 12 8 2 4 9 1 7 5 11 3 14 10 0 6 13',
  '15 1 8 14 6 11 3 4 9 7 2 13 12 0 5 10 3 13 4 7 15 2 8 14 12 0 1 10 6 9 11 5 0 14 7 11 10 4 13 1 5 8 12 6 9 3 2 15 13 8 10 1 3 15 4 2 11 6 7 12 0 5 14 9',
  '10 0 9 14 6 3 15 5 1 13 12 7 11 4 2 8 13 7 0 9 3 4 6 10 2 8 5 14 12 11 15 1 13 6 4 9 8 15 3 0 11 1 2 12 5 10 14 7 1 10 13 0 6 9 8 7 4 15 14 3 11 5 2 12',
  '7 13 14 3 0 6 9 10 1 2 8 5 11 12 4 15 13 8 11 5 6 15 0 3 4 7 2 12 1 10 14 9 10 6 9 0 12 11 7 13 15 1 3 14 5 2 8 4 3 15 0 6 10 1 13 8 9 4 5 11 12 7 2 14',
  '2 12 4 1 7 10 11 6 8 5 3 15 13 0 14 9 14 11 2 12 4 7 13 1 5 0 15 10 3 9 8 6 4 2 1 11 10 13 7 8 15 9 12 5 6 3 0 14 11 8 12 7 1 14 2 13 6 15 0 9 10 4 5 3',
  '12 1 10 15 9 2 6 8 0 13 3 4 14 7 5 11 10 15 4 2 7 12 9 5 6 1 13 14 0 11 3 8 9 14 15 5 2 8 12 3 7 0 4 10 1 13 11 6 4 3 2 12 9 5 15 10 11 14 1 7 6 0 8 13',
  '4 11 2 14 15 0 8 13 3 12 9 7 5 10 6 1 13 0 11 7 4 9 1 10 14 3 5 12 2 15 8 6 1 4 11 13 12 3 7 14 10 15 6 8 0 5 9 2 6 11 13 8 1 4 10 7 9 5 0 15 14 2 3 12',
  '13 2 8 4 6 15 11 1 10 9 3 14 5 0 12 7 1 15 13 8 10 3 7 4 12 5 6 11 0 14 9 2 7 11 4 1 9 12 14 2 0 6 10 13 15 3 5 8 2 1 14 7 4 10 8 13 15 12 9 0 3 5 6 11',
].map((row) => row.split(' ').map(Number));

interface Tables {
  /** SP[j*64 + six bits] = P(S_j output placed at its 4 bits). */
  sp: Int32Array;
  /** Byte-wise lookup for a 64-bit permutation: [byte pos][value] -> (hi, lo). */
  ip: Int32Array;
  fp: Int32Array;
}

function buildPermutationTable(perm: number[]): Int32Array {
  // 8 input bytes × 256 values × (hi, lo) output words.
  const table = new Int32Array(8 * 256 * 2);
  for (let out = 0; out < 64; out++) {
    const src = perm[out]! - 1;
    const bytePos = src >> 3;
    const bitMask = 0x80 >> (src & 7);
    for (let v = 0; v < 256; v++) {
      if (v & bitMask) {
        const idx = (bytePos * 256 + v) * 2 + (out < 32 ? 0 : 1);
        table[idx] = table[idx]! | (1 << (31 - (out & 31)));
      }
    }
  }
  return table;
}

let tables: Tables | undefined;

/** Built on first use; a pure function of the constant tables above. */
function getTables(): Tables {
  if (tables) return tables;
  const sp = new Int32Array(8 * 64);
  for (let j = 0; j < 8; j++) {
    for (let b = 0; b < 64; b++) {
      const row = ((b >> 4) & 2) | (b & 1);
      const col = (b >> 1) & 15;
      const s = SBOX[j]![row * 16 + col]!;
      const before = s << (28 - 4 * j);
      let after = 0;
      for (let i = 0; i < 32; i++) {
        if ((before >>> (32 - P[i]!)) & 1) after |= 1 << (31 - i);
      }
      sp[j * 64 + b] = after;
    }
  }
  const fpPerm = new Array<number>(64);
  for (let i = 0; i < 64; i++) fpPerm[IP[i]! - 1] = i + 1;
  tables = { sp, ip: buildPermutationTable(IP), fp: buildPermutationTable(fpPerm) };
  return tables;
}

/** The 16 round keys of one DES key as 16×8 six-bit groups; reversed when decrypting. */
function desKeySchedule(key: Uint8Array, decrypt: boolean): Uint8Array {
  const bit = (n: number) => (key[(n - 1) >> 3]! >> (7 - ((n - 1) & 7))) & 1;
  const cd = PC1.map(bit);
  let c = cd.slice(0, 28);
  let d = cd.slice(28);
  const out = new Uint8Array(16 * 8);
  for (let round = 0; round < 16; round++) {
    const s = SHIFTS[round]!;
    c = c.slice(s).concat(c.slice(0, s));
    d = d.slice(s).concat(d.slice(0, s));
    const both = c.concat(d);
    const target = decrypt ? 15 - round : round;
    for (let j = 0; j < 8; j++) {
      let g = 0;
      for (let k = 0; k < 6; k++) g = (g << 1) | both[PC2[j * 6 + k]! - 1]!;
      out[target * 8 + j] = g;
    }
  }
  return out;
}

/** 16 Feistel rounds on (l, r) in place in `state`; output is left swapped, as FP expects. */
function rounds(state: Int32Array, ks: Uint8Array, sp: Int32Array): void {
  let l = state[0]!;
  let r = state[1]!;
  for (let round = 0; round < 16; round++) {
    const k = round * 8;
    // E expansion: rotate right by one so each 6-bit group is a plain shift.
    const rr = (r >>> 1) | (r << 31);
    const f =
      sp[(((rr >>> 26) & 63) ^ ks[k]!) | 0]! |
      sp[64 + (((rr >>> 22) & 63) ^ ks[k + 1]!)]! |
      sp[128 + (((rr >>> 18) & 63) ^ ks[k + 2]!)]! |
      sp[192 + (((rr >>> 14) & 63) ^ ks[k + 3]!)]! |
      sp[256 + (((rr >>> 10) & 63) ^ ks[k + 4]!)]! |
      sp[320 + (((rr >>> 6) & 63) ^ ks[k + 5]!)]! |
      sp[384 + (((rr >>> 2) & 63) ^ ks[k + 6]!)]! |
      sp[448 + ((((rr << 2) | (rr >>> 30)) & 63) ^ ks[k + 7]!)]!;
    const t = l ^ f;
    l = r;
    r = t;
  }
  state[0] = r;
  state[1] = l;
}

function permute(table: Int32Array, block: Uint8Array, offset: number, state: Int32Array): void {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 8; i++) {
    const idx = (i * 256 + block[offset + i]!) * 2;
    hi |= table[idx]!;
    lo |= table[idx + 1]!;
  }
  state[0] = hi;
  state[1] = lo;
}

/**
 * A DES or 3DES-EDE key prepared for one direction. 8-byte keys are single DES, 16-byte keys
 * two-key 3DES (K3 = K1), 24-byte keys three-key 3DES. Parity bits are ignored, as usual.
 */
function schedules(key: Uint8Array, decrypt: boolean): Uint8Array[] {
  if (key.length === 8) return [desKeySchedule(key, decrypt)];
  if (key.length !== 16 && key.length !== 24) throw new RangeError('DES key must be 8, 16 or 24 bytes');
  const k1 = key.subarray(0, 8);
  const k2 = key.subarray(8, 16);
  const k3 = key.length === 24 ? key.subarray(16, 24) : k1;
  // EDE: encrypt = E(k3, D(k2, E(k1, x))); decrypt = D(k1, E(k2, D(k3, x))).
  return decrypt
    ? [desKeySchedule(k3, true), desKeySchedule(k2, false), desKeySchedule(k1, true)]
    : [desKeySchedule(k1, false), desKeySchedule(k2, true), desKeySchedule(k3, false)];
}

/** Runs IP, the chained DES passes (FP·IP between passes cancel out), then FP into `out`. */
function cryptBlock(ks: Uint8Array[], src: Uint8Array, so: number, out: Uint8Array, oo: number, state: Int32Array, t: Tables): void {
  permute(t.ip, src, so, state);
  for (const k of ks) rounds(state, k, t.sp);
  const tmp = new Uint8Array(8);
  const view = new DataView(tmp.buffer);
  view.setInt32(0, state[0]!, false);
  view.setInt32(4, state[1]!, false);
  permute(t.fp, tmp, 0, state);
  view.setInt32(0, state[0]!, false);
  view.setInt32(4, state[1]!, false);
  out.set(tmp, oo);
}

/** Encrypts one 8-byte block (ECB); for test vectors. */
export function desEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  cryptBlock(schedules(key, false), block, 0, out, 0, new Int32Array(2), getTables());
  return out;
}

/** Decrypts one 8-byte block (ECB); for test vectors. */
export function desDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  cryptBlock(schedules(key, true), block, 0, out, 0, new Int32Array(2), getTables());
  return out;
}

/** CBC encryption with PKCS#5 padding (always adds 1–8 bytes). */
export function desCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (iv.length !== 8) throw new RangeError('DES IV must be 8 bytes');
  const padLen = 8 - (plaintext.length % 8);
  const data = new Uint8Array(plaintext.length + padLen);
  data.set(plaintext);
  data.fill(padLen, plaintext.length);
  const ks = schedules(key, false);
  const t = getTables();
  const state = new Int32Array(2);
  const block = new Uint8Array(8);
  let prev = iv;
  let prevOff = 0;
  for (let off = 0; off < data.length; off += 8) {
    for (let i = 0; i < 8; i++) block[i] = data[off + i]! ^ prev[prevOff + i]!;
    cryptBlock(ks, block, 0, data, off, state, t);
    prev = data;
    prevOff = off;
  }
  return data;
}

/**
 * CBC decryption; returns null when the padding is wrong (which, with no MAC, is how a wrong
 * password shows), never a partial result.
 */
export function desCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  if (iv.length !== 8) throw new RangeError('DES IV must be 8 bytes');
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) return null;
  const ks = schedules(key, true);
  const t = getTables();
  const state = new Int32Array(2);
  const out = new Uint8Array(ciphertext.length);
  for (let off = 0; off < ciphertext.length; off += 8) {
    cryptBlock(ks, ciphertext, off, out, off, state, t);
    const prev = off === 0 ? iv : ciphertext.subarray(off - 8, off);
    for (let i = 0; i < 8; i++) out[off + i] = out[off + i]! ^ prev[i]!;
  }
  return stripPkcs5(out);
}

/** Removes PKCS#5/#7 padding for 8-byte blocks; null when it is malformed. */
export function stripPkcs5(data: Uint8Array): Uint8Array | null {
  const n = data[data.length - 1];
  if (n === undefined || n < 1 || n > 8 || n > data.length) return null;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return null;
  return data.subarray(0, data.length - n);
}
