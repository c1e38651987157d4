/**
 * Offline and accessibility in real Chromium: after the first visit every page loads with the
 * network off (precache + navigation fallback); axe-core finds no serious or critical
 * violation on any page in English and Traditional Chinese (chosen from the browser language);
 * the app runs under the strict CSP with no violation.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, useE2e } from './harness.ts';

const e2e = useE2e();
const axeSource = readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8');

const PAGES: { path: string; en: string; zh: string }[] = [
  { path: '/', en: 'This device', zh: '此裝置' },
  { path: `/enroll?code=${'A'.repeat(24)}`, en: 'Enroll this device', zh: '註冊此裝置' },
  { path: '/enroll', en: 'Enroll this device', zh: '註冊此裝置' },
  { path: '/smime/retrieve?r=rec-1', en: 'We are retrieving your certificates', zh: '正在取得您的憑證' },
  { path: '/keychain', en: 'Keychain', zh: '鑰匙圈' },
  { path: '/smime/check', en: 'S/MIME check', zh: 'S/MIME 檢查' },
  { path: '/settings', en: 'Settings', zh: '設定' },
  { path: '/no-such-page', en: 'Page not found', zh: '找不到頁面' },
];

async function heading(page: Page): Promise<string | null> {
  return page.locator('h1').textContent({ timeout: 10_000 });
}

describe('offline', () => {
  it('loads every page with the network off after the first visit', async () => {
    const context = await newContext(e2e.browser, e2e.server.base);
    const page = await context.newPage();
    await page.goto('/');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await context.setOffline(true);
    for (const p of PAGES) {
      await page.goto(p.path);
      expect(await heading(page)).toBe(p.en);
    }
    // The API is never answered from a cache: offline it fails.
    expect(await page.evaluate(() => fetch('/api/health').then(() => 'answered', () => 'failed'))).toBe('failed');
    await context.setOffline(false);
    expect(context.problems).toEqual([]);
    await context.close();
  });
});

describe('accessibility', () => {
  for (const locale of ['en-US', 'zh-TW'] as const) {
    it(`has no serious or critical axe violation on any page (${locale})`, async () => {
      const context = await newContext(e2e.browser, e2e.server.base, { locale });
      const page = await context.newPage();
      const found: string[] = [];
      for (const p of PAGES) {
        await page.goto(p.path);
        expect(await heading(page)).toBe(locale === 'zh-TW' ? p.zh : p.en);
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale === 'zh-TW' ? 'zh-TW' : 'en');
        // Evaluated through DevTools, so the page's CSP (no inline script) does not block it.
        await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => {
          const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> } }).axe;
          const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
          return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
        });
        found.push(...violations.map((v) => `${p.path}: ${v}`));
      }
      expect(found).toEqual([]);
      expect(context.problems).toEqual([]);
      await context.close();
    });
  }

  it('switches language from the settings page and remembers it', async () => {
    const context = await newContext(e2e.browser, e2e.server.base);
    const page = await context.newPage();
    await page.goto('/settings');
    await page.getByLabel('Language').selectOption('zh-TW');
    expect(await heading(page)).toBe('設定');
    await page.goto('/keychain');
    expect(await heading(page)).toBe('鑰匙圈');
    await context.close();
  });
});
