import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSqlite } from '../../../../tests/support/databases.ts';
import { createFakeClock } from '../../../../tests/support/fake-clock.ts';
import { createCa } from '../../pki/ca.ts';
import { createOpensslWorkspace, toPem } from '../../pki/testing/openssl.ts';
import type { Store } from '../../ports.ts';
import { createStore } from '../../store/create-store.ts';
import { kekFromBase64, newKekText } from '../../vault/kek.ts';
import { staticKeyring } from '../../vault/keyring.ts';
import { rotateKekEnv } from '../../vault/rotate-kek.ts';
import { createVault } from '../../vault/vault.ts';
import type { DomainContext } from '../context.ts';
import { type CaRuntime, ensureCa, importCa } from './ca-service.ts';
import { createScepRaSource, RA_RENEW_BEFORE_DAYS, RA_VALIDITY_DAYS, scepRaKvKey } from './scep-ra.ts';

const DAY = 86_400_000;
const clock = createFakeClock(new Date('2026-01-15T09:00:00Z'));
const ssl = createOpensslWorkspace();
const kek1 = newKekText();
/** The KEK in force: `kek rotate` below replaces it. */
let kekNow = kek1;
let store: Store;
let ctx: DomainContext;
let ca: CaRuntime;
let close: () => Promise<void>;

beforeAll(async () => {
  const db = await openTestSqlite();
  close = db.close;
  store = createStore(db.db, db.kind);
  ctx = { store, clock, actor: 'test' };
  ca = await ensureCa(ctx, createVault(staticKeyring(kekFromBase64(kek1, 'kek1'))), { commonName: 'RA Test Root', keyAlgorithm: 'RSA-2048', validityYears: 5 });
});
afterAll(async () => {
  await close();
  ssl.cleanup();
});

const issuedCount = async () => (await store.audit.list({ action: 'scep.ra.issue', limit: 100 })).length;

