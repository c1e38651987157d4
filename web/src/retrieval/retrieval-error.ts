import { ApiError } from '../device/api-error.ts';
import type { RetrievalStep } from './retrieval-steps.ts';

/** Why a retrieval stopped, in codes the page turns into words. */
export type RetrievalFailure = 'offline' | 'not_enrolled' | 'retired' | 'no_policy' | 'update_app' | 'not_for_device' | 'server' | 'storage' | 'unknown';

/** A failed retrieval step; retrying runs again and skips what was stored. */
export class RetrievalError extends Error {
  constructor(
    readonly step: RetrievalStep,
    readonly reason: RetrievalFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetrievalError';
  }
}

/** Classifies what a step threw. */
export function toRetrievalError(step: RetrievalStep, error: unknown): RetrievalError {
  if (error instanceof RetrievalError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError) {
    if (error.code === 'offline') return new RetrievalError(step, 'offline', message, { cause: error });
    if (error.code === 'device_retired') return new RetrievalError(step, 'retired', message, { cause: error });
    if (error.code === 'policy_disabled') return new RetrievalError(step, 'no_policy', message, { cause: error });
    if (error.status === 401) return new RetrievalError(step, 'not_enrolled', message, { cause: error });
    return new RetrievalError(step, 'server', message, { cause: error });
  }
  const code = (error as { code?: string } | null)?.code;
  if (code === 'envelope_not_for_this_device') return new RetrievalError(step, 'not_for_device', message, { cause: error });
  if (error instanceof DOMException && /Quota|InvalidState|DataClone/.test(error.name)) return new RetrievalError(step, 'storage', message, { cause: error });
  return new RetrievalError(step, 'unknown', message, { cause: error });
}
