/**
 * The one error type of shared/smime. `code` is stable (the server and the PWA map it to their
 * own messages); messages are plain words and never contain key material.
 */

export const SMIME_ERROR_CODES = [
  /** The key envelope is malformed or of an unknown version/algorithm. */
  'envelope_invalid',
  /** The envelope does not open with this device key, device id and thumbprint (or was altered). */
  'envelope_not_for_this_device',
  /** The key inside the envelope is not importable as the requested algorithm. */
  'envelope_key_unusable',
  /** The RSA private key is not an RSA PKCS#8 key, or the ciphertext does not fit the key. */
  'rsa_key_invalid',
  /** The input is not an S/MIME encrypted message (or not a signed one, for verification). */
  'smime_not_encrypted',
  'smime_not_signed',
  /** No RecipientInfo matches a certificate in the keychain. */
  'smime_no_recipient',
  /** A recipient matched but the content did not decrypt (wrong key, or altered message). */
  'smime_decrypt_failed',
  /** The message uses an algorithm this code does not implement. */
  'smime_unsupported',
  /** The CMS structure or MIME framing is malformed. */
  'smime_malformed',
  /** Bad arguments to sign/encrypt (header injection, no recipients, unsupported key). */
  'smime_bad_input',
] as const;

export type SmimeErrorCode = (typeof SMIME_ERROR_CODES)[number];

export class SmimeError extends Error {
  override readonly name = 'SmimeError';
  readonly code: SmimeErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: SmimeErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

/** True when `err` is a SmimeError, optionally with the given code. */
export function isSmimeError(err: unknown, code?: SmimeErrorCode): err is SmimeError {
  return err instanceof SmimeError && (code === undefined || err.code === code);
}
