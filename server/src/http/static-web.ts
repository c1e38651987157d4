import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import { relative } from 'node:path';
import type { AdminEnv } from './app-env.ts';

/** Paths owned by the server, never answered with the PWA shell. */
const isServerPath = (p: string) => p.startsWith('/api/') || p === '/scep' || p.startsWith('/scep/') || p === '/crl' || p === '/metrics';

/**
 * Cache policy of the built PWA: hashed assets are immutable for a year; the shell, the
 * service worker and the manifest are always revalidated, so an update reaches users at once
 * (the service worker serves the shell offline anyway).
 */
export function cacheControlFor(path: string): string {
  if (path.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  if (path.startsWith('/icons/')) return 'public, max-age=86400';
  return 'no-cache';
}

/**
 * Serves the built PWA from `root`: files as they are, and index.html for any other page route
 * (client-side routing), never for /api, /scep or /admin paths.
 */
export function mountWeb(app: Hono<AdminEnv>, root: string): void {
  const rel = relative(process.cwd(), root) || '.';
  app.use('/*', async (c, next) => {
    const p = c.req.path;
    if (isServerPath(p)) return next();
    const res = await serveStatic({ root: rel })(c, next);
    // A found file comes back as a Response; otherwise serveStatic called next().
    if (res) {
      if (res.ok) res.headers.set('cache-control', cacheControlFor(p));
      return res;
    }
  });
  app.get('/*', async (c, next) => {
    const p = c.req.path;
    // The admin console is its own entry: end-user pages never load its code, and vice versa.
    // Its routes can end like a file name (/admin/users/ann@example.com), so no extension test.
    const admin = p === '/admin' || p.startsWith('/admin/');
    if (isServerPath(p) || (!admin && /\.[a-z0-9]+$/i.test(p))) return next();
    const shell = admin ? 'admin/admin.html' : 'index.html';
    const res = await serveStatic({ root: rel, path: shell })(c, next);
    if (res?.ok) res.headers.set('cache-control', 'no-cache');
    return res;
  });
}
