import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type OpenDatabase, openDatabase } from '../../server/src/store/open-database.ts';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh SQLite database in its own temp folder; close() removes it. */
export async function openTestSqlite(): Promise<OpenDatabase & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-portal-test-'));
  const open = await openDatabase({ kind: 'sqlite', file: join(dir, 'test.sqlite') });
  return {
    ...open,
    dir,
    close: async () => {
      await open.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let reachable: Promise<string | null> | undefined;

/**
 * Null when PostgreSQL answers, else why not. Under CI (CI=true) an unreachable PostgreSQL is an
 * error, never a skip: CI must run the PostgreSQL suites.
 */
export function postgresUnavailable(): Promise<string | null> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (error) {
      const why = `PostgreSQL at ${POSTGRES_URL} is not reachable (${(error as Error).message})`;
      if (process.env.CI) throw new Error(`${why}; CI must run the PostgreSQL suites`);
      console.warn(`skipping PostgreSQL suite: ${why}`);
      return why;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** A fresh schema on the test PostgreSQL, so parallel runs never collide; close() drops it. */
export async function openTestPostgres(): Promise<OpenDatabase & { schema: string; url: string }> {
  const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const open = await openDatabase({ kind: 'postgres', url: POSTGRES_URL, schema });
  return {
    ...open,
    schema,
    url: POSTGRES_URL,
    close: async () => {
      await open.close();
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
