/**
 * The sw-bridge update flow in real Chromium: a first visit installs build A with no prompt;
 * once the server serves build B (a different sw.js), an update check installs B, which waits,
 * and the page offers "An update is available. — Reload"; Reload activates B, the page reloads,
 * and B controls it.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, useE2e } from './harness.ts';

const e2e = useE2e();

/**
 * Build B: build A's worker plus a line that answers "which build?". Browsers compare sw.js
 * byte for byte, so this is a new version to them, exactly as a rebuilt worker would be.
 */
function serveBuildB(webRoot: string): void {
  const sw = join(webRoot, 'sw.js');
  expect(readFileSync(sw, 'utf8')).not.toContain('which-build');
  appendFileSync(sw, `\nself.addEventListener("message",(e)=>{if(e.data&&e.data.type==="which-build")e.source.postMessage({type:"build",id:"B"})});\n`);
}

/** Asks the controlling worker which build it is: "B", or "A" when nothing answers. */
function controllerBuild(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const controller = navigator.serviceWorker.controller;
        if (!controller) return resolve('none');
        const timer = setTimeout(() => resolve('A'), 1000);
        navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string; id?: string }>) => {
          if (e.data?.type !== 'build') return;
          clearTimeout(timer);
          resolve(e.data.id ?? '?');
        });
        controller.postMessage({ type: 'which-build' });
      }),
  );
}

describe('service worker update', () => {
  it('prompts once a new worker is waiting, and Reload puts it in control', async () => {
    const context = await newContext(e2e.browser, e2e.server.base);
    const page = await context.newPage();
    await page.goto('/');
    // The first install claims the page; it is not an update, so no prompt.
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 }).toBe(true);
    const prompt = page.getByRole('status').filter({ hasText: 'An update is available.' });
    expect(await controllerBuild(page)).toBe('A');
    expect(await prompt.count()).toBe(0);

    serveBuildB(e2e.server.webRoot);
    // sw-bridge relies on the browser's own update checks; registration.update() is one, now.
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration!.update();
    });
    await prompt.waitFor({ timeout: 10_000 });
    // B is installed and waiting: A still controls the page until the user chooses.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state)).toBe('installed');
    expect(await controllerBuild(page)).toBe('A');

    await Promise.all([page.waitForEvent('load', { timeout: 10_000 }), prompt.getByRole('button', { name: 'Reload' }).click()]);
    await page.locator('h1').waitFor();
    expect(await controllerBuild(page)).toBe('B');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
    expect(await prompt.count()).toBe(0);
    expect(context.problems).toEqual([]);
    await context.close();
  });
});
