import type { DeviceRecord } from '../keychain/device-store.ts';
import { deviceFetch } from './device-client.ts';

/** An action the server says is waiting for this user (see GET /api/device/actions). */
export type DeviceAction =
  | { kind: 'retrieve'; recipientId: string | null; since: string }
  | { kind: 'renewSigning'; thumbprint: string; notAfter: string }
  | { kind: 'expiring'; thumbprint: string; notAfter: string };

/** Fetches the waiting actions and sets the app badge to their count where the browser has one. */
export async function fetchActions(record: DeviceRecord): Promise<DeviceAction[]> {
  const { items } = (await (await deviceFetch(record, '/api/device/actions')).json()) as { items: DeviceAction[] };
  await setBadge(items.filter((a) => a.kind !== 'expiring').length);
  return items;
}

/** The Badging API (installed PWAs on Chromium, Safari 16.4+); silently absent elsewhere. */
async function setBadge(count: number): Promise<void> {
  const nav = navigator as Navigator & { setAppBadge?: (n: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
  try {
    if (count > 0) await nav.setAppBadge?.(count);
    else await nav.clearAppBadge?.();
  } catch {
    // Badging can be refused (not installed, no permission): the list on the page still shows.
  }
}
