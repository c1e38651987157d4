/**
 * Rate limiters whose counts live in the database: limiters in different processes (here: over
 * different connections or pools of one database) count together, on SQLite and PostgreSQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../../server/src/domain/auth/admin-tokens.ts';
import { createSharedRateLimiter } from '../../server/src/domain/auth/rate-limiter.ts';
import { hashSecret } from '../../server/src/domain/devices/secrets.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createApp } from '../../server/src/http/app.ts';
import type { Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { type OpenDatabase, openDatabase } from '../../server/src/store/open-database.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable } from '../support/databases.ts';
import { createFakeClock } from '../support/fake-clock.ts';

const unavailable = await postgresUnavailable();
const kinds: [string, () => Promise<{ a: OpenDatabase; b: OpenDatabase; close(): Promise<void> }>][] = [
  [
    'SQLite',
    async () => {
      const a = await openTestSqlite();
      // A second connection to the same file, as a second process would have.
      const b = await openDatabase({ kind: 'sqlite', file: `${a.dir}/test.sqlite` });
      return {
        a,
        b,
        close: async () => {
          await b.close();
          await a.close();
        },
      };
    },
  ],
];
if (unavailable === null) {
  kinds.push([
    'PostgreSQL',
    async () => {
      const a = await openTestPostgres();
      const b = await openDatabase({ kind: 'postgres', url: a.url, schema: a.schema });
      return {
        a,
        b,
        close: async () => {
          await b.close();
          await a.close();
        },
      };
    },
  ]);
} else {
  console.warn(`attempt-windows: PostgreSQL part skipped outside CI: ${unavailable}`);
}

describe.each(kinds)('shared rate limiter on %s', (_name, open) => {
  let dbs: Awaited<ReturnType<typeof open>>;
  let one: Store;
  let two: Store;
  const clock = createFakeClock();
  const options = { max: 5, windowMs: 60_000, clock };
  beforeAll(async () => {
    dbs = await open();
    one = createStore(dbs.a.db, dbs.a.kind);
    two = createStore(dbs.b.db, dbs.b.kind);
  });
  afterAll(() => dbs.close());

  it('two processes count together; scopes and keys stay apart', async () => {
    const a = createSharedRateLimiter(one.attempts, 'admin-auth', options);
    const b = createSharedRateLimiter(two.attempts, 'admin-auth', options);
    const other = createSharedRateLimiter(two.attempts, 'device-attempts', options);
    for (let i = 0; i < 3; i += 1) await a.fail('10.0.0.1');
    expect(await b.retryAfter('10.0.0.1')).toBe(0);
    await b.fail('10.0.0.1');
    await b.fail('10.0.0.1');
    expect(await a.retryAfter('10.0.0.1')).toBe(60_000);
    expect(await b.retryAfter('10.0.0.1')).toBe(60_000);
    expect(await other.retryAfter('10.0.0.1')).toBe(0);
    expect(await a.retryAfter('10.0.0.2')).toBe(0);
  });

  it('a window ends, and a failure after it starts a new one at 1; reset clears the key', async () => {
    const a = createSharedRateLimiter(one.attempts, 'window', options);
    for (let i = 0; i < 5; i += 1) await a.fail('k');
    clock.advance(59_000);
    expect(await a.retryAfter('k')).toBe(1000);
    clock.advance(1000);
    expect(await a.retryAfter('k')).toBe(0);
    await a.fail('k');
    const keyHash = hashSecret('k');
    expect(await one.attempts.current('window', keyHash, clock.now().getTime(), 60_000)).toEqual({ count: 1, start: clock.now().getTime() });
    for (let i = 0; i < 4; i += 1) await a.fail('k');
    expect(await a.retryAfter('k')).toBe(60_000);
    await a.reset('k');
    expect(await a.retryAfter('k')).toBe(0);
  });

  it('consume counts each call and refuses those past the limit, across processes, until the window ends', async () => {
    const a = createSharedRateLimiter(one.attempts, 'calls', options);
    const b = createSharedRateLimiter(two.attempts, 'calls', options);
    for (let i = 0; i < 5; i += 1) expect(await (i % 2 ? a : b).consume('device-1')).toBe(0);
    clock.advance(10_000);
    expect(await a.consume('device-1')).toBe(50_000);
    expect(await b.consume('device-1')).toBe(50_000);
    expect(await a.consume('device-2')).toBe(0);
    clock.advance(50_000);
    expect(await b.consume('device-1')).toBe(0);
  });

  it('concurrent failures from two pools lose no count', async () => {
    const a = createSharedRateLimiter(one.attempts, 'race', { ...options, max: 40 });
    const b = createSharedRateLimiter(two.attempts, 'race', { ...options, max: 40 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).fail('k')));
    expect(await a.retryAfter('k')).toBeGreaterThan(0);
    const [row] = await sql<{ count: number }>`select count from attempt_windows where scope = 'race'`.execute(dbs.a.db).then((r) => r.rows);
    expect(Number(row?.count)).toBe(40);
  });

  it('stores keys hashed, and purges windows that are long over', async () => {
    const a = createSharedRateLimiter(one.attempts, 'privacy', options);
    await a.fail('192.0.2.77');
    const rows = await sql<{ key_hash: string }>`select key_hash from attempt_windows where scope = 'privacy'`.execute(dbs.a.db);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]!.key_hash).not.toContain('192.0.2');
    clock.advance(25 * 60 * 60_000);
    expect(await one.attempts.purge(clock.now().getTime() - 24 * 60 * 60_000)).toBeGreaterThan(0);
    expect(Number((await sql<{ n: number }>`select count(*) as n from attempt_windows`.execute(dbs.a.db)).rows[0]!.n)).toBe(0);
  });

  it('admin sign-in guesses on one server are refused by another (HTTP, the default limiter)', async () => {
    const config = loadConfig({});
    const appA = createApp({ store: one, clock, config });
    const appB = createApp({ store: two, clock, config });
    const { token } = await createAdminToken({ store: one, clock, actor: 'test' }, { name: 'shared-limit', scopes: ['read'] });
    const guess = (app: typeof appA) => app.request('/api/admin/users', { headers: { authorization: 'Bearer smp_wrong' } });
    for (let i = 0; i < 5; i += 1) expect((await guess(appA)).status).toBe(401);
    for (let i = 0; i < 5; i += 1) expect((await guess(appB)).status).toBe(401);
    // 10 failures from this address in all (the limit): server A refuses even the right token.
    const refused = await appA.request('/api/admin/users', { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
