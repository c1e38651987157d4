import { notifyUserOfNewCertificates } from '../campaigns/campaign-service.ts';
import type { DomainContext } from '../context.ts';

/** Calls within this window end in one "new certificates" notice per user. */
export const NEW_CERTIFICATE_DEBOUNCE_MS = 60_000;

export type AnnounceOutcome = 'queued' | 'debounced' | 'no_policy' | 'failed';

/**
 * Tells the campaigns area that the user has new certificates (import, issuance, renewal).
 * Runs after the credential is committed; a failure here does not undo the credential, so it
 * is reported to the caller (and logged by it) instead of thrown.
 */
export async function announceNewCertificates(ctx: DomainContext, userId: string, log?: (message: string, detail: Record<string, unknown>) => void): Promise<AnnounceOutcome> {
  try {
    return await notifyUserOfNewCertificates(ctx, userId, { debounceMs: NEW_CERTIFICATE_DEBOUNCE_MS });
  } catch (error) {
    log?.('could not queue the new-certificates notice', { userId, error: (error as Error).message });
    return 'failed';
  }
}
