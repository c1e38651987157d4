/**
 * Password-based encryption of PKCS#12 bags: PBES2 (PBKDF2 + AES/3DES, RFC 8018) through
 * WebCrypto, and the legacy pbeWithSHAAnd* schemes (RFC 7292 Appendix C) through the
 * PKCS#12 KDF and the pure-JS 3DES/RC2 of this folder.
 */

import * as asn1js from 'asn1js';
import { toArrayBuffer } from './bytes.ts';
import { type AsnNode, children, intOf, isTag, octetsOf, oidOf } from './der.ts';
import { desCbcDecrypt, desCbcEncrypt } from './des.ts';
import { OID } from './oids.ts';
import { KDF_IV, KDF_KEY, pkcs12Kdf } from './pkcs12-kdf.ts';
import { PkiError } from './pki-error.ts';
import { rc2CbcDecrypt } from './rc2.ts';
import { SHA1 } from './sha.ts';

/** One password in the two encodings PKCS#12 needs, plus per-file caches. */
export interface PasswordContext {
  /** BMPString form for the PKCS#12 KDF (already chosen by the MAC check). */
  bmp: Uint8Array;
  /** UTF-8 form for PBKDF2. */
  utf8: Uint8Array;
  /** The imported PBKDF2 base key, shared by every bag of one file. */
  pbkdf2Key?: Promise<CryptoKey>;
}

const LEGACY: Record<string, { keyLen: number; cipher: '3des' | 'rc2'; bits?: number }> = {
  [OID.pbeWithSHAAnd3KeyTripleDESCBC]: { keyLen: 24, cipher: '3des' },
  [OID.pbeWithSHAAnd2KeyTripleDESCBC]: { keyLen: 16, cipher: '3des' },
  [OID.pbeWithSHAAnd128BitRC2CBC]: { keyLen: 16, cipher: 'rc2', bits: 128 },
  [OID.pbeWithSHAAnd40BitRC2CBC]: { keyLen: 5, cipher: 'rc2', bits: 40 },
};

const PRF_HASH: Record<string, string> = {
  [OID.hmacWithSHA1]: 'SHA-1',
  [OID.hmacWithSHA256]: 'SHA-256',
  [OID.hmacWithSHA384]: 'SHA-384',
  [OID.hmacWithSHA512]: 'SHA-512',
};

const PBES2_CIPHERS: Record<string, { keyLen: number; kind: 'aes' | '3des' }> = {
  [OID.aes128Cbc]: { keyLen: 16, kind: 'aes' },
  [OID.aes192Cbc]: { keyLen: 24, kind: 'aes' },
  [OID.aes256Cbc]: { keyLen: 32, kind: 'aes' },
  [OID.desEde3Cbc]: { keyLen: 24, kind: '3des' },
};

function unsupported(what: string): never {
  throw new PkiError(
    'pkcs12_unsupported',
    `The file uses an encryption method this portal cannot read (${what}). Export it again with AES or 3DES.`,
  );
}

function subtle(): SubtleCrypto {
  const c = globalThis.crypto;
  if (!c?.subtle) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  return c.subtle;
}

/**
 * Decrypts one encrypted bag or SafeContents. Returns null when the password does not fit
 * (bad padding), throws pkcs12_unsupported for algorithms we do not implement.
 */
export async function pbeDecrypt(
  algorithm: AsnNode | undefined,
  data: Uint8Array,
  pw: PasswordContext,
): Promise<Uint8Array | null> {
  const [oidNode, params] = children(algorithm, 'encryption algorithm');
  const oid = oidOf(oidNode, 'encryption algorithm');
  const legacy = LEGACY[oid];
  if (legacy) {
    const [saltNode, iterNode] = children(params, 'PBE parameters');
    const salt = octetsOf(saltNode, 'PBE salt');
    const iterations = intOf(iterNode, 'PBE iterations');
    const key = pkcs12Kdf(SHA1, pw.bmp, salt, iterations, KDF_KEY, legacy.keyLen);
    const iv = pkcs12Kdf(SHA1, pw.bmp, salt, iterations, KDF_IV, 8);
    return legacy.cipher === '3des'
      ? desCbcDecrypt(key, iv, data)
      : rc2CbcDecrypt(key, legacy.bits!, iv, data);
  }
  if (oid === OID.pbes2) return pbes2Decrypt(params, data, pw);
  unsupported(oid);
}

