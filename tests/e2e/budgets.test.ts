/**
 * Budgets of the production build: the initial JavaScript of /smime/retrieve ≤ 30 KB gzip and
 * the whole precache ≤ 400 KB gzip. Also checks what makes the app installable (manifest) and
 * that index.html carries no inline script or style (strict CSP).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './harness.ts';

const KB = 1024;
let dir: string;
const gz = (path: string) => gzipSync(readFileSync(join(dir, path)), { level: 9 }).length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smime-budget-'));
  await buildWeb(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('build budgets', () => {
  it('keeps the initial JavaScript of /smime/retrieve within 30 KB gzip', () => {
    // Every route is served the same index.html: its entry script and modulepreloads are what
    // /smime/retrieve loads before it can paint; lazily imported chunks are not counted.
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="\/([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const total = scripts.reduce((n, s) => n + gz(s), 0);
    console.log(`budget: initial JS of /smime/retrieve = ${(total / KB).toFixed(1)} KB gzip (limit 30 KB)`);
    expect(total).toBeLessThanOrEqual(30 * KB);
  });

  it('keeps the whole precache (and the service worker) within 400 KB gzip', () => {
    const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
    const urls = [...new Set([...sw.matchAll(/"?url"?:\s*"([^"]+)"/g)].map((m) => m[1]!))];
    expect(urls).toEqual(expect.arrayContaining(['index.html', 'manifest.webmanifest', 'icons/icon-192.png', 'icons/icon-512.png']));
    const total = urls.reduce((n, u) => n + gz(u), 0) + gz('sw.js');
    console.log(`budget: precache ${urls.length} entries + sw.js = ${(total / KB).toFixed(1)} KB gzip (limit 400 KB)`);
    expect(total).toBeLessThanOrEqual(400 * KB);
    expect(urls.some((u) => u.startsWith('api/'))).toBe(false);
  });

  it('is installable and CSP-clean', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.webmanifest'), 'utf8')) as { display: string; theme_color: string; icons: { sizes: string; purpose?: string }[] };
    expect(manifest).toMatchObject({ display: 'standalone', theme_color: '#1d4ed8' });
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(manifest.icons.some((i) => i.purpose === 'maskable')).toBe(true);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toMatch(/<link rel="manifest" href="\/manifest.webmanifest"/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle="/);
  });
});
