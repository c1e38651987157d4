import type { DeviceRecord } from '../keychain/device-store.ts';
import { ApiError, apiFetch, jsonInit } from './api-error.ts';
import { deviceFetch } from './device-client.ts';

/**
 * Subscribing and unsubscribing this device to Web Push and telling the portal. No DOM: the
 * service worker calls subscribeAndReport on `pushsubscriptionchange`.
 */
function fromBase64Url(value: string): Uint8Array<ArrayBuffer> {
  const b64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The portal's VAPID public key (the push `applicationServerKey`). */
export async function vapidPublicKey(): Promise<Uint8Array<ArrayBuffer>> {
  const res = await apiFetch('/api/push/vapid-public-key');
  const type = res.headers.get('content-type') ?? '';
  const key = type.includes('json') ? ((await res.json()) as { publicKey?: string; key?: string }) : { publicKey: (await res.text()).trim() };
  const value = key.publicKey ?? key.key;
  if (!value) throw new ApiError(res.status, 'bad_vapid_key', 'the portal did not send a VAPID public key');
  return fromBase64Url(value);
}

/** Subscribes (reusing a live subscription) and stores it on the device record. */
export async function subscribeAndReport(pushManager: PushManager, record: DeviceRecord): Promise<PushSubscription> {
  const subscription = (await pushManager.getSubscription()) ?? (await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: await vapidPublicKey() }));
  await deviceFetch(record, '/api/device/push-subscription', jsonInit('PUT', subscription.toJSON()));
  return subscription;
}

/** Unsubscribes and removes the subscription from the device record. */
export async function unsubscribeAndReport(pushManager: PushManager, record: DeviceRecord): Promise<void> {
  const subscription = await pushManager.getSubscription();
  await subscription?.unsubscribe();
  await deviceFetch(record, '/api/device/push-subscription', { method: 'DELETE' });
}
