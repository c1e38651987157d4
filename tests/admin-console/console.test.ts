/**
 * The admin console in real Chromium over the real server: sign in → create a group and a
 * policy → import two .p12 files made by `openssl pkcs12 -export` (a third with a wrong
 * password is refused whole, with the CLI's explanation) → start an email campaign to a real
 * SMTP sink → the page shows "sent" live over SSE → a device (a second Chromium context) gets an
 * enrollment code from the admin API, opens the link in the mail, enrolls and retrieves through the
 * real device API → the funnel shows "retrieved" live. Also: a cross-site form post is refused; the end-user bundle holds no admin
 * code; axe finds nothing serious on any console page in English and Traditional Chinese.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtures, type Fixtures } from '../certificates/fixtures.ts';
import { awaitRetrievalDone, enrollWithCode, retrievalLink } from '../e2e/device-steps.ts';
import { launchChromium, newContext } from '../e2e/harness.ts';
import { type ConsoleServer, startConsoleServer } from './console-server.ts';
import { endUserFiles } from './end-user-files.ts';

let server: ConsoleServer;
let browser: Browser;
let fx: Fixtures;
const axeSource = readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8');
const USERS = ['alice@example.com', 'bob@example.com', 'carol@example.com'];

beforeAll(async () => {
  [server, browser, fx] = await Promise.all([startConsoleServer(), launchChromium(), createFixtures(new Date())]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  fx?.cleanup();
});

async function signIn(page: Page, heading = 'Overview') {
  await page.goto('/admin');
  await page.locator('#token').fill(server.token);
  await page.locator('#token').press('Enter');
  await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe(heading);
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
  });
}

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

describe('admin console journey', () => {
  it('signs in, sets up a group and a policy, imports .p12 files, and watches a campaign live to "retrieved"', async () => {
    const context = await newContext(browser, server.base);
    const page = await context.newPage();
    await signIn(page);
    const cookie = (await context.cookies()).find((c) => c.name === 'smp_admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });

    // Users, then a group with them, by keyboard and form.
    await nav(page, 'Users');
    for (const email of USERS) {
      await page.locator('#new-email').fill(email);
      await page.locator('#new-email').press('Enter');
      await expect.poll(() => page.getByRole('status').filter({ hasText: `Added ${email}.` }).count()).toBe(1);
    }
    await nav(page, 'Groups');
    await page.locator('#group-name').fill('Finance');
    await page.locator('#group-name').press('Enter');
    await page.locator('#member-email').waitFor();
    for (const email of USERS.slice(0, 2)) {
      await page.locator('#member-email').fill(email);
      await page.locator('#member-email').press('Enter');
      await expect.poll(() => page.getByRole('status').filter({ hasText: `Added ${email} to Finance.` }).count()).toBe(1);
    }

    // A policy: deploys certificates (scep signing, which the device's own key satisfies), email
    // notification, assigned to Finance; the count shows before saving.
    await nav(page, 'Policies');
    await page.locator('#p-name').fill('Mail');
    await page.locator('#p-notification').selectOption('email');
    await page.locator('#p-sign-profile').selectOption('scep');
    expect(await page.locator('#p-deploy').isChecked()).toBe(true);
    await page.getByLabel('Assignment of Finance').selectOption('include');
    await expect.poll(() => page.locator('.targets').textContent()).toBe('This policy will target 2 users.');
    expect(await server.store.policies.findPolicyByName('Mail')).toBeNull();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved Mail. It targets 2 users.' }).count()).toBe(1);
    expect((await server.store.policies.findPolicyByName('Mail'))?.settings).toMatchObject({ deployCertificates: true, notification: 'email', signing: { profileType: 'scep' } });

    // Import: two good files and one with another password (refused whole).
    const now = Date.now();
    const files = USERS.map((email, i) => {
      const key = fx.newKey(`k${i}`);
      return { email, key };
    });
    const payloads = await Promise.all(
      files.map(async ({ email, key }, i) => ({
        name: `${email}.p12`,
        mimeType: 'application/x-pkcs12',
        buffer: Buffer.from(fx.p12(`u${i}`, key, await fx.cert(key, { email, purpose: 'smimeEncryption', notBefore: new Date(now - 86400_000), notAfter: new Date(now + 365 * 86400_000) }), i === 2 ? 'other-pass' : 'p12-pass')),
      })),
    );
    await nav(page, 'Import');
    await page.locator('#p12-files').setInputFiles(payloads);
    await page.locator('#p12-password').fill('p12-pass');
    expect(await page.getByLabel('User email for bob@example.com.p12').inputValue()).toBe('bob@example.com');
    await page.getByRole('button', { name: 'Import 3 files' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: '2 imported, 0 unchanged, 1 not imported.' }).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('li[data-file="carol@example.com.p12"]').textContent()).toMatch(/Not imported.*pkcs12_wrong_password/);
    const carol = await server.store.directory.findUserByEmail('carol@example.com');
    expect(await server.store.credentials.listForUser(carol!.id)).toEqual([]);

    // The user page shows the history with the current certificate marked.
    await nav(page, 'Users');
    await page.getByRole('link', { name: 'alice@example.com' }).click();
    await expect.poll(() => page.locator('.badge-current').count()).toBe(1);

    // Campaign: dry run, start, watch "sent" arrive live.
    await nav(page, 'Campaigns');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: '2 users targeted; 2 would be notified now (Email).' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Start campaign' }).click();
    await expect.poll(() => page.locator('[data-testid="funnel-targeted"]').textContent(), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => page.locator('[data-testid="funnel-sent"]').textContent(), { timeout: 15_000 }).toBe('2');
    expect(server.smtp.inbox.map((m) => (m.to as { text: string }).text).sort()).toEqual(['alice@example.com', 'bob@example.com']);
    await page.locator('#r-state').selectOption('sent');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);

    // Alice's device: an enrollment code from the admin API, the link in her mail, enrollment,
    // retrieval through the device API; the admin page's funnel follows live.
    const issued = await fetch(`${server.base}/api/admin/users/${USERS[0]}/enrollment-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(issued.status, await issued.clone().text()).toBe(201);
    const { code } = (await issued.json()) as { code: string };
    const link = retrievalLink(server.smtp.inbox, USERS[0]!, server.base);
    expect(link).toBeTruthy();
    const deviceContext = await newContext(browser, server.base);
    const device = await deviceContext.newPage();
    await device.goto(link!);
    await expect.poll(() => device.getByRole('alert').first().textContent()).toContain('not enrolled');
    await enrollWithCode(device, code, USERS[0]!);
    await device.goto(link!);
    await awaitRetrievalDone(device, '1 encryption certificates');
    // The policy's scep profile gave the device a signing certificate for its own key.
    const alice = await server.store.directory.findUserByEmail(USERS[0]!);
    expect((await server.store.credentials.listForUser(alice!.id)).map((c) => c.purpose).sort()).toEqual(['smimeEncryption', 'smimeSigning']);
    expect(deviceContext.problems).toEqual([]);
    await deviceContext.close();
    await expect.poll(() => page.locator('[data-testid="funnel-retrieved"]').textContent(), { timeout: 10_000 }).toBe('1');
    expect(await page.locator('[data-testid="funnel-opened"]').textContent()).toBe('1');
    expect(await page.locator('[data-testid="progress-text"]').textContent()).toBe('2 of 2 handled');
    await page.locator('#r-state').selectOption('retrieved');
    // (Polled on the text: the "sent" filter's list already shrank to Bob's one row.)
    await expect.poll(() => page.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining(USERS[0]!)]);

    // The CA page shows the built-in CA and its (not yet built) CRL.
    await nav(page, 'CA');
    await expect.poll(() => page.locator('.facts').first().textContent()).toContain('CN=Console Test CA');
    expect(await page.locator('.facts').nth(1).textContent()).toContain('Not built yet');

    // The audit log filters by action.
    await nav(page, 'Audit log');
    await page.locator('#a-action').fill('campaign.start');
    await page.locator('#a-action').press('Enter');
    await expect.poll(() => page.locator('table.audit tbody tr').count()).toBe(1);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    expect((await context.cookies()).find((c) => c.name === 'smp_admin')).toBeUndefined();
    expect(context.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('refuses a cross-site form post made with the signed-in browser', async () => {
    const context = await newContext(browser, server.base);
    const page = await context.newPage();
    await signIn(page);
    const evil = 'http://evil.example';
    await context.route(`${evil}/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><title>x</title><form method="post" action="${server.base}/api/admin/groups"><input name="name" value="csrf-form"><button>go</button></form></html>`,
      }),
    );
    await page.goto(`${evil}/`);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/admin/groups')), page.getByRole('button', { name: 'go' }).click()]);
    expect([401, 403, 415]).toContain(response.status());
    expect(await server.store.directory.findGroupByName('csrf-form')).toBeNull();
    await context.close();
  });
});

describe('build output', () => {
  it('gives end users no admin code: nothing reachable from index.html or the precache is the console', () => {
    const { files, precache } = endUserFiles(server.webRoot);
    expect(files.some((f) => f.startsWith('assets/index-'))).toBe(true);
    for (const f of [...files, ...precache]) {
      expect(f).not.toMatch(/admin/);
      const text = readFileSync(join(server.webRoot, f), 'utf8');
      for (const marker of ['S/MIME Portal admin', '/api/admin', 'x-csrf-token', 'preview-audience']) expect(text, `${f} contains ${marker}`).not.toContain(marker);
    }
    // ...while the console entry does exist and is served for /admin paths.
    expect(readFileSync(join(server.webRoot, 'admin/admin.html'), 'utf8')).toContain('/assets/admin-');
  });

  it('lets the service worker leave /admin to the network', async () => {
    const context = await newContext(browser, server.base);
    const page = await context.newPage();
    await page.goto('/');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.goto('/admin/users');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    expect(await page.title()).toContain('S/MIME Portal admin');
    await context.close();
  });
});

describe('accessibility', () => {
  const PAGES = ['/', '/users', '/users/alice%40example.com', '/groups', '/import', '/policies', '/campaigns', 'campaign', '/ca', '/audit', '/nope'];
  for (const locale of ['en-US', 'zh-TW'] as const) {
    it(`has no serious or critical axe violation on any console page (${locale})`, async () => {
      const context = await newContext(browser, server.base, { locale });
      const page = await context.newPage();
      const found: string[] = [];
      await page.goto('/admin');
      await page.locator('#token').waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale === 'zh-TW' ? 'zh-TW' : 'en');
      found.push(...(await axeViolations(page)).map((v) => `sign-in: ${v}`));
      await signIn(page, locale === 'zh-TW' ? '總覽' : 'Overview');
      const campaign = (await server.store.campaigns.listCampaigns(1))[0];
      for (const p of PAGES) {
        const path = p === 'campaign' ? `/campaigns/${campaign?.id ?? 'none'}` : p;
        await page.goto(`/admin${path === '/' ? '' : path}`);
        await page
          .locator('h1')
          .waitFor({ timeout: 5000 })
          .catch((e: Error) => {
            throw new Error(`${path}: ${e.message} ${context.problems.join('; ')} ${page.url()}`);
          });
        await expect.poll(() => page.locator('main').textContent()).not.toMatch(/Loading…|載入中…/);
        found.push(...(await axeViolations(page)).map((v) => `${path}: ${v}`));
      }
      expect(found).toEqual([]);
      expect(context.problems).toEqual([]);
      await context.close();
    }, 60_000);
  }
});
