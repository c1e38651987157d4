/**
 * Two connections to one SQLite file, as the CLI, `serve` and `worker` processes share it: a
 * connection that finds the write lock taken waits for it without stopping the event loop. Both
 * connections live in this one process, so a wait inside the driver (a busy timeout) would also
 * keep the lock holder from ever committing: these tests fail with the blocking wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../server/src/store/open-database.ts';
import type { Database } from '../../server/src/store/schema.ts';
import { PatientSqliteDialect } from '../../server/src/store/sqlite-dialect.ts';
import { withStatementCache } from '../../server/src/store/statement-cache.ts';

let dir: string;
let file: string;
let a: OpenDatabase;
let b: OpenDatabase;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smime-portal-locks-'));
  file = join(dir, 'db.sqlite');
  a = await openDatabase({ kind: 'sqlite', file });
  b = await openDatabase({ kind: 'sqlite', file });
});

afterEach(async () => {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Runs a write transaction on `db` that holds the write lock until the returned release() is called. */
async function holdWriteLock(db: Kysely<Database>): Promise<{ release(): void; done: Promise<void> }> {
  const held = deferred();
  const locked = deferred();
  const done = db.transaction().execute(async (tx) => {
    await tx.insertInto('kv').values({ key: 'holder', value: '1' }).execute();
    locked.resolve();
    await held.promise;
  });
  await locked.promise;
  return { release: held.resolve, done };
}

/** While `a` holds the write lock, `write` on `b` waits, the event loop turning; it completes once `a` commits. */
async function expectWaitThenWrite(write: () => Promise<unknown>): Promise<void> {
  const holder = await holdWriteLock(a.db);
  let settled = false;
  const waiter = write().finally(() => {
    settled = true;
  });
  // A loop frozen in the driver's busy wait turns at most once (the late interval firing once).
  expect(await turnsDuring(150)).toBeGreaterThanOrEqual(3);
  expect(settled).toBe(false);
  holder.release();
  await holder.done;
  await waiter;
  expect(await keys(b.db)).toEqual(['holder', 'waiter']);
}

/** Counts event-loop turns (a 5 ms interval) while `ms` pass. */
async function turnsDuring(ms: number): Promise<number> {
  let turns = 0;
  const timer = setInterval(() => {
    turns += 1;
  }, 5);
  await new Promise((resolve) => setTimeout(resolve, ms));
  clearInterval(timer);
  return turns;
}

const keys = async (db: Kysely<Database>) => (await db.selectFrom('kv').select('key').where('key', 'in', ['holder', 'waiter']).orderBy('key').execute()).map((r) => r.key);

describe('SQLite lock waits', () => {
  it('a write transaction waits for the other connection without stopping the event loop, then commits', async () => {
    await expectWaitThenWrite(() => b.db.transaction().execute((tx) => tx.insertInto('kv').values({ key: 'waiter', value: '2' }).execute()));
  });

  it('a write outside a transaction waits the same way', async () => {
    await expectWaitThenWrite(() => b.db.insertInto('kv').values({ key: 'waiter', value: '2' }).execute());
  });

  it('reads do not wait for the other connection’s write transaction (WAL)', async () => {
    const holder = await holdWriteLock(a.db);
    // The uncommitted row is not seen; the read answers at once.
    expect(await keys(b.db)).toEqual([]);
    holder.release();
    await holder.done;
    expect(await keys(b.db)).toEqual(['holder']);
  });

  it('gives up with SQLITE_BUSY once the wait exceeds its limit, having written nothing', async () => {
    const raw = new SqliteDatabase(file);
    raw.pragma('busy_timeout = 0');
    const patient = new Kysely<Database>({ dialect: new PatientSqliteDialect({ database: withStatementCache(raw) }, { sqlite: raw, busyTimeoutMs: 120 }) });
    const holder = await holdWriteLock(a.db);
    const started = Date.now();
    const error = await patient
      .transaction()
      .execute((tx) => tx.insertInto('kv').values({ key: 'waiter', value: '2' }).execute())
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    expect(error).toMatchObject({ code: 'SQLITE_BUSY', message: 'database is locked' });
    holder.release();
    await holder.done;
    expect(await keys(patient)).toEqual(['holder']);
    await patient.destroy();
  });
});
