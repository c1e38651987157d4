import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode } from '../errors.ts';

/** The one code → status mapping (exhaustive: a new code fails to compile until mapped). */
export function statusFor(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'validation_failed':
    case 'bad_request':
    case 'pkcs12_invalid':
    case 'certificate_rejected':
    case 'csr_invalid':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
    case 'device_retired':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
    case 'policy_disabled':
    case 'channel_not_configured':
      return 409;
    case 'gone':
      return 410;
    case 'payload_too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'rate_limited':
      return 429;
    case 'kek_mismatch':
    case 'internal':
      return 500;
    case 'dependency_failed':
      return 503;
  }
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Converts anything thrown into an AppError; unknown errors become `internal` (no detail leaks). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 413) return new AppError('payload_too_large', error.message || 'request body is too large', { cause: error });
    if (status === 401) return new AppError('unauthorized', error.message || 'unauthorized', { cause: error });
    if (status >= 400 && status < 500) return new AppError('bad_request', error.message || 'bad request', { cause: error });
  }
  return new AppError('internal', 'an internal error occurred; it has been logged', { cause: error });
}

/** Writes an RFC 9457 problem+json response for the error. */
export function problemResponse(c: Context, error: AppError, retryAfterSeconds?: number): Response {
  const status = statusFor(error.code);
  const body = {
    type: `https://smime-portal.dev/problems/${error.code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code: error.code,
    detail: error.message,
    instance: c.req.path,
    ...(error.issues ? { errors: error.issues } : {}),
    ...(error.details ? { details: error.details } : {}),
  };
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  return c.body(JSON.stringify(body), status, headers);
}
