/** Shared pieces of the campaign suites: an SMTP sink, an app with delivery wired, a worker. */
import { once } from 'node:events';
import type net from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createAdminToken } from '../../server/src/domain/auth/admin-tokens.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createApp } from '../../server/src/http/app.ts';
import { type Channels, type ChannelKind, type Clock, type Store, systemClock } from '../../server/src/ports.ts';
import { createDeliveryWorker, type DeliveryWorker, type WorkerOptions } from '../../server/src/worker/delivery-worker.ts';

export interface SmtpSink {
  url: string;
  inbox: ParsedMail[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback. Local part `reject550…` → 550, `flaky…` → 451 on first try. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const inbox: ParsedMail[] = [];
  const tries = new Map<string, number>();
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _s, cb) {
      const local = address.address.split('@')[0] ?? '';
      const n = (tries.get(local) ?? 0) + 1;
      tries.set(local, n);
      if (local.startsWith('reject550')) return cb(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      if (local.startsWith('flaky') && n === 1) return cb(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
      return cb();
    },
    onData(stream, _s, cb) {
      simpleParser(stream).then(
        (mail) => {
          inbox.push(mail);
          cb();
        },
        (error: Error) => cb(error),
      );
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`,
    inbox,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The real app with delivery configured as given, and an all-scopes admin token. */
export async function appWith(store: Store, env: Record<string, string>, configured: Record<ChannelKind, boolean>, vapidPublicKey: string | null = null, clock: Clock = systemClock) {
  const config = loadConfig({ PUBLIC_URL: 'https://portal.example.com', ...env });
  const { token } = await createAdminToken({ store, clock, actor: 'test' }, { name: 'test', scopes: ['read', 'write', 'tokens'] });
  const app = createApp({ store, clock, config, delivery: { configured, vapidPublicKey, progressIntervalMs: 50 } });
  const call = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { app, call, config };
}

/** A fast worker: short polls and retry delays, so tests finish in moments. */
export function fastWorker(store: Store, channels: Channels, over: Partial<WorkerOptions> = {}, clock: Clock = systemClock): DeliveryWorker {
  return createDeliveryWorker(store, channels, clock, {
    publicUrl: 'https://portal.example.com',
    concurrency: 32,
    rates: { push: 0, email: 0 },
    leaseMs: 30_000,
    retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
    reminder: { delayMs: 48 * 3600_000, max: 2 },
    pollMs: 20,
    ...over,
  });
}

/** Runs a fast worker until the campaign is done (or fails after `ms`), then stops it. */
export async function runUntilDone(store: Store, channels: Channels, campaignId: string, ms = 15_000): Promise<void> {
  const worker = fastWorker(store, channels);
  worker.start();
  try {
    await until(async () => (await store.campaigns.getCampaign(campaignId))?.status === 'done', ms, 'campaign done');
  } finally {
    await worker.stop();
  }
}

/** Polls until `check` is true (or fails after `ms`). */
export async function until(check: () => Promise<boolean> | boolean, ms = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
