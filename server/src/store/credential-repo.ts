import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Credential, CredentialPurpose, CredentialRepo, CredentialSource, CredentialStatus, NewCredential, SealedKey } from '../domain/credentials/types.ts';
import { newId } from '../ids.ts';
import type { CredentialsTable, SealedKeysTable } from './credential-tables.ts';
import type { Database } from './schema.ts';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

function toSealedKey(row: Selectable<SealedKeysTable>): SealedKey {
  return { id: row.id, kekId: row.kek_id, wrappedDek: unb64(row.wrapped_dek), ciphertext: unb64(row.ciphertext) };
}

/** Maps a credentials row to the domain's Credential. */
export function toCredential(row: Selectable<CredentialsTable>): Credential {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose as CredentialPurpose,
    source: row.source as CredentialSource,
    status: row.status as CredentialStatus,
    certificateDer: unb64(row.cert_der),
    chain: (JSON.parse(row.chain) as string[]).map(unb64),
    sha1: row.sha1,
    sha256: row.sha256,
    serialHex: row.serial_hex,
    issuer: row.issuer,
    subject: row.subject,
    notBefore: new Date(Number(row.not_before)),
    notAfter: new Date(Number(row.not_after)),
    keyAlgorithm: row.key_algorithm,
    sealedKeyId: row.sealed_key_id,
    caId: row.ca_id,
    deviceId: row.device_id,
    createdAt: new Date(Number(row.created_at)),
    revokedAt: dateOrNull(row.revoked_at),
    revocationReason: row.revocation_reason,
    deletedAt: dateOrNull(row.deleted_at),
  };
}

const ENCRYPTION = ['smimeEncryption', 'both'];

/**
 * Rows per multi-row statement: a credentials row binds 23 parameters; PostgreSQL allows 65535
 * per statement and SQLite (since 3.32) 32766.
 */
const ROWS_PER_STATEMENT = 500;

