/**
 * An email campaign end to end on SQLite: admin API → deliveries → worker → real SMTP server →
 * parsed message → the link's `r` marks the recipient opened → retrieval marks it retrieved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannels } from '../../server/src/channels/create-channels.ts';
import { markRetrieved } from '../../server/src/domain/campaigns/campaign-service.ts';
import { type Channels, type Store, systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { openTestSqlite } from '../support/databases.ts';
import { appWith, runUntilDone, type SmtpSink, startSmtpSink } from './harness.ts';
import { seed } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestSqlite>>;
let store: Store;
let smtp: SmtpSink;
let channels: Channels;
let api: Awaited<ReturnType<typeof appWith>>;
let userIds: string[];

const emails = ['ann@example.com', 'bob@example.com', 'flaky-carol@example.com', 'reject550-dan@example.com', 'eve@example.com'];

beforeAll(async () => {
  db = await openTestSqlite();
  store = createStore(db.db, db.kind);
  smtp = await startSmtpSink();
  channels = createChannels({ smtpUrl: smtp.url, mailFrom: 'it@example.com', vapid: null, push: { allowInsecureEndpoints: true } });
  const ctx = { store, clock: systemClock, actor: 'test' };
  ({ userIds } = await seed(db.db, ctx, { group: 'staff', policy: 'Mail', users: 5, email: (i) => emails[i]!, locale: (i) => (i === 1 ? 'zh-TW' : 'en') }));
  await seed(db.db, ctx, { group: 'off', policy: 'Off', users: 0 });
  await store.policies.updateSettings((await store.policies.findPolicyByName('Off'))!.id, { ...(await store.policies.findPolicyByName('Off'))!.settings, enabled: false }, new Date());
  api = await appWith(store, { SMTP_URL: smtp.url }, { email: true, push: false });
});

afterAll(async () => {
  await channels.email.close();
  await smtp.close();
  await db.close();
});

const statusOf = async (id: string) => (await (await api.call('GET', `/api/admin/campaigns/${id}`)).json()) as { campaign: { status: string }; progress: { states: Record<string, number>; funnel: Record<string, number> } };

describe('email campaign', () => {
  it('refuses bad starts with clear errors and queues nothing', async () => {
    const unknown = await api.call('POST', '/api/admin/campaigns', { policy: 'Nope' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'not_found', detail: 'no policy named "Nope"' });
    const disabled = await api.call('POST', '/api/admin/campaigns', { policy: 'Off' });
    expect(await disabled.json()).toMatchObject({ status: 409, code: 'policy_disabled' });
    const push = await api.call('POST', '/api/admin/campaigns', { policy: 'Mail', channel: 'pushThenEmail' });
    expect(await push.json()).toMatchObject({ status: 409, code: 'channel_not_configured', detail: expect.stringContaining('no VAPID keys') });
    expect(await store.campaigns.listCampaigns(10)).toEqual([]);
  });

  it('dry-runs, starts, and does not queue users of a running campaign again', async () => {
    const dry = await api.call('POST', '/api/admin/campaigns', { policy: 'Mail', dryRun: true });
    expect(await dry.json()).toEqual({ dryRun: true, policy: 'Mail', channel: 'email', audience: 5, queueable: 5 });
    expect(await store.campaigns.listCampaigns(10)).toEqual([]);

    const res = await api.call('POST', '/api/admin/campaigns', { policy: 'Mail', channel: 'email' });
    expect(res.status).toBe(201);
    const started = (await res.json()) as { campaign: { id: string; status: string }; queued: number };
    expect(started).toMatchObject({ queued: 5, campaign: { status: 'running' } });

    const again = await api.call('POST', '/api/admin/campaigns', { policy: 'Mail', channel: 'email' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'conflict', detail: expect.stringContaining('nothing queued: all 5 targeted users are already recipients') });
    expect((await statusOf(started.campaign.id)).progress.states.pending).toBe(5);
  });

  it('sends through SMTP, retries 451, fails 550 with the server text, and tracks opened/retrieved', async () => {
    const [campaign] = await store.campaigns.listCampaigns(1);
    await runUntilDone(store, channels, campaign!.id);
    const { progress } = await statusOf(campaign!.id);
    expect(progress.states).toMatchObject({ sent: 4, failed: 1, pending: 0, sending: 0 });
    expect(smtp.inbox).toHaveLength(4);
    const failed = await db.db.selectFrom('deliveries').selectAll().where('state', '=', 'failed').executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ reason: 'rejected', last_error: expect.stringContaining('550 5.1.1 No such user here'), attempts: 1 });
    const flaky = await db.db.selectFrom('deliveries').selectAll().where('user_id', '=', userIds[2]!).executeTakeFirstOrThrow();
    expect(flaky).toMatchObject({ state: 'sent', attempts: 2 });

    const zh = smtp.inbox.find((m) => m.subject === '您的 S/MIME 憑證已備妥');
    expect(zh).toBeDefined();
    const ann = smtp.inbox.find((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address === 'ann@example.com')!;
    const link = /https:\/\/portal\.example\.com\/smime\/retrieve\?r=([0-9a-f]{32})/.exec(ann.text ?? '');
    expect(link).not.toBeNull();
    const r = link![1]!;

    // Opening the link: 204, idempotent; unknown or junk ids answer the same.
    for (const id of [r, r, 'f'.repeat(32), 'not-an-id']) expect((await api.app.request(`/api/recipients/${id}/opened`, { method: 'POST' })).status).toBe(204);
    const row = await db.db.selectFrom('deliveries').selectAll().where('id', '=', r).executeTakeFirstOrThrow();
    expect(row.state).toBe('opened');
    expect(row.user_id).toBe(userIds[0]);

    expect(await markRetrieved({ store, clock: systemClock, actor: 'device' }, userIds[0]!)).toBe(1);
    expect((await statusOf(campaign!.id)).progress).toMatchObject({ states: { retrieved: 1, sent: 3 }, funnel: { sent: 4, opened: 1, retrieved: 1 } });
  });

  it('streams progress as Server-Sent Events and exposes Prometheus metrics', async () => {
    const [campaign] = await store.campaigns.listCampaigns(1);
    const sse = await api.call('GET', `/api/admin/campaigns/${campaign!.id}/events`);
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const text = await sse.text();
    expect(text).toContain('event: progress');
    expect(text).toContain('"retrieved":1');
    expect(text).toContain('event: end\ndata: done');

    expect((await api.app.request('/metrics')).status).toBe(401);
    const metrics = await api.call('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const body = await metrics.text();
    expect(body).toContain('smime_portal_deliveries{channel="email",state="sent"} 3');
    expect(body).toContain('smime_portal_deliveries_unsent{channel="email",state="failed",reason="rejected"} 1');
    expect(body).toContain('smime_portal_funnel{stage="retrieved"} 1');
    expect(body).toContain('smime_portal_queue_depth 0');
  });
});
