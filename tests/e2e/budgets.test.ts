/**
 * Budgets of the production build: the initial JavaScript of /smime/retrieve ≤ 30 KB gzip and
 * the whole precache ≤ 400 KB gzip. Also checks what makes the app installable (manifest) and
 * that index.html carries no inline script or style (strict CSP).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUDGETS, KB, measureBudgets } from '../../web/scripts/budgets.ts';
import { buildWeb } from './harness.ts';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smime-budget-'));
  await buildWeb(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('build budgets', () => {
  it('keeps the initial JavaScript of /smime/retrieve within 30 KB gzip', () => {
    // Lazily imported chunks (the PKI code) are not counted: they load after the first paint.
    const { initialJs } = measureBudgets(dir);
    expect(initialJs.files.length).toBeGreaterThan(0);
    console.log(`budget: initial JS of /smime/retrieve = ${(initialJs.gzipBytes / KB).toFixed(1)} KB gzip (limit 30 KB)`);
    expect(initialJs.gzipBytes).toBeLessThanOrEqual(BUDGETS.initialJs);
  });

  it('keeps the whole precache (and the service worker) within 400 KB gzip', () => {
    const { precache } = measureBudgets(dir);
    expect(precache.urls).toEqual(expect.arrayContaining(['index.html', 'manifest.webmanifest', 'icons/icon-192.png', 'icons/icon-512.png']));
    console.log(`budget: precache ${precache.urls.length} entries + sw.js = ${(precache.gzipBytes / KB).toFixed(1)} KB gzip (limit 400 KB)`);
    expect(precache.gzipBytes).toBeLessThanOrEqual(BUDGETS.precache);
    expect(precache.urls.some((u) => u.startsWith('api/'))).toBe(false);
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
