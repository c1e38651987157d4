/**
 * The e2e harness: builds the PWA once per test file into a temp folder, serves the real app on
 * a real socket over a fresh SQLite database, and launches Debian's Chromium (playwright-core).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll } from 'vitest';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { generateVapidKeys, type VapidKeys } from '../../server/src/channels/push/vapid.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createEnrollmentCode } from '../../server/src/domain/devices/enrollment.ts';
import { createApp } from '../../server/src/http/app.ts';
import { type Store, systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { openDatabase } from '../../server/src/store/open-database.ts';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * Builds web/ with the project's vite config into `outDir`, in a child process with
 * NODE_ENV=production: under vitest NODE_ENV is "test", which would make Vite build a dev bundle.
 */
export async function buildWeb(outDir: string): Promise<void> {
  const root = resolve(import.meta.dirname, '../..');
  const child = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`vite build failed (${code}): ${stderr}`);
}

export interface E2eServer {
  base: string;
  store: Store;
  vapid: VapidKeys;
  webRoot: string;
  /** A fresh user and a one-time enrollment code for them. */
  newCode(email?: string, ttlMs?: number): Promise<{ code: string; email: string; userId: string }>;
  close(): Promise<void>;
}

let seq = 0;

export async function startE2eServer(): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-e2e-'));
  const webRoot = join(dir, 'web');
  await buildWeb(webRoot);
  const database = await openDatabase({ kind: 'sqlite', file: join(dir, 'db.sqlite') });
  const store = createStore(database.db, database.kind);
  const vapid = generateVapidKeys();
  const app = createApp({
    store,
    clock: systemClock,
    config: loadConfig({ DATA_DIR: dir }),
    webRoot,
    device: { allowInsecurePushEndpoints: true },
    delivery: { configured: { push: true, email: false }, vapidPublicKey: vapid.publicKey },
  });
  const server = await new Promise<Server>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s as Server));
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    store,
    vapid,
    webRoot,
    async newCode(email = `e2e${++seq}-${Date.now()}@example.com`, ttlMs) {
      await store.directory.upsertUser({ email, displayName: 'E2E' }, new Date());
      const r = await createEnrollmentCode({ store, clock: systemClock, actor: 'test' }, { email, ...(ttlMs ? { ttlMs } : {}) });
      return { code: r.code, email, userId: r.userId };
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the e2e server and Chromium before the file's tests and closes both after them; read
 * `server` and `browser` from the returned object inside tests and hooks.
 */
export function useE2e(): { readonly server: E2eServer; readonly browser: Browser } {
  const e2e = {} as { server: E2eServer; browser: Browser };
  beforeAll(async () => {
    [e2e.server, e2e.browser] = await Promise.all([startE2eServer(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await e2e.browser?.close();
    await e2e.server?.close();
  });
  return e2e;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A context whose pages record CSP violations and uncaught errors. */
export async function newContext(browser: Browser, base: string, options: { locale?: string } = {}): Promise<BrowserContext & { problems: string[] }> {
  const context = (await browser.newContext({ baseURL: base, locale: options.locale ?? 'en-US', serviceWorkers: 'allow' })) as BrowserContext & { problems: string[] };
  context.problems = [];
  context.on('page', (page) => {
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) context.problems.push(m.text());
    });
    page.on('pageerror', (e) => context.problems.push(`pageerror: ${e.message}`));
  });
  return context;
}

export { freePort, startPushReceiver } from '../support/push-receiver.ts';
