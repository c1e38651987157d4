/**
 * One error type for the whole server. Every failure the API or CLI reports carries a stable
 * `code`; `http/problem.ts` maps each code to an HTTP status in one exhaustive switch.
 */
export const ERROR_CODES = [
  'validation_failed',
  'bad_request',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'not_found',
  'conflict',
  'gone',
  'unsupported_media_type',
  'pkcs12_invalid',
  'certificate_rejected',
  'csr_invalid',
  'channel_not_configured',
  'policy_disabled',
  'device_retired',
  'kek_mismatch',
  'dependency_failed',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A field-level problem, for validation errors (the `errors` member of problem+json). */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** Field issues or other structured, secret-free detail shown to the caller. */
  issues?: FieldIssue[];
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly issues: FieldIssue[] | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.issues = options.issues;
    this.details = options.details;
  }
}

/** True for an AppError with the given code (or any AppError when no code is given). */
export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
