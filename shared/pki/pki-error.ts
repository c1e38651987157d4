/**
 * The one error type of shared/pki. `code` is stable (the server maps it to its own codes);
 * messages are plain words for people and never contain key material or passwords.
 */

export const PKI_ERROR_CODES = [
  'pkcs12_not_pkcs12',
  'pkcs12_truncated',
  'pkcs12_wrong_password',
  'pkcs12_no_key',
  'pkcs12_no_certificate',
  'pkcs12_key_mismatch',
  'pkcs12_unsupported',
  'der_invalid',
  'csr_invalid',
  'csr_bad_signature',
] as const;

export type PkiErrorCode = (typeof PKI_ERROR_CODES)[number];

export class PkiError extends Error {
  override readonly name = 'PkiError';
  readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `err` is a PkiError, optionally with the given code. */
export function isPkiError(err: unknown, code?: PkiErrorCode): err is PkiError {
  return err instanceof PkiError && (code === undefined || err.code === code);
}
