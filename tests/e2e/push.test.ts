/**
 * Push in real Chromium: the "Turn on notifications" button stores a subscription (made on the
 * local web-push-testing service, since real push services need the network); a real send's
 * decrypted payload, delivered with DevTools' ServiceWorker.deliverPushMessage, shows a
 * notification; a notification click navigates the open window; a `pushsubscriptionchange`
 * in the worker stores the new subscription and tells open windows; turning off deletes it.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushChannel } from '../../server/src/channels/push/push-channel.ts';
import { createVapidSigner } from '../../server/src/channels/push/vapid.ts';
import { systemClock } from '../../server/src/ports.ts';
import { type E2eServer, launchChromium, newContext, startE2eServer, startPushReceiver } from './harness.ts';

let server: E2eServer;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
let context: BrowserContext & { problems: string[] };
let page: Page;
let deviceId: string;
let userId: string;
const clientHashes = new Map<string, string>();

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${receiver.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as { data: Record<string, unknown> };
};

beforeAll(async () => {
  [server, browser, receiver] = await Promise.all([startE2eServer(), launchChromium(), startPushReceiver()]);
  context = await newContext(browser, server.base);
  await context.grantPermissions(['notifications'], { origin: server.base });
  // Runs in Node: the page's CSP (connect-src 'self') keeps it from calling the receiver itself.
  await context.exposeFunction('__makeTestSubscription', async (applicationServerKey: string) => {
    const { data } = await post('/subscribe', { applicationServerKey, userVisibleOnly: 'true' });
    const sub = data as { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string };
    clientHashes.set(sub.endpoint, sub.clientHash);
    return { endpoint: sub.endpoint, keys: sub.keys };
  });
  await context.addInitScript(() => {
    const b64url = (buf: ArrayBuffer | ArrayBufferView) => {
      const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    };
    const w = window as unknown as { __makeTestSubscription(key: string): Promise<{ endpoint: string; keys: { p256dh: string; auth: string } }> };
    const KEY = 'test-push-subscription';
    const fake = (json: { endpoint: string; keys: { p256dh: string; auth: string } }) => ({
      endpoint: json.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      toJSON: () => ({ endpoint: json.endpoint, expirationTime: null, keys: json.keys }),
      unsubscribe: async () => {
        localStorage.removeItem(KEY);
        return true;
      },
    });
    PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
      const json = await w.__makeTestSubscription(b64url(options!.applicationServerKey as ArrayBuffer));
      localStorage.setItem(KEY, JSON.stringify(json));
      return fake(json) as unknown as PushSubscription;
    };
    PushManager.prototype.getSubscription = async () => {
      const saved = localStorage.getItem(KEY);
      return saved ? (fake(JSON.parse(saved)) as unknown as PushSubscription) : null;
    };
  });
  page = await context.newPage();
  const enrollment = await server.newCode();
  userId = enrollment.userId;
  await page.goto(`/enroll?code=${enrollment.code}`);
  await page.getByRole('button', { name: 'Enroll this device' }).click();
  await page.locator('#enroll-done').waitFor({ timeout: 20_000 });
  deviceId = (await server.store.devices.listDevices(userId))[0]!.id;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.stop();
  await server?.close();
});

async function registrationId(): Promise<{ cdp: Awaited<ReturnType<BrowserContext['newCDPSession']>>; id: string }> {
  const cdp = await context.newCDPSession(page);
  const ids: string[] = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
    for (const r of e.registrations) if (r.scopeURL === `${server.base}/` && !r.isDeleted) ids.push(r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  await expect.poll(() => ids.length).toBeGreaterThan(0);
  return { cdp, id: ids[0]! };
}

describe('push in Chromium', () => {
  it('turns notifications on: the subscription is stored on the device record', async () => {
    await page.goto('/settings');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.getByRole('button', { name: 'Turn on notifications' }).click();
    await expect.poll(() => page.locator('#push-state').textContent(), { timeout: 20_000 }).toBe('Notifications are on for this device.');
    const device = await server.store.devices.getDevice(deviceId);
    expect(device?.push?.endpoint).toMatch(new RegExp(`^${receiver.base}/`));
    expect(clientHashes.has(device!.push!.endpoint)).toBe(true);
    expect(await server.store.devices.pushSubscriptionsOf(userId)).toHaveLength(1);
  });

  it('shows the notification a real send produced, and a click navigates the open window', async () => {
    const [subscription] = await server.store.devices.pushSubscriptionsOf(userId);
    const channel = createPushChannel({
      vapid: createVapidSigner({ ...server.vapid, subject: 'mailto:it@example.com', clock: systemClock }),
      timeoutMs: 5000,
      ttlSeconds: 60,
      allowInsecureEndpoints: true,
    });
    const url = `${server.base}/smime/retrieve?r=rec-e2e`;
    const outcome = await channel.send({ recipientId: 'rec-e2e', kind: 'retrieve', user: { email: null, displayName: null, locale: 'zh-TW' }, url, topic: 'campaign-e2e', subscriptions: [subscription!] });
    await channel.close();
    expect(outcome.status).toBe('sent');
    const { data } = await post('/get-notifications', { clientHash: clientHashes.get(subscription!.endpoint) });
    const [payload] = data.messages as string[];
    expect(JSON.parse(payload!)).toMatchObject({ url, tag: 'campaign-e2e', locale: 'zh-TW' });

    const { cdp, id } = await registrationId();
    const workerErrors: string[] = [];
    cdp.on('ServiceWorker.workerErrorReported', (e: { errorMessage: { errorMessage: string } }) => workerErrors.push(e.errorMessage.errorMessage));
    const shown = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, lang: n.lang, data: n.data as unknown })),
      );
    // DevTools' delivery is fire-and-forget, and with the CPU saturated one now and then shows
    // nothing (once in CI, once in ~45 loaded runs here). A delivery that shows nothing is sent
    // again, at most twice; a worker that never shows it, or reports an error, still fails.
    for (let delivery = 1; delivery <= 3; delivery += 1) {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.base, registrationId: id, data: payload! });
      const deadline = Date.now() + 8000;
      while (Date.now() < deadline && (await shown()).length === 0) await new Promise((r) => setTimeout(r, 100));
      if ((await shown()).length > 0) break;
      console.warn(`push delivery ${delivery} showed nothing after 8 s; worker errors: ${JSON.stringify(workerErrors)}`);
    }
    expect(workerErrors).toEqual([]);
    expect(await shown()).toEqual([{ title: JSON.parse(payload!).title, body: JSON.parse(payload!).body, tag: 'campaign-e2e', lang: 'zh-TW', data: { url } }]);

    // A newer notice with the same tag replaces the older one.
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.base, registrationId: id, data: payload! });
    await new Promise((r) => setTimeout(r, 300));
    expect(await shown()).toHaveLength(1);

    // Headless Chromium cannot click a notification; dispatch the click in the worker instead.
    // focus() needs user activation and rejects; the open window is navigated all the same.
    await page.goto('/keychain');
    const worker = context.serviceWorkers()[0]!;
    await worker.evaluate(async () => {
      // Typed loosely: the test tsconfig has no WebWorker lib.
      const sw = self as unknown as { registration: { getNotifications(): Promise<unknown[]> }; dispatchEvent(e: unknown): boolean };
      const NotificationEventCtor = (self as unknown as { NotificationEvent: new (type: string, init: { notification: unknown }) => unknown }).NotificationEvent;
      const [n] = await sw.registration.getNotifications();
      sw.dispatchEvent(new NotificationEventCtor('notificationclick', { notification: n }));
    });
    await page.waitForURL(url, { timeout: 20_000 });
    expect(await page.locator('h1').textContent()).toBe('We are retrieving your certificates');
  });

  it('pushsubscriptionchange: the worker subscribes again, the server stores it, open windows are told', async () => {
    await page.goto('/settings');
    await expect.poll(() => page.locator('#push-state').textContent(), { timeout: 20_000 }).toBe('Notifications are on for this device.');
    await page.evaluate(() => {
      const w = window as unknown as { __swMessages: unknown[] };
      w.__swMessages = [];
      navigator.serviceWorker.addEventListener('message', (e) => w.__swMessages.push(e.data));
    });
    const told = () => page.evaluate(() => (window as unknown as { __swMessages: unknown[] }).__swMessages);
    const endpoint = async () => (await server.store.devices.getDevice(deviceId))?.push?.endpoint;
    const before = await endpoint();
    const fresh = async () => {
      const { data } = await post('/subscribe', { applicationServerKey: server.vapid.publicKey, userVisibleOnly: 'true' });
      const sub = data as { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string };
      clientHashes.set(sub.endpoint, sub.clientHash);
      return { endpoint: sub.endpoint, keys: sub.keys };
    };
    const worker = context.serviceWorkers()[0]!;

    // The browser dropped the subscription and gives no new one: the worker subscribes itself,
    // with the portal's VAPID key. Page init scripts do not reach workers, so the subscribe
    // override (the real one needs the vendor's push service) is put in the worker here.
    const renewed = await fresh();
    await worker.evaluate((json) => {
      const sw = self as unknown as Record<string, unknown> & { dispatchEvent(e: unknown): boolean };
      const proto = (self as unknown as { PushManager: { prototype: Record<string, unknown> } }).PushManager.prototype;
      proto.getSubscription = async () => null;
      proto.subscribe = async (options: { applicationServerKey: ArrayBuffer | Uint8Array }) => {
        const key = new Uint8Array(options.applicationServerKey instanceof ArrayBuffer ? options.applicationServerKey : options.applicationServerKey.buffer);
        sw.__subscribedWithKey = btoa(String.fromCharCode(...key)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        return { endpoint: json.endpoint, toJSON: () => ({ endpoint: json.endpoint, expirationTime: null, keys: json.keys }) };
      };
      const ExtendableEventCtor = (self as unknown as { ExtendableEvent: new (type: string) => unknown }).ExtendableEvent;
      sw.dispatchEvent(new ExtendableEventCtor('pushsubscriptionchange'));
    }, renewed);
    await expect.poll(endpoint, { timeout: 20_000 }).toBe(renewed.endpoint);
    expect(renewed.endpoint).not.toBe(before);
    expect(await worker.evaluate(() => (self as unknown as Record<string, unknown>).__subscribedWithKey)).toBe(server.vapid.publicKey);
    await expect.poll(told, { timeout: 20_000 }).toEqual([{ type: 'push-subscription-changed', ok: true }]);

    // The browser hands over the new subscription with the event: it is stored as it is.
    const handed = await fresh();
    await worker.evaluate((json) => {
      const sw = self as unknown as { dispatchEvent(e: unknown): boolean };
      const ExtendableEventCtor = (self as unknown as { ExtendableEvent: new (type: string) => object }).ExtendableEvent;
      const event = new ExtendableEventCtor('pushsubscriptionchange');
      Object.defineProperty(event, 'newSubscription', { value: { endpoint: json.endpoint, toJSON: () => ({ endpoint: json.endpoint, expirationTime: null, keys: json.keys }) } });
      sw.dispatchEvent(event);
    }, handed);
    await expect.poll(endpoint, { timeout: 20_000 }).toBe(handed.endpoint);
    await expect.poll(told, { timeout: 20_000 }).toEqual([
      { type: 'push-subscription-changed', ok: true },
      { type: 'push-subscription-changed', ok: true },
    ]);
    expect(await server.store.devices.pushSubscriptionsOf(userId)).toEqual([expect.objectContaining({ endpoint: handed.endpoint })]);
    await expect.poll(() => page.locator('#push-state').textContent()).toBe('Notifications are on for this device.');

    // Subscribing again fails (say, permission revoked): the open settings page learns it is off.
    await worker.evaluate(() => {
      const sw = self as unknown as { dispatchEvent(e: unknown): boolean };
      const proto = (self as unknown as { PushManager: { prototype: Record<string, unknown> } }).PushManager.prototype;
      proto.getSubscription = async () => null;
      proto.subscribe = async () => {
        throw new DOMException('permission denied', 'NotAllowedError');
      };
      const ExtendableEventCtor = (self as unknown as { ExtendableEvent: new (type: string) => unknown }).ExtendableEvent;
      sw.dispatchEvent(new ExtendableEventCtor('pushsubscriptionchange'));
    });
    await expect.poll(() => page.locator('#push-state').textContent(), { timeout: 20_000 }).toBe('Notifications are off for this device.');
    expect((await told()).at(-1)).toEqual({ type: 'push-subscription-changed', ok: false });
    expect(await endpoint()).toBe(handed.endpoint);
  });

  it('turns notifications off: the subscription is deleted', async () => {
    await page.goto('/settings');
    await page.getByRole('button', { name: 'Turn off notifications' }).click();
    await expect.poll(() => page.locator('#push-state').textContent(), { timeout: 20_000 }).toBe('Notifications are off for this device.');
    expect((await server.store.devices.getDevice(deviceId))?.push).toBeNull();
    expect(context.problems.filter((p) => !p.includes('NotificationEvent') && !p.includes('waitUntil'))).toEqual([]);
  });
});
