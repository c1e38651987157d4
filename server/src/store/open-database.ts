import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, sql, PostgresDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors.ts';
import { migrations } from './migrations/index.ts';
import { PatientSqliteDialect } from './sqlite-dialect.ts';
import { withStatementCache } from './statement-cache.ts';
import type { Database } from './schema.ts';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };

export interface OpenDatabase {
  db: Kysely<Database>;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

// PostgreSQL returns int8 as a string to protect precision; our int8 columns hold epoch
// milliseconds and counts, far below 2^53, so numbers are right. Per pool, not global.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Opens the database and brings its schema up to date. SQLite: WAL, synchronous=FULL,
 * foreign keys on, lock waits (CLI, server and workers share the file) that do not block the
 * event loop (sqlite-dialect.ts), prepared statements
 * reused (statement-cache.ts). PostgreSQL: a pool,
 * optionally pinned to a schema (tests give each run its own).
 */
export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  let db: Kysely<Database>;
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    const sqlite = new SqliteDatabase(target.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    // Opening waits for locks the blocking way (better-sqlite3's 5 s default); from here on,
    // lock waits are asynchronous (sqlite-dialect.ts).
    sqlite.pragma('busy_timeout = 0');
    db = new Kysely<Database>({ dialect: new PatientSqliteDialect({ database: withStatementCache(sqlite) }, { sqlite }) });
  } else {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: 10,
      types: pgTypes,
      ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  try {
    await migrateToLatest(db, target.kind);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, kind: target.kind, close: () => db.destroy() };
}

const provider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => migrations,
};

/** Applies pending migrations; fails with the migration's name and cause. */
export async function migrateToLatest(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): Promise<void> {
  if (kind === 'postgres' && (await upToDate(db))) return;
  // On PostgreSQL, name the schema: without one, Kysely's "does the migration table exist"
  // check matches a kysely_migration table in ANY schema of the database (another test run's,
  // another deployment's) and then fails using one that is not on the search path.
  const schema =
    kind === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
  // Areas add migrations independently; a database may have applied a later-numbered one first.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
  for (let attempt = 1; ; attempt += 1) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return;
    const message = (error as Error)?.message ?? String(error);
    // Kysely's introspection reads every schema of the database by name; one dropped meanwhile
    // by someone else (parallel test runs do) fails it with "schema … does not exist". The
    // migrations themselves ran in a transaction and are simply tried again.
    if (kind === 'postgres' && attempt < 3 && /^schema ".*" does not exist$/.test(message)) continue;
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('internal', `database migration ${failed} failed: ${message}`, { cause: error });
  }
}

/**
 * Whether every migration is applied already, read from this schema's migration table alone:
 * a process starting on an up-to-date PostgreSQL database (every worker and server but the first)
 * skips Kysely's migrator and its introspection of the whole database.
 */
async function upToDate(db: Kysely<Database>): Promise<boolean> {
  const table = await sql<{ t: string | null }>`select to_regclass('kysely_migration')::text as t`.execute(db);
  if (!table.rows[0]?.t) return false;
  const applied = new Set((await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows.map((r) => r.name));
  return Object.keys(migrations).every((name) => applied.has(name));
}
