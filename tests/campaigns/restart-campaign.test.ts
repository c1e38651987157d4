/**
 * `campaign start` again for the same policy, on SQLite and PostgreSQL: users already recipients
 * of the running campaign are not notified again (only newcomers are queued); once that campaign
 * is done, a new start queues everyone again (a deliberate re-notification).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCampaign } from '../../server/src/domain/campaigns/campaign-service.ts';
import { newId } from '../../server/src/ids.ts';
import { type Channel, type Channels, type Notice, type Store, systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable } from '../support/databases.ts';
import { fastWorker, until } from './harness.ts';
import { seed } from './seed.ts';

const databases: [string, () => Promise<OpenDatabase>][] = [
  ['sqlite', openTestSqlite],
  ['postgres', openTestPostgres],
];

describe.each(databases)('restarting a campaign on %s', (name, open) => {
  let database: OpenDatabase | undefined;
  let store: Store;
  let skip: string | null = null;
  const sent: Notice[] = [];
  // `slow@…` is deferred (retry in an hour), which keeps the first campaign running.
  const email: Channel = {
    kind: 'email',
    send: async (n) => {
      sent.push(n);
      return n.user.email?.startsWith('slow') ? { status: 'retryable', reason: 'deferred', goneDeviceIds: [] } : { status: 'sent', goneDeviceIds: [] };
    },
    close: async () => undefined,
  };
  const channels: Channels = { email, push: { ...email, kind: 'push' } };
  const ctx = () => ({ store, clock: systemClock, actor: 'test' });
  const notified = (address: string) => sent.filter((n) => n.user.email === address).length;

  beforeAll(async () => {
    if (name === 'postgres') skip = await postgresUnavailable();
    if (skip) return;
    database = await open();
    store = createStore(database.db, database.kind);
    await seed(database.db, ctx(), { group: 'g', policy: 'P', users: 5, notification: 'email', email: (i) => (i === 4 ? 'slow@example.com' : `user${i}@example.com`) });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('does not notify again users of the running campaign; queues newcomers; a done campaign’s users are queued again', async (t) => {
    if (skip) return t.skip();
    const worker = fastWorker(store, channels, { retry: { maxAttempts: 5, baseDelayMs: 3600_000, maxDelayMs: 3600_000 } });
    worker.start();
    try {
      const first = await startCampaign(ctx(), { push: true, email: true }, { policy: 'P' });
      if (first.dryRun) throw new Error('dry');
      const states = async (id: string) => (await store.campaigns.progress(id)).states;
      await until(async () => (await states(first.campaign.id)).sent === 4 && (await states(first.campaign.id)).pending === 1, 10_000, 'four sent, one deferred');
      expect((await store.campaigns.getCampaign(first.campaign.id))?.status).toBe('running');

      // Same audience again: everybody is a recipient of the running campaign.
      await expect(startCampaign(ctx(), { push: true, email: true }, { policy: 'P' })).rejects.toMatchObject({ code: 'conflict' });

      // A newcomer joins the group: only they are queued, and only they are notified.
      const group = await database!.db.selectFrom('groups').select('id').where('name', '=', 'g').executeTakeFirstOrThrow();
      const userId = newId();
      const now = Date.now();
      await database!.db.insertInto('users').values({ id: userId, email: 'new@example.com', display_name: 'New', locale: 'en', created_at: now, updated_at: now }).execute();
      await database!.db.insertInto('group_members').values({ group_id: group.id, user_id: userId }).execute();
      const second = await startCampaign(ctx(), { push: true, email: true }, { policy: 'P' });
      if (second.dryRun) throw new Error('dry');
      expect(second.queued).toBe(1);
      await until(() => notified('new@example.com') === 1, 10_000, 'the newcomer notified');
      await until(async () => (await store.campaigns.getCampaign(second.campaign.id))?.status === 'done', 10_000, 'second campaign done');
      for (let i = 0; i < 4; i += 1) expect(notified(`user${i}@example.com`)).toBe(1);
      expect(notified('slow@example.com')).toBe(1);

      // The first campaign ends (here: by hand; normally its last row's outcome). Starting again
      // is then a new round for everyone: users notified by a done campaign are queued again.
      await store.campaigns.transition(first.campaign.id, ['running'], 'done', new Date());
      const third = await startCampaign(ctx(), { push: true, email: true }, { policy: 'P' });
      if (third.dryRun) throw new Error('dry');
      expect(third.queued).toBe(6);
      await until(() => notified('user0@example.com') === 2 && notified('new@example.com') === 2, 10_000, 'everyone notified again');
    } finally {
      await worker.stop();
    }
  });
});
