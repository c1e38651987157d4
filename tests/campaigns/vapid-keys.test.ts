/**
 * VAPID keys live in the database: every runtime on one database signs with the same pair, the
 * private key is sealed (never plaintext in kv), DATA_DIR/vapid.json is migrated once, and a KEK
 * rotation re-wraps it like every other sealed key.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVapidSigner, generateVapidKeys } from '../../server/src/channels/push/vapid.ts';
import { systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { type OpenDatabase, openDatabase } from '../../server/src/store/open-database.ts';
import { VAPID_KV_KEY, loadOrCreateVapidKeys, vapidFile } from '../../server/src/vapid-store.ts';
import { kekFromBytes } from '../../server/src/vault/kek.ts';
import { staticKeyring } from '../../server/src/vault/keyring.ts';
import { rewrapAll } from '../../server/src/vault/rotate-kek.ts';
import { createVault } from '../../server/src/vault/vault.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable } from '../support/databases.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'smime-portal-vapid-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const kek = kekFromBytes(randomBytes(32), 'test');

describe('VAPID keys in the database', () => {
  it('two runtimes (two machines: own data dirs) on one PostgreSQL schema get the same key pair', async (t) => {
    if (await postgresUnavailable()) return t.skip();
    const first = await openTestPostgres();
    cleanup.push(() => first.close());
    const second = await openDatabase({ kind: 'postgres', url: first.url, schema: first.schema });
    cleanup.push(() => second.close());
    // Both start at once: one pair wins, the other runtime reads it back.
    const [a, b] = await Promise.all(
      [first, second].map((db) =>
        loadOrCreateVapidKeys({ store: createStore(db.db, db.kind), vault: createVault(staticKeyring(kek)), dataDir: tempDir() }),
      ),
    );
    expect(a!.publicKey).toBe(b!.publicKey);
    expect(a!.privateKey).toBe(b!.privateKey);
    // The pair is usable (the signer checks that the halves match) and stable on a restart.
    createVapidSigner({ ...a!, subject: 'mailto:it@example.com', clock: systemClock });
    const again = await loadOrCreateVapidKeys({ store: createStore(second.db, second.kind), vault: createVault(staticKeyring(kek)), dataDir: tempDir() });
    expect(again).toEqual(a);
    // Only the public half is in kv; exactly one sealed key was kept.
    const stored = await createStore(first.db, first.kind).kv.get(VAPID_KV_KEY);
    expect(stored).toContain(a!.publicKey);
    expect(stored).not.toContain(a!.privateKey);
    const sealed = await first.db.selectFrom('sealed_keys').select('id').execute();
    expect(sealed).toHaveLength(1);
  });

  it('migrates DATA_DIR/vapid.json once, removes the plaintext file, and survives a KEK rotation', async () => {
    const database: OpenDatabase = await openTestSqlite();
    cleanup.push(() => database.close());
    const store = createStore(database.db, database.kind);
    const dir = tempDir();
    const legacy = generateVapidKeys();
    writeFileSync(vapidFile(dir), JSON.stringify(legacy), { mode: 0o600 });
    const keys = await loadOrCreateVapidKeys({ store, vault: createVault(staticKeyring(kek)), dataDir: dir });
    expect(keys).toEqual(legacy);
    expect(existsSync(vapidFile(dir))).toBe(false);

    // `kek rotate` re-wraps the VAPID key with the others; the new KEK alone then opens it.
    const next = kekFromBytes(randomBytes(32), 'next');
    expect(await rewrapAll(store, createVault(staticKeyring(kek, next)), next)).toBe(1);
    const afterRotation = await loadOrCreateVapidKeys({ store, vault: createVault(staticKeyring(next)), dataDir: tempDir() });
    expect(afterRotation).toEqual(legacy);
    // A wrong KEK is a clear error, not a silently different pair.
    await expect(loadOrCreateVapidKeys({ store, vault: createVault(staticKeyring(kekFromBytes(randomBytes(32), 'other'))), dataDir: dir })).rejects.toMatchObject({
      code: 'kek_mismatch',
    });
  });
});
