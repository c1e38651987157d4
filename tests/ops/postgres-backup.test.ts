/**
 * PostgreSQL mode backs up with pg_dump / pg_restore (README): a dump of the schema, dropped and
 * restored, brings back the directory and the sealed keys, which open with the same KEK only.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../server/src/store/create-store.ts';
import { openDatabase } from '../../server/src/store/open-database.ts';
import { kekFromBytes } from '../../server/src/vault/kek.ts';
import { staticKeyring } from '../../server/src/vault/keyring.ts';
import { createVault } from '../../server/src/vault/vault.ts';
import { openTestPostgres, POSTGRES_URL, postgresUnavailable } from '../support/databases.ts';

const unavailable = await postgresUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'smime-pgdump-'));

describe.skipIf(unavailable !== null)('pg_dump / pg_restore of the escrow (PostgreSQL)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores the directory and sealed keys; they open with the same KEK and not another', async () => {
    const db = await openTestPostgres();
    const store = createStore(db.db, db.kind);
    const kek = kekFromBytes(new Uint8Array(randomBytes(32)), 'k1');
    const vault = createVault(staticKeyring(kek));
    const secret = new Uint8Array(randomBytes(600));
    await store.directory.upsertUser({ email: 'ann@example.com', displayName: 'Ann' }, new Date());
    await store.credentials.insertSealedKey(await vault.seal('key-1', secret), new Date());
    const dump = join(dir, 'portal.dump');
    execFileSync('pg_dump', ['-Fc', '-n', db.schema, '-f', dump, db.url]);
    await db.db.destroy();

    // Lose the schema, then restore it from the dump.
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`drop schema ${db.schema} cascade`);
    execFileSync('pg_restore', ['-d', db.url, dump]);
    const restored = await openDatabase({ kind: 'postgres', url: db.url, schema: db.schema });
    try {
      const back = createStore(restored.db, restored.kind);
      expect((await back.directory.findUserByEmail('ann@example.com'))?.displayName).toBe('Ann');
      const sealed = await back.credentials.getSealedKey('key-1');
      expect(sealed).not.toBeNull();
      expect(Buffer.from(await vault.open(sealed!)).equals(Buffer.from(secret))).toBe(true);
      const other = createVault(staticKeyring(kekFromBytes(new Uint8Array(randomBytes(32)), 'k1')));
      await expect(other.open(sealed!)).rejects.toMatchObject({ code: 'kek_mismatch' });
    } finally {
      await restored.close();
      await admin.query(`drop schema if exists ${db.schema} cascade`);
      await admin.end();
    }
  }, 60_000);
});
