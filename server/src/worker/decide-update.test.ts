import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '../domain/campaigns/types.ts';
import type { SendOutcome } from '../ports.ts';
import { backoffMs, decideUpdate } from './decide-update.ts';

const policy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000, random: () => 0.5 };
const row = (over: Partial<ClaimedDelivery> = {}): ClaimedDelivery => ({ id: 'r1', campaignId: 'c1', userId: 'u1', channel: 'push', kind: 'retrieve', attempts: 1, ...over });

describe('decideUpdate', () => {
  it('backs off exponentially with jitter between half and all of the ceiling, capped', () => {
    expect(backoffMs(1, { ...policy, random: () => 0 })).toBe(500);
    expect(backoffMs(1, { ...policy, random: () => 0.999999 })).toBe(1000);
    expect(backoffMs(3, policy)).toBe(3000);
    expect(backoffMs(20, { ...policy, random: () => 0 })).toBe(30_000);
  });

  it('retries a retryable outcome, honouring a longer Retry-After', () => {
    expect(decideUpdate(row(), 'push', { status: 'retryable', reason: '503', goneDeviceIds: [] }, 10_000, policy)).toEqual({ id: 'r1', state: 'pending', nextAttemptAt: 10_750, lastError: '503' });
    expect(decideUpdate(row(), 'push', { status: 'retryable', reason: '429', retryAfterMs: 30_000, goneDeviceIds: [] }, 0, policy)).toMatchObject({ state: 'pending', nextAttemptAt: 30_000 });
  });

  it('fails with the last error once attempts run out', () => {
    expect(decideUpdate(row({ attempts: 3 }), 'email', { status: 'retryable', reason: '451 busy', goneDeviceIds: [] }, 0, policy)).toEqual({ id: 'r1', state: 'failed', reason: 'max_attempts', lastError: '451 busy' });
  });

  it('fails a permanent outcome with the server text', () => {
    expect(decideUpdate(row({ channel: 'email' }), 'email', { status: 'permanent', reason: '550 no such user', goneDeviceIds: [] }, 0, policy)).toEqual({ id: 'r1', state: 'failed', reason: 'rejected', lastError: '550 no such user' });
  });

  it('takes the email path when push is gone for pushThenEmail, else skips', () => {
    const gone: SendOutcome = { status: 'gone', reason: 'every push subscription is gone', goneDeviceIds: ['d1'] };
    expect(decideUpdate(row(), 'pushThenEmail', gone, 5, policy)).toEqual({ id: 'r1', state: 'pending', nextAttemptAt: 5, lastError: gone.reason, switchTo: 'email' });
    expect(decideUpdate(row(), 'push', gone, 5, policy)).toMatchObject({ state: 'skipped', reason: 'subscription_gone' });
    expect(decideUpdate(row(), 'push', { status: 'gone', reason: 'no live subscription', goneDeviceIds: [] }, 5, policy)).toMatchObject({ state: 'skipped', reason: 'no_device' });
  });
});
