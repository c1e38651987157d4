
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPushReceiver } from '../support/push-receiver.ts';
import { createChannels } from '../../server/src/channels/create-channels.ts';
import { generateVapidKeys } from '../../server/src/channels/push/vapid.ts';
import { startCampaign } from '../../server/src/domain/campaigns/campaign-service.ts';
import { type Channels, type Store, systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { openTestSqlite } from '../support/databases.ts';
import { appWith, runUntilDone, type SmtpSink, startSmtpSink } from './harness.ts';
import { testSubscriptionKeys } from './process-harness.ts';
import { seed } from './seed.ts';

let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
let base: string;
let db: Awaited<ReturnType<typeof openTestSqlite>>;
let store: Store;
let smtp: SmtpSink;
let channels: Channels;
const vapid = generateVapidKeys();

const post = async (p: string, body: unknown = {}) =>
  fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function subscribe() {
  const res = await post('/subscribe', { applicationServerKey: vapid.publicKey, userVisibleOnly: 'true' });
  const { data } = (await res.json()) as { data: { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string } };
  return { endpoint: data.endpoint, ...data.keys, clientHash: data.clientHash };
}

beforeAll(async () => {
  receiver = await startPushReceiver();
  base = receiver.base;
  db = await openTestSqlite();
  store = createStore(db.db, db.kind);
  smtp = await startSmtpSink();
  channels = createChannels({ smtpUrl: smtp.url, mailFrom: 'it@example.com', vapid: { ...vapid, subject: 'mailto:it@example.com' }, push: { allowInsecureEndpoints: true } });
});

afterAll(async () => {
  await channels?.push.close();
  await channels?.email.close();
  await smtp?.close();
  await db?.close();
  await receiver?.stop();
});

describe('push campaign', () => {
  it('pushes to live devices, drops gone subscriptions and falls back to email', async () => {
    const live = await subscribe();
    const expired = await subscribe();
    expect((await post(`/expire-subscription/${expired.clientHash}`)).status).toBe(200);
    const ctx = { store, clock: systemClock, actor: 'test' };
    const subs = [live, expired, null];
    const { userIds } = await seed(db.db, ctx, { group: 'g', policy: 'P', users: 3, notification: 'pushThenEmail', locale: (i) => (i === 0 ? 'zh-TW' : 'en'), push: (i) => subs[i] ?? null });

    const api = await appWith(store, { SMTP_URL: smtp.url }, { push: true, email: true }, vapid.publicKey);
    expect(await (await api.app.request('/api/push/vapid-public-key')).json()).toEqual({ publicKey: vapid.publicKey });
    const started = (await (await api.call('POST', '/api/admin/campaigns', { policy: 'P' })).json()) as { campaign: { id: string; channel: string } };
    expect(started.campaign.channel).toBe('pushThenEmail');

    await runUntilDone(store, channels, started.campaign.id);
    const rows = await db.db.selectFrom('deliveries').selectAll().orderBy('user_id').execute();
    expect(rows.map((r) => [r.state, r.channel])).toEqual([
      ['sent', 'push'],
      ['sent', 'email'],
      ['sent', 'email'],
    ]);
    const { data } = (await (await post('/get-notifications', { clientHash: live.clientHash })).json()) as { data: { messages: string[] } };
    expect(data.messages.map((m) => JSON.parse(m))).toEqual([
      { title: '您的 S/MIME 憑證已備妥', body: expect.any(String), url: `https://portal.example.com/smime/retrieve?r=${rows[0]!.id}`, tag: 'smime-certificates', locale: 'zh-TW' },
    ]);
    // The gone subscription was deleted from the device; the live one kept.
    const devices = await db.db.selectFrom('devices').select(['user_id', 'push_endpoint']).orderBy('user_id').execute();
    expect(devices.map((d) => d.push_endpoint === null)).toEqual([false, true]);
    expect(devices[1]!.user_id).toBe(userIds[1]);
    expect(smtp.inbox.map((m) => m.text?.includes(`r=${rows[1]!.id}`) || m.text?.includes(`r=${rows[2]!.id}`))).toEqual([true, true]);
  });

  it('retries a 429 no sooner than its Retry-After, then sends', async () => {
    let calls = 0;
    const times: number[] = [];
    const busy = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls += 1;
        times.push(Date.now());
        if (calls === 1) res.writeHead(429, { 'retry-after': '1' }).end();
        else res.writeHead(201).end();
      });
    });
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const ctx = { store, clock: systemClock, actor: 'test' };
      await seed(db.db, ctx, { group: 'g2', policy: 'P2', users: 1, email: () => 'busy@example.com', notification: 'push', push: () => ({ endpoint: `http://127.0.0.1:${(busy.address() as net.AddressInfo).port}/x`, ...testSubscriptionKeys() }) });
      const started = await startCampaign(ctx, { push: true, email: true }, { policy: 'P2' });
      if (started.dryRun) throw new Error('dry');
      await runUntilDone(store, channels, started.campaign.id, 10_000);
      expect(calls).toBe(2);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
      const row = await db.db.selectFrom('deliveries').selectAll().where('campaign_id', '=', started.campaign.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ state: 'sent', attempts: 2, last_error: null });
    } finally {
      busy.close();
    }
  });
});
