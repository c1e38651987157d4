import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { getDeliverableCredentials, openSealedKey } from '../../server/src/domain/credentials/credential-service.ts';
import { importPkcs12 } from '../../server/src/domain/credentials/import-pkcs12.ts';
import { createTrustAnchors } from '../../server/src/domain/credentials/trust-anchors.ts';
import { openRuntime } from '../../server/src/runtime.ts';
import { openVault } from '../../server/src/vault/open-vault.ts';
import { openTestPostgres, POSTGRES_URL, postgresUnavailable } from '../support/databases.ts';
import { cli } from '../support/run-cli.ts';
import { containsBytes, createFixtures, type Fixtures, type TestKey } from './fixtures.ts';
import { certTestEnv } from './setup.ts';

const DAY = 86_400_000;
const now = new Date();
let fx: Fixtures;
let keys: TestKey[];
const files: string[] = [];
/** The certificate of files[i], for keys[i % 2]. */
const certificates: Uint8Array[] = [];

/** Every form a plaintext key could take in a dump: raw DER, base64, hex. */
function leaks(blob: Uint8Array, key: TestKey): boolean {
  const text = Buffer.from(blob).toString('latin1');
  const b64 = Buffer.from(key.pkcs8Der).toString('base64');
  const hex = Buffer.from(key.pkcs8Der).toString('hex');
  // Slices of the private exponent (bytes ~303–559 of an RSA-2048 PKCS #8) catch partial or
  // re-wrapped encodings. Not of the modulus (bytes 38–293): it is public, and the certificate
  // stored beside the key carries it (in base64, which matches whenever the offsets align).
  return containsBytes(blob, key.pkcs8Der) || containsBytes(blob, key.pkcs8Der.subarray(400, 464)) || text.includes(b64.slice(600, 700)) || text.includes(hex.slice(800, 928));
}

beforeAll(async () => {
  fx = await createFixtures(now);
  keys = [fx.newKey('a'), fx.newKey('b')];
  const flavours = ['default', 'legacy', '3des'] as const;
  for (const [i, flavour] of flavours.entries()) {
    const key = keys[i % 2]!;
    const c = await fx.cert(key, { email: 'alice@example.org', purpose: 'smimeEncryption', notBefore: new Date(now.getTime() - (i + 1) * 100 * DAY), notAfter: new Date(now.getTime() + 300 * DAY - i * DAY) });
    fx.p12(`f${i}`, key, c, 'pw', flavour);
    certificates.push(c);
    files.push(join(fx.ws.dir, `f${i}.p12`));
  }
});
afterAll(() => fx.cleanup());

it('the scan finds a key stored as DER, base64 or hex (positive control), not its certificate', () => {
  const key = keys[0]!;
  for (const form of [Buffer.from(key.pkcs8Der), Buffer.from(Buffer.from(key.pkcs8Der).toString('base64')), Buffer.from(Buffer.from(key.pkcs8Der).toString('hex'))]) {
    expect(leaks(new Uint8Array(Buffer.concat([Buffer.alloc(100, 1), form, Buffer.alloc(100, 2)])), key)).toBe(true);
  }
  // ... and not the key's public half, which its certificate (stored in base64) carries.
  for (const [i, certificate] of certificates.entries()) {
    const key = keys[i % 2]!;
    for (const form of [Buffer.from(certificate), Buffer.from(Buffer.from(certificate).toString('base64')), Buffer.from(Buffer.from(certificate).toString('hex'))]) {
      expect(leaks(new Uint8Array(form), key)).toBe(false);
    }
  }
});

