/**
 * How many outcomes the worker commits together: a whole claim batch normally (one commit, one
 * fsync on SQLite, per batch), a quarter of one while a channel is starving — its encryption
 * threads about to run dry — so that slots come back, and rows with them, sooner.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCampaign } from '../../server/src/domain/campaigns/campaign-service.ts';
import type { Channel, Channels, Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { openTestSqlite } from '../support/databases.ts';
import { fastWorker, until } from './harness.ts';
import { seed } from './seed.ts';

/** An email channel answering one send every 3 ms, in order, whose `starving` says `hungry`. */
function steadyChannel(hungry: boolean): Channel {
  let last = Promise.resolve();
  return {
    kind: 'email',
    send() {
      last = last.then(() => new Promise((r) => setTimeout(r, 3)));
      return last.then(() => ({ status: 'sent', goneDeviceIds: [] }));
    },
    starving: () => hungry,
    close: async () => undefined,
  };
}

/** The store, with the size of every group of outcomes the worker records. */
function recordingGroups(store: Store, groups: number[]): Store {
  return {
    ...store,
    transaction: (fn) =>
      store.transaction((tx) =>
        fn({
          ...tx,
          campaigns: {
            ...tx.campaigns,
            record: (worker, updates, now) => {
              groups.push(updates.length);
              return tx.campaigns.record(worker, updates, now);
            },
          },
        }),
      ),
  };
}

describe('commit groups of the delivery worker', () => {
  let database: OpenDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await openTestSqlite();
    store = createStore(database.db, database.kind);
    await seed(database.db, { store, clock: { now: () => new Date() }, actor: 'test' }, { group: 'g', policy: 'P', users: 192, notification: 'email' });
  });
  afterEach(async () => {
    await database.close();
  });

  async function groupsWith(hungry: boolean): Promise<number[]> {
    const groups: number[] = [];
    const channels: Channels = { push: steadyChannel(false), email: steadyChannel(hungry) };
    const ctx = { store, clock: { now: () => new Date() }, actor: 'test' };
    // Concurrency 64: claims of up to 32 rows; commits of 32 outcomes, or 8 while starving.
    const worker = fastWorker(recordingGroups(store, groups), channels, { concurrency: 64, flushDelayMs: 10_000 });
    worker.start();
    try {
      const started = await startCampaign(ctx, { push: true, email: true }, { policy: 'P', channel: 'email' });
      if (started.dryRun) throw new Error('dry run');
      await until(async () => (await store.campaigns.progress(started.campaign.id)).states.sent === 192, 15_000, 'all sent');
    } finally {
      await worker.stop();
    }
    expect(groups.reduce((a, b) => a + b, 0)).toBe(192);
    return groups;
  }

  it('commits a whole batch of outcomes at a time', async () => {
    const groups = await groupsWith(false);
    expect(groups.length).toBeLessThanOrEqual(192 / 32 + 1);
    expect(groups.filter((n) => n === 32).length).toBeGreaterThanOrEqual(192 / 32 - 1);
  });

  it('commits a quarter batch at a time while a channel is starving', async () => {
    const groups = await groupsWith(true);
    // Eight outcomes start a commit; a few more may arrive while one is under way (a loaded machine).
    expect(groups.filter((n) => n <= 12).length).toBeGreaterThanOrEqual(groups.length * 0.75);
    expect(Math.max(...groups)).toBeLessThan(32);
    expect(groups.length).toBeGreaterThanOrEqual(192 / 12);
  });
});
