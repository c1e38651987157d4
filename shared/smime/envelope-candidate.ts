/**
 * A decryption candidate backed by a keychain entry's sealed envelope: the way the PWA opens mail.
 * OAEP opens the envelope into a non-extractable RSA-OAEP key for the message's hash (the hash is
 * fixed at import, so one stored key cannot serve SHA-1 and SHA-256 mail); PKCS#1 v1.5 opens it
 * to PKCS#8 in memory for the one oracle-free decryption and zeroes it at once.
 */

import type { DecryptCandidate } from './cms-decrypt.ts';
import { type EnvelopeBinding, type KeyEnvelope, openEnvelopeToKey, openEnvelopeToPkcs8 } from './key-envelope.ts';
import { rsaPkcs1v15DecryptWithPkcs8 } from './rsa-pkcs1v15.ts';

export interface EnvelopeCandidateOptions extends EnvelopeBinding {
  certificate: Uint8Array;
  envelope: KeyEnvelope;
  /** The device's non-extractable ECDH P-256 transport key. */
  devicePrivateKey: CryptoKey;
}

/** Builds a DecryptCandidate for decryptSmime from a keychain entry. */
export function candidateFromEnvelope(options: EnvelopeCandidateOptions): DecryptCandidate {
  const { certificate, envelope, devicePrivateKey, deviceId, thumbprint } = options;
  return {
    certificate,
    decryptOaep: async (encryptedKey, hash) => {
      const key = await openEnvelopeToKey({
        envelope,
        devicePrivateKey,
        deviceId,
        thumbprint,
        keyAlgorithm: { name: 'RSA-OAEP', hash },
        keyUsages: ['decrypt'],
      });
      return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'RSA-OAEP' }, key, encryptedKey.slice().buffer));
    },
    decryptPkcs1v15: async (encryptedKey, cekLength) => {
      const pkcs8 = await openEnvelopeToPkcs8({ envelope, devicePrivateKey, deviceId, thumbprint });
      try {
        return rsaPkcs1v15DecryptWithPkcs8(pkcs8, encryptedKey, cekLength);
      } finally {
        pkcs8.fill(0);
      }
    },
  };
}
