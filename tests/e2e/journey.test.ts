/**
 * Issue 6, end to end with real peers: the admin imports three historic encryption certificates
 * made by `openssl pkcs12 -export`, sets a policy (scep signing, importedPkcs encryption, email)
 * → enrollment code → campaign → a real SMTP server receives the notice → Chromium opens its
 * link → enrolls → retrieves → the keychain holds one signing and three encryption certificates
 * → `openssl cms -encrypt` messages to each (PKCS#1 v1.5 and OAEP) open in /smime/check → a
 * message signed in the page verifies with `openssl cms -verify` → the campaign shows the
 * recipient retrieved. Then: an interrupted retrieval resumes without duplicates.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode } from '../../server/src/domain/devices/enrollment.ts';
import { issueWithServerKey } from '../../server/src/domain/ca/issue-credential.ts';
import { toPem } from '../../server/src/pki/testing/openssl.ts';
import { startSmtpSink, type SmtpSink, until } from '../campaigns/harness.ts';
import { createFixtures, type Fixtures } from '../certificates/fixtures.ts';
import { type PortalServer, startPortalServer } from '../retrieval/portal-server.ts';
import { awaitRetrievalDone, enrollWithCode, retrievalLink } from './device-steps.ts';
import { launchChromium, newContext } from './harness.ts';

const EMAIL = 'alice@example.com';
const YEAR = 365 * 86_400_000;
let smtp: SmtpSink;
let portal: PortalServer;
let browser: Browser;
let fx: Fixtures;

beforeAll(async () => {
  smtp = await startSmtpSink();
  [portal, browser, fx] = await Promise.all([startPortalServer({ smtpUrl: smtp.url }), launchChromium(), createFixtures(new Date())]);
  // The admin's policy: scep signing, importedPkcs encryption (export allowed), email notices.
  expect((await portal.admin('POST', '/api/admin/groups', { name: 'staff' })).status).toBe(201);
  const policy = await portal.admin('POST', '/api/admin/policies', { name: 'Mail', settings: { signing: { profileType: 'scep' }, encryption: { profileType: 'importedPkcs', allowExport: true }, notification: 'email' } });
  expect(policy.status).toBe(201);
  expect((await portal.admin('PUT', '/api/admin/policies/Mail/assignments', { include: ['staff'], exclude: [] })).status).toBe(200);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await portal?.close();
  await smtp?.close();
  fx?.cleanup();
});

/** Counts keychain entries by purpose, inside the page. */
const keychainCounts = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<Record<string, number>>((resolve, reject) => {
        const open = indexedDB.open('smime-portal');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('certificates').objectStore('certificates').getAll();
          all.onsuccess = () => {
            const counts: Record<string, number> = { total: all.result.length };
            for (const e of all.result as { purpose: string; privateKey: CryptoKey }[]) {
              counts[e.purpose] = (counts[e.purpose] ?? 0) + 1;
              if (e.privateKey.extractable) counts.extractable = (counts.extractable ?? 0) + 1;
            }
            open.result.close();
            resolve(counts);
          };
        };
      }),
  );

const axeSource = readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8');

/** Serious or critical axe violations of the page as it is now (filled keychain, results shown). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
  });
}

/** The DER PKCS#8 of an openssl key file in the fixtures workspace. */
const readPkcs8 = (name: string) => execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', join(fx.ws.dir, name), '-outform', 'DER']);

async function enrollIn(page: Page, email: string): Promise<void> {
  const { code } = await createEnrollmentCode(portal.ctx, { email });
  await enrollWithCode(page, code, email);
}

