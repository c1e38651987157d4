import type { Kysely } from 'kysely';
import type { AdminScope } from '../domain/auth/types.ts';
import type { AdminSessionRepo } from '../http/admin-session/session-types.ts';
import type { Database } from './schema.ts';

const date = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

/** Admin console sessions, joined to their admin token on lookup. */
export function createAdminSessionRepo(db: Kysely<Database>): AdminSessionRepo {
  return {
    async create(s) {
      await db
        .insertInto('admin_sessions')
        .values({ id: s.id, token_id: s.tokenId, session_hash: s.sessionHash, created_at: s.createdAt.getTime(), last_seen_at: s.lastSeenAt.getTime(), expires_at: s.expiresAt.getTime() })
        .execute();
    },
    async findByHash(sessionHash) {
      const r = await db
        .selectFrom('admin_sessions as s')
        .innerJoin('admin_tokens as t', 't.id', 's.token_id')
        .select(['s.id', 's.token_id', 's.session_hash', 's.created_at', 's.last_seen_at', 's.expires_at', 't.name', 't.scopes', 't.created_at as token_created_at', 't.last_used_at', 't.revoked_at'])
        .where('s.session_hash', '=', sessionHash)
        .executeTakeFirst();
      if (!r) return null;
      return {
        session: { id: r.id, tokenId: r.token_id, sessionHash: r.session_hash, createdAt: new Date(Number(r.created_at)), lastSeenAt: new Date(Number(r.last_seen_at)), expiresAt: new Date(Number(r.expires_at)) },
        token: {
          id: r.token_id,
          name: r.name,
          scopes: JSON.parse(r.scopes) as AdminScope[],
          createdAt: new Date(Number(r.token_created_at)),
          lastUsedAt: date(r.last_used_at),
          revokedAt: date(r.revoked_at),
        },
      };
    },
    async touch(id, now) {
      await db.updateTable('admin_sessions').set({ last_seen_at: now.getTime() }).where('id', '=', id).execute();
    },
    async delete(id) {
      const r = await db.deleteFrom('admin_sessions').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async deleteExpired(now) {
      const r = await db.deleteFrom('admin_sessions').where('expires_at', '<=', now.getTime()).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
