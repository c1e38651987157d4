/**
 * Worker processes on PostgreSQL (FOR UPDATE SKIP LOCKED): three workers never send anyone twice,
 * and a SIGKILLed worker loses nobody.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeAll, describe, it } from 'vitest';
import { openTestPostgres, postgresUnavailable } from '../support/databases.ts';
import { type PushSink, postgresUrlFor, startPushSink, workerDataDir } from './process-harness.ts';
import { killMidCampaign, threeWorkers } from './worker-processes.ts';

let skip: string | null = null;
let database: Awaited<ReturnType<typeof openTestPostgres>> | undefined;
let sink: PushSink | undefined;
let dir: string | undefined;

beforeAll(async () => {
  skip = await postgresUnavailable();
});

afterEach(async () => {
  await database?.close();
  database = undefined;
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * `leaseSeconds`: 1 where a killed worker's rows must come back quickly; the deployed default
 * where all workers live — a live worker stalled longer than its lease (a loaded CI machine can
 * stall a process for a second) has its rows taken over and sent again, by design (at least once).
 */
async function setup(leaseSeconds: number) {
  dir = workerDataDir();
  database = await openTestPostgres();
  sink = await startPushSink();
  return { DATA_DIR: dir, DATABASE_URL: postgresUrlFor(database.url, database.schema), DELIVERY_LEASE_SECONDS: String(leaseSeconds) };
}

describe('worker processes on PostgreSQL', () => {
  it('three workers share a 10k campaign: each recipient exactly once, and they finish', async (t) => {
    if (skip) return t.skip();
    const env = await setup(60);
    await threeWorkers(database!, sink!, env, 10_000);
  }, 120_000);

  it('SIGKILL mid-campaign of 10k: everyone sent, duplicates bounded by the rows in flight', async (t) => {
    if (skip) return t.skip();
    const env = await setup(1);
    const { inflight, duplicates } = await killMidCampaign(database!, sink!, env, 10_000);
    console.log(`postgres: ${inflight} in flight at the kill, ${duplicates} sent twice`);
  }, 120_000);
});
