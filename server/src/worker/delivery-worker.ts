import { hostname } from 'node:os';
import type { CampaignChannel, ClaimedDelivery, DeliveryUpdate, RecipientInfo } from '../domain/campaigns/types.ts';
import { CHANNEL_KINDS, type ChannelKind, type Channels, type Clock, type Notice, type SendOutcome, type Store } from '../ports.ts';
import { decideUpdate, type RetryPolicy } from './decide-update.ts';

export interface WorkerOptions {
  /** Base of the links: PUBLIC_URL. */
  publicUrl: string;
  /** Sends in flight at once in this process, all channels together. */
  concurrency: number;
  /** Rows claimed per statement (at most the free concurrency). Default concurrency / 2. */
  batchSize?: number;
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
  /** Claims nothing more, waits for sends in flight and writes their outcomes. */
  stop(): Promise<void>;
  /** Ends an idle wait now (a campaign was just started in this process). */
  wake(): void;
}

/**
 * A delivery worker: leases due rows from the deliveries table, sends them through the channels,
 * and writes the outcomes back in batched transactions. Any number of workers (processes,
 * machines) share one database; a crashed worker's rows come back when their lease expires.
 */
export function createDeliveryWorker(store: Store, channels: Channels, clock: Clock, options: WorkerOptions): DeliveryWorker {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  // Several smaller batches in flight overlap sending with the database writes of the others.
  const batchSize = options.batchSize ?? Math.max(1, Math.ceil(options.concurrency / 2));
  const pollMs = options.pollMs ?? 200;
  const reminderScanMs = options.reminderScanMs ?? 60_000;
  const reclaimEveryMs = Math.max(250, Math.min(5000, options.leaseMs / 4));
  const log = options.log ?? (() => undefined);
  const campaignChannels = new Map<string, CampaignChannel>();
  const touched = new Set<string>();
  let running = false;
  let inflight = 0;
  let buffer: DeliveryUpdate[] = [];
  let gone: string[] = [];
  let flushing: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let loopDone: Promise<void> = Promise.resolve();
  let lastReclaim = 0;
  let lastReminders = 0;

  const now = () => clock.now().getTime();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
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

  function flush(): Promise<void> {
    if (flushing) return flushing;
    flushing = (async () => {
      while (buffer.length > 0 || gone.length > 0) {
        const updates = buffer;
        const deviceIds = gone;
        buffer = [];
        gone = [];
        try {
          if (deviceIds.length > 0) await store.campaigns.clearPushSubscriptions(deviceIds);
          await store.campaigns.record(id, updates, now());
        } catch (error) {
          // The rows keep their lease and are sent again after it expires (at least once).
          log('error', 'could not record delivery outcomes', { worker: id, rows: updates.length, error: String(error) });
        }
      }
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  function noticeFor(row: ClaimedDelivery, user: RecipientInfo): Notice {
    return {
      recipientId: row.id,
      kind: row.kind,
      user: { email: user.email, displayName: user.displayName, locale: user.locale },
      url: `${options.publicUrl}/smime/retrieve?r=${row.id}`,
      // One topic for every notice of the portal: a reminder replaces the unread original.
      topic: 'smime-certificates',
      subscriptions: user.subscriptions,
    };
  }

  async function deliver(rows: ClaimedDelivery[]): Promise<void> {
    const users = await store.campaigns.recipients(rows.map((r) => r.userId));
    const unknown = [...new Set(rows.map((r) => r.campaignId))].filter((c) => !campaignChannels.has(c));
    if (unknown.length > 0) for (const [c, ch] of await store.campaigns.campaignChannels(unknown)) campaignChannels.set(c, ch);
    await Promise.all(
      rows.map(async (row) => {
        const user = users.get(row.userId);
        const campaignChannel = campaignChannels.get(row.campaignId) ?? row.channel;
        let outcome: SendOutcome;
        if (!user) outcome = { status: 'permanent', reason: 'user no longer exists', goneDeviceIds: [] };
        else if (row.channel === 'email' && !user.email) {
          buffer.push({ id: row.id, state: 'skipped', reason: 'no_address', lastError: 'the user has no email address' });
          return;
        } else if (row.channel === 'push' && user.subscriptions.length === 0) outcome = { status: 'gone', reason: 'no live subscription', goneDeviceIds: [] };
        else {
          try {
            outcome = await channels[row.channel].send(noticeFor(row, user));
          } catch (error) {
            // Channels classify failures themselves; a throw is a bug or an outage: retry later.
            outcome = { status: 'retryable', reason: `channel error: ${(error as Error).message}`, goneDeviceIds: [] };
          }
        }
        gone.push(...outcome.goneDeviceIds);
        buffer.push(decideUpdate(row, campaignChannel, outcome, now(), options.retry));
      }),
    );
    for (const r of rows) touched.add(r.campaignId);
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

  async function claimRound(): Promise<boolean> {
    let claimed = false;
    for (const kind of CHANNEL_KINDS) {
      const free = Math.min(batchSize, options.concurrency - inflight);
      if (free <= 0) break;
      const t = now();
      const rate = options.rates[kind];
      const granted = rate > 0 ? await store.campaigns.acquireRate(kind, free, rate, t) : free;
      if (granted <= 0) continue;
      const rows = await store.campaigns.claim(kind, id, granted, t, options.leaseMs);
      // Unused budget goes back so an idle poll does not starve other workers.
      if (rate > 0 && rows.length < granted) await store.campaigns.refundRate(kind, granted - rows.length, t);
      if (rows.length === 0) continue;
      claimed = true;
      inflight += rows.length;
      void deliver(rows)
        .catch((error: unknown) => log('error', 'delivery batch failed', { worker: id, rows: rows.length, error: String(error) }))
        // A slot is free only once the outcome is durable: leased-but-unrecorded rows (the ones
        // a crash would send twice) never exceed the concurrency cap.
        .then(() => flush())
        .finally(() => {
          inflight -= rows.length;
          wakeUp?.();
        });
    }
    return claimed;
  }

  async function loop(): Promise<void> {
    while (running) {
      try {
        await housekeeping(now());
        const claimed = await claimRound();
        if (claimed) continue;
        if (inflight === 0 && touched.size > 0) {
          await flush();
          const ids = [...touched];
          touched.clear();
          await store.campaigns.finishIdle(ids, now());
        }
        // Full (wait for a free slot), rate-limited (wait for the next second) or idle.
        await sleep(inflight >= options.concurrency ? 1000 : pollMs);
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
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loopDone;
      while (inflight > 0) await new Promise((r) => setTimeout(r, 20));
      await flush();
    },
    wake() {
      wakeUp?.();
    },
  };
}
