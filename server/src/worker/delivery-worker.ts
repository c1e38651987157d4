import { hostname } from 'node:os';
import type { CampaignChannel, ClaimedDelivery, DeliveryUpdate } from '../domain/campaigns/types.ts';
import { CHANNEL_KINDS, type ChannelKind, type Channels, type Clock, type Store } from '../ports.ts';
import { decideUpdate, type RetryPolicy } from './decide-update.ts';
import { type Job, sendJob } from './send-job.ts';

export interface WorkerOptions {
  /** Base of the links: PUBLIC_URL. */
  publicUrl: string;
  /** Sends in flight at once in this process, all channels together. */
  concurrency: number;
  /** Rows claimed per statement (at most the free concurrency). Default concurrency / 2. */
  batchSize?: number;
  /** Outcomes wait at most this long for others to share their transaction. Default 100 ms. */
  flushDelayMs?: number;
  /** Messages per second per channel, shared by all workers through the database (0 = unlimited). */
  rates: Record<ChannelKind, number>;
  leaseMs: number;
  retry: RetryPolicy;
  reminder: { delayMs: number; max: number };
  /** Idle poll interval. Default 200 ms. */
  pollMs?: number;
  /** How often reminders are looked for. Default 60 s. */
  reminderScanMs?: number;
  workerId?: string;
  log?: (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;
}

export interface DeliveryWorker {
  readonly id: string;
  start(): void;
  /** Claims nothing more, sends what it holds and writes their outcomes. */
  stop(): Promise<void>;
  /** Ends an idle wait now (a campaign was just started in this process). */
  wake(): void;
}

/** Sends started per macrotask: between slices, responses and timers get the event loop. */
const START_SLICE = 16;

/**
 * A delivery worker: leases due rows from the deliveries table, sends them through the channels,
 * and writes the outcomes back in batched transactions. Any number of workers (processes,
 * machines) share one database; a crashed worker's rows come back when their lease expires.
 *
 * Pipeline: sends start a slice at a time, so encryption interleaves with network I/O instead of
 * a whole batch being encrypted before its first byte goes out; outcomes are group-committed, and
 * the slots they free are refilled by a claim in the same transaction (one commit, one fsync on
 * SQLite, per cycle). A row holds one of the `concurrency` slots from its claim until its outcome
 * is durable, so leased-but-unrecorded rows (the ones a crash would send twice) never exceed it.
 * When a channel's own threads (push encryption) are about to run dry, outcomes are committed in
 * quarter batches, so the slots — and new rows for those threads — come back sooner.
 */
export function createDeliveryWorker(store: Store, channels: Channels, clock: Clock, options: WorkerOptions): DeliveryWorker {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const batchSize = Math.max(1, Math.min(options.concurrency, options.batchSize ?? Math.ceil(options.concurrency / 2)));
  // Each claim and each flush is a transaction: wait for half a batch rather than trickle.
  const minClaim = Math.max(1, Math.ceil(batchSize / 2));
  // Outcomes per commit: a whole batch (one fsync on SQLite per batch), a quarter batch while a
  // channel's threads are about to run dry (so the slots come back sooner), or fewer after a delay.
  const flushSize = batchSize;
  const starvingFlushSize = Math.ceil(batchSize / 4);
  const channelList = Object.values(channels);
  const starving = () => channelList.some((c) => c.starving?.() === true);
  const flushDelayMs = options.flushDelayMs ?? 100;
  const pollMs = options.pollMs ?? 200;
  const reminderScanMs = options.reminderScanMs ?? 60_000;
  const reclaimEveryMs = Math.max(250, Math.min(5000, options.leaseMs / 4));
  const log = options.log ?? (() => undefined);
  const campaignChannels = new Map<string, CampaignChannel>();
  const touched = new Set<string>();
  const ready: Job[] = [];
  let running = false;
  /** Rows claimed (or slots reserved for a claim) whose outcome is not yet durable. */
  let leased = 0;
  let sending = 0;
  let pumpScheduled = false;
  let buffer: DeliveryUpdate[] = [];
  let gone: string[] = [];
  let flushing: Promise<void> | null = null;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let loopDone: Promise<void> = Promise.resolve();
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let lastReclaim = 0;
  let lastReminders = 0;

  const now = () => clock.now().getTime();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      // A wake that came while the loop was busy must not be lost (it would idle a whole poll).
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        wakeUp = null;
        resolve();
      }, ms);
      wakeUp = () => {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      };
    });
  const wake = () => {
    if (wakeUp) wakeUp();
    else woken = true;
  };

  const freeSlots = () => Math.min(batchSize, options.concurrency - leased);
  const canClaim = () => freeSlots() >= minClaim || (leased === 0 && freeSlots() > 0);
  /** Takes the free slots before any await, so a claim running elsewhere cannot take them too. */
  const reserve = () => {
    const n = Math.max(0, freeSlots());
    leased += n;
    return n;
  };

  function flush(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (flushing) return flushing;
    flushing = (async () => {
      while (buffer.length > 0 || gone.length > 0) {
        const updates = buffer;
        const deviceIds = gone;
        buffer = [];
        gone = [];
        leased -= updates.length;
        const want = running && freeSlots() > 0 ? reserve() : 0;
        let claimed: ClaimedDelivery[] = [];
        try {
          await store.transaction(async (tx) => {
            if (deviceIds.length > 0) await tx.campaigns.clearPushSubscriptions(deviceIds);
            await tx.campaigns.record(id, updates, now());
            if (want > 0) claimed = await claimUpTo(tx, want);
          });
        } catch (error) {
          // The rows keep their lease and are sent again after it expires (at least once).
          log('error', 'could not record delivery outcomes', { worker: id, rows: updates.length, error: String(error) });
          claimed = [];
        }
        leased -= want - claimed.length;
        if (claimed.length > 0) await prepareOrRelease(claimed);
        wake();
      }
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  /** Group commit: at once when a batch waits, a channel is starving or nothing else is in flight, else soon. */
  function requestFlush(): void {
    if (buffer.length >= flushSize || (sending === 0 && ready.length === 0) || (buffer.length >= starvingFlushSize && starving())) void flush();
    else flushTimer ??= setTimeout(() => void flush(), flushDelayMs);
  }

  async function send(job: Job): Promise<void> {
    const result = await sendJob(job, channels, options.publicUrl);
    if ('state' in result) buffer.push(result);
    else {
      gone.push(...result.goneDeviceIds);
      buffer.push(decideUpdate(job.row, job.campaignChannel, result, now(), options.retry));
    }
  }

  function pump(): void {
    pumpScheduled = false;
    for (let started = 0; started < START_SLICE; started += 1) {
      const job = ready.shift();
      if (!job) return;
      sending += 1;
      void send(job)
        .catch((error: unknown) => {
          // Unreachable in practice (send classifies everything); the lease brings the row back.
          log('error', 'delivery failed', { worker: id, error: String(error) });
          leased -= 1;
        })
        .finally(() => {
          sending -= 1;
          requestFlush();
        });
    }
    if (ready.length > 0 && !pumpScheduled) {
      pumpScheduled = true;
      setImmediate(pump);
    }
  }

  async function prepare(rows: ClaimedDelivery[]): Promise<void> {
    const users = await store.campaigns.recipients(rows.map((r) => r.userId));
    const unknown = [...new Set(rows.map((r) => r.campaignId))].filter((c) => !campaignChannels.has(c));
    if (unknown.length > 0) for (const [c, ch] of await store.campaigns.campaignChannels(unknown)) campaignChannels.set(c, ch);
    for (const row of rows) {
      touched.add(row.campaignId);
      ready.push({ row, user: users.get(row.userId), campaignChannel: campaignChannels.get(row.campaignId) ?? row.channel });
    }
    if (!pumpScheduled) pump();
  }

  async function prepareOrRelease(rows: ClaimedDelivery[]): Promise<void> {
    await prepare(rows).catch((error: unknown) => {
      // Not sent, not recorded: the rows come back when their lease expires.
      log('error', 'could not prepare claimed deliveries', { worker: id, rows: rows.length, error: String(error) });
      leased -= rows.length;
    });
  }

  /** Claims up to `want` due rows over the channels, within each channel's rate budget. */
  async function claimUpTo(s: Store, want: number): Promise<ClaimedDelivery[]> {
    const out: ClaimedDelivery[] = [];
    for (const kind of CHANNEL_KINDS) {
      const free = want - out.length;
      if (free <= 0) break;
      const t = now();
      const rate = options.rates[kind];
      const granted = rate > 0 ? await s.campaigns.acquireRate(kind, free, rate, t) : free;
      if (granted <= 0) continue;
      const rows = await s.campaigns.claim(kind, id, granted, t, options.leaseMs);
      // Unused budget goes back so an idle poll does not starve other workers.
      if (rate > 0 && rows.length < granted) await s.campaigns.refundRate(kind, granted - rows.length, t);
      out.push(...rows);
    }
    return out;
  }

  async function claimRound(): Promise<boolean> {
    // While sends are in flight, the next flush claims in its own transaction: no extra commit.
    if (leased > 0 || !canClaim()) return false;
    const want = reserve();
    let rows: ClaimedDelivery[] = [];
    try {
      rows = await claimUpTo(store, want);
    } finally {
      leased -= want - rows.length;
    }
    if (rows.length === 0) return false;
    await prepareOrRelease(rows);
    return true;
  }

  async function housekeeping(t: number): Promise<void> {
    if (t - lastReclaim >= reclaimEveryMs) {
      lastReclaim = t;
      const n = await store.campaigns.reclaimExpired(t);
      if (n > 0) log('warn', 'reclaimed deliveries whose lease expired', { worker: id, rows: n });
    }
    if (t - lastReminders >= reminderScanMs) {
      lastReminders = t;
      const n = await store.campaigns.queueReminders(t, options.reminder.delayMs, options.reminder.max, 1000);
      if (n > 0) log('info', 'queued reminders', { worker: id, rows: n });
    }
  }

  async function loop(): Promise<void> {
    while (running) {
      try {
        await housekeeping(now());
        if (await claimRound()) continue;
        if (leased === 0 && touched.size > 0) {
          const ids = [...touched];
          touched.clear();
          await store.campaigns.finishIdle(ids, now());
        }
        // Busy (the flushes claim), rate-limited (next second) or idle.
        await sleep(leased === 0 ? pollMs : 1000);
      } catch (error) {
        log('error', 'worker loop error', { worker: id, error: String(error) });
        await sleep(1000);
      }
    }
  }

  return {
    id,
    start() {
      if (running) return;
      running = true;
      loopDone = loop();
      // While this worker lives, its leases do not run out, however slow a send or a busy
      // machine makes the cycle: only a dead worker's rows are reclaimed (and sent again).
      heartbeat = setInterval(() => {
        if (leased === 0) return;
        store.campaigns.renewLeases(id, now(), options.leaseMs).catch((error: unknown) => log('warn', 'could not renew leases', { worker: id, error: String(error) }));
      }, Math.max(50, Math.floor(options.leaseMs / 3)));
      heartbeat.unref?.();
    },
    async stop() {
      running = false;
      wake();
      await loopDone;
      // Rows already claimed are still sent and recorded: their lease is ours.
      while (leased > 0) {
        await flush();
        if (leased > 0) await new Promise((r) => setTimeout(r, 10));
      }
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = null;
    },
    wake,
  };
}
