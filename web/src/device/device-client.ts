import { type DeviceRecord, loadDevice, saveDevice } from '../keychain/device-store.ts';
import { ApiError, apiFetch, jsonInit } from './api-error.ts';

/**
 * The device side of the device API. No DOM: the service worker uses it to report a new push
 * subscription. Sessions are cached in memory until shortly before they expire.
 */
const toBase64 = (buf: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const toBase64Url = (buf: ArrayBuffer) => toBase64(buf).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Both device key pairs; the private halves are non-extractable. */
export async function generateDeviceKeys(): Promise<{ identity: CryptoKeyPair; transport: CryptoKeyPair }> {
  const identity = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const transport = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveKey', 'deriveBits']);
  return { identity, transport };
}

/** Makes keys, registers them with the one-time code, and keeps them in IndexedDB. */
export async function enrollDevice(code: string, name: string): Promise<DeviceRecord> {
  const { identity, transport } = await generateDeviceKeys();
  const body = {
    code,
    name,
    platform: 'web',
    identityKey: toBase64(await crypto.subtle.exportKey('spki', identity.publicKey)),
    transportKey: toBase64(await crypto.subtle.exportKey('spki', transport.publicKey)),
  };
  const res = await apiFetch('/api/device/enroll', jsonInit('POST', body));
  const { deviceId, email, enrolledAt } = (await res.json()) as { deviceId: string; email: string; enrolledAt: string };
  const record: DeviceRecord = { deviceId, email, name, enrolledAt, identity, transport };
  await saveDevice(record);
  sessions.clear();
  return record;
}

const sessions = new Map<string, { token: string; expiresAt: number }>();

/** A session token for the device: nonce → ECDSA signature → token. */
export async function deviceSession(record: DeviceRecord, fresh = false): Promise<string> {
  const cached = sessions.get(record.deviceId);
  if (!fresh && cached && cached.expiresAt - 30_000 > Date.now()) return cached.token;
  const { nonce } = (await (await apiFetch('/api/device/nonce', jsonInit('POST', { deviceId: record.deviceId }))).json()) as { nonce: string };
  const challenge = new TextEncoder().encode(`smime-portal-device-session:v1:${record.deviceId}:${nonce}`);
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, record.identity.privateKey, challenge);
  const res = await apiFetch('/api/device/session', jsonInit('POST', { deviceId: record.deviceId, nonce, signature: toBase64Url(signature) }));
  const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
  sessions.set(record.deviceId, { token, expiresAt: Date.parse(expiresAt) });
  return token;
}

/** A device-authenticated API call; a stale session is renewed once. */
export async function deviceFetch(record: DeviceRecord, path: string, init: RequestInit = {}): Promise<Response> {
  const call = async (fresh: boolean) => {
    const token = await deviceSession(record, fresh);
    return apiFetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` } });
  };
  try {
    return await call(false);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return call(true);
    throw error;
  }
}

export interface DeviceInfo {
  id: string;
  name: string;
  status: 'enrolled' | 'retired';
  email: string;
  enrolledAt: string;
  push: { endpoint: string } | null;
}

/** The server's view of this device. */
export async function fetchMe(record: DeviceRecord): Promise<DeviceInfo> {
  return (await (await deviceFetch(record, '/api/device/me')).json()) as DeviceInfo;
}

export { loadDevice };
