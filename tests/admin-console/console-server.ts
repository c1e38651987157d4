/**
 * The admin console's e2e server: the real app (built web, SQLite, vault, built-in CA) with the
 * email channel wired to a real SMTP sink and a fast delivery worker in this process. Reuses the
 * e2e build/browser harness and the campaign suites' SMTP sink and worker. PUBLIC_URL is the real
 * base, so the links in the notice mails open this server (a device in the test follows them).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createChannels } from '../../server/src/channels/create-channels.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createAdminToken } from '../../server/src/domain/auth/admin-tokens.ts';
import { ensureCa } from '../../server/src/domain/ca/ca-service.ts';
import { createApp } from '../../server/src/http/app.ts';
import { type Store, systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { openDatabase } from '../../server/src/store/open-database.ts';
import { kekFromBytes } from '../../server/src/vault/kek.ts';
import { staticKeyring } from '../../server/src/vault/keyring.ts';
import { createVault } from '../../server/src/vault/vault.ts';
import { fastWorker, type SmtpSink, startSmtpSink } from '../campaigns/harness.ts';
import { buildWeb } from '../e2e/harness.ts';

export interface ConsoleServer {
  base: string;
  store: Store;
  token: string;
  smtp: SmtpSink;
  webRoot: string;
  close(): Promise<void>;
}

/** Builds the web into a temp folder once (or reuses `webRoot`) and serves everything on a socket. */
export async function startConsoleServer(options: { webRoot?: string } = {}): Promise<ConsoleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-admin-'));
  const webRoot = options.webRoot ?? join(dir, 'web');
  if (!options.webRoot) await buildWeb(webRoot);
  const database = await openDatabase({ kind: 'sqlite', file: join(dir, 'db.sqlite') });
  const store = createStore(database.db, database.kind);
  const ctx = { store, clock: systemClock, actor: 'test' };
  const vault = createVault(staticKeyring(kekFromBytes(new Uint8Array(randomBytes(32)), 'test')));
  const ca = await ensureCa(ctx, vault, { commonName: 'Console Test CA', keyAlgorithm: 'EC-P256', validityYears: 5 });
  // Listen first: the base (with its port) is the PUBLIC_URL the app and the worker's links use.
  let handler: ((req: Request) => Response | Promise<Response>) | null = null;
  const server = await new Promise<Server>((ok) => {
    const s = serve({ fetch: (req) => (handler ? handler(req) : new Response('starting', { status: 503 })), port: 0, hostname: '127.0.0.1' }, () => ok(s as Server));
  });
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const smtp = await startSmtpSink();
  const channels = createChannels({ smtpUrl: smtp.url, mailFrom: 'it@example.com', vapid: null, push: { allowInsecureEndpoints: true } });
  const worker = fastWorker(store, channels, { publicUrl: base });
  const { token } = await createAdminToken(ctx, { name: 'console-admin', scopes: ['read', 'write', 'tokens'] });
  const app = createApp({
    store,
    clock: systemClock,
    config: loadConfig({ DATA_DIR: dir, SMTP_URL: smtp.url, PUBLIC_URL: base }),
    webRoot,
    vault,
    ca,
    delivery: { configured: { email: true, push: false }, vapidPublicKey: null, wake: () => worker.wake(), progressIntervalMs: 100 },
  });
  handler = app.fetch;
  worker.start();
  return {
    base,
    store,
    token,
    smtp,
    webRoot,
    async close() {
      await worker.stop();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      await channels.email.close();
      await smtp.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
