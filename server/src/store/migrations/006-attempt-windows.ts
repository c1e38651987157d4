import type { Kysely } from 'kysely';

/**
 * Failure and call counters of the rate limiters (failed admin sign-ins, enrollment and session
 * attempts, device API calls), kept in the database so that every server process on every
 * machine counts together. Keys are stored hashed; rows past their window are purged.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('attempt_windows')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('attempt_windows_pk', ['scope', 'key_hash'])
    .execute();
  await db.schema.createIndex('attempt_windows_start').on('attempt_windows').column('window_start').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attempt_windows').execute();
}