async function pbes2Decrypt(params: AsnNode | undefined, data: Uint8Array, pw: PasswordContext): Promise<Uint8Array | null> {
  const [kdf, scheme] = children(params, 'PBES2 parameters');
  const [kdfOid, kdfParams] = children(kdf, 'PBES2 key derivation');
  if (oidOf(kdfOid, 'PBES2 key derivation') !== OID.pbkdf2) unsupported('PBES2 without PBKDF2');
  const kp = children(kdfParams, 'PBKDF2 parameters');
  const salt = octetsOf(kp[0], 'PBKDF2 salt');
  const iterations = intOf(kp[1], 'PBKDF2 iterations');
  let prfHash = 'SHA-1';
  for (const extra of kp.slice(2)) {
    if (extra instanceof asn1js.Sequence) {
      const prfOid = oidOf(children(extra, 'PBKDF2 PRF')[0], 'PBKDF2 PRF');
      prfHash = PRF_HASH[prfOid] ?? unsupported(`PBKDF2 PRF ${prfOid}`);
    }
  }
  const [schemeOid, ivNode] = children(scheme, 'PBES2 encryption scheme');
  const cipherOid = oidOf(schemeOid, 'PBES2 encryption scheme');
  const cipher = PBES2_CIPHERS[cipherOid] ?? unsupported(`cipher ${cipherOid}`);
  const iv = octetsOf(ivNode, 'PBES2 IV');
  const keyBytes = await pbkdf2(pw, salt, iterations, prfHash, cipher.keyLen);
  if (cipher.kind === '3des') return desCbcDecrypt(keyBytes, iv, data);
  if (iv.length !== 16 || data.length === 0 || data.length % 16 !== 0) return null;
  const key = await subtle().importKey('raw', toArrayBuffer(keyBytes), 'AES-CBC', false, ['decrypt']);
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-CBC', iv: toArrayBuffer(iv) }, key, toArrayBuffer(data)));
  } catch {
    // WebCrypto reports bad padding as OperationError: for us that is a wrong password.
    return null;
  }
}

async function pbkdf2(pw: PasswordContext, salt: Uint8Array, iterations: number, hash: string, length: number): Promise<Uint8Array> {
  pw.pbkdf2Key ??= subtle().importKey('raw', toArrayBuffer(pw.utf8), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle().deriveBits(
    { name: 'PBKDF2', salt: toArrayBuffer(salt), iterations, hash },
    await pw.pbkdf2Key,
    length * 8,
  );
  return new Uint8Array(bits);
}

/** Builds an AlgorithmIdentifier SEQUENCE { OID, params }. */
function algorithmIdentifier(oid: string, params: AsnNode): asn1js.Sequence {
  return new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), params] });
}

/** Encrypted output plus the AlgorithmIdentifier that describes how to decrypt it. */
export interface PbeResult {
  algorithm: asn1js.Sequence;
  ciphertext: Uint8Array;
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, as OpenSSL 3 writes by default. */
export async function pbes2Encrypt(plaintext: Uint8Array, pw: PasswordContext, iterations: number): Promise<PbeResult> {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const keyBytes = await pbkdf2(pw, salt, iterations, 'SHA-256', 32);
  const key = await subtle().importKey('raw', toArrayBuffer(keyBytes), 'AES-CBC', false, ['encrypt']);
  const ct = await subtle().encrypt({ name: 'AES-CBC', iv: toArrayBuffer(iv) }, key, toArrayBuffer(plaintext));
  const kdf = algorithmIdentifier(
    OID.pbkdf2,
    new asn1js.Sequence({
      value: [
        new asn1js.OctetString({ valueHex: toArrayBuffer(salt) }),
        new asn1js.Integer({ value: iterations }),
        new asn1js.Integer({ value: 32 }),
        algorithmIdentifier(OID.hmacWithSHA256, new asn1js.Null()),
      ],
    }),
  );
  const scheme = algorithmIdentifier(OID.aes256Cbc, new asn1js.OctetString({ valueHex: toArrayBuffer(iv) }));
  return {
    algorithm: algorithmIdentifier(OID.pbes2, new asn1js.Sequence({ value: [kdf, scheme] })),
    ciphertext: new Uint8Array(ct),
  };
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 Appendix C), what iOS and old Windows accept. */
export function pbeSha3DesEncrypt(plaintext: Uint8Array, pw: PasswordContext, iterations: number): PbeResult {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(8));
  const key = pkcs12Kdf(SHA1, pw.bmp, salt, iterations, KDF_KEY, 24);
  const iv = pkcs12Kdf(SHA1, pw.bmp, salt, iterations, KDF_IV, 8);
  const params = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(salt) }), new asn1js.Integer({ value: iterations })],
  });
  return {
    algorithm: algorithmIdentifier(OID.pbeWithSHAAnd3KeyTripleDESCBC, params),
    ciphertext: desCbcEncrypt(key, iv, plaintext),
  };
}

/** True for the [0] context tag used by EXPLICIT content and IMPLICIT encryptedContent. */
export function isContext0(node: AsnNode | undefined): boolean {
  return isTag(node, 3, 0);
}
