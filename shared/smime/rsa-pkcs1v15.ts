/**
 * RSA PKCS#1 v1.5 decryption (RFC 8017 §7.2.2) of a CMS key-transport encryptedKey, which
 * WebCrypto cannot do. The private key is used as numbers read from PKCS#8, in memory, once.
 *
 * No padding oracle: the unpadding scans every byte of the block with masks (no early exit, no
 * branch on secret bytes), and a bad padding yields a deterministic pseudo-random key of the
 * expected length (implicit rejection, as in OpenSSL 3.2+ and draft-irtf-cfrg-rsa-guidance),
 * never a distinct error. The caller learns only "the content did not decrypt", exactly as with
 * a wrong key. The synthetic key is always computed, so valid and invalid paths do the same work.
 *
 * Limits, stated honestly: JavaScript BigInt arithmetic is not constant-time. The ciphertext is
 * blinded before exponentiation (c·r^e) so the timing of the modular exponentiation does not
 * correlate with attacker-chosen ciphertexts.
 */

import * as asn1js from 'asn1js';
import { concatBytes } from '../pki/bytes.ts';
import { SHA256, hmac, sha256 } from '../pki/sha.ts';
import { SmimeError } from './smime-error.ts';

const RSA_OID = '1.2.840.113549.1.1.1';

