/**
 * End-user steps in a real page, shared by the suites that drive a device through the PWA (the
 * retrieval journey, the admin console): read the retrieval link from a notice mail, enroll with
 * a code, and wait for the retrieval to finish.
 */
import type { ParsedMail } from 'mailparser';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The `/smime/retrieve?r=…` link on `base` in the notice mail sent to `email`, if one arrived. */
export function retrievalLink(inbox: readonly ParsedMail[], email: string, base: string): string | undefined {
  const mail = inbox.find((m) => JSON.stringify(m.to ?? null).includes(email));
  return new RegExp(`${base.replace(/[.]/g, '\\.')}/smime/retrieve\\?r=[0-9a-f]+`).exec(mail?.text ?? '')?.[0];
}

/** Enrolls the page's device with a one-time code, as a user following the enrollment link. */
export async function enrollWithCode(page: Page, code: string, email: string): Promise<void> {
  await page.goto(`/enroll?code=${encodeURIComponent(code)}`);
  await page.getByRole('button', { name: 'Enroll this device' }).click();
  await expect.poll(() => page.locator('#enroll-done').textContent(), { timeout: 15_000 }).toContain(email);
}

/** Waits for the retrieval page to report completion, with `text` in its summary. */
export async function awaitRetrievalDone(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.locator('#retrieve-done').textContent(), { timeout: 30_000 }).toContain(text);
}
