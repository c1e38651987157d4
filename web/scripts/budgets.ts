import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const KB = 1024;
/** Issue 5's budgets, in gzip bytes. */
export const BUDGETS = { initialJs: 30 * KB, precache: 400 * KB } as const;

export interface BudgetReport {
  /** The entry script and modulepreloads of index.html: what /smime/retrieve loads before it paints. */
  initialJs: { files: string[]; gzipBytes: number };
  /** Every precache entry named in sw.js, plus sw.js itself. */
  precache: { urls: string[]; gzipBytes: number };
}

/** Measures a production build in `dir` (every route is served the same index.html). */
export function measureBudgets(dir: string): BudgetReport {
  const gz = (path: string) => gzipSync(readFileSync(join(dir, path)), { level: 9 }).length;
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<script[^>]*\ssrc="\/([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map((m) => m[1]!);
  const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
  const urls = [...new Set([...sw.matchAll(/"?url"?:\s*"([^"]+)"/g)].map((m) => m[1]!))];
  return {
    initialJs: { files, gzipBytes: files.reduce((n, s) => n + gz(s), 0) },
    precache: { urls, gzipBytes: urls.reduce((n, u) => n + gz(u), 0) + gz('sw.js') },
  };
}
