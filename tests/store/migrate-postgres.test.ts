/**
 * Opening an up-to-date PostgreSQL schema reads its own migration table only: Kysely's migrator
 * (which takes the migration lock and introspects every schema of the database) runs only when a
 * migration is missing.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/src/store/open-database.ts';
import { openTestPostgres, postgresUnavailable } from '../support/databases.ts';

const unavailable = await postgresUnavailable();

describe.skipIf(unavailable !== null)('migrations on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof openTestPostgres>>;
  let client: pg.Client;
  beforeAll(async () => {
    database = await openTestPostgres();
    client = new pg.Client({ connectionString: database.url, options: `-c search_path=${database.schema}` });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.close();
  });

  it('a process opening an up-to-date schema does not wait for the migration lock', async () => {
    // Kysely's migrator serialises on this advisory lock (kysely/dist/esm/dialect/postgres/postgres-adapter.js).
    await client.query('select pg_advisory_lock(3853314791062309107)');
    try {
      const opened = openDatabase({ kind: 'postgres', url: database.url, schema: database.schema });
      const outcome = await Promise.race([opened.then(() => 'opened'), new Promise((r) => setTimeout(() => r('waited for the lock'), 5000))]);
      expect(outcome).toBe('opened');
      await (await opened).close();
    } finally {
      await client.query('select pg_advisory_unlock(3853314791062309107)');
    }
  });

  it('a missing migration is applied when the next process opens the schema', async () => {
    await client.query(`delete from kysely_migration where name = '006-attempt-windows'`);
    await client.query('drop table attempt_windows');
    const opened = await openDatabase({ kind: 'postgres', url: database.url, schema: database.schema });
    await opened.close();
    expect((await client.query(`select to_regclass('attempt_windows')::text as t`)).rows[0].t).toBe('attempt_windows');
    expect((await client.query(`select count(*)::int as n from kysely_migration where name = '006-attempt-windows'`)).rows[0].n).toBe(1);
  });
});
