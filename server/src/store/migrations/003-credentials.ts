import type { Kysely } from 'kysely';

/**
 * Sealed keys (the vault's rows), credentials (certificates with their escrowed keys), the
 * built-in CA with its CRL cache, serials it issued, and SCEP one-time state.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sealed_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kek_id', 'text', (c) => c.notNull())
    .addColumn('wrapped_dek', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sealed_keys_kek').on('sealed_keys').columns(['kek_id', 'id']).execute();

  await db.schema
    .createTable('certificate_authorities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cert_der', 'text', (c) => c.notNull())
    .addColumn('sealed_key_id', 'text', (c) => c.notNull().references('sealed_keys.id'))
    .addColumn('key_algorithm', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    // 'active' on the one active CA, null on retired ones (unique: at most one active).
    .addColumn('active_slot', 'text', (c) => c.unique())
    .addColumn('crl_number', 'bigint', (c) => c.notNull())
    .addColumn('crl_der', 'text')
    .addColumn('crl_this_update', 'bigint')
    .addColumn('crl_next_update', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('cert_der', 'text', (c) => c.notNull())
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('sha1', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('serial_hex', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('not_after', 'bigint', (c) => c.notNull())
    .addColumn('key_algorithm', 'text', (c) => c.notNull())
    .addColumn('sealed_key_id', 'text', (c) => c.references('sealed_keys.id'))
    .addColumn('ca_id', 'text', (c) => c.references('certificate_authorities.id'))
    .addColumn('device_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revocation_reason', 'text')
    .addColumn('deleted_at', 'bigint')
    .addUniqueConstraint('credentials_user_sha256', ['user_id', 'sha256'])
    .addUniqueConstraint('credentials_user_sha1', ['user_id', 'sha1'])
    .execute();
  await db.schema.createIndex('credentials_sha256').on('credentials').column('sha256').execute();
  await db.schema.createIndex('credentials_ca_revoked').on('credentials').columns(['ca_id', 'revoked_at']).execute();

  await db.schema
    .createTable('ca_serials')
    .addColumn('ca_id', 'text', (c) => c.notNull())
    .addColumn('serial_hex', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ca_serials_pk', ['ca_id', 'serial_hex'])
    .execute();

  await db.schema
    .createTable('scep_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('challenge_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('scep_transactions')
    .addColumn('transaction_id', 'text', (c) => c.primaryKey())
    .addColumn('signer_thumbprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['scep_transactions', 'scep_challenges', 'ca_serials', 'credentials', 'certificate_authorities', 'sealed_keys']) {
    await db.schema.dropTable(t).execute();
  }
}
