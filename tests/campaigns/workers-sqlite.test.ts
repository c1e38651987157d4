/** Worker processes on the embedded SQLite database: a SIGKILL mid-campaign loses nothing. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../server/src/store/open-database.ts';
import { type PushSink, startPushSink, workerDataDir } from './process-harness.ts';
import { killMidCampaign } from './worker-processes.ts';

let database: OpenDatabase | undefined;
let sink: PushSink | undefined;
let dir: string | undefined;

afterEach(async () => {
  await database?.close();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('worker processes on SQLite', () => {
  it('SIGKILL mid-campaign of 10k: everyone sent, duplicates bounded by the rows in flight', async () => {
    dir = workerDataDir();
    database = await openDatabase({ kind: 'sqlite', file: join(dir, 'smime-portal.sqlite') });
    sink = await startPushSink();
    const { inflight, duplicates } = await killMidCampaign(database, sink, { DATA_DIR: dir, DELIVERY_LEASE_SECONDS: '1' }, 10_000);
    console.log(`sqlite: ${inflight} in flight at the kill, ${duplicates} sent twice`);
  }, 120_000);
});
