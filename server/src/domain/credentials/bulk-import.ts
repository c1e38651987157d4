import { isAppError } from '../../errors.ts';
import { type DomainContext, inTransaction } from '../context.ts';
import type { User } from '../directory/types.ts';
import { commitPkcs12, commitPkcs12Batch, forgetKey, type ImportDeps, type InspectedPkcs12, inspectPkcs12, type Pkcs12ImportInput, type Pkcs12ImportResult } from './import-pkcs12.ts';

export type BulkItemResult = { ok: true; result: Pkcs12ImportResult } | { ok: false; fileName: string | null; code: string; reason: string };

/** How many validated files are written per transaction (one fsync per batch, not per file). */
export const BULK_COMMIT_BATCH = 100;
/** Files decoded at once. */
export const BULK_CONCURRENCY = 4;

/** Users looked up ahead of the files being decoded (see importPkcs12Bulk). */
export const BULK_LOOKAHEAD = 2 * BULK_COMMIT_BATCH;

/**
 * Imports many PKCS#12 files. Each file is validated on its own (a bad file never blocks the
 * others, and is never half-written); valid files are sealed and written in batches, one
 * transaction per batch; if a batch fails it is retried file by file.
 *
 * Overlap: a batch is written while the next files are decoded. SQLite has one connection, so a
 * file whose user is not yet known would wait for the whole batch transaction before it could
 * start; users are therefore looked up BULK_LOOKAHEAD files ahead, and decoding (PBKDF2 on
 * WebCrypto's worker threads) goes on during the write.
 */
export async function importPkcs12Bulk(
  ctx: DomainContext,
  deps: ImportDeps,
  inputs: Iterable<Pkcs12ImportInput> | AsyncIterable<Pkcs12ImportInput>,
  onResult?: (r: BulkItemResult) => void,
  concurrency = BULK_CONCURRENCY,
): Promise<BulkItemResult[]> {
  const results: BulkItemResult[] = [];
  const users = new Map<string, Promise<User | null>>();
  let pending: InspectedPkcs12[] = [];
  let writing: Promise<void> = Promise.resolve();
  const emit = (r: BulkItemResult) => {
    results.push(r);
    onResult?.(r);
  };
  const failure = (input: Pkcs12ImportInput, error: unknown): BulkItemResult => {
    if (!isAppError(error) || error.code === 'internal') throw error;
    return { ok: false, fileName: input.fileName ?? null, code: error.code, reason: error.message };
  };
  const userOf = (input: Pkcs12ImportInput): Promise<User | null> => {
    const email = input.email.trim().toLowerCase();
    let user = users.get(email);
    if (!user) {
      user = ctx.store.directory.findUserByEmail(email);
      // Awaited later by inspectOne; this only keeps an early rejection from being "unhandled".
      user.catch(() => undefined);
      users.set(email, user);
    }
    return user;
  };

  const write = async (batch: InspectedPkcs12[]) => {
    try {
      const written = await inTransaction(ctx, (tx) => commitPkcs12Batch(tx, deps.vault, batch));
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
  /** Queues the pending files for writing; at most one batch waits behind the one being written. */
  const flush = async () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const previous = writing;
    writing = previous.then(() => write(batch));
    await previous;
  };

  const inspectOne = async (input: Pkcs12ImportInput): Promise<{ input: Pkcs12ImportInput; inspected?: InspectedPkcs12; error?: unknown }> => {
    try {
      return { input, inspected: await inspectPkcs12(ctx, deps.anchors, input, (await userOf(input)) ?? undefined) };
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
  // checks and writes the previous ones.
  const ahead: Pkcs12ImportInput[] = [];
  const window: Promise<Awaited<ReturnType<typeof inspectOne>>>[] = [];
  const advance = async (input: Pkcs12ImportInput) => {
    window.push(inspectOne(input));
    if (window.length >= concurrency) await take(window.shift()!);
  };
  try {
    for await (const input of inputs) {
      userOf(input);
      ahead.push(input);
      if (ahead.length > BULK_LOOKAHEAD) await advance(ahead.shift()!);
    }
    while (ahead.length > 0) await advance(ahead.shift()!);
    while (window.length > 0) await take(window.shift()!);
    await flush();
  } finally {
    await writing.catch(() => undefined);
  }
  await writing;
  return results;
}
