/**
 * The PWA's size budgets (issue 5), as figures: initial JS of /smime/retrieve and the whole
 * precache, gzip, against their limits. The limits are enforced by tests/e2e/budgets.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeb } from '../tests/e2e/harness.ts';
import { BUDGETS, KB, measureBudgets } from '../web/scripts/budgets.ts';

export async function benchWebBudgets(print: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bench-budgets-'));
  try {
    await buildWeb(dir);
    const r = measureBudgets(dir);
    const line = (name: string, bytes: number, limit: number) => `${name}: ${(bytes / KB).toFixed(1)} KB gzip, ${(bytes / limit).toFixed(2)} of the ${limit / KB} KB budget`;
    print(line(`initial JS of /smime/retrieve (${r.initialJs.files.length} files)`, r.initialJs.gzipBytes, BUDGETS.initialJs));
    print(line(`precache (${r.precache.urls.length} entries + sw.js)`, r.precache.gzipBytes, BUDGETS.precache));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