/** The RSA private key as numbers (RFC 8017 §3.2, second representation). */
export interface RsaPrivateNumbers {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qinv: bigint;
  /** Byte length of the modulus. */
  k: number;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Big-endian bytes of `v`, left-padded to `length`. */
export function bigIntToBytes(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = v;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function invalid(message: string, cause?: unknown): never {
  throw new SmimeError('rsa_key_invalid', message, cause === undefined ? undefined : { cause });
}

function items(node: asn1js.AsnType | undefined): asn1js.AsnType[] {
  const v = (node?.valueBlock as { value?: unknown } | undefined)?.value;
  return Array.isArray(v) ? (v as asn1js.AsnType[]) : [];
}

/** Reads n, e, d, p, q, dp, dq, qinv from an RSA PKCS#8 PrivateKeyInfo. */
export function rsaNumbersFromPkcs8(pkcs8: Uint8Array): RsaPrivateNumbers {
  const outer = asn1js.fromBER(pkcs8);
  if (outer.offset === -1) invalid('The private key is not valid PKCS#8 DER.');
  const [, alg, keyOctets] = items(outer.result);
  const oid = items(alg)[0];
  if (!(oid instanceof asn1js.ObjectIdentifier) || oid.valueBlock.toString() !== RSA_OID) {
    invalid('The private key is not an RSA key.');
  }
  if (!(keyOctets instanceof asn1js.OctetString)) invalid('The private key is malformed.');
  const inner = asn1js.fromBER(keyOctets.valueBlock.valueHexView);
  if (inner.offset === -1) invalid('The RSA private key is not valid DER.');
  const ints = items(inner.result).map((node) => {
    if (!(node instanceof asn1js.Integer)) invalid('The RSA private key is malformed.');
    return bytesToBigInt(node.valueBlock.valueHexView);
  });
  const [, n, e, d, p, q, dp, dq, qinv] = ints;
  if (
    n === undefined || e === undefined || d === undefined || p === undefined || q === undefined ||
    dp === undefined || dq === undefined || qinv === undefined || n === 0n
  ) {
    invalid('The RSA private key lacks its CRT parameters.');
  }
  return { n, e, d, p, q, dp, dq, qinv, k: Math.ceil(n.toString(16).length / 2) };
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let x = exp;
  while (x > 0n) {
    if (x & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    x >>= 1n;
  }
  return result;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

function randomBelow(n: bigint, k: number): bigint {
  for (;;) {
    const r = bytesToBigInt(globalThis.crypto.getRandomValues(new Uint8Array(k))) % n;
    if (r > 1n) return r;
  }
}

/** RSADP with blinding and CRT, checked by re-encryption (guards against CRT faults). */
function rsaDecryptRaw(key: RsaPrivateNumbers, c: bigint): bigint {
  let r = randomBelow(key.n, key.k);
  let rInv: bigint;
  for (;;) {
    try {
      rInv = modInverse(r, key.n);
      break;
    } catch {
      r = randomBelow(key.n, key.k);
    }
  }
  const blinded = (c * modPow(r, key.e, key.n)) % key.n;
  const m1 = modPow(blinded % key.p, key.dp, key.p);
  const m2 = modPow(blinded % key.q, key.dq, key.q);
  const h = (key.qinv * (((m1 - m2) % key.p) + key.p)) % key.p;
  const mBlinded = m2 + h * key.q;
  if (modPow(mBlinded, key.e, key.n) !== blinded) invalid('The RSA private key is inconsistent.');
  return (mBlinded * rInv) % key.n;
}

/** Counts byte operations of the unpadding, for the structure test only. */
export interface UnpadTrace {
  ops: number;
}

/** 1 when x (0..255) is zero, else 0; no branch. */
const isZero = (x: number): number => ((x - 1) >>> 31) & 1;

/**
 * Constant-shape check of EM = 00 02 PS(nonzero, ≥ 8) 00 M with |M| = `length`, and selection
 * of M or `synthetic` by mask. Exported for the structure test; use rsaPkcs1v15Decrypt.
 */
export function unpadFixedLength(em: Uint8Array, length: number, synthetic: Uint8Array, trace?: UnpadTrace): Uint8Array {
  const k = em.length;
  const sep = k - length - 1;
  // Public shape check: a CEK of this length cannot fit the key at all.
  if (sep < 10) invalid('The key is too small for this content-encryption key.');
  let good = isZero(em[0]!) & isZero(em[1]! ^ 2) & isZero(em[sep]!);
  if (trace) trace.ops += 3;
  for (let i = 2; i < sep; i++) {
    good &= 1 - isZero(em[i]!);
    if (trace) trace.ops++;
  }
  const mask = -good & 0xff;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = (em[sep + 1 + i]! & mask) | (synthetic[i]! & ~mask & 0xff);
    if (trace) trace.ops++;
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * The implicit-rejection key (draft-irtf-cfrg-rsa-guidance §7): KDK = HMAC-SHA256(SHA256(d),
 * C), then PRF(KDK, "message", bits) = HMAC-SHA256(KDK, i ‖ label ‖ bits) blocks.
 */
export function syntheticKey(key: RsaPrivateNumbers, ciphertext: Uint8Array, length: number): Uint8Array {
  const dBytes = bigIntToBytes(key.d, key.k);
  const kdk = hmac(SHA256, sha256(dBytes), ciphertext);
  dBytes.fill(0);
  const bits = length * 8;
  const blocks: Uint8Array[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) {
    const input = concatBytes(new Uint8Array([i >> 8, i & 0xff]), encoder.encode('message'), new Uint8Array([bits >> 8, bits & 0xff]));
    blocks.push(hmac(SHA256, kdk, input));
  }
  kdk.fill(0);
  return concatBytes(...blocks).subarray(0, length);
}

/**
 * Decrypts a PKCS#1 v1.5 encryptedKey and returns exactly `expectedLength` bytes: the CEK when
 * the padding is valid and has that length, otherwise a deterministic pseudo-random key
 * (implicit rejection). Throws only on public facts: a malformed key or a ciphertext that does
 * not fit the modulus.
 */
export function rsaPkcs1v15Decrypt(
  key: RsaPrivateNumbers,
  ciphertext: Uint8Array,
  expectedLength: number,
  trace?: UnpadTrace,
): Uint8Array {
  if (ciphertext.length > key.k) invalid('The encrypted key is longer than the RSA modulus.');
  // RFC 8017 wants |C| = k; some encoders drop leading zeros, so left-pad (public information).
  const c = concatBytes(new Uint8Array(key.k - ciphertext.length), ciphertext);
  const cInt = bytesToBigInt(c);
  if (cInt >= key.n) invalid('The encrypted key is out of range for the RSA modulus.');
  const synthetic = syntheticKey(key, c, expectedLength);
  const em = bigIntToBytes(rsaDecryptRaw(key, cInt), key.k);
  const out = unpadFixedLength(em, expectedLength, synthetic, trace);
  em.fill(0);
  synthetic.fill(0);
  return out;
}

/** Parses the PKCS#8 and decrypts; the caller still zeroes its PKCS#8 bytes afterwards. */
export function rsaPkcs1v15DecryptWithPkcs8(pkcs8: Uint8Array, ciphertext: Uint8Array, expectedLength: number): Uint8Array {
  return rsaPkcs1v15Decrypt(rsaNumbersFromPkcs8(pkcs8), ciphertext, expectedLength);
}
