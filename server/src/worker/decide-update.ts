import type { CampaignChannel, ClaimedDelivery, DeliveryUpdate } from '../domain/campaigns/types.ts';
import type { SendOutcome } from '../ports.ts';

export interface RetryPolicy {
  maxAttempts: number;
  /** First retry delay; doubles per attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform [0, 1) source, injectable for tests. */
  random?: () => number;
}

/**
 * Exponential backoff with jitter: attempt n waits between half and all of base·2^(n-1) (capped),
 * so rows that failed together (an SMTP outage) do not come back as one burst.
 */
export function backoffMs(attempts: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (policy.random ?? Math.random)() * (ceiling / 2));
}

/**
 * Turns a channel's outcome into the row's next state: sent; retry later (honouring Retry-After)
 * until attempts run out; failed (permanent); gone push subscriptions → the email path for
 * pushThenEmail, else skipped.
 */
export function decideUpdate(row: ClaimedDelivery, campaignChannel: CampaignChannel, outcome: SendOutcome, now: number, policy: RetryPolicy): DeliveryUpdate {
  switch (outcome.status) {
    case 'sent':
      return { id: row.id, state: 'sent' };
    case 'retryable': {
      if (row.attempts >= policy.maxAttempts) {
        return { id: row.id, state: 'failed', reason: 'max_attempts', lastError: outcome.reason };
      }
      const wait = Math.max(outcome.retryAfterMs ?? 0, backoffMs(row.attempts, policy));
      return { id: row.id, state: 'pending', nextAttemptAt: now + wait, lastError: outcome.reason };
    }
    case 'permanent':
      return { id: row.id, state: 'failed', reason: 'rejected', lastError: outcome.reason };
    case 'gone':
      if (row.channel === 'push' && campaignChannel === 'pushThenEmail') {
        return { id: row.id, state: 'pending', nextAttemptAt: now, lastError: outcome.reason, switchTo: 'email' };
      }
      return {
        id: row.id,
        state: 'skipped',
        reason: outcome.goneDeviceIds.length > 0 ? 'subscription_gone' : 'no_device',
        lastError: outcome.goneDeviceIds.length > 0 ? outcome.reason : 'no device with a push subscription',
      };
  }
}
