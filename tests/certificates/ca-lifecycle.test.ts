import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { createAdminToken } from '../../server/src/domain/auth/admin-tokens.ts';
import { type CaRuntime, ensureCa } from '../../server/src/domain/ca/ca-service.ts';
import { type IssuerDeps, issueFromCsr, issueWithServerKey } from '../../server/src/domain/ca/issue-credential.ts';
import { runRenewalSweep } from '../../server/src/domain/ca/renewal-sweep.ts';
import { encryptionHistory, getDeliverableCredentials, openSealedKey } from '../../server/src/domain/credentials/credential-service.ts';
import type { User } from '../../server/src/domain/directory/types.ts';
import { AppError } from '../../server/src/errors.ts';
import { createApp } from '../../server/src/http/app.ts';
import { toPem } from '../../server/src/pki/testing/openssl.ts';
import { openTestSqlite } from '../support/databases.ts';
import { createFixtures, type Fixtures } from './fixtures.ts';
import { type CertTestEnv, certTestEnv } from './setup.ts';

const DAY = 86_400_000;
let fx: Fixtures;
let env: CertTestEnv;
let close: () => Promise<void>;
let ca: CaRuntime;
let issuer: IssuerDeps;
let user: User;
let caPem: string;
let app: ReturnType<typeof createApp>;
let token: string;

beforeAll(async () => {
  const db = await openTestSqlite();
  close = db.close;
  env = certTestEnv(db, new Date());
  fx = await createFixtures(env.clock.now());
  ca = await ensureCa(env.ctx, env.vault, { commonName: 'Lifecycle Root', keyAlgorithm: 'RSA-2048', validityYears: 5 });
  caPem = fx.ws.write('builtin-ca.pem', toPem(ca.record.certificateDer, 'CERTIFICATE'));
  const config = loadConfig({ PUBLIC_URL: 'https://portal.example.org' });
  issuer = { vault: env.vault, ca, crlUrl: `${config.publicUrl}/crl`, validityDays: 100 };
  user = await env.addUser('carol@example.org', 'Carol Example');
  app = createApp({ store: env.store, clock: env.clock, config, vault: env.vault, ca });
  token = (await createAdminToken(env.ctx, { name: 't', scopes: ['read', 'write'] })).token;
});
afterAll(async () => {
  await close();
  fx.cleanup();
});

