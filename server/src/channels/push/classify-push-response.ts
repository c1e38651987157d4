/**
 * Classifies one push service answer for one subscription (STYLE.md rule 3).
 */
import type { PushHttpResult } from './push-http-client.ts';

export type SubscriptionResult =
  | { status: 'sent' }
  | { status: 'gone' }
  | { status: 'retryable'; reason: string; retryAfterMs?: number }
  | { status: 'permanent'; reason: string };

/**
 * 2xx (RFC 8030: 201 Created; some services answer 202) → sent; 404/410 → the subscription is
 * gone; 429 and 5xx → retryable with Retry-After; network errors and timeouts → retryable;
 * any other status → permanent, with the status and the start of the service's text.
 */
export function classifyPushResponse(result: PushHttpResult, now: Date): SubscriptionResult {
  if (result.kind === 'network') return { status: 'retryable', reason: `push service unreachable: ${result.reason}` };
  const { status } = result;
  if (status >= 200 && status < 300) return { status: 'sent' };
  if (status === 404 || status === 410) return { status: 'gone' };
  const reason = `push service answered ${status}${describeText(result.text)}`;
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headerValue(result.headers['retry-after']), now);
    return retryAfterMs === undefined ? { status: 'retryable', reason } : { status: 'retryable', reason, retryAfterMs };
  }
  return { status: 'permanent', reason };
}

/**
 * Parses Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Returns milliseconds
 * from `now` (0 for a date in the past), or undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // HTTP dates always name a weekday/month; this keeps Date.parse from reading '-5' as a year.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function describeText(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  return oneLine ? `: ${oneLine}` : '';
}
