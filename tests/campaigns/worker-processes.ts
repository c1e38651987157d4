/**
 * The reliability scenarios shared by the SQLite and PostgreSQL suites: a SIGKILLed worker
 * mid-campaign, and several worker processes on one database.
 */
import { expect } from 'vitest';
import { startCampaign } from '../../server/src/domain/campaigns/campaign-service.ts';
import { systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { until } from './harness.ts';
import { type PushSink, spawnWorker, stopWorker, testSubscriptionKeys, type WorkerProcess } from './process-harness.ts';
import { seed } from './seed.ts';

/** Seeds `n` users with one push device each and starts a push campaign for them. */
export async function pushCampaign(database: OpenDatabase, sink: PushSink, n: number) {
  const store = createStore(database.db, database.kind);
  const ctx = { store, clock: systemClock, actor: 'test' };
  const keys = testSubscriptionKeys();
  await seed(database.db, ctx, { group: 'all', policy: 'Push', users: n, notification: 'push', push: (i) => ({ endpoint: `${sink.base}/d/${i}`, ...keys }) });
  const started = await startCampaign(ctx, { push: true, email: false }, { policy: 'Push' });
  if (started.dryRun) throw new Error('unexpected dry run');
  expect(started.queued).toBe(n);
  return { store, campaignId: started.campaign.id };
}

const countState = async (database: OpenDatabase, state: 'sent' | 'sending') =>
  Number((await database.db.selectFrom('deliveries').where('state', '=', state).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

/**
 * Kills a worker with SIGKILL once part of the campaign went out, counts the rows it had in flight,
 * restarts a worker, and checks: every recipient got the notice, duplicates ≤ rows in flight.
 */
export async function killMidCampaign(database: OpenDatabase, sink: PushSink, env: Record<string, string>, n: number): Promise<{ inflight: number; duplicates: number }> {
  await pushCampaign(database, sink, n);
  const first = spawnWorker(env);
  await first.ready;
  await until(() => sink.total() >= n / 4, 60_000, 'a quarter of the campaign sent');
  await stopWorker(first, 'SIGKILL');
  // Rows the dead worker still leases: sent or not, their outcome was never recorded.
  const inflight = await countState(database, 'sending');
  const sentBefore = await countState(database, 'sent');
  expect(sentBefore).toBeLessThan(n);
  const second = spawnWorker(env);
  try {
    await second.ready;
    await until(async () => (await countState(database, 'sent')) === n, 90_000, 'every recipient sent');
  } finally {
    await stopWorker(second);
  }
  expect(sink.received.size).toBe(n);
  const duplicates = sink.total() - n;
  expect(duplicates).toBeLessThanOrEqual(inflight);
  expect(inflight).toBeLessThanOrEqual(64);
  return { inflight, duplicates };
}

/** Three worker processes share one campaign: nobody is sent twice and together they finish. */
export async function threeWorkers(database: OpenDatabase, sink: PushSink, env: Record<string, string>, n: number): Promise<void> {
  const { store, campaignId } = await pushCampaign(database, sink, n);
  const workers: WorkerProcess[] = [spawnWorker(env), spawnWorker(env), spawnWorker(env)];
  try {
    await Promise.all(workers.map((w) => w.ready));
    await until(async () => (await store.campaigns.getCampaign(campaignId))?.status === 'done', 90_000, 'campaign done');
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
  }
  expect(sink.received.size).toBe(n);
  expect(sink.total()).toBe(n);
  expect([...sink.received.values()].every((c) => c === 1)).toBe(true);
  expect(await countState(database, 'sent')).toBe(n);
}
