/**
 * The Web Push channel: one encrypted message per live subscription of the user, sent over a
 * pooled keep-alive client with a VAPID JWT cached per push-service origin.
 */
import type https from 'node:https';
import { type Channel, type Clock, type Notice, type PushSubscriptionRecord, systemClock } from '../../ports.ts';
import { noticeTexts } from '../messages.ts';
import { MAX_PUSH_PAYLOAD_BYTES, type PushRequest } from './build-push-request.ts';
import { classifyPushResponse, type SubscriptionResult } from './classify-push-response.ts';
import { combinePushResults } from './combine-push-results.ts';
import { createPushEncryptor } from './push-encryptor.ts';
import { createPushHttpClient } from './push-http-client.ts';
import type { VapidSigner } from './vapid.ts';

export interface PushChannelOptions {
  vapid: VapidSigner;
  httpAgentOptions?: https.AgentOptions;
  /** Offer HTTP/2 to https push services (ALPN). Default true. */
  http2?: boolean;
  /** Per-request deadline. */
  timeoutMs: number;
  /** How long the push service keeps the message for an offline device. */
  ttlSeconds: number;
  /** Accept http:// endpoints (local test push services only). */
  allowInsecureEndpoints: boolean;
  /** For Retry-After dates; defaults to the system clock. */
  clock?: Clock;
  /** Threads that encrypt payloads beside the event loop (push-encryptor.ts). Default 0: inline. */
  encryptionThreads?: number;
  /** Told when an encryption thread fails (its work is then done inline). */
  onThreadError?: (error: Error) => void;
}

/** What the service worker receives (web/sw.ts shows it and opens `url` on click). */
export interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag: string;
  locale: Notice['user']['locale'];
}

/**
 * Creates the push channel. `send` never throws for a delivery problem: it classifies every
 * subscription and folds the results with `combinePushResults` (see its rule).
 */
export function createPushChannel(options: PushChannelOptions): Channel {
  const clock = options.clock ?? systemClock;
  const client = createPushHttpClient({
    timeoutMs: options.timeoutMs,
    ...(options.httpAgentOptions ? { agentOptions: options.httpAgentOptions } : {}),
    ...(options.http2 === false ? { http2: false } : {}),
  });
  const encryptor = createPushEncryptor({ threads: options.encryptionThreads ?? 0, ...(options.onThreadError ? { onThreadError: options.onThreadError } : {}) });

  /** Notices between their start and their outcome. */
  let sending = 0;

  async function sendOne(subscription: PushSubscriptionRecord, payload: Uint8Array, topic: string) {
    const endpoint = parseEndpoint(subscription.endpoint, options.allowInsecureEndpoints);
    if ('invalid' in endpoint) return { status: 'permanent', reason: endpoint.invalid } satisfies SubscriptionResult;
    let request: PushRequest;
    try {
      request = await encryptor.encrypt({
        subscription,
        payload,
        ttlSeconds: options.ttlSeconds,
        urgency: 'high',
        topic,
        authorization: options.vapid.authorizationFor(endpoint.url.origin),
      });
    } catch (error) {
      // Malformed p256dh/auth: no retry can fix it, but the device may re-subscribe later.
      const message = error instanceof Error ? error.message : String(error);
      return { status: 'permanent', reason: `invalid push subscription: ${message}` } satisfies SubscriptionResult;
    }
    try {
      return classifyPushResponse(await client.post(request, endpoint.url), clock.now());
    } catch (error) {
      // node:http throws synchronously on requests it refuses to form (e.g. invalid header
      // characters); resending the same request cannot succeed.
      const message = error instanceof Error ? error.message : String(error);
      return { status: 'permanent', reason: `push request rejected locally: ${message}` } satisfies SubscriptionResult;
    }
  }

  return {
    kind: 'push',
    async send(notice) {
      const payload = new TextEncoder().encode(JSON.stringify(buildPushPayload(notice)));
      if (payload.length > MAX_PUSH_PAYLOAD_BYTES) {
        return {
          status: 'permanent',
          reason: `push payload is ${payload.length} bytes (max ${MAX_PUSH_PAYLOAD_BYTES})`,
          goneDeviceIds: [],
        };
      }
      sending += 1;
      try {
        const results = await Promise.all(
          notice.subscriptions.map(async (subscription) => ({
            deviceId: subscription.deviceId,
            result: await sendOne(subscription, payload, notice.topic),
          })),
        );
        return combinePushResults(results);
      } finally {
        sending -= 1;
      }
    },
    // Only while pushes are under way: an idle push channel must not hurry other channels' commits.
    starving: () => sending > 0 && encryptor.starving(),
    async close() {
      client.close();
      await encryptor.close();
    },
  };
}

/** The notification shown on the device, in the user's locale. */
export function buildPushPayload(notice: Notice): PushPayload {
  const texts = noticeTexts(notice.kind, notice.user.locale);
  return { title: texts.title, body: texts.body, url: notice.url, tag: notice.topic, locale: notice.user.locale };
}

function parseEndpoint(endpoint: string, allowInsecure: boolean): { url: URL } | { invalid: string } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { invalid: 'push endpoint is not a URL' };
  }
  if (url.protocol === 'https:' || (allowInsecure && url.protocol === 'http:')) return { url };
  return { invalid: `push endpoint scheme ${url.protocol} is not allowed` };
}
