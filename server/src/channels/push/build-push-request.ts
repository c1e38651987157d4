/**
 * Builds one Web Push request (RFC 8030) with an aes128gcm-encrypted payload (RFC 8291).
 * Pure apart from the random ephemeral key and salt of the encryption: no I/O, no signing (the
 * caller passes the cached VAPID Authorization), so sending can use a pooled keep-alive client.
 */
import { createHash } from 'node:crypto';
import webPush, { type RequestOptions } from 'web-push';
import type { PushSubscriptionRecord } from '../../ports.ts';

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

export interface PushRequestInput {
  subscription: PushSubscriptionRecord;
  payload: Uint8Array;
  ttlSeconds: number;
  urgency: PushUrgency;
  /** Any string; turned into a valid Topic header by `toPushTopic`. */
  topic: string;
  /** `vapid t=…, k=…` from the VAPID signer. */
  authorization: string;
}

export interface PushRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: Buffer;
}

/** Largest plaintext that fits the 4096-byte push message limit after aes128gcm overhead. */
export const MAX_PUSH_PAYLOAD_BYTES = 4096 - 86 - 17;

// null (not undefined) also disables any global VAPID details someone set on web-push: signing
// happens once per origin in the VAPID signer, not once per message here. The typings omit null.
const NO_GLOBAL_VAPID = { vapidDetails: null } as unknown as Pick<RequestOptions, 'vapidDetails'>;

const TOPIC_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * A Topic header value (RFC 8030 §5.4: at most 32 base64url characters). Valid topics pass
 * through unchanged; anything else is hashed so that equal topics still map to equal headers.
 */
export function toPushTopic(topic: string): string {
  if (TOPIC_PATTERN.test(topic)) return topic;
  return createHash('sha256').update(topic).digest('base64url').slice(0, 32);
}

/** web-push's `generateRequestDetails` arguments for one request (also sent to encrypt-thread.js). */
export type RequestDetailsArgs = [subscription: webPush.PushSubscription, payload: Uint8Array, options: RequestOptions];

/** What web-push's builder returns that the request needs. */
export interface RequestDetails {
  endpoint: string;
  headers: Record<string, unknown>;
  body: Uint8Array | null;
}

export function requestDetailsArgs(input: PushRequestInput): RequestDetailsArgs {
  const { subscription } = input;
  return [
    { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
    input.payload,
    {
      TTL: input.ttlSeconds,
      urgency: input.urgency,
      topic: toPushTopic(input.topic),
      contentEncoding: 'aes128gcm',
      ...NO_GLOBAL_VAPID,
      headers: { Authorization: input.authorization },
    },
  ];
}

/** Runs web-push's request builder (it encrypts); throws its Error for malformed subscription keys. */
export function buildRequestDetails([subscription, payload, options]: RequestDetailsArgs): RequestDetails {
  return webPush.generateRequestDetails(subscription, Buffer.from(payload), options);
}

export function toPushRequest(details: RequestDetails): PushRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(details.headers)) {
    if (value !== undefined && value !== null) headers[name] = String(value);
  }
  const body = details.body ? Buffer.from(details.body.buffer, details.body.byteOffset, details.body.byteLength) : Buffer.alloc(0);
  return { url: details.endpoint, method: 'POST', headers, body };
}

/**
 * Encrypts the payload for the subscription and returns the request to POST to its endpoint.
 * Throws (web-push's Error) if the subscription keys are malformed.
 */
export function buildPushRequest(input: PushRequestInput): PushRequest {
  return toPushRequest(buildRequestDetails(requestDetailsArgs(input)));
}
