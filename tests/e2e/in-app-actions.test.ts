/**
 * In-app notifications in Chromium: once a notice is out, the home page lists "retrieve" with a
 * link to the landing page and sets the app badge; once retrieved, the list says nothing to do
 * and the badge is cleared.
 */
import { describe, expect, it } from 'vitest';
import { markRetrieved, startCampaign } from '../../server/src/domain/campaigns/campaign-service.ts';
import { addGroup, addMember } from '../../server/src/domain/directory/directory-service.ts';
import { assignPolicy, createPolicy } from '../../server/src/domain/policy/policy-service.ts';
import { systemClock } from '../../server/src/ports.ts';
import { newContext, useE2e } from './harness.ts';

const e2e = useE2e();
describe('in-app notifications on the home page', () => {
  it('lists the waiting retrieval with the badge, and clears both once retrieved', async () => {
    const ctx = { store: e2e.server.store, clock: systemClock, actor: 'test' };
    const { code, email, userId } = await e2e.server.newCode();
    await addGroup(ctx, { name: 'staff' });
    await addMember(ctx, 'staff', email);
    await createPolicy(ctx, { name: 'P', settings: { notification: 'email' } });
    await assignPolicy(ctx, 'P', { include: ['staff'] });

    const context = await newContext(e2e.browser, e2e.server.base);
    // Record what the page asks of the Badging API (headless has no visible badge).
    await context.addInitScript(() => {
      const calls: (number | 'clear')[] = [];
      (window as unknown as { badgeCalls: typeof calls }).badgeCalls = calls;
      Object.assign(navigator, {
        setAppBadge: async (n: number) => void calls.push(n),
        clearAppBadge: async () => void calls.push('clear'),
      });
    });
    const page = await context.newPage();
    await page.goto(`/enroll?code=${code}`);
    await page.getByRole('button', { name: 'Enroll this device' }).click();
    await expect.poll(() => page.locator('#enroll-done').textContent(), { timeout: 10_000 }).toContain(email);

    await page.goto('/');
    await expect.poll(() => page.locator('#actions').textContent(), { timeout: 10_000 }).toContain('Nothing to do');

    // A campaign's notice goes out (as the worker records it).
    await startCampaign(ctx, { push: false, email: true }, { policy: 'P' });
    const claimed = await e2e.server.store.campaigns.claim('email', 'test-worker', 10, Date.now(), 60_000);
    expect(claimed).toHaveLength(1);
    await e2e.server.store.campaigns.record('test-worker', [{ id: claimed[0]!.id, state: 'sent' }], Date.now());

    await page.reload();
    const link = page.locator('#actions li[data-kind="retrieve"] a');
    await expect.poll(() => link.getAttribute('href'), { timeout: 10_000 }).toBe(`/smime/retrieve?r=${claimed[0]!.id}`);
    expect(await page.evaluate(() => (window as unknown as { badgeCalls: unknown[] }).badgeCalls)).toContain(1);

    await markRetrieved(ctx, userId);
    await page.reload();
    await expect.poll(() => page.locator('#actions').textContent(), { timeout: 10_000 }).toContain('Nothing to do');
    expect(await page.evaluate(() => (window as unknown as { badgeCalls: unknown[] }).badgeCalls)).toContain('clear');
    await context.close();
  }, 90_000);
});
