import { isAppError } from '../../errors.ts';
import { type DomainContext, inTransaction } from '../context.ts';
import type { User } from '../directory/types.ts';
import { commitPkcs12, forgetKey, type ImportDeps, type InspectedPkcs12, inspectPkcs12, type Pkcs12ImportInput, type Pkcs12ImportResult } from './import-pkcs12.ts';

export type BulkItemResult = { ok: true; result: Pkcs12ImportResult } | { ok: false; fileName: string | null; code: string; reason: string };

/** How many validated files are written per transaction (one fsync per batch, not per file). */
export const BULK_COMMIT_BATCH = 100;
/** Files decoded at once. */
export const BULK_CONCURRENCY = 4;

/**
 * Imports many PKCS#12 files. Each file is validated on its own (a bad file never blocks the
 * others, and is never half-written); valid files are sealed and written in batches, one
 * transaction per batch; if a batch fails it is retried file by file.
 */
export async function importPkcs12Bulk(
  ctx: DomainContext,
  deps: ImportDeps,
  inputs: Iterable<Pkcs12ImportInput> | AsyncIterable<Pkcs12ImportInput>,
  onResult?: (r: BulkItemResult) => void,
  concurrency = BULK_CONCURRENCY,
): Promise<BulkItemResult[]> {
  const results: BulkItemResult[] = [];
  const users = new Map<string, User | null>();
  let pending: InspectedPkcs12[] = [];
  const emit = (r: BulkItemResult) => {
    results.push(r);
    onResult?.(r);
  };
  const failure = (input: Pkcs12ImportInput, error: unknown): BulkItemResult => {
    if (!isAppError(error) || error.code === 'internal') throw error;
    return { ok: false, fileName: input.fileName ?? null, code: error.code, reason: error.message };
  };

  const flush = async () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      const written = await inTransaction(ctx, async (tx) => {
        const out: Pkcs12ImportResult[] = [];
        for (const item of batch) out.push(await commitPkcs12(tx, deps.vault, item));
        return out;
      });
      for (const r of written) emit({ ok: true, result: r });
    } catch {
      // Some row failed (a concurrent import of the same file, say): write one by one.
      for (const item of batch) {
        try {
          emit({ ok: true, result: await inTransaction(ctx, (tx) => commitPkcs12(tx, deps.vault, item)) });
        } catch (error) {
          emit(failure(item.input, error));
        }
      }
    } finally {
      for (const item of batch) forgetKey(item);
    }
  };

  const inspectOne = async (input: Pkcs12ImportInput): Promise<{ input: Pkcs12ImportInput; inspected?: InspectedPkcs12; error?: unknown }> => {
    try {
      const email = input.email.trim().toLowerCase();
      if (!users.has(email)) users.set(email, await ctx.store.directory.findUserByEmail(email));
      return { input, inspected: await inspectPkcs12(ctx, deps.anchors, input, users.get(email) ?? undefined) };
    } catch (error) {
      return { input, error };
    }
  };
  const take = async (next: Promise<Awaited<ReturnType<typeof inspectOne>>>) => {
    const r = await next;
    if (r.inspected) pending.push(r.inspected);
    else emit(failure(r.input, r.error));
    if (pending.length >= BULK_COMMIT_BATCH) await flush();
  };

  // A few files in flight: their PBKDF2 runs on WebCrypto's worker threads while this thread
  // checks and writes the previous ones. Results keep the input order.
  const window: Promise<Awaited<ReturnType<typeof inspectOne>>>[] = [];
  for await (const input of inputs) {
    window.push(inspectOne(input));
    if (window.length >= concurrency) await take(window.shift()!);
  }
  while (window.length > 0) await take(window.shift()!);
  await flush();
  return results;
}
