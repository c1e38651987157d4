import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { resolve } from 'node:path';
import { serve as serveNode } from '@hono/node-server';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import { bootstrapAdminToken } from './domain/auth/admin-tokens.ts';
import { createApp } from './http/app.ts';
import { createLogger, logFunction } from './log/create-logger.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { openCertificates, scheduleRenewalSweep } from './vault/open-certificates.ts';
import { channelsFromConfig } from './worker/channels-from-config.ts';
import { startWorker } from './worker/start-worker.ts';

export const WEB_ROOT = resolve(import.meta.dirname, '../../dist/web');

/** Builds the PWA with Vite when dist/web is missing (first `npm start` on a fresh clone). */
export async function buildWebIfNeeded(log: (line: string) => void): Promise<void> {
  if (existsSync(resolve(WEB_ROOT, 'index.html'))) return;
  log('building the web app (first start)…');
  const { build } = await import('vite');
  await build({ configFile: resolve(import.meta.dirname, '../../vite.config.ts'), logLevel: 'warn' });
}

/** Reads the PEM files of TLS_CERT/TLS_KEY, failing with the file and reason (never the key). */
function readTlsFiles(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new AppError('bad_request', `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  };
  return { cert: read(tls.certFile, 'TLS_CERT'), key: read(tls.keyFile, 'TLS_KEY') };
}

/** How long requests in flight may run on after SIGTERM before their connections are cut. */
export const SHUTDOWN_GRACE_MS = 5_000;

export interface Running {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/**
 * Opens the database, prints the bootstrap admin token on first start, and serves the app.
 * `stop` stops taking connections, then closes the database.
 */
export async function startServer(config: Config, log: (line: string) => void): Promise<Running> {
  const rt = await openRuntime(config);
  // What is started is undone in reverse if a later step fails (wrong KEK, port taken…), so a
  // failed start leaves no timer, worker or database handle behind.
  const undo: (() => Promise<void> | void)[] = [() => rt.close()];
  try {
    return await serveOn(rt, config, log, undo);
  } catch (error) {
    for (const step of undo.reverse()) await step();
    throw error;
  }
}

async function serveOn(rt: Runtime, config: Config, log: (line: string) => void, undo: (() => Promise<void> | void)[]): Promise<Running> {
  const token = await bootstrapAdminToken(rt.context('system'));
  if (token) {
    log(`admin token (shown once; keep it safe): ${token}`);
  }
  // First start creates DATA_DIR/kek (0600) and the built-in CA; a wrong KEK fails here.
  const certificates = await openCertificates(config, rt.context('system'));
  const logger = createLogger({ level: config.logLevel });
  const stopSweep = scheduleRenewalSweep(rt.context('system'), certificates, config, logFunction(logger.child({ component: 'renewal' })));
  undo.push(stopSweep);
  // VAPID keys live in the database (private key sealed by the vault): shared by every machine.
  const workerLog = logFunction(logger.child({ component: 'worker' }));
  const delivery = await channelsFromConfig(config, { store: rt.store, vault: certificates.vault, clock: rt.clock, log: workerLog });
  // The embedded worker (WORKER=embedded, the default) sends notifications from this process.
  const embedded = config.embeddedWorker
    ? startWorker(config, rt.store, rt.clock, workerLog, delivery)
    : null;
  undo.push(() => (embedded ? embedded.stop() : Promise.all([delivery.channels.push.close(), delivery.channels.email.close()]).then(() => undefined)));
  const app = createApp({
    store: rt.store,
    clock: rt.clock,
    config,
    vault: certificates.vault,
    ca: certificates.ca,
    delivery: { configured: delivery.configured, vapidPublicKey: delivery.vapidPublicKey, ...(embedded ? { wake: () => embedded.worker.wake() } : {}) },
    webRoot: existsSync(WEB_ROOT) ? WEB_ROOT : null,
    logger,
  });
  const server = await new Promise<Server>((resolveServer, reject) => {
    const s = serveNode(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        ...(config.tls ? { createServer: createHttpsServer, serverOptions: readTlsFiles(config.tls) } : {}),
      },
      () => resolveServer(s as Server),
    );
    (s as Server).once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log(`smime-portal serving ${url} (database: ${rt.store.kind}${config.database.kind === 'sqlite' ? ` ${config.database.file}` : ''})`);
  return {
    url,
    server,
    async stop() {
      // Stop accepting; idle keep-alive sockets close now, requests in flight get a grace
      // period, then long-lived ones (SSE progress streams) are cut so shutdown is bounded.
      await new Promise<void>((r) => {
        const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          r();
        });
        server.closeIdleConnections();
      });
      stopSweep();
      if (embedded) await embedded.stop();
      else await Promise.all([delivery.channels.push.close(), delivery.channels.email.close()]);
      await rt.close();
    },
  };
}
