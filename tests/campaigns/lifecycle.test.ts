/**
 * Campaign lifecycle on SQLite and PostgreSQL with a fake clock and a recording channel:
 * pause/resume/cancel, reminders after the delay (at most N), debounced new-certificate notices,
 * retrieval cancelling reminders, and the shared per-second rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeCampaign, markRetrieved, notifyUserOfNewCertificates, startCampaign } from '../../server/src/domain/campaigns/campaign-service.ts';
import type { Channel, Channels, Notice, Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable } from '../support/databases.ts';
import { createFakeClock } from '../support/fake-clock.ts';
import { fastWorker, until } from './harness.ts';
import { seed } from './seed.ts';

function recording(kind: 'push' | 'email', sent: Notice[]): Channel {
  return { kind, send: async (n) => {
      sent.push(n);
      return { status: 'sent', goneDeviceIds: [] };
    }, close: async () => undefined };
}

const databases: [string, () => Promise<OpenDatabase>][] = [
  ['sqlite', openTestSqlite],
  ['postgres', openTestPostgres],
];

describe.each(databases)('campaign lifecycle on %s', (name, open) => {
  let database: OpenDatabase | undefined;
  let store: Store;
  let skip: string | null = null;
  const clock = createFakeClock();
  const sent: Notice[] = [];
  const channels: Channels = { push: recording('push', sent), email: recording('email', sent) };
  const ctx = () => ({ store, clock, actor: 'test' });
  const states = async (campaignId: string) => (await store.campaigns.progress(campaignId)).states;

  beforeAll(async () => {
    if (name === 'postgres') skip = await postgresUnavailable();
    if (skip) return;
    database = await open();
    store = createStore(database.db, database.kind);
    await seed(database.db, ctx(), { group: 'g', policy: 'P', users: 20, notification: 'email' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('pauses, resumes, cancels; reminds after the delay at most N times; retrieval stops reminders', async (t) => {
    if (skip) return t.skip();
    const started = await startCampaign(ctx(), { push: false, email: true }, { policy: 'P' });
    if (started.dryRun) throw new Error('dry');
    const id = started.campaign.id;
    await changeCampaign(ctx(), id, 'pause');
    await expect(changeCampaign(ctx(), id, 'pause')).rejects.toThrow(/cannot pause campaign .* it is paused/);
    const worker = fastWorker(store, channels, { reminder: { delayMs: 3600_000, max: 2 }, reminderScanMs: 0 }, clock);
    worker.start();
    try {
      await new Promise((r) => setTimeout(r, 150));
      expect(sent).toHaveLength(0);
      await changeCampaign(ctx(), id, 'resume');
      await until(async () => (await states(id)).sent === 20, 10_000, 'all sent');
      expect(sent.every((n) => n.kind === 'retrieve' && n.url.startsWith('https://portal.example.com/smime/retrieve?r='))).toBe(true);

      const users = [...new Set(sent.map((n) => n.recipientId))];
      expect(users).toHaveLength(20);
      const first = await database!.db.selectFrom('deliveries').select(['id', 'user_id']).where('campaign_id', '=', id).orderBy('user_id').execute();
      expect(await markRetrieved(ctx(), first[0]!.user_id)).toBe(1);

      // Outcomes are group-committed shortly after the sends: advance the clock only once the
      // reminders are recorded, or their sent_at would already be the later time.
      const remindersRecorded = async (n: number) => {
        if (sent.filter((x) => x.kind === 'reminder').length !== n) return false;
        const s = await states(id);
        return s.sent === 19 && s.pending === 0 && s.sending === 0;
      };
      clock.advance(3600_000 + 1);
      await until(() => remindersRecorded(19), 10_000, 'first reminders');
      clock.advance(3600_000 + 1);
      await until(() => remindersRecorded(38), 10_000, 'second reminders');
      clock.advance(3600_000 + 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(sent.filter((n) => n.kind === 'reminder')).toHaveLength(38);
      expect(await states(id)).toMatchObject({ sent: 19, retrieved: 1, pending: 0 });
    } finally {
      await worker.stop();
    }
    // A second campaign cancelled before sending: every row skipped as cancelled.
    await store.campaigns.transition(id, ['running'], 'done', clock.now());
    const second = await startCampaign(ctx(), { push: false, email: true }, { policy: 'P' });
    if (second.dryRun) throw new Error('dry');
    await changeCampaign(ctx(), second.campaign.id, 'cancel');
    expect(await states(second.campaign.id)).toMatchObject({ skipped: 20, pending: 0 });
  });

  it('debounces new-certificate notices per user', async (t) => {
    if (skip) return t.skip();
    const [user] = await database!.db.selectFrom('users').select('id').orderBy('id').limit(1).execute();
    sent.length = 0;
    expect(await notifyUserOfNewCertificates(ctx(), user!.id, { debounceMs: 60_000 })).toBe('queued');
    clock.advance(30_000);
    expect(await notifyUserOfNewCertificates(ctx(), user!.id, { debounceMs: 60_000 })).toBe('debounced');
    const worker = fastWorker(store, channels, {}, clock);
    worker.start();
    try {
      clock.advance(45_000);
      await new Promise((r) => setTimeout(r, 150));
      expect(sent).toHaveLength(0);
      clock.advance(20_000);
      await until(() => sent.length === 1, 5000, 'the notice');
      expect(sent[0]).toMatchObject({ kind: 'newCertificates' });
    } finally {
      await worker.stop();
    }
  });

  it('shares a per-second rate limit between workers', async (t) => {
    if (skip) return t.skip();
    const now = clock.now().getTime();
    const a = await store.campaigns.acquireRate('email', 30, 50, now);
    const b = await store.campaigns.acquireRate('email', 30, 50, now + 10);
    expect([a, b]).toEqual([30, 20]);
    expect(await store.campaigns.acquireRate('email', 30, 50, now + 20)).toBe(0);
    await store.campaigns.refundRate('email', 5, now + 30);
    expect(await store.campaigns.acquireRate('email', 30, 50, now + 40)).toBe(5);
    expect(await store.campaigns.acquireRate('email', 30, 50, now + 1000)).toBe(30);
  });
});
