/**
 * Bulk import writes each batch with a handful of statements (commitPkcs12Batch): the results,
 * statuses and audit entries must be those of importing the files one by one — on SQLite and
 * PostgreSQL, whose multi-row inserts and (user, thumbprint) lookups are built differently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BulkItemResult, importPkcs12Bulk } from '../../server/src/domain/credentials/bulk-import.ts';
import { deleteCredential, encryptionHistory } from '../../server/src/domain/credentials/credential-service.ts';
import { importPkcs12 } from '../../server/src/domain/credentials/import-pkcs12.ts';
import { createTrustAnchors } from '../../server/src/domain/credentials/trust-anchors.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable } from '../support/databases.ts';
import { createFixtures, type Fixtures } from './fixtures.ts';
import { certTestEnv } from './setup.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-01-15T09:00:00Z');
const years = (n: number) => new Date(NOW.getTime() + n * 365 * DAY);
const alice = 'alice@example.org';
const bob = 'bob@example.org';
let fx: Fixtures;
let files: Record<'old' | 'cur' | 'bob' | 'gone', Uint8Array>;

beforeAll(async () => {
  fx = await createFixtures(NOW);
  const key = fx.newKey('k1');
  const cert = (email: string, from: number, to: number) => fx.cert(key, { email, purpose: 'smimeEncryption', notBefore: years(from), notAfter: years(to) });
  files = {
    old: fx.p12('old', key, await cert(alice, -3, -1), 'pw'),
    cur: fx.p12('cur', key, await cert(alice, -0.5, 1), 'pw'),
    bob: fx.p12('bob', key, await cert(bob, -0.5, 1), 'pw'),
    gone: fx.p12('gone', key, await cert(alice, -2, -0.5), 'pw'),
  };
});
afterAll(() => fx.cleanup());

const summary = (r: BulkItemResult) => (r.ok ? `${r.result.fileName} ${r.result.status} ${r.result.credential.status} ${r.result.warnings.map((w) => w.code).join(',')}`.trim() : `${r.fileName} ${r.code}`);

async function batchSuite(open: () => Promise<OpenDatabase>) {
  const db = await open();
  try {
    const t = certTestEnv(db, NOW);
    await t.addUser(alice);
    await t.addUser(bob);
    const deps = { vault: t.vault, anchors: createTrustAnchors([fx.caDer], { systemRoots: false }) };
    // Imported and then deleted earlier: a bulk re-import reports it and leaves it deleted.
    const gone = await importPkcs12(t.ctx, deps, { email: alice, purpose: 'smimeEncryption', bytes: files.gone, password: 'pw' });
    await deleteCredential(t.ctx, gone.credential.id);

    const inputs = [
      ['old', files.old, 'pw'],
      ['cur', files.cur, 'pw'],
      ['cur-again', files.cur, 'pw'],
      ['bob', files.bob, 'pw'],
      ['gone', files.gone, 'pw'],
      ['bad', files.bob, 'wrong'],
    ].map(([name, bytes, password]) => ({ email: name === 'bob' || name === 'bad' ? bob : alice, purpose: 'smimeEncryption' as const, bytes: bytes as Uint8Array, password: password as string, fileName: name as string }));
    const first = await importPkcs12Bulk(t.ctx, deps, inputs);
    expect(first.map(summary).sort()).toEqual(
      [
        'bad pkcs12_invalid',
        'bob imported active',
        'cur imported active',
        'cur-again unchanged active',
        'gone unchanged deleted expired,was_deleted',
        // Expired and older than the current one: superseded, as a one-by-one import leaves it.
        'old imported superseded expired',
      ].sort(),
    );
    const byName = new Map(first.filter((r) => r.ok).map((r) => [r.result.fileName, r.result.credential]));
    expect(byName.get('cur-again')!.id).toBe(byName.get('cur')!.id);
    // What the results say is what the database holds.
    for (const c of byName.values()) expect((await t.store.credentials.get(c.id))!.status).toBe(c.status);
    const aliceId = (await t.store.directory.findUserByEmail(alice))!.id;
    expect((await encryptionHistory(t.ctx, aliceId)).map((h) => [h.id, h.current])).toEqual([
      [byName.get('cur')!.id, true],
      [byName.get('old')!.id, false],
    ]);
    const audits = await t.store.audit.list({ action: 'credential.import', limit: 50 });
    expect(audits.map((a) => String(a.details?.fileName ?? '-')).sort()).toEqual(['-', 'bob', 'cur', 'old']);

    // The whole run again: nothing new, nothing audited.
    const again = await importPkcs12Bulk(t.ctx, deps, inputs);
    expect(again.filter((r) => r.ok && r.result.status === 'imported')).toEqual([]);
    expect(await t.store.audit.list({ action: 'credential.import', limit: 50 })).toHaveLength(4);
  } finally {
    await db.close();
  }
}

describe('bulk PKCS#12 import in batches', () => {
  it('on SQLite: one-by-one results, statuses and audit', () => batchSuite(openTestSqlite));
});

describe('bulk PKCS#12 import in batches on PostgreSQL', async () => {
  const skip = await postgresUnavailable();
  it.skipIf(skip !== null)('on PostgreSQL: one-by-one results, statuses and audit', () => batchSuite(openTestPostgres));
});
