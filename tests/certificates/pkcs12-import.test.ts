import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptionHistory, getDeliverableCredentials, openSealedKey } from '../../server/src/domain/credentials/credential-service.ts';
import { importPkcs12, MAX_PKCS12_BYTES } from '../../server/src/domain/credentials/import-pkcs12.ts';
import { createTrustAnchors } from '../../server/src/domain/credentials/trust-anchors.ts';
import { AppError } from '../../server/src/errors.ts';
import { encodePkcs12 } from '../../shared/pki/pkcs12-write.ts';
import { openTestSqlite } from '../support/databases.ts';
import { createFixtures, type Fixtures, type TestKey } from './fixtures.ts';
import { type CertTestEnv, certTestEnv } from './setup.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-01-15T09:00:00Z');
let fx: Fixtures;
let env: CertTestEnv;
let close: () => Promise<void>;
let key: TestKey;
let key2: TestKey;
let anchors: ReturnType<typeof createTrustAnchors>;
const alice = 'alice@example.org';

const years = (n: number) => new Date(NOW.getTime() + n * 365 * DAY);

beforeAll(async () => {
  fx = await createFixtures(NOW);
  const db = await openTestSqlite();
  close = db.close;
  env = certTestEnv(db, NOW);
  await env.addUser(alice, 'Alice');
  await env.addUser('bob@example.org');
  key = fx.newKey('k1');
  key2 = fx.newKey('k2');
  anchors = createTrustAnchors([fx.caDer], { systemRoots: false });
});
afterAll(async () => {
  await close();
  fx.cleanup();
});

const run = (bytes: Uint8Array, password: string, purpose: 'smimeEncryption' | 'smimeSigning' = 'smimeEncryption', email = alice, a = anchors) =>
  importPkcs12(env.ctx, { vault: env.vault, anchors: a }, { email, purpose, bytes, password, fileName: 'x.p12' });

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('PKCS#12 import of what openssl writes', () => {
  it('imports OpenSSL 3 default, -legacy and 3DES files into the encryption history, newest first', async () => {
    const old = await fx.cert(key, { email: alice, purpose: 'smimeEncryption', notBefore: years(-4), notAfter: years(-2) });
    const mid = await fx.cert(key2, { email: alice, purpose: 'smimeEncryption', notBefore: years(-2), notAfter: years(1) });
    const cur = await fx.cert(key, { email: alice, purpose: 'smimeEncryption', notBefore: years(-0.5), notAfter: years(1.5) });
    const r1 = await run(fx.p12('old', key, old, 'pässwörd-密码', 'legacy'), 'pässwörd-密码');
    const r2 = await run(fx.p12('mid', key2, mid, 'secret', '3des'), 'secret');
    const r3 = await run(fx.p12('cur', key, cur, 'secret'), 'secret');
    expect([r1.status, r2.status, r3.status]).toEqual(['imported', 'imported', 'imported']);
    expect(r1.warnings.map((w) => w.code)).toContain('expired');
    expect(r3.warnings).toEqual([]);

    const history = await encryptionHistory(env.ctx, r1.credential.userId);
    expect(history.map((h) => h.id)).toEqual([r3.credential.id, r2.credential.id, r1.credential.id]);
    expect(history.map((h) => h.current)).toEqual([true, false, false]);
    expect(history.map((h) => h.status)).toEqual(['active', 'superseded', 'superseded']);
    expect(history[0]!.chain).toHaveLength(1);

    const deliverable = await getDeliverableCredentials(env.ctx, r1.credential.userId);
    expect(deliverable.encryption.map((d) => d.id)).toEqual(history.map((h) => h.id));
    const opened = await openSealedKey(env.ctx, env.vault, deliverable.encryption[1]!.sealedKeyId);
    expect(Buffer.from(opened).equals(Buffer.from(key2.pkcs8Der))).toBe(true);
  });

  it('is idempotent: the same certificate again changes nothing', async () => {
    const c = await fx.cert(key, { email: alice, purpose: 'smimeSigning', notBefore: years(-0.1), notAfter: years(1) });
    const first = await run(fx.p12('sig', key, c, 'pw'), 'pw', 'smimeSigning');
    const again = await run(fx.p12('sig2', key, c, 'other', 'legacy'), 'other', 'smimeSigning');
    expect(first.status).toBe('imported');
    expect(again.status).toBe('unchanged');
    expect(again.credential.id).toBe(first.credential.id);
    const audits = await env.store.audit.list({ action: 'credential.import', limit: 100 });
    const entry = audits.find((a) => a.details?.sha256 === first.credential.sha256);
    expect(entry?.details).toMatchObject({ sha256: first.credential.sha256, purpose: 'smimeSigning', fileName: 'x.p12' });
    expect(audits.filter((a) => a.details?.sha256 === first.credential.sha256)).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toMatch(/pw|other|PRIVATE/);
  });

  it('warns about a chain that does not reach a trusted root', async () => {
    const c = await fx.cert(key2, { email: alice, purpose: 'smimeEncryption', notBefore: years(-0.2), notAfter: years(1) });
    const r = await run(fx.p12('untrusted', key2, c, 'pw'), 'pw', 'smimeEncryption', alice, createTrustAnchors([], { systemRoots: true }));
    expect(r.status).toBe('imported');
    expect(r.warnings.map((w) => w.code)).toEqual(['untrusted_chain']);
  });
});

