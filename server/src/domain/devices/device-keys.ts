import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { AppError } from '../../errors.ts';

/**
 * Parses a base64 SPKI DER and insists on an EC P-256 public key. ECDSA and ECDH keys share the
 * same SPKI (id-ecPublicKey + prime256v1), so one check serves both device keys.
 */
export function parseP256Spki(base64: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new AppError('validation_failed', `${what} is not a DER SubjectPublicKeyInfo`, { cause, issues: [{ path: what, message: 'is not a DER SubjectPublicKeyInfo' }] });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new AppError('validation_failed', `${what} must be a P-256 public key`, { issues: [{ path: what, message: 'must be a P-256 public key' }] });
  }
  return key;
}

/** The exact bytes a device signs to open a session: binds the nonce to the device id. */
export function sessionChallenge(deviceId: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(`smime-portal-device-session:v1:${deviceId}:${nonce}`);
}

/**
 * Verifies an ECDSA P-256 / SHA-256 signature as WebCrypto makes it (IEEE P1363 r||s, 64 bytes).
 * Returns false for anything malformed instead of throwing: a bad signature is just refused.
 */
export function verifyDeviceSignature(identityKeySpki: string, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(identityKeySpki, 'base64'), format: 'der', type: 'spki' });
    return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