describe('embedded SQLite through the CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vault-sqlite-'));
  const env = { DATA_DIR: dataDir, PFX_PW: 'pw', USER: 'tester' };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('imports, keeps no plaintext key in the database file, rotates the KEK, and refuses a wrong KEK', async () => {
    expect((await cli(env, fx.ws.dir, 'user', 'add', '--email', 'alice@example.org')).code).toBe(0);
    const imported = await cli(env, fx.ws.dir, 'pfx', 'import', '--user', 'alice@example.org', '--purpose', 'smimeEncryption', '--password-env', 'PFX_PW', ...files);
    expect(imported.err).toBe('');
    expect(imported.out.match(/^imported/gm)).toHaveLength(3);
    expect(statSync(join(dataDir, 'kek')).mode & 0o777).toBe(0o600);

    const list = await cli(env, fx.ws.dir, 'cert', 'list', '--user', 'alice@example.org', '--json');
    const items = JSON.parse(list.out) as { id: string; current: boolean }[];
    expect(items).toHaveLength(3);
    expect(items.map((i) => i.current)).toEqual([true, false, false]);

    // Checkpoint so every page is in the main file, then scan both files.
    const config = loadConfig(env);
    const rt = await openRuntime(config);
    await rt.store.transaction(async () => undefined);
    await rt.close();
    for (const f of ['smime-portal.sqlite', 'smime-portal.sqlite-wal']) {
      const path = join(dataDir, f);
      if (!existsSync(path)) continue;
      const blob = new Uint8Array(readFileSync(path));
      for (const key of keys) expect(leaks(blob, key), `${f} holds a plaintext key`).toBe(false);
    }

    const oldKek = readFileSync(join(dataDir, 'kek'), 'utf8');
    // An interrupted rotation leaves kek.next; running again continues and completes.
    writeFileSync(join(dataDir, 'kek.next'), `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    const rotated = await cli(env, fx.ws.dir, 'kek', 'rotate', '--json');
    expect(rotated.code, rotated.err).toBe(0);
    expect(JSON.parse(rotated.out)).toMatchObject({ rewrapped: 3, resumed: true });
    expect(existsSync(join(dataDir, 'kek.next'))).toBe(false);
    expect(readFileSync(join(dataDir, 'kek'), 'utf8')).not.toBe(oldKek);
    expect((await cli(env, fx.ws.dir, 'kek', 'rotate', '--json')).code).toBe(0);

    const rt2 = await openRuntime(config);
    try {
      const ctx = rt2.context('test');
      const vault = openVault(config, { create: false });
      const user = await rt2.store.directory.findUserByEmail('alice@example.org');
      const d = await getDeliverableCredentials(ctx, user!.id);
      const opened = await Promise.all(d.encryption.map((c) => openSealedKey(ctx, vault, c.sealedKeyId)));
      expect(opened.map((k) => Buffer.from(k).toString('hex')).sort()).toEqual([keys[0], keys[1], keys[0]].map((k) => Buffer.from(k!.pkcs8Der).toString('hex')).sort());
    } finally {
      await rt2.close();
    }

    const wrong = await cli({ ...env, KEK: Buffer.alloc(32, 1).toString('base64') }, fx.ws.dir, 'cert', 'issue', '--user', 'alice@example.org', '--purpose', 'smimeEncryption');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^smime-portal: .*KEK is not the one this database was sealed with/);
    expect(wrong.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('PostgreSQL: pg_dump of the schema holds no plaintext key', async () => {
  const skip = await postgresUnavailable();
  it.skipIf(skip !== null)('imports three files and scans the dump', async () => {
    const db = await openTestPostgres();
    try {
      const t = certTestEnv(db);
      t.clock.set(now);
      await t.addUser('alice@example.org');
      for (const f of files) {
        const r = await importPkcs12(t.ctx, { vault: t.vault, anchors: createTrustAnchors([fx.caDer], { systemRoots: false }) }, { email: 'alice@example.org', purpose: 'smimeEncryption', bytes: new Uint8Array(readFileSync(f)), password: 'pw' });
        expect(r.status).toBe('imported');
      }
      const dump = new Uint8Array(execFileSync('pg_dump', ['--no-owner', '-n', db.schema, POSTGRES_URL], { maxBuffer: 64 * 1024 * 1024 }));
      expect(Buffer.from(dump).toString('latin1')).toContain('sealed_keys');
      for (const key of keys) expect(leaks(dump, key)).toBe(false);
      const d = await getDeliverableCredentials(t.ctx, (await t.store.directory.findUserByEmail('alice@example.org'))!.id);
      expect(d.encryption).toHaveLength(3);
      const k = await openSealedKey(t.ctx, t.vault, d.encryption[0]!.sealedKeyId);
      expect([keys[0], keys[1]].some((x) => Buffer.from(x!.pkcs8Der).equals(Buffer.from(k)))).toBe(true);
    } finally {
      await db.close();
    }
  });
});
