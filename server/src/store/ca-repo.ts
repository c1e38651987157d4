import type { Kysely, Selectable } from 'kysely';
import type { CaRecord, CaRepo } from '../domain/credentials/types.ts';
import type { CertificateAuthoritiesTable } from './credential-tables.ts';
import type { Database } from './schema.ts';

const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

function toCa(row: Selectable<CertificateAuthoritiesTable>): CaRecord {
  return {
    id: row.id,
    certificateDer: unb64(row.cert_der),
    sealedKeyId: row.sealed_key_id,
    keyAlgorithm: row.key_algorithm,
    source: row.source,
    createdAt: new Date(Number(row.created_at)),
    crlNumber: Number(row.crl_number),
    crlDer: row.crl_der ? unb64(row.crl_der) : null,
    crlThisUpdate: row.crl_this_update === null ? null : new Date(Number(row.crl_this_update)),
    crlNextUpdate: row.crl_next_update === null ? null : new Date(Number(row.crl_next_update)),
  };
}

export function createCaRepo(db: Kysely<Database>): CaRepo {
  return {
    async getActive() {
      const row = await db.selectFrom('certificate_authorities').selectAll().where('active_slot', '=', 'active').executeTakeFirst();
      return row ? toCa(row) : null;
    },

    async get(id) {
      const row = await db.selectFrom('certificate_authorities').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCa(row) : null;
    },

    async insertActive(r) {
      await db.updateTable('certificate_authorities').set({ active_slot: null }).where('active_slot', '=', 'active').execute();
      await db
        .insertInto('certificate_authorities')
        .values({
          id: r.id,
          cert_der: Buffer.from(r.certificateDer).toString('base64'),
          sealed_key_id: r.sealedKeyId,
          key_algorithm: r.keyAlgorithm,
          source: r.source,
          active_slot: 'active',
          crl_number: 0,
          crl_der: null,
          crl_this_update: null,
          crl_next_update: null,
          created_at: r.createdAt.getTime(),
        })
        .execute();
    },

    async claimSerial(caId, serialHex, now) {
      // ON CONFLICT rather than catching the violation: a failed statement aborts a PostgreSQL transaction.
      const r = await db
        .insertInto('ca_serials')
        .values({ ca_id: caId, serial_hex: serialHex, created_at: now.getTime() })
        .onConflict((oc) => oc.columns(['ca_id', 'serial_hex']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async saveCrl(caId, crlNumber, der, thisUpdate, nextUpdate) {
      await db
        .updateTable('certificate_authorities')
        .set({ crl_number: crlNumber, crl_der: Buffer.from(der).toString('base64'), crl_this_update: thisUpdate.getTime(), crl_next_update: nextUpdate.getTime() })
        .where('id', '=', caId)
        .where('crl_number', '<', crlNumber)
        .execute();
    },

    async invalidateCrl(caId) {
      await db.updateTable('certificate_authorities').set({ crl_der: null }).where('id', '=', caId).execute();
    },

    async insertChallenge(input, now) {
      await db
        .insertInto('scep_challenges')
        .values({ id: input.id, user_id: input.userId, challenge_hash: input.hash, created_at: now.getTime(), expires_at: input.expiresAt.getTime(), used_at: null, created_by: input.createdBy })
        .execute();
    },

    async findChallenge(hash) {
      const row = await db.selectFrom('scep_challenges').selectAll().where('challenge_hash', '=', hash).executeTakeFirst();
      return row
        ? { id: row.id, userId: row.user_id, expiresAt: new Date(Number(row.expires_at)), usedAt: row.used_at === null ? null : new Date(Number(row.used_at)) }
        : null;
    },

    async consumeChallenge(id, now) {
      const r = await db
        .updateTable('scep_challenges')
        .set({ used_at: now.getTime() })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now.getTime())
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async transactionSeen(transactionId) {
      const row = await db.selectFrom('scep_transactions').select('transaction_id').where('transaction_id', '=', transactionId).executeTakeFirst();
      return !!row;
    },

    async recordTransaction(transactionId, signerThumbprint, now) {
      const r = await db
        .insertInto('scep_transactions')
        .values({ transaction_id: transactionId, signer_thumbprint: signerThumbprint, created_at: now.getTime() })
        .onConflict((oc) => oc.column('transaction_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
  };
}
