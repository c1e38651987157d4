import type { Config } from '../config.ts';
import type { Clock, Store } from '../ports.ts';
import type { ConfiguredChannels } from './channels-from-config.ts';
import { createDeliveryWorker, type DeliveryWorker, type WorkerOptions } from './delivery-worker.ts';

export interface RunningWorker {
  worker: DeliveryWorker;
  delivery: ConfiguredChannels;
  /** Stops the worker, then closes the channels' pooled connections. */
  stop(): Promise<void>;
}

/** The worker options the configuration asks for. */
export function workerOptions(config: Config, log?: WorkerOptions['log']): WorkerOptions {
  const c = config.campaigns;
  return {
    publicUrl: config.publicUrl,
    concurrency: c.concurrency,
    rates: { push: c.pushRate, email: c.emailRate },
    leaseMs: c.leaseMs,
    retry: { maxAttempts: c.maxAttempts, baseDelayMs: 30_000, maxDelayMs: 3_600_000 },
    reminder: { delayMs: c.reminderDelayMs, max: c.reminderMax },
    ...(log ? { log } : {}),
  };
}

/** Starts a delivery worker on `store` sending through `delivery` (see channelsFromConfig). */
export function startWorker(config: Config, store: Store, clock: Clock, log: WorkerOptions['log'] | undefined, delivery: ConfiguredChannels): RunningWorker {
  const worker = createDeliveryWorker(store, delivery.channels, clock, workerOptions(config, log));
  worker.start();
  return {
    worker,
    delivery,
    async stop() {
      await worker.stop();
      await Promise.all([delivery.channels.push.close(), delivery.channels.email.close()]);
    },
  };
}
