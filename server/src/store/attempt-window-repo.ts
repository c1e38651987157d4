import { type Kysely, sql } from 'kysely';
import type { AttemptWindow, AttemptWindowRepo } from '../domain/auth/types.ts';
import type { Database } from './schema.ts';

/**
 * Rate-limiter windows in the attempt_windows table. `hit` is one atomic upsert (SQLite and
 * PostgreSQL both evaluate every SET expression against the stored row), so concurrent processes
 * never lose a count and a window that is over restarts at 1.
 */
export function createAttemptWindowRepo(db: Kysely<Database>): AttemptWindowRepo {
  const toWindow = (r: { window_start: number | string; count: number | string }): AttemptWindow => ({ start: Number(r.window_start), count: Number(r.count) });
  return {
    async hit(scope, keyHash, now, windowMs) {
      const over = sql<boolean>`attempt_windows.window_start <= ${now - windowMs}`;
      const row = await db
        .insertInto('attempt_windows')
        .values({ scope, key_hash: keyHash, window_start: now, count: 1 })
        .onConflict((oc) =>
          oc.columns(['scope', 'key_hash']).doUpdateSet({
            count: sql<number>`case when ${over} then 1 else attempt_windows.count + 1 end`,
            window_start: sql<number>`case when ${over} then ${now} else attempt_windows.window_start end`,
          }),
        )
        .returning(['window_start', 'count'])
        .executeTakeFirstOrThrow();
      return toWindow(row);
    },
    async current(scope, keyHash, now, windowMs) {
      const row = await db
        .selectFrom('attempt_windows')
        .select(['window_start', 'count'])
        .where('scope', '=', scope)
        .where('key_hash', '=', keyHash)
        .where('window_start', '>', now - windowMs)
        .executeTakeFirst();
      return row ? toWindow(row) : null;
    },
    async clear(scope, keyHash) {
      await db.deleteFrom('attempt_windows').where('scope', '=', scope).where('key_hash', '=', keyHash).execute();
    },
    async purge(before) {
      const r = await db.deleteFrom('attempt_windows').where('window_start', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