const verify = (der: Uint8Array, purpose: string) => fx.ws.run(['verify', '-attime', String(Math.floor(env.clock.now().getTime() / 1000)), '-CAfile', caPem, '-purpose', purpose, fx.ws.write(`v-${purpose}-${Math.random()}.pem`, toPem(der, 'CERTIFICATE'))]);
const admin = (method: string, path: string, body?: unknown) =>
  app.request(path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

describe('built-in CA', () => {
  it('is created once; a second ensureCa loads the same CA', async () => {
    const again = await ensureCa(env.ctx, env.vault);
    expect(again.record.id).toBe(ca.record.id);
  });

  it('issues escrowed encryption and signing certificates that openssl verifies for S/MIME', async () => {
    const enc = await issueWithServerKey(env.ctx, issuer, user, 'smimeEncryption');
    const sig = await issueWithServerKey(env.ctx, issuer, user, 'smimeSigning');
    expect(verify(enc.certificateDer, 'smimeencrypt').output).toContain(': OK');
    expect(verify(sig.certificateDer, 'smimesign').output).toContain(': OK');
    const text = fx.ws.run(['x509', '-inform', 'DER', '-in', fx.ws.write('enc.der', enc.certificateDer), '-noout', '-text']).output;
    expect(text).toContain('email:carol@example.org');
    expect(text).toContain('Key Encipherment');
    expect(text).toContain('E-mail Protection');
    expect(text).toContain('URI:https://portal.example.org/crl');
    const d = await getDeliverableCredentials(env.ctx, user.id);
    expect(d.encryption.map((c) => c.id)).toEqual([enc.id]);
    expect(d.signing.map((c) => c.id)).toEqual([sig.id]);
    const key = await openSealedKey(env.ctx, env.vault, d.encryption[0]!.sealedKeyId);
    expect(fx.ws.run(['pkey', '-inform', 'DER', '-in', fx.ws.write('k.der', key), '-noout']).status).toBe(0);
  });

  it('renews the encryption certificate at 80% of its lifetime, once, keeping the old one in the history', async () => {
    expect((await runRenewalSweep(env.ctx, issuer)).renewed).toHaveLength(0);
    env.clock.advance(79 * DAY);
    expect((await runRenewalSweep(env.ctx, issuer)).renewed).toHaveLength(0);
    env.clock.advance(2 * DAY);
    const r = await runRenewalSweep(env.ctx, issuer);
    expect(r.renewed).toHaveLength(1);
    expect((await runRenewalSweep(env.ctx, issuer)).renewed).toHaveLength(0);
    const history = await encryptionHistory(env.ctx, user.id);
    expect(history.map((h) => [h.id, h.current, h.status])).toEqual([
      [r.renewed[0]!.successorId, true, 'active'],
      [r.renewed[0]!.predecessorId, false, 'superseded'],
    ]);
    env.clock.advance(200 * DAY);
    expect((await encryptionHistory(env.ctx, user.id)).length).toBe(2);
  });

  it('revokes; /crl is a signed DER CRL listing the serial with nextUpdate', async () => {
    const history = await encryptionHistory(env.ctx, user.id);
    const old = history[1]!;
    const first = await app.request('/crl');
    expect(first.status).toBe(200);
    const revoked = await admin('POST', `/api/admin/credentials/${old.id}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { status: string }).status).toBe('revoked');
    const res = await app.request('/crl');
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    const crl = fx.ws.write('crl.der', new Uint8Array(await res.arrayBuffer()));
    const out = fx.ws.run(['crl', '-inform', 'DER', '-in', crl, '-CAfile', caPem, '-noout', '-text']);
    expect(out.output).toContain('verify OK');
    expect(out.output).toMatch(/Next Update: /);
    expect(out.output.toLowerCase().replace(/:/g, '')).toContain(old.serialHex.toLowerCase());
    expect(out.output).toContain('Key Compromise');
    expect(out.output).toMatch(/X509v3 CRL Number: \s*2/);
    expect((await encryptionHistory(env.ctx, user.id)).map((h) => h.status)).toEqual(['active', 'revoked']);
  });

  it('cert delete removes a credential from every future delivery, audited', async () => {
    const before = await getDeliverableCredentials(env.ctx, user.id);
    const victim = before.encryption[1]!;
    const res = await admin('DELETE', `/api/admin/credentials/${victim.id}`);
    expect(res.status).toBe(200);
    const after = await getDeliverableCredentials(env.ctx, user.id);
    expect(after.encryption.map((c) => c.id)).not.toContain(victim.id);
    const audits = await env.store.audit.list({ action: 'credential.delete', limit: 10 });
    expect(audits[0]?.details).toMatchObject({ credentialId: victim.id });
  });

  it('issues a signing certificate from a device CSR, binding the user email whatever the CSR says', async () => {
    const key = fx.newKey('device');
    const csr = fx.ws.run(['req', '-new', '-key', key.pem, '-subj', '/CN=mallory/emailAddress=mallory@evil.example', '-outform', 'DER', '-out', 'd.csr']);
    expect(csr.status).toBe(0);
    const c = await issueFromCsr(env.ctx, issuer, user.id, fx.ws.read('d.csr'), { deviceId: 'dev-1' });
    expect(c.sealedKeyId).toBeNull();
    expect(verify(c.certificateDer, 'smimesign').output).toContain(': OK');
    const text = fx.ws.run(['x509', '-inform', 'DER', '-in', fx.ws.write('dev.der', c.certificateDer), '-noout', '-text']).output;
    expect(text).toContain('email:carol@example.org');
    expect(text).not.toContain('mallory');
    const tampered = fx.ws.read('d.csr').slice();
    tampered[tampered.length - 5]! ^= 0xff;
    const error = await issueFromCsr(env.ctx, issuer, user.id, tampered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('csr_invalid');
    expect((await issueFromCsr(env.ctx, issuer, user.id, new Uint8Array([1, 2, 3])).catch((e: AppError) => e.code))).toBe('csr_invalid');
  });
});

describe('admin API for PKCS#12', () => {
  it('imports base64 JSON, is idempotent, explains a wrong password, refuses oversized files', async () => {
    const key = fx.newKey('api');
    const now = env.clock.now();
    const cert = await fx.cert(key, { email: 'carol@example.org', purpose: 'smimeEncryption', notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + 300 * DAY) });
    const pkcs12 = Buffer.from(fx.p12('api', key, cert, 'pässwörd', 'legacy')).toString('base64');
    const path = '/api/admin/users/carol@example.org/credentials/pkcs12';
    const first = await admin('POST', path, { purpose: 'smimeEncryption', pkcs12, password: 'pässwörd', fileName: 'carol.p12' });
    expect(first.status).toBe(201);
    const body = (await first.json()) as { status: string; warnings: { code: string }[] };
    expect(body.status).toBe('imported');
    expect(body.warnings.map((w) => w.code)).toEqual(['untrusted_chain']);
    expect((await admin('POST', path, { purpose: 'smimeEncryption', pkcs12, password: 'pässwörd' })).status).toBe(200);
    const wrong = await admin('POST', path, { purpose: 'smimeEncryption', pkcs12, password: 'nope' });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(await wrong.json()).toMatchObject({ code: 'pkcs12_invalid', details: { reason: 'pkcs12_wrong_password' } });
    const big = await admin('POST', path, { purpose: 'smimeEncryption', pkcs12: Buffer.alloc(150 * 1024).toString('base64') });
    expect(big.status).toBe(413);
    const list = (await (await admin('GET', '/api/admin/users/carol@example.org/credentials')).json()) as { items: { current: boolean; purpose: string }[] };
    expect(list.items.filter((i) => i.current)).toHaveLength(1);
    const spec = (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain('/api/admin/users/{email}/credentials/pkcs12');
  });
});
