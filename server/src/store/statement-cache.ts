/**
 * better-sqlite3 for Kysely with prepared statements kept per SQL text. Kysely's SQLite driver
 * prepares every query anew, and SQLite's prepare is not free: ~0.1 ms for the delivery worker's
 * statements with 128-value IN lists, which it runs every cycle with the same text. Statements
 * are kept least-recently-used first up to a bound; one still being iterated (busy) is never
 * handed out a second time — that query gets a fresh statement.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Statements kept per connection. */
export const STATEMENT_CACHE_SIZE = 128;

export function withStatementCache(sqlite: BetterSqlite3.Database, max = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        // Most recently used last: Map keeps insertion order.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (!cached) {
        cache.set(sql, statement);
        if (cache.size > max) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  };
}
