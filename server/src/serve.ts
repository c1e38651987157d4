import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { serve as serveNode } from '@hono/node-server';
import type { Config } from './config.ts';
import { bootstrapAdminToken } from './domain/auth/admin-tokens.ts';
import { createApp } from './http/app.ts';
import { openRuntime } from './runtime.ts';

export const WEB_ROOT = resolve(import.meta.dirname, '../../dist/web');

/** Builds the PWA with Vite when dist/web is missing (first `npm start` on a fresh clone). */
export async function buildWebIfNeeded(log: (line: string) => void): Promise<void> {
  if (existsSync(resolve(WEB_ROOT, 'index.html'))) return;
  log('building the web app (first start)…');
  const { build } = await import('vite');
  await build({ configFile: resolve(import.meta.dirname, '../../vite.config.ts'), logLevel: 'warn' });
}

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
  const token = await bootstrapAdminToken(rt.context('system'));
  if (token) {
    log(`admin token (shown once; keep it safe): ${token}`);
  }
  const app = createApp({
    store: rt.store,
    clock: rt.clock,
    config,
    webRoot: existsSync(WEB_ROOT) ? WEB_ROOT : null,
    log: (level, message, detail) => log(JSON.stringify({ level, message, ...detail })),
  });
  const server = await new Promise<Server>((resolveServer, reject) => {
    const s = serveNode({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolveServer(s as Server));
    (s as Server).once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log(`smime-portal serving ${url} (database: ${rt.store.kind}${config.database.kind === 'sqlite' ? ` ${config.database.file}` : ''})`);
  return {
    url,
    server,
    async stop() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections?.();
      });
      await rt.close();
    },
  };
}
