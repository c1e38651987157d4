
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPushReceiver } from '../support/push-receiver.ts';
import { createPushChannel } from '../../server/src/channels/push/push-channel.ts';
import { createVapidSigner, generateVapidKeys, type VapidSigner } from '../../server/src/channels/push/vapid.ts';
import { type Channel, type Notice, type PushSubscriptionRecord, systemClock } from '../../server/src/ports.ts';

let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
let base: string;
let vapid: VapidSigner;
let channel: Channel;
const keys = generateVapidKeys();

async function post(pathname: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
}

async function subscribe(deviceId: string, applicationServerKey = keys.publicKey) {
  const res = await post('/subscribe', { applicationServerKey, userVisibleOnly: 'true' });
  expect(res.status).toBe(200);
  const { data } = (await res.json()) as {
    data: { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string };
  };
  const record: PushSubscriptionRecord = { deviceId, endpoint: data.endpoint, ...data.keys };
  return { record, clientHash: data.clientHash };
}

async function received(clientHash: string): Promise<unknown[]> {
  const res = await post('/get-notifications', { clientHash });
  const { data } = (await res.json()) as { data: { messages: string[] } };
  return data.messages.map((m) => JSON.parse(m));
}

function notice(subscriptions: PushSubscriptionRecord[], overrides: Partial<Notice> = {}): Notice {
  return {
    recipientId: 'r-1',
    kind: 'retrieve',
    user: { email: 'ann@example.com', displayName: 'Ann', locale: 'en' },
    url: 'https://portal.example.com/smime/retrieve?r=r-1',
    topic: 'campaign-42',
    subscriptions,
    ...overrides,
  };
}

beforeAll(async () => {
  receiver = await startPushReceiver();
  base = receiver.base;
  vapid = createVapidSigner({ ...keys, subject: 'mailto:it@example.com', clock: systemClock });
});

afterAll(async () => {
  await receiver?.stop();
});

// Encrypting on the event loop, and in an encryption thread (the default on machines with more than one core).
describe.each([0, 1])('push channel against web-push-testing, %i encryption threads', (encryptionThreads) => {
  beforeAll(() => {
    channel = createPushChannel({ vapid, timeoutMs: 5000, ttlSeconds: 3600, allowInsecureEndpoints: true, encryptionThreads });
  });
  afterAll(async () => {
    await channel?.close();
  });

  it('delivers the localized, encrypted payload with an accepted VAPID JWT and TTL', async () => {
    const { record, clientHash } = await subscribe('dev-zh');
    const outcome = await channel.send(
      notice([record], { user: { email: null, displayName: null, locale: 'zh-TW' }, kind: 'reminder' }),
    );
    expect(outcome).toEqual({ status: 'sent', goneDeviceIds: [] });
    expect(await received(clientHash)).toEqual([
      {
        title: '提醒：請安裝您的 S/MIME 憑證',
        body: '您的憑證仍在等候安裝。安裝後即可閱讀及簽署加密郵件。',
        url: 'https://portal.example.com/smime/retrieve?r=r-1',
        tag: 'campaign-42',
        locale: 'zh-TW',
      },
    ]);
  });

  it('sends English to an en user', async () => {
    const { record, clientHash } = await subscribe('dev-en');
    expect((await channel.send(notice([record]))).status).toBe('sent');
    const [message] = (await received(clientHash)) as { title: string; locale: string }[];
    expect(message).toMatchObject({ title: 'Your S/MIME certificates are ready', locale: 'en' });
  });

  it('reports an expired subscription as gone, and still sends to the live one', async () => {
    const live = await subscribe('dev-live');
    const expired = await subscribe('dev-expired');
    expect((await post(`/expire-subscription/${expired.clientHash}`)).status).toBe(200);

    expect(await channel.send(notice([live.record, expired.record]))).toEqual({
      status: 'sent',
      goneDeviceIds: ['dev-expired'],
    });
    expect(await channel.send(notice([expired.record]))).toEqual({
      status: 'gone',
      reason: 'every push subscription is gone',
      goneDeviceIds: ['dev-expired'],
    });
    expect(await received(expired.clientHash)).toEqual([]);
  });

  it('is gone with no live subscription when the user has none', async () => {
    expect(await channel.send(notice([]))).toEqual({
      status: 'gone',
      reason: 'no live subscription',
      goneDeviceIds: [],
    });
  });

  it('is permanent with the service text when the VAPID key is not the subscribed one', async () => {
    const other = generateVapidKeys();
    const { record } = await subscribe('dev-other-key', other.publicKey);
    const outcome = await channel.send(notice([record]));
    expect(outcome.status).toBe('permanent');
    expect(outcome).toMatchObject({ reason: expect.stringMatching(/^push service answered 400: .*Crypto-Key/) });
  });

  it('signs one JWT per push-service origin across many sends', async () => {
    const signer = createVapidSigner({ ...keys, subject: 'https://portal.example.com/contact', clock: systemClock });
    const reusing = createPushChannel({ vapid: signer, timeoutMs: 5000, ttlSeconds: 60, allowInsecureEndpoints: true, encryptionThreads });
    try {
      const { record, clientHash } = await subscribe('dev-many');
      // Same receiver under a second origin (127.0.0.1 instead of localhost).
      const viaIp = { ...record, endpoint: record.endpoint.replace('//localhost:', '//127.0.0.1:') };
      for (let i = 0; i < 20; i += 1) {
        expect((await reusing.send(notice([record], { recipientId: `r-${i}` }))).status).toBe('sent');
      }
      expect(signer.signatureCount).toBe(1);
      expect((await reusing.send(notice([viaIp]))).status).toBe('sent');
      expect(signer.signatureCount).toBe(2);
      expect(await received(clientHash)).toHaveLength(21);
    } finally {
      await reusing.close();
    }
  });
});

describe('push channel with an encryption thread', () => {
  it('is starving only while pushes are under way and its thread has little to do', async () => {
    const threaded = createPushChannel({ vapid, timeoutMs: 5000, ttlSeconds: 60, allowInsecureEndpoints: true, encryptionThreads: 1 });
    try {
      const { record, clientHash } = await subscribe('dev-starving');
      expect(threaded.starving?.()).toBe(false);
      const sending = threaded.send(notice([record]));
      expect(threaded.starving?.()).toBe(true);
      expect((await sending).status).toBe('sent');
      expect(threaded.starving?.()).toBe(false);
      expect(await received(clientHash)).toHaveLength(1);
    } finally {
      await threaded.close();
    }
  });
});