describe('the SCEP RA of the active CA', () => {
  it('is made once on first use, its key sealed (no plaintext in the database), and reused', async () => {
    const vault = createVault(staticKeyring(kekFromBase64(kek1, 'kek1')));
    const source = createScepRaSource(() => ctx, vault, ca);
    const [a, b, c] = await Promise.all([source(), source(), source()]);
    expect(b!.current.certificateDer).toEqual(a!.current.certificateDer);
    expect(c!.current.certificateDer).toEqual(a!.current.certificateDer);
    expect(await issuedCount()).toBe(1);

    const ra = a!.current;
    const caPem = ssl.write('ca.pem', toPem(ca.record.certificateDer, 'CERTIFICATE'));
    const raPem = ssl.write('ra.pem', toPem(ra.certificateDer, 'CERTIFICATE'));
    expect(ssl.run(['verify', '-attime', String(clock.now().getTime() / 1000), '-CAfile', caPem, raPem]).output).toContain(': OK');
    expect(ssl.run(['x509', '-in', raPem, '-noout', '-subject']).output).toContain('CN = RA Test Root SCEP RA');
    expect(ra.notAfter.getTime() - clock.now().getTime()).toBeGreaterThan((RA_VALIDITY_DAYS - 1) * DAY);

    const stored = JSON.parse((await store.kv.get(scepRaKvKey(ca.record.id)))!) as { current: { sealedKeyId: string } };
    const sealed = await store.credentials.getSealedKey(stored.current.sealedKeyId);
    const pkcs8 = ra.keyObject.export({ type: 'pkcs8', format: 'der' });
    expect(Buffer.from(sealed!.ciphertext).includes(pkcs8.subarray(pkcs8.length - 64))).toBe(false);

    const again = await createScepRaSource(() => ctx, vault, ca)();
    expect(again.current.certificateDer).toEqual(ra.certificateDer);
    expect(await issuedCount()).toBe(1);
  });

  it('is re-wrapped by kek rotate: afterwards only the new KEK opens it', async () => {
    const before = await createScepRaSource(() => ctx, createVault(staticKeyring(kekFromBase64(kek1, 'kek1'))), ca)();
    const kek2 = newKekText();
    const report = await rotateKekEnv(store, kek1, kek2);
    expect(report.rewrapped).toBeGreaterThanOrEqual(2); // the CA key and the RA key
    const stored = JSON.parse((await store.kv.get(scepRaKvKey(ca.record.id)))!) as { current: { sealedKeyId: string } };
    expect((await store.credentials.getSealedKey(stored.current.sealedKeyId))!.kekId).toBe(kekFromBase64(kek2, 'kek2').id);
    const withNewKek = await createScepRaSource(() => ctx, createVault(staticKeyring(kekFromBase64(kek2, 'kek2'))), ca)();
    expect(withNewKek.current.certificateDer).toEqual(before.current.certificateDer);
    const withOldKek = createScepRaSource(() => ctx, createVault(staticKeyring(kekFromBase64(kek1, 'kek1'))), ca)();
    await expect(withOldKek).rejects.toMatchObject({ code: 'kek_mismatch' });
    kekNow = kek2;
  });

  it('is re-issued when it nears expiry; the replaced RA still opens requests until it expires', async () => {
    const vault = createVault(staticKeyring(kekFromBase64(kekNow, 'current')));
    const source = createScepRaSource(() => ctx, vault, ca, { refreshMs: 0 });
    const old = (await source()).current;
    clock.advance((RA_VALIDITY_DAYS - RA_RENEW_BEFORE_DAYS - 1) * DAY);
    expect((await source()).current.certificateDer).toEqual(old.certificateDer);
    clock.advance(2 * DAY);
    const renewed = await source();
    expect(renewed.current.certificateDer).not.toEqual(old.certificateDer);
    expect(renewed.previous.map((r) => r.certificateDer)).toEqual([old.certificateDer]);
    expect(await issuedCount()).toBe(2);
    // Another process (a fresh source) finds the same pair.
    const elsewhere = await createScepRaSource(() => ctx, vault, ca)();
    expect(elsewhere.current.certificateDer).toEqual(renewed.current.certificateDer);
    expect(elsewhere.previous.map((r) => r.certificateDer)).toEqual([old.certificateDer]);
    clock.advance(RA_RENEW_BEFORE_DAYS * DAY);
    expect((await source()).previous).toEqual([]);
  });

  it('gets a new RA when the CA changes (ca import); an RA of another CA is never served', async () => {
    const vault = createVault(staticKeyring(kekFromBase64(kekNow, 'current')));
    const oldRa = (await createScepRaSource(() => ctx, vault, ca)()).current;
    const material = await createCa({ commonName: 'Imported Root', keyAlgorithm: 'RSA-2048', validityYears: 3, now: clock.now() });
    ssl.write('imported.pem', toPem(material.certificateDer, 'CERTIFICATE'));
    ssl.write('imported.key', toPem(material.privateKeyPkcs8, 'PRIVATE KEY'));
    const exported = ssl.run(['pkcs12', '-export', '-in', `${ssl.dir}/imported.pem`, '-inkey', `${ssl.dir}/imported.key`, '-passout', 'pass:pw', '-out', `${ssl.dir}/imported.p12`]);
    expect(exported.status, exported.output).toBe(0);
    const imported = await importCa(ctx, vault, ssl.read('imported.p12'), 'pw');
    // Even a kv entry pointing at the old CA's RA is replaced, not served.
    await store.kv.set(scepRaKvKey(imported.record.id), (await store.kv.get(scepRaKvKey(ca.record.id)))!);
    const ra = (await createScepRaSource(() => ctx, vault, imported)()).current;
    expect(ra.certificateDer).not.toEqual(oldRa.certificateDer);
    const caPem = ssl.write('imported-ca.pem', toPem(imported.record.certificateDer, 'CERTIFICATE'));
    const raPem = ssl.write('imported-ra.pem', toPem(ra.certificateDer, 'CERTIFICATE'));
    expect(ssl.run(['verify', '-attime', String(clock.now().getTime() / 1000), '-CAfile', caPem, raPem]).output).toContain(': OK');
    expect(ssl.run(['x509', '-in', raPem, '-noout', '-subject']).output).toContain('CN = Imported Root SCEP RA');
  });
});