describe('the retrieval journey', () => {
  it('mail link → enroll → retrieve → old mail opens → signed mail verifies → campaign retrieved', async () => {
    // Admin: user, group, three historic encryption certificates from openssl pkcs12 -export.
    expect((await portal.admin('POST', '/api/admin/users', { email: EMAIL, displayName: 'Alice' })).status).toBe(201);
    expect((await portal.admin('POST', '/api/admin/groups/staff/members', { email: EMAIL })).status).toBe(200);
    const now = Date.now();
    const certs: { der: Uint8Array; sha1: string; pem: string }[] = [];
    for (let i = 0; i < 3; i += 1) {
      const key = fx.newKey(`hist${i}`);
      // Oldest first: two expired certificates and the current one.
      const der = await fx.cert(key, { email: EMAIL, purpose: 'smimeEncryption', notBefore: new Date(now - (3 - i) * YEAR), notAfter: new Date(now - (2 - i) * YEAR + (i === 2 ? YEAR : 0)) });
      const p12 = fx.p12(`hist${i}`, key, der, `pw-${i}`);
      const res = await portal.admin('POST', `/api/admin/users/${EMAIL}/credentials/pkcs12`, { purpose: 'smimeEncryption', pkcs12: Buffer.from(p12).toString('base64'), password: `pw-${i}` });
      expect(res.status, await res.clone().text()).toBe(201);
      const { credential } = (await res.json()) as { credential: { sha1: string } };
      certs.push({ der, sha1: credential.sha1, pem: fx.ws.write(`hist${i}.pem`, toPem(der, 'CERTIFICATE')) });
    }

    // Campaign → the real SMTP server receives the notice with the retrieval link.
    const started = await portal.admin('POST', '/api/admin/campaigns', { policy: 'Mail', channel: 'email' });
    expect(started.status).toBe(201);
    const campaignId = ((await started.json()) as { campaign: { id: string } }).campaign.id;
    await until(() => smtp.inbox.some((m) => m.to && JSON.stringify(m.to).includes(EMAIL)), 20_000, 'the notice mail');
    const link = retrievalLink(smtp.inbox, EMAIL, portal.base);
    expect(link).toBeTruthy();

    const context = await newContext(browser, portal.base);
    const page = await context.newPage();
    await page.goto(link!);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('not enrolled');
    await enrollIn(page, EMAIL);

    // Retrieval, with every step visible. Every bundle body is kept for the PKCS#8 scan.
    const bundleBodies: string[] = [];
    page.on('response', (res) => {
      if (/\/api\/device\/(bundle|signing-csr|ack)$/.test(new URL(res.url()).pathname)) res.text().then((t) => bundleBodies.push(t), () => undefined);
    });
    await page.goto(link!);
    await awaitRetrievalDone(page, '3 encryption certificates');
    expect(await page.locator('.step-done').count()).toBe(6);
    expect(await page.locator('.steps').textContent()).toContain('Encryption history (3 of 3)');
    expect(await keychainCounts(page)).toEqual({ total: 4, signing: 1, encryption: 3 });
    const seen = bundleBodies.join('\n');
    expect(seen).toContain('"envelope"');
    for (const i of [0, 1, 2]) {
      const pkcs8 = readPkcs8(`hist${i}.key`);
      expect(pkcs8.length).toBeGreaterThan(1000);
      for (const text of [pkcs8.toString('base64'), pkcs8.toString('base64url'), pkcs8.subarray(400, 460).toString('base64'), pkcs8.toString('hex')]) expect(seen.includes(text)).toBe(false);
    }

    // Old mail opens: openssl cms -encrypt to each certificate, PKCS#1 v1.5 and OAEP.
    await page.goto('/smime/check');
    for (const [i, cert] of certs.entries()) {
      for (const oaep of [false, true]) {
        const body = `Secret ${i} ${oaep ? 'oaep' : 'v15'}`;
        const msg = fx.ws.write(`m${i}${oaep}.txt`, `Content-Type: text/plain\r\n\r\n${body}\r\n`);
        const out = `enc${i}${oaep}.eml`;
        const args = ['cms', '-encrypt', '-aes256', '-in', msg, '-out', out, ...(oaep ? ['-recip', cert.pem, '-keyopt', 'rsa_padding_mode:oaep'] : [cert.pem])];
        const r = fx.ws.run(args);
        expect(r.status, r.output).toBe(0);
        await page.locator('#smime-paste').fill(Buffer.from(fx.ws.read(out)).toString('latin1'));
        await page.getByRole('button', { name: 'Open the message' }).click();
        await expect.poll(() => page.locator('#check-plaintext').textContent(), { timeout: 10_000 }).toContain(body);
        const openedBy = await page.locator('#check-opened-by').textContent();
        expect(openedBy).toContain(cert.sha1);
        expect(openedBy).toContain(oaep ? 'OAEP' : 'PKCS1-v1_5');
      }
    }

    // A message signed in the page verifies with openssl.
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    const signed = await page.locator('#check-signed-output').inputValue({ timeout: 10_000 });
    const ca = fx.ws.write('portal-ca.pem', toPem(portal.certificates.ca.record.certificateDer, 'CERTIFICATE'));
    fx.ws.write('signed.eml', signed);
    const verify = fx.ws.run(['cms', '-verify', '-in', 'signed.eml', '-CAfile', ca, '-out', 'verified.txt']);
    expect(verify.status, verify.output).toBe(0);
    expect(verify.output).toContain('Verification successful');
    expect(Buffer.from(fx.ws.read('verified.txt')).toString()).toContain('This is an S/MIME test message.');

    // Encrypt to recipients from the directory: one without a certificate must be removed first.
    await page.locator('#encrypt-to').fill(`${EMAIL}, nobody@example.com`);
    await page.getByRole('button', { name: 'Look up certificates' }).click();
    await expect.poll(() => page.locator('#encrypt-recipients').textContent()).toContain('nobody@example.com: not in the directory');
    expect(await page.locator('#encrypt-send').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Remove nobody@example.com' }).click();
    await page.locator('#encrypt-send').click();
    fx.ws.write('to-alice.eml', await page.locator('#check-encrypted-output').inputValue({ timeout: 10_000 }));
    const decrypt = fx.ws.run(['cms', '-decrypt', '-in', 'to-alice.eml', '-recip', certs[2]!.pem, '-inkey', 'hist2.key']);
    expect(decrypt.status, decrypt.output).toBe(0);
    expect(decrypt.output).toContain('This is an S/MIME test message.');

    expect(await axeViolations(page)).toEqual([]);

    // The campaign shows the recipient retrieved.
    const status = (await (await portal.admin('GET', `/api/admin/campaigns/${campaignId}`)).json()) as { progress: { states: Record<string, number> } };
    expect(status.progress.states.retrieved).toBe(1);
    expect(context.problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('keychain page: details, expiry warning, .p12 import, default signing, removal, export', async () => {
    const email = 'carol@example.com';
    await portal.store.directory.upsertUser({ email, displayName: 'Carol' }, new Date());
    await portal.admin('POST', '/api/admin/groups/staff/members', { email });
    const now = Date.now();
    const key = fx.newKey('carol-enc');
    const soon = await fx.cert(key, { email, purpose: 'smimeEncryption', notBefore: new Date(now - YEAR), notAfter: new Date(now + 10 * 86_400_000) });
    const imported = await portal.admin('POST', `/api/admin/users/${email}/credentials/pkcs12`, { purpose: 'smimeEncryption', pkcs12: Buffer.from(fx.p12('carol-enc', key, soon, 'pw')).toString('base64'), password: 'pw' });
    expect(imported.status).toBe(201);
    const context = await newContext(browser, portal.base);
    const page = await context.newPage();
    await enrollIn(page, email);
    // A lost connection at the bundle: a clear error and a retry that completes.
    await page.route('**/api/device/bundle', (route) => route.abort('internetdisconnected'));
    await page.goto('/smime/retrieve');
    await expect.poll(() => page.locator('#retrieve-error').textContent(), { timeout: 15_000 }).toContain('connection to the portal was lost');
    expect(await page.locator('.step-failed').textContent()).toContain('Reading your policy');
    await page.unroute('**/api/device/bundle');
    await page.getByRole('button', { name: 'Try again' }).click();
    await awaitRetrievalDone(page, '1 encryption certificates');

    await page.goto('/keychain');
    const history = page.locator('#keychain-history');
    await expect.poll(() => history.textContent()).toContain('expires in');
    await history.getByText('Details').first().click();
    expect(await history.textContent()).toContain((await fx.ws.run(['x509', '-in', fx.ws.write('soon.pem', toPem(soon, 'CERTIFICATE')), '-noout', '-fingerprint', '-sha1'])).output.split('=')[1]!.trim().replace(/:/g, '').toLowerCase());

    // .p12 import: a clear message for an unreadable file and a wrong password, then success.
    const signKey = fx.newKey('carol-sign');
    const signCert = await fx.cert(signKey, { email, purpose: 'smimeSigning', notBefore: new Date(now - 86_400_000), notAfter: new Date(now + YEAR) });
    const p12 = Buffer.from(fx.p12('carol-sign', signKey, signCert, 'secret'));
    const importWith = async (buffer: Buffer, password: string) => {
      await page.locator('#p12-file').setInputFiles({ name: 'mine.p12', mimeType: 'application/x-pkcs12', buffer });
      await page.locator('#p12-password').fill(password);
      await page.getByRole('button', { name: 'Import' }).click();
      return page.locator('#keychain-import-message').textContent({ timeout: 10_000 });
    };
    expect(await importWith(Buffer.from('this is not a p12 file at all'), 'x')).toContain('cannot be read');
    expect(await importWith(p12, 'wrong')).toContain('password does not open');
    expect(await importWith(p12, 'secret')).toContain('Imported 1 certificates');

    // A message signed by openssl with that certificate verifies in /smime/check; a tampered one does not.
    fx.ws.write('carol-sign.pem', toPem(signCert, 'CERTIFICATE'));
    fx.ws.write('to-sign.txt', 'Content-Type: text/plain\r\n\r\nSigned by openssl\r\n');
    const signedByOpenssl = fx.ws.run(['cms', '-sign', '-in', 'to-sign.txt', '-signer', 'carol-sign.pem', '-inkey', 'carol-sign.key', '-md', 'sha256', '-out', 'openssl-signed.eml']);
    expect(signedByOpenssl.status, signedByOpenssl.output).toBe(0);
    const signedText = Buffer.from(fx.ws.read('openssl-signed.eml')).toString('latin1');
    await page.goto('/smime/check');
    for (const [text, expected] of [[signedText, 'The signature is valid and trusted.'], [signedText.replace('Signed by openssl', 'Signed by mallory'), 'The signature is not valid']] as const) {
      await page.locator('#smime-paste').fill(text);
      await page.getByRole('button', { name: 'Open the message' }).click();
      await expect.poll(() => page.locator('#check-signature').textContent(), { timeout: 10_000 }).toContain(expected);
    }
    expect(await page.locator('#check-plaintext').textContent()).toContain('Signed by mallory');
    await page.goto('/keychain');

    // Two valid signing certificates: choose the default.
    const chooser = page.locator('#keychain-default-signing');
    await expect.poll(() => chooser.locator('input').count()).toBe(2);
    await chooser.locator('input').nth(1).check();
    await expect.poll(() => chooser.locator('input:checked').count()).toBe(1);

    // Export the history (policy allows it) in both encodings; openssl reads both.
    for (const encoding of ['aes', '3des'] as const) {
      await page.locator('#export-password').fill('export-pass');
      await page.locator('#export-encoding').selectOption(encoding);
      await page.getByRole('button', { name: 'Make the file' }).click();
      await expect.poll(() => page.locator('#keychain-export-download').textContent(), { timeout: 10_000 }).toContain(encoding);
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#keychain-export-download').click()]);
      await download.saveAs(join(fx.ws.dir, `export-${encoding}.p12`));
      const info = fx.ws.run(['pkcs12', '-in', `export-${encoding}.p12`, '-passin', 'pass:export-pass', '-nodes', '-info']);
      expect(info.status, info.output).toBe(0);
      expect(info.output).toContain('BEGIN PRIVATE KEY');
      expect(info.output).toContain(encoding === 'aes' ? 'AES-256-CBC' : 'pbeWithSHA1And3-KeyTripleDES-CBC');
    }

    expect(await axeViolations(page)).toEqual([]);

    // Remove with confirmation.
    const signingList = page.locator('#keychain-signing');
    const before = await signingList.locator('li').count();
    await signingList.getByRole('button', { name: 'Remove' }).first().click();
    await signingList.getByRole('button', { name: 'Yes, remove' }).click();
    await expect.poll(() => signingList.locator('li').count()).toBe(before - 1);
    expect(context.problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('an interrupted retrieval resumes and completes without duplicates', async () => {
    const email = 'bert@example.com';
    const { user } = await portal.store.directory.upsertUser({ email, displayName: 'Bert' }, new Date());
    await portal.admin('POST', '/api/admin/groups/staff/members', { email });
    for (let i = 0; i < 10; i += 1) await issueWithServerKey(portal.ctx, portal.certificates.issuer, user, 'smimeEncryption');
    const context = await newContext(browser, portal.base);
    const first = await context.newPage();
    await enrollIn(first, email);
    // Slow the page's CPU so the history step is still running when the page closes; the app is
    // loaded already, and moves to /smime/retrieve in-app (as its links do).
    const cdp = await context.newCDPSession(first);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 10 });
    await first.evaluate(() => {
      history.pushState(null, '', '/smime/retrieve');
      dispatchEvent(new PopStateEvent('popstate'));
    });
    await until(async () => ((await keychainCounts(first).catch(() => ({ encryption: 0 }))).encryption ?? 0) >= 1, 20_000, 'the first stored certificate');
    await first.close();

    const second = await context.newPage();
    await second.goto('/keychain');
    const before = await keychainCounts(second);
    expect(before.encryption).toBeGreaterThanOrEqual(1);
    expect(before.encryption).toBeLessThan(10);
    await second.goto('/smime/retrieve');
    await awaitRetrievalDone(second, 'were already on this device');
    expect(await keychainCounts(second)).toEqual({ total: 11, signing: 1, encryption: 10 });
    // A later visit, in Traditional Chinese: everything is skipped, nothing is duplicated.
    await second.evaluate(() => localStorage.setItem('smime-portal.locale', 'zh-TW'));
    await second.reload();
    await awaitRetrievalDone(second, '有 10 個憑證已在此裝置上');
    expect(await second.locator('.steps').textContent()).toContain('加密歷史記錄（10 / 10）');
    expect(await keychainCounts(second)).toEqual({ total: 11, signing: 1, encryption: 10 });
    const signing = (await portal.store.credentials.listForUser(user.id)).filter((c) => c.purpose === 'smimeSigning');
    expect(signing).toHaveLength(1);

    // Later still: the signing certificate is past the policy's renewal threshold (80% of its
    // lifetime; aged here by rewriting its dates in the keychain) → a new one is made.
    await second.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('smime-portal');
          open.onsuccess = () => {
            const store = open.result.transaction('certificates', 'readwrite').objectStore('certificates');
            const all = store.getAll();
            all.onsuccess = () => {
              for (const e of all.result as { purpose: string; notBefore: string; notAfter: string }[]) {
                if (e.purpose !== 'signing') continue;
                e.notBefore = new Date(Date.now() - 700 * 86_400_000).toISOString();
                e.notAfter = new Date(Date.now() + 30 * 86_400_000).toISOString();
                store.put(e);
              }
              store.transaction.oncomplete = () => resolve();
            };
          };
          open.onerror = () => reject(open.error);
        }),
    );
    await second.reload();
    await awaitRetrievalDone(second, '您的簽章憑證已更新');
    expect(await keychainCounts(second)).toEqual({ total: 12, signing: 2, encryption: 10 });
    expect((await portal.store.credentials.listForUser(user.id)).filter((c) => c.purpose === 'smimeSigning')).toHaveLength(2);
    expect(context.problems).toEqual([]);
    await context.close();
  }, 120_000);
});
