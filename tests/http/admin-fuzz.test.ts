import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { openTestSqlite } from '../support/databases.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

const TABLES = ['users', 'groups', 'group_members', 'policies', 'policy_assignments', 'admin_tokens'] as const;

/** Every row of every directory/policy table, as one comparable string. */
async function snapshot(db: OpenDatabase): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(t)} order by 1`.execute(db.db);
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}

// Hostile values: wrong types, huge and odd strings, nested junk, prototype keys.
const junk = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('__proto__', 'constructor', '\u0000', '\u202e', 'a@b.c', '../../etc/passwd', "'; drop table users; --", '王小明@例子.公司'),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);
const body = fc.oneof(
  fc.dictionary(fc.constantFrom('email', 'displayName', 'locale', 'name', 'settings', 'include', 'exclude', 'scopes', 'extra', '__proto__'), junk, { maxKeys: 4 }),
  junk,
);
const route = fc.constantFrom(
  ['POST', '/api/admin/users'],
  ['POST', '/api/admin/groups'],
  ['POST', '/api/admin/groups/staff/members'],
  ['POST', '/api/admin/policies'],
  ['PUT', '/api/admin/policies/P/settings'],
  ['PUT', '/api/admin/policies/P/assignments'],
  ['POST', '/api/admin/tokens'],
);

describe('admin API fuzz (fast-check)', () => {
  let db: OpenDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await openTestSqlite();
    t = await createTestApp(db);
    await t.call('POST', '/api/admin/groups', { name: 'staff' });
    await t.call('POST', '/api/admin/policies', { name: 'P' });
  });
  afterAll(() => t.close());

  it('never answers 5xx, and a rejected request changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(route, body, fc.boolean(), async ([method, path], value, raw) => {
        const before = await snapshot(db);
        const r = await t.call(method!, path!, raw ? String(JSON.stringify(value)).slice(0, -1) : (value ?? null), raw ? { 'content-type': 'application/json' } : {});
        expect(r.status, `${method} ${path} ${JSON.stringify(value)}`).toBeLessThan(500);
        if (r.status >= 400) {
          expect(r.headers.get('content-type')).toBe('application/problem+json');
          expect(await snapshot(db)).toBe(before);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never answers 5xx to fuzzed path and query parameters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), async (seg, q) => {
        const enc = encodeURIComponent(seg);
        for (const p of [`/api/admin/users/${enc}`, `/api/admin/policies/${enc}`, `/api/admin/groups/${enc}/members?limit=${encodeURIComponent(q)}`, `/api/admin/users?limit=${encodeURIComponent(q)}&after=${enc}`]) {
          const r = await t.call('GET', p);
          expect(r.status, p).toBeLessThan(500);
        }
      }),
      { numRuns: 150 },
    );
  });
});
