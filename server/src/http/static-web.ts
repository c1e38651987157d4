import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import { relative } from 'node:path';
import type { AdminEnv } from './app-env.ts';

/**
 * Serves the built PWA from `root`: files as they are, and index.html for any other page route
 * (client-side routing), never for /api, /scep or /admin paths.
 */
export function mountWeb(app: Hono<AdminEnv>, root: string): void {
  const rel = relative(process.cwd(), root) || '.';
  app.use('/*', async (c, next) => {
    const p = c.req.path;
    if (p.startsWith('/api/') || p === '/scep' || p === '/crl' || p === '/metrics') return next();
    return serveStatic({ root: rel })(c, next);
  });
  app.get('/*', async (c, next) => {
    const p = c.req.path;
    if (p.startsWith('/api/') || /\.[a-z0-9]+$/i.test(p)) return next();
    return serveStatic({ root: rel, path: 'index.html' })(c, next);
  });
}
