/**
 * Isomorphic S/MIME for the portal (browser and Node 20): the key delivery envelope, RSA
 * PKCS#1 v1.5 key transport without a padding oracle, and CMS decrypt/sign/verify/encrypt.
 */

export { type DecryptCandidate, type DecryptResult, decryptSmime, extractCmsDer, type OaepHash } from './cms-decrypt.ts';
export { candidateFromEnvelope, type EnvelopeCandidateOptions } from './envelope-candidate.ts';
export { type EncryptSmimeOptions, buildEnvelopedData, encryptSmime } from './cms-encrypt.ts';
export { buildDetachedSignature, type SignSmimeOptions, signSmime } from './cms-sign.ts';
export { type VerifyResult, verifySmime } from './cms-verify.ts';
export {
  ENVELOPE_ALG,
  type EnvelopeBinding,
  type KeyEnvelope,
  openEnvelopeToKey,
  openEnvelopeToPkcs8,
  sealToDevice,
} from './key-envelope.ts';
export { type RsaPrivateNumbers, rsaNumbersFromPkcs8, rsaPkcs1v15Decrypt, rsaPkcs1v15DecryptWithPkcs8 } from './rsa-pkcs1v15.ts';
export { isSmimeError, SMIME_ERROR_CODES, SmimeError, type SmimeErrorCode } from './smime-error.ts';
