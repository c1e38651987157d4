/**
 * A whole portal on loopback for retrieval e2e tests and the benchmark: SQLite in a temp dir,
 * the vault (KEK file) and built-in CA as `serve` opens them, the PWA built from this checkout,
 * an admin token, and optionally the email channel with a fast delivery worker. PUBLIC_URL is
 * the real base, so links in mail open this server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createChannels } from '../../server/src/channels/create-channels.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createAdminToken } from '../../server/src/domain/auth/admin-tokens.ts';
import type { DomainContext } from '../../server/src/domain/context.ts';
import { createApp } from '../../server/src/http/app.ts';
import { type Store, systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { openDatabase } from '../../server/src/store/open-database.ts';
import { type CertificateServices, openCertificates } from '../../server/src/vault/open-certificates.ts';
import { createDeliveryWorker, type DeliveryWorker } from '../../server/src/worker/delivery-worker.ts';
import { buildWeb } from '../e2e/harness.ts';

export interface PortalServer {
  base: string;
  store: Store;
  ctx: DomainContext;
  certificates: CertificateServices;
  /** Admin API call with an all-scopes token. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** Builds the PWA into `<dir>/web` (skip with `webRoot` to reuse a build). */
export async function startPortalServer(options: { smtpUrl?: string; webRoot?: string } = {}): Promise<PortalServer & { webRoot: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-portal-retrieval-'));
  const webRoot = options.webRoot ?? join(dir, 'web');
  if (!options.webRoot) await buildWeb(webRoot);
  let handler: ((req: Request) => Response | Promise<Response>) | null = null;
  const server = await new Promise<Server>((ok) => {
    const s = serve({ fetch: (req) => (handler ? handler(req) : new Response('starting', { status: 503 })), port: 0, hostname: '127.0.0.1' }, () => ok(s as Server));
  });
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const config = loadConfig({ DATA_DIR: dir, PUBLIC_URL: base, CA_KEY_ALGORITHM: 'RSA-2048', ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl, MAIL_FROM: 'portal@example.com' } : {}) });
  const database = await openDatabase({ kind: 'sqlite', file: join(dir, 'db.sqlite') });
  const store = createStore(database.db, database.kind);
  const ctx: DomainContext = { store, clock: systemClock, actor: 'test' };
  const certificates = await openCertificates(config, ctx);
  const channels = createChannels({ smtpUrl: options.smtpUrl ?? null, mailFrom: 'portal@example.com', vapid: null, push: { allowInsecureEndpoints: true } });
  let worker: DeliveryWorker | null = null;
  if (options.smtpUrl) {
    worker = createDeliveryWorker(store, channels, systemClock, {
      publicUrl: base,
      concurrency: 8,
      rates: { push: 0, email: 0 },
      leaseMs: 30_000,
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      reminder: { delayMs: 48 * 3600_000, max: 2 },
      pollMs: 20,
    });
    worker.start();
  }
  const app = createApp({
    store,
    clock: systemClock,
    config,
    vault: certificates.vault,
    ca: certificates.ca,
    webRoot,
    device: { allowInsecurePushEndpoints: true },
    delivery: { configured: { push: false, email: Boolean(options.smtpUrl) }, vapidPublicKey: null, ...(worker ? { wake: () => worker!.wake() } : {}) },
  });
  handler = app.fetch;
  const { token } = await createAdminToken(ctx, { name: 'test', scopes: ['read', 'write', 'tokens'] });
  return {
    base,
    webRoot,
    store,
    ctx,
    certificates,
    admin: async (method, path, body) =>
      app.request(path, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      if (worker) await worker.stop();
      await Promise.all([channels.push.close(), channels.email.close()]);
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
