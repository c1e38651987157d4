/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { jsonInit } from './device/api-error.ts';
import { deviceFetch } from './device/device-client.ts';
import { subscribeAndReport } from './device/push-client.ts';
import { loadDevice } from './keychain/device-store.ts';
import { handleNotificationClick } from './sw/notification-click.ts';
import { notificationOptions, parsePushPayload } from './sw/push-notification.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null } | string> };

// The app shell only: API responses (certificates, keys, sessions) are never cached.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//, /^\/scep/, /^\/crl/, /^\/metrics/, /^\/admin(\/|$)/] }));

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('push', (event) => {
  const payload = parsePushPayload(event.data?.text() ?? null);
  event.waitUntil(self.registration.showNotification(payload.title, notificationOptions(payload)));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(handleNotificationClick(event.notification.data, self.location.origin, self.clients));
});

async function resubscribe(event: Event & { oldSubscription?: PushSubscription | null; newSubscription?: PushSubscription | null }): Promise<void> {
  let ok = false;
  try {
    const record = await loadDevice();
    if (record) {
      if (event.newSubscription) {
        await deviceFetch(record, '/api/device/push-subscription', jsonInit('PUT', event.newSubscription.toJSON()));
      } else {
        await subscribeAndReport(self.registration.pushManager, record);
      }
      ok = true;
    }
  } catch (error) {
    console.error('resubscribing after pushsubscriptionchange failed', error);
  }
  for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
    client.postMessage({ type: 'push-subscription-changed', ok });
  }
}

self.addEventListener('pushsubscriptionchange', (event) => {
  (event as ExtendableEvent).waitUntil(resubscribe(event));
});