function chunks<T>(list: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const sealedKeyRow = (key: SealedKey, now: Date): Insertable<SealedKeysTable> => ({
  id: key.id,
  kek_id: key.kekId,
  wrapped_dek: b64(key.wrappedDek),
  ciphertext: b64(key.ciphertext),
  created_at: now.getTime(),
});

function credentialRow(c: NewCredential, now: Date): Selectable<CredentialsTable> {
  return {
    id: c.id ?? newId(now.getTime()),
    user_id: c.userId,
    purpose: c.purpose,
    source: c.source,
    status: c.status,
    cert_der: b64(c.certificateDer),
    chain: JSON.stringify(c.chain.map(b64)),
    sha1: c.sha1,
    sha256: c.sha256,
    serial_hex: c.serialHex,
    issuer: c.issuer,
    subject: c.subject,
    not_before: c.notBefore.getTime(),
    not_after: c.notAfter.getTime(),
    key_algorithm: c.keyAlgorithm,
    sealed_key_id: c.sealedKeyId,
    ca_id: c.caId,
    device_id: c.deviceId,
    created_at: now.getTime(),
    updated_at: now.getTime(),
    revoked_at: null,
    revocation_reason: null,
    deleted_at: null,
  };
}

export function createCredentialRepo(db: Kysely<Database>): CredentialRepo {
  return {
    async insertSealedKey(key, now) {
      await db.insertInto('sealed_keys').values(sealedKeyRow(key, now)).execute();
    },

    async insertSealedKeys(keys, now) {
      for (const part of chunks(keys)) await db.insertInto('sealed_keys').values(part.map((k) => sealedKeyRow(k, now))).execute();
    },

    async getSealedKey(id) {
      const row = await db.selectFrom('sealed_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toSealedKey(row) : null;
    },

    async sealedKeysNotUnder(kekId, after, limit) {
      let q = db.selectFrom('sealed_keys').selectAll().where('kek_id', '<>', kekId).orderBy('id').limit(limit);
      if (after) q = q.where('id', '>', after);
      return (await q.execute()).map(toSealedKey);
    },

    async rewrapSealedKey(key, fromKekId) {
      const r = await db
        .updateTable('sealed_keys')
        .set({ kek_id: key.kekId, wrapped_dek: b64(key.wrappedDek) })
        .where('id', '=', key.id)
        .where('kek_id', '=', fromKekId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async countSealedKeysNotUnder(kekId) {
      const r = await db.selectFrom('sealed_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('kek_id', '<>', kekId).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async insert(c, now) {
      const row = credentialRow(c, now);
      await db.insertInto('credentials').values(row).execute();
      return toCredential(row);
    },

    async insertMany(list, now) {
      const rows = list.map((c) => credentialRow(c, now));
      for (const part of chunks(rows)) await db.insertInto('credentials').values(part).execute();
      return rows.map(toCredential);
    },

    async get(id) {
      const row = await db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCredential(row) : null;
    },

    async findByThumbprint(userId, sha256) {
      const row = await db.selectFrom('credentials').selectAll().where('user_id', '=', userId).where('sha256', '=', sha256).executeTakeFirst();
      return row ? toCredential(row) : null;
    },

    async findByThumbprints(pairs) {
      const out: Credential[] = [];
      for (const part of chunks(pairs)) {
        const rows = await db
          .selectFrom('credentials')
          .selectAll()
          .where((eb) => eb.or(part.map((p) => eb.and([eb('user_id', '=', p.userId), eb('sha256', '=', p.sha256)]))))
          .execute();
        out.push(...rows.map(toCredential));
      }
      return out;
    },

    async findBySha256(sha256) {
      const row = await db.selectFrom('credentials').selectAll().where('sha256', '=', sha256).orderBy('id').executeTakeFirst();
      return row ? toCredential(row) : null;
    },

    async listForUser(userId) {
      const rows = await db.selectFrom('credentials').selectAll().where('user_id', '=', userId).orderBy('not_before', 'desc').orderBy('id', 'desc').execute();
      return rows.map(toCredential);
    },

    async listForUsers(userIds) {
      const out: Credential[] = [];
      for (const part of chunks([...new Set(userIds)])) {
        const rows = await db
          .selectFrom('credentials')
          .selectAll()
          .where('user_id', 'in', part)
          .orderBy('user_id')
          .orderBy('not_before', 'desc')
          .orderBy('id', 'desc')
          .execute();
        out.push(...rows.map(toCredential));
      }
      return out;
    },

    async setStatus(ids, status) {
      if (ids.length === 0) return;
      await db.updateTable('credentials').set({ status, updated_at: sql<number>`updated_at` }).where('id', 'in', ids).execute();
    },

    async revoke(id, reason, now) {
      await db
        .updateTable('credentials')
        .set({ status: 'revoked', revoked_at: now.getTime(), revocation_reason: reason, updated_at: now.getTime() })
        .where('id', '=', id)
        .execute();
    },

    async markDeleted(id, now) {
      await db.updateTable('credentials').set({ status: 'deleted', deleted_at: now.getTime(), updated_at: now.getTime() }).where('id', '=', id).execute();
    },

    async listRevoked(caId) {
      const rows = await db
        .selectFrom('credentials')
        .select(['serial_hex', 'revoked_at', 'revocation_reason'])
        .where('ca_id', '=', caId)
        .where('revoked_at', 'is not', null)
        .orderBy('revoked_at')
        .execute();
      return rows.map((r) => ({ serialHex: r.serial_hex, revokedAt: new Date(Number(r.revoked_at)), reason: r.revocation_reason }));
    },

    async listRenewalCandidates(caId) {
      const rows = await db
        .selectFrom('credentials as c')
        .selectAll('c')
        .where('c.ca_id', '=', caId)
        .where('c.source', '=', 'issued')
        .where('c.status', '=', 'active')
        .where('c.purpose', 'in', ENCRYPTION)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('credentials as n')
                .select('n.id')
                .whereRef('n.user_id', '=', 'c.user_id')
                .where('n.purpose', 'in', ENCRYPTION)
                .where('n.status', 'in', ['active', 'superseded'])
                .whereRef('n.not_before', '>', 'c.not_before'),
            ),
          ),
        )
        .orderBy('c.id')
        .execute();
      return rows.map(toCredential);
    },
  };
}
