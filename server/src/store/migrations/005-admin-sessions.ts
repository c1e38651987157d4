import type { Kysely } from 'kysely';

/**
 * Browser sessions of the admin console. Only the SHA-256 of the session secret is stored; a
 * session belongs to the admin token that opened it, so revoking the token ends the session.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('admin_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_id', 'text', (c) => c.notNull().references('admin_tokens.id').onDelete('cascade'))
    .addColumn('session_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('admin_sessions_expires').on('admin_sessions').column('expires_at').execute();
  await db.schema.createIndex('admin_sessions_token').on('admin_sessions').column('token_id').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('admin_sessions').execute();
}