describe('PKCS#12 import explains what is wrong and writes nothing', () => {
  let good: Uint8Array;
  let before: number;
  beforeAll(async () => {
    const c = await fx.cert(key2, { email: alice, purpose: 'smimeEncryption', notBefore: years(-0.1), notAfter: years(2) });
    good = fx.p12('good', key2, c, 'right');
  });
  const count = async () => (await env.store.credentials.listForUser((await env.store.directory.findUserByEmail(alice))!.id)).length;
  const expectNothingWritten = async () => expect(await count()).toBe(before);

  it.each([
    ['wrong password', () => run(good, 'wrong'), 'pkcs12_invalid', 'pkcs12_wrong_password', /password/],
    ['not a PKCS#12', () => run(new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nMIIB\n'), 'x'), 'pkcs12_invalid', 'pkcs12_not_pkcs12', /not a PKCS#12/],
    ['random bytes', () => run(new Uint8Array(500).map((_, i) => (i * 37 + 11) & 255), 'x'), 'pkcs12_invalid', undefined, /./],
    ['truncated', () => run(good.slice(0, Math.floor(good.length / 2)), 'right'), 'pkcs12_invalid', 'pkcs12_truncated', /incomplete/],
  ])('%s', async (_name, call, code, reason, message) => {
    before = await count();
    const e = await rejection(call());
    expect(e.code).toBe(code);
    if (reason) expect(e.details?.reason).toBe(reason);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^x\.p12: /);
    await expectNothingWritten();
  });

  it('no private key / no certificate / key does not match', async () => {
    before = await count();
    const c = await fx.cert(key2, { email: alice, purpose: 'smimeEncryption', notBefore: years(-0.1), notAfter: years(2) });
    expect((await rejection(run(fx.p12('nokey', null, c, 'pw'), 'pw'))).details?.reason).toBe('pkcs12_no_key');
    expect((await rejection(run(fx.p12('nocert', key2, null, 'pw'), 'pw'))).details?.reason).toBe('pkcs12_no_certificate');
    const mismatch = await encodePkcs12({ entries: [{ privateKeyPkcs8: key.pkcs8Der, certificate: c }], password: 'pw', encoding: 'aes' });
    expect((await rejection(run(mismatch, 'pw'))).details?.reason).toBe('pkcs12_key_mismatch');
    await expectNothingWritten();
  });

  it('not for this user, wrong purpose, expired signing certificate', async () => {
    before = await count();
    const bobs = await fx.cert(key2, { email: 'bob@example.org', purpose: 'smimeEncryption', notBefore: years(-0.1), notAfter: years(2) });
    const notFor = await rejection(run(fx.p12('bob', key2, bobs, 'pw'), 'pw'));
    expect(notFor.code).toBe('certificate_rejected');
    expect(notFor.details?.reasons).toEqual(['not_for_user']);
    expect(notFor.message).toContain('bob@example.org');

    const signing = await fx.cert(key2, { email: alice, purpose: 'smimeSigning', notBefore: years(-0.1), notAfter: years(2) });
    expect((await rejection(run(fx.p12('sigonly', key2, signing, 'pw'), 'pw', 'smimeEncryption'))).details?.reasons).toEqual(['wrong_purpose_key_usage']);

    // An EKU without emailProtection, made by openssl itself.
    fx.ws.write('ext.cnf', 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=email:alice@example.org\n');
    fx.ws.run(['req', '-new', '-key', key2.pem, '-subj', '/CN=alice', '-out', 'tls.csr']);
    fx.ws.run(['x509', '-req', '-in', 'tls.csr', '-signkey', key2.pem, '-days', '30', '-extfile', 'ext.cnf', '-outform', 'DER', '-out', 'tls.der']);
    const eku = await rejection(run(fx.p12('tls', key2, fx.ws.read('tls.der'), 'pw'), 'pw'));
    expect(eku.details?.reasons).toEqual(['wrong_purpose_eku']);

    const expired = await fx.cert(key2, { email: alice, purpose: 'smimeSigning', notBefore: years(-3), notAfter: years(-1) });
    expect((await rejection(run(fx.p12('expsig', key2, expired, 'pw'), 'pw', 'smimeSigning'))).details?.reasons).toEqual(['expired']);
    await expectNothingWritten();
  });

  it('refuses files above the size limit before parsing', async () => {
    before = await count();
    const e = await rejection(run(new Uint8Array(MAX_PKCS12_BYTES + 1), 'x'));
    expect(e.code).toBe('payload_too_large');
    expect(e.message).toContain(String(MAX_PKCS12_BYTES));
    await expectNothingWritten();
  });

  it('unknown user', async () => {
    expect((await rejection(run(good, 'right', 'smimeEncryption', 'nobody@example.org'))).code).toBe('not_found');
  });
});
