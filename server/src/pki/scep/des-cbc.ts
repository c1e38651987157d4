/**
 * Single DES in CBC mode, only for SCEP clients that encrypt with DES (Debian's scepclient 2.1.0
 * always does) when SCEP_ALLOW_LEGACY_DES is on. Node 20's OpenSSL 3 refuses des-cbc without
 * the legacy provider, but triple DES (EDE) with K1 = K2 = K3 is exactly single DES
 * (E_K(D_K(E_K(x))) = E_K(x)), so OpenSSL's native 3DES does the work: the pure JavaScript DES
 * used before cost ≈ 1.5 ms per request. Never used to protect our own data.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

function tripled(key: Uint8Array): Buffer {
  if (key.length !== 8) throw new Error('a DES key is 8 bytes long');
  return Buffer.concat([key, key, key]);
}

/** DES-CBC encryption with PKCS #7 padding. */
export function desCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (iv.length !== 8) throw new Error('a DES IV is 8 bytes long');
  const cipher = createCipheriv('des-ede3-cbc', tripled(key), iv);
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
}

/** DES-CBC decryption; throws on a bad length or bad padding. */
export function desCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (iv.length !== 8) throw new Error('a DES IV is 8 bytes long');
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) throw new Error('DES ciphertext length is not a multiple of 8');
  const decipher = createDecipheriv('des-ede3-cbc', tripled(key), iv);
  return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
}
