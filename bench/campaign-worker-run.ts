/**
 * A push campaign sent by a `smime-portal worker` process, as deployed: the benchmark seeds the
 * users and starts the campaign (as `campaign start` would) in its own process, and measures the
 * worker process alone — its CPU time and peak RSS read from /proc, so the benchmark's own
 * seeding memory is not counted as the sender's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCampaign } from '../server/src/domain/campaigns/campaign-service.ts';
import { systemClock } from '../server/src/ports.ts';
import { createStore } from '../server/src/store/create-store.ts';
import { openDatabase } from '../server/src/store/open-database.ts';
import { seed } from '../tests/campaigns/seed.ts';
import { spawnWorker, stopWorker, testSubscriptionKeys } from '../tests/campaigns/process-harness.ts';
import { nowEpochMs, type Sink } from './campaign-peers.ts';

/** CPU time (user + system, µs) and peak RSS (VmHWM, MB) of a Linux process. */
export function processUsage(pid: number): { cpuUs: number; peakRssMb: number } {
  // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks of 10 ms, after "(comm) ".
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const cpuUs = (Number(fields[11]) + Number(fields[12])) * 10_000;
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuUs, peakRssMb: Number(kb ?? 0) / 1024 };
}

const keys = testSubscriptionKeys();

export interface WorkerRun {
  channel: 'push' | 'email';
  concurrency: number;
  /** Push: offer HTTP/2 to the receiver. */
  http2?: boolean;
  /** Push: PUSH_ENCRYPTION_THREADS of the worker. */
  encryptionThreads?: number;
}

/**
 * Seeds `n` users (with a push device each, endpoints on `sink`, for push) into the SQLite
 * database of `dir`, starts a worker process on it (sending to `sink`, trusting its certificate),
 * starts a campaign on `run.channel` and waits until every row is sent.
 */
export async function runCampaignInWorker(dir: string, sink: Sink, n: number, run: WorkerRun) {
  const database = await openDatabase({ kind: 'sqlite', file: join(dir, 'smime-portal.sqlite') });
  try {
    const store = createStore(database.db, database.kind);
    const ctx = { store, clock: systemClock, actor: 'bench' };
    const push = run.channel === 'push';
    await seed(database.db, ctx, { group: 'all', policy: 'Bench', users: n, notification: run.channel, ...(push ? { push: (i: number) => ({ endpoint: `${sink.base}/d/${i}`, ...keys }) } : {}) });
    const env: Record<string, string> = {
      DATA_DIR: dir,
      WORKER_CONCURRENCY: String(run.concurrency),
      ...(push
        ? { PUSH_HTTP2: run.http2 === false ? '0' : '1', PUSH_ENCRYPTION_THREADS: String(run.encryptionThreads ?? 0) }
        : { SMTP_URL: sink.base, MAIL_FROM: 'it@example.com' }),
    };
    if (sink.ca) {
      writeFileSync(join(dir, 'sink-ca.pem'), sink.ca);
      env.NODE_EXTRA_CA_CERTS = join(dir, 'sink-ca.pem');
    }
    // e.g. BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the sender.
    const worker = spawnWorker(env, process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean));
    await worker.ready;
    const pid = worker.child.pid!;
    const before = processUsage(pid);
    const sinkBefore = await sink.stats();
    const t0 = nowEpochMs();
    const started = await startCampaign(ctx, { push: true, email: true }, { policy: 'Bench', channel: run.channel });
    const queuedMs = nowEpochMs() - t0;
    if (started.dryRun) throw new Error('dry run');
    while ((await store.campaigns.getCampaign(started.campaign.id))?.status !== 'done') await new Promise((r) => setTimeout(r, 20));
    const seconds = (nowEpochMs() - t0) / 1000;
    const after = processUsage(pid);
    await stopWorker(worker);
    const sent = (await store.campaigns.progress(started.campaign.id)).states.sent;
    const got = await sink.stats();
    if (sent !== n || got.count < n) throw new Error(`only ${sent} of ${n} sent (${got.count} received)`);
    return {
      rate: n / seconds,
      cpuUsPerMessage: (after.cpuUs - before.cpuUs) / n,
      firstMs: (got.firstAt ?? 0) - t0,
      queuedMs,
      peakRssMb: after.peakRssMb,
      startRssMb: before.peakRssMb,
      sinkCpuUsPerMessage: (got.cpuUs - sinkBefore.cpuUs) / n,
    };
  } finally {
    await database.close();
  }
}
