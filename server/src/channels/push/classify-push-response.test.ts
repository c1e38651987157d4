import { describe, expect, it } from 'vitest';
import { classifyPushResponse, parseRetryAfter } from './classify-push-response.ts';
import { combinePushResults } from './combine-push-results.ts';

const now = new Date('2030-01-01T00:00:00Z');
const response = (status: number, headers: Record<string, string> = {}, text = '') =>
  ({ kind: 'response', status, headers, text }) as const;

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, clamps past dates to 0, ignores junk', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('classifyPushResponse', () => {
  it('maps statuses to sent, gone, retryable and permanent', () => {
    expect(classifyPushResponse(response(201), now)).toEqual({ status: 'sent' });
    expect(classifyPushResponse(response(202), now)).toEqual({ status: 'sent' });
    expect(classifyPushResponse(response(410), now)).toEqual({ status: 'gone' });
    expect(classifyPushResponse(response(404), now)).toEqual({ status: 'gone' });
    expect(classifyPushResponse(response(503, { 'retry-after': '3' }), now)).toEqual({
      status: 'retryable',
      reason: 'push service answered 503',
      retryAfterMs: 3000,
    });
    expect(classifyPushResponse(response(413, {}, 'too big'), now)).toEqual({
      status: 'permanent',
      reason: 'push service answered 413: too big',
    });
    expect(classifyPushResponse({ kind: 'network', reason: 'ECONNRESET' }, now)).toEqual({
      status: 'retryable',
      reason: 'push service unreachable: ECONNRESET',
    });
  });
});

describe('combinePushResults', () => {
  it('follows the documented rule', () => {
    expect(combinePushResults([])).toEqual({ status: 'gone', reason: 'no live subscription', goneDeviceIds: [] });
    expect(
      combinePushResults([
        { deviceId: 'a', result: { status: 'retryable', reason: 'x', retryAfterMs: 1000 } },
        { deviceId: 'b', result: { status: 'retryable', reason: 'y', retryAfterMs: 5000 } },
        { deviceId: 'c', result: { status: 'retryable', reason: 'z' } },
      ]),
    ).toEqual({ status: 'retryable', reason: 'device a: x; device b: y; device c: z', retryAfterMs: 5000, goneDeviceIds: [] });
    expect(
      combinePushResults([
        { deviceId: 'a', result: { status: 'permanent', reason: 'bad' } },
        { deviceId: 'b', result: { status: 'gone' } },
      ]),
    ).toEqual({ status: 'permanent', reason: 'bad', goneDeviceIds: ['b'] });
  });
});
