import type { Kysely, Selectable } from 'kysely';
import type { AdminScope, AdminToken, KvRepo, TokenRepo } from '../domain/auth/types.ts';
import type { AdminTokensTable, Database } from './schema.ts';

function toToken(r: Selectable<AdminTokensTable>): AdminToken {
  return {
    id: r.id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as AdminScope[],
    createdAt: new Date(Number(r.created_at)),
    lastUsedAt: r.last_used_at === null ? null : new Date(Number(r.last_used_at)),
    revokedAt: r.revoked_at === null ? null : new Date(Number(r.revoked_at)),
  };
}

export function createTokenRepo(db: Kysely<Database>): TokenRepo {
  return {
    async create({ id, name, tokenHash, scopes }, now) {
      const row = { id, name, token_hash: tokenHash, scopes: JSON.stringify(scopes), created_at: now.getTime(), last_used_at: null, revoked_at: null };
      await db.insertInto('admin_tokens').values(row).execute();
      return toToken(row);
    },
    async findByHash(tokenHash) {
      const r = await db.selectFrom('admin_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? { ...toToken(r), tokenHash: r.token_hash } : null;
    },
    async touch(id, now) {
      await db.updateTable('admin_tokens').set({ last_used_at: now.getTime() }).where('id', '=', id).execute();
    },
    async revoke(id, now) {
      const r = await db.updateTable('admin_tokens').set({ revoked_at: now.getTime() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async list() {
      return (await db.selectFrom('admin_tokens').selectAll().orderBy('created_at').execute()).map(toToken);
    },
    async count() {
      const r = await db.selectFrom('admin_tokens').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export function createKvRepo(db: Kysely<Database>): KvRepo {
  return {
    async get(key) {
      const r = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
      return r?.value ?? null;
    },
    async setIfAbsent(key, value) {
      await db.insertInto('kv').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
      const r = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return r.value;
    },
    async set(key, value) {
      await db.insertInto('kv').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    },
  };
}
