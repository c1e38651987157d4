import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every file an end user's browser can load from the built PWA: index.html's scripts,
 * modulepreloads and stylesheets, every chunk they import (statically or dynamically), and the
 * service worker's precache list. Paths are relative to `root`.
 */
export function endUserFiles(root: string): { files: string[]; precache: string[] } {
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const start = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length) {
    const f = queue.shift()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (!f.endsWith('.js')) continue;
    const text = readFileSync(join(root, f), 'utf8');
    const dir = f.includes('/') ? f.slice(0, f.lastIndexOf('/') + 1) : '';
    for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s*)["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      queue.push(new URL(m[1]!, `http://x/${dir}`).pathname.slice(1));
    }
  }
  const sw = readFileSync(join(root, 'sw.js'), 'utf8');
  const precache = [...sw.matchAll(/url:\s*"([^"]+)"/g), ...sw.matchAll(/"url":\s*"([^"]+)"/g)].map((m) => m[1]!);
  return { files: [...seen], precache: [...new Set(precache)] };
}
