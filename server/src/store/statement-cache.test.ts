import BetterSqlite3 from 'better-sqlite3';
import { type Generated, Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.ts';

const open: BetterSqlite3.Database[] = [];
function database(): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(':memory:');
  open.push(sqlite);
  sqlite.exec('create table t (id integer primary key, v text)');
  return sqlite;
}
afterEach(() => {
  for (const sqlite of open.splice(0)) if (sqlite.open) sqlite.close();
});

describe('withStatementCache', () => {
  it('hands out the same statement for the same SQL, a different one for other SQL', () => {
    const db = withStatementCache(database());
    const a = db.prepare('select * from t where id = ?');
    expect(db.prepare('select * from t where id = ?')).toBe(a);
    expect(db.prepare('select * from t where v = ?')).not.toBe(a);
  });

  it('never hands out a statement that is still being iterated', () => {
    const sqlite = database();
    sqlite.prepare('insert into t (v) values (?), (?)').run('a', 'b');
    const db = withStatementCache(sqlite);
    const first = db.prepare('select v from t order by id');
    const rows = first.iterate([]);
    expect(rows.next().value).toEqual({ v: 'a' });
    const second = db.prepare('select v from t order by id');
    expect(second).not.toBe(first);
    expect(second.all([])).toEqual([{ v: 'a' }, { v: 'b' }]);
    expect(rows.next().value).toEqual({ v: 'b' });
    rows.return?.();
    // Done iterating: the cached one is handed out again.
    expect(db.prepare('select v from t order by id')).toBe(first);
  });

  it('keeps at most `max` statements, dropping the least recently used', () => {
    const db = withStatementCache(database(), 2);
    const one = db.prepare('select 1');
    const two = db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(one); // now most recently used
    db.prepare('select 3'); // evicts "select 2"
    expect(db.prepare('select 1')).toBe(one);
    expect(db.prepare('select 2')).not.toBe(two);
  });

  it('serves Kysely: reused statements bind each call its own parameters, in and out of transactions', async () => {
    const db = new Kysely<{ t: { id: Generated<number>; v: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(database()) }) });
    for (const v of ['x', 'y', 'z']) await db.insertInto('t').values({ v }).execute();
    await db.transaction().execute(async (tx) => {
      await tx.updateTable('t').set({ v: 'Y' }).where('v', '=', 'y').execute();
    });
    await expect(db.transaction().execute(async (tx) => {
      await tx.updateTable('t').set({ v: 'Z' }).where('v', '=', 'z').execute();
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect((await db.selectFrom('t').select('v').orderBy('id').execute()).map((r) => r.v)).toEqual(['x', 'Y', 'z']);
    expect((await sql<{ n: number }>`select count(*) as n from t where v = ${'x'}`.execute(db)).rows[0]?.n).toBe(1);
    await db.destroy();
  });
});
