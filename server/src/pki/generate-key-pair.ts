/**
 * Key algorithms the built-in CA knows, and key generation for server-side (escrowed) keys.
 */
import { AppError } from '../errors.ts';

export const KEY_ALGORITHMS = ['RSA-3072', 'RSA-2048', 'EC-P256'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** WebCrypto parameters used to generate, import and sign with each key algorithm (SHA-256). */
export function signingParams(alg: KeyAlgorithm): RsaHashedKeyGenParams | EcKeyGenParams {
  switch (alg) {
    case 'RSA-3072':
    case 'RSA-2048':
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: alg === 'RSA-3072' ? 3072 : 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      };
    case 'EC-P256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
  }
}

export interface GeneratedKeyPair {
  /** SubjectPublicKeyInfo DER, ready for issueCertificate. */
  spkiDer: Uint8Array;
  /** PKCS #8 DER of the private key: seal it with the vault at once, never log it. */
  privateKeyPkcs8: Uint8Array;
}

/**
 * Generates a key pair whose private key the server keeps (escrowed encryption keys, the CA).
 * The SPKI of an EC key is the same for ECDSA and ECDH use, so one generator serves both.
 */
export async function generateKeyPair(alg: KeyAlgorithm): Promise<GeneratedKeyPair> {
  if (!KEY_ALGORITHMS.includes(alg)) {
    throw new AppError('validation_failed', `unsupported key algorithm ${String(alg)}`);
  }
  const pair = (await globalThis.crypto.subtle.generateKey(signingParams(alg), true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const [spki, pkcs8] = await Promise.all([
    globalThis.crypto.subtle.exportKey('spki', pair.publicKey),
    globalThis.crypto.subtle.exportKey('pkcs8', pair.privateKey),
  ]);
  return { spkiDer: new Uint8Array(spki), privateKeyPkcs8: new Uint8Array(pkcs8) };
}
