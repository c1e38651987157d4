import type { Kysely } from 'kysely';

/** Single-use session nonces and short-lived device sessions (both stored as hashes). */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_nonces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('nonce_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('device_nonces_expires').on('device_nonces').column('expires_at').execute();

  await db.schema
    .createTable('device_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_sessions_device').on('device_sessions').column('device_id').execute();
  await db.schema.createIndex('device_sessions_expires').on('device_sessions').column('expires_at').execute();
  await db.schema.createIndex('enrollment_codes_user').on('enrollment_codes').column('user_id').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('enrollment_codes_user').execute();
  await db.schema.dropTable('device_sessions').execute();
  await db.schema.dropTable('device_nonces').execute();
}
