/**
 * Folds the per-subscription results of one notice into the notice's SendOutcome.
 */
import type { SendOutcome } from '../../ports.ts';
import type { SubscriptionResult } from './classify-push-response.ts';

export interface DeviceResult {
  deviceId: string;
  result: SubscriptionResult;
}

/**
 * The rule, in order:
 * 1. no subscriptions → `gone` ('no live subscription'), so pushThenEmail falls back to email;
 * 2. at least one subscription accepted → `sent` (the user can act on that device; other
 *    devices' transient failures are not retried, their gone subscriptions are reported);
 * 3. every subscription gone → `gone`;
 * 4. any retryable → `retryable`, with the longest Retry-After among them (honouring all);
 * 5. otherwise → `permanent`.
 * `goneDeviceIds` always lists every 404/410 subscription so the caller deletes it.
 */
export function combinePushResults(results: readonly DeviceResult[]): SendOutcome {
  const goneDeviceIds = results.filter((r) => r.result.status === 'gone').map((r) => r.deviceId);
  if (results.length === 0) return { status: 'gone', reason: 'no live subscription', goneDeviceIds };
  if (results.some((r) => r.result.status === 'sent')) return { status: 'sent', goneDeviceIds };
  if (goneDeviceIds.length === results.length) {
    return { status: 'gone', reason: 'every push subscription is gone', goneDeviceIds };
  }
  const retryable: { deviceId: string; reason: string; retryAfterMs?: number }[] = [];
  const permanent: { deviceId: string; reason: string }[] = [];
  for (const { deviceId, result } of results) {
    if (result.status === 'retryable') retryable.push({ deviceId, ...result });
    else if (result.status === 'permanent') permanent.push({ deviceId, reason: result.reason });
  }
  if (retryable.length > 0) {
    const delays = retryable.flatMap((r) => (r.retryAfterMs === undefined ? [] : [r.retryAfterMs]));
    const reason = joinReasons(retryable);
    return delays.length > 0
      ? { status: 'retryable', reason, retryAfterMs: Math.max(...delays), goneDeviceIds }
      : { status: 'retryable', reason, goneDeviceIds };
  }
  return { status: 'permanent', reason: joinReasons(permanent), goneDeviceIds };
}

function joinReasons(items: readonly { deviceId: string; reason: string }[]): string {
  if (items.length === 1) return items[0]!.reason;
  return items.map((i) => `device ${i.deviceId}: ${i.reason}`).join('; ');
}
