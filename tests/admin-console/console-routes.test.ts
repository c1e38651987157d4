/**
 * The console's own endpoints over the real app, on SQLite and PostgreSQL: overview counts,
 * the policy audience dry run, devices (list, retire), campaign recipients by state, failures
 * by reason and retrying the failed ones; sessions and the CA status.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../server/src/ids.ts';
import { systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { appWith } from '../campaigns/harness.ts';
import { seed } from '../campaigns/seed.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable } from '../support/databases.ts';

function defineConsoleRoutes(name: string, open: () => Promise<OpenDatabase>) {
  it(`answers every console endpoint (${name})`, async () => {
    const db = await open();
    try {
      const store = createStore(db.db, db.kind);
      const ctx = { store, clock: systemClock, actor: 'test' };
      const { userIds } = await seed(db.db, ctx, { group: 'staff', policy: 'Mail', users: 4, email: (i) => `u${i}@example.com`, push: (i) => (i < 2 ? { endpoint: `https://push.example/${i}`, p256dh: 'x', auth: 'y' } : null) });
      await seed(db.db, ctx, { group: 'contractors', policy: 'Other', users: 2, email: (i) => `c${i}@example.com` });
      const staff = (await store.directory.findGroupByName('staff'))!;
      await store.directory.addMember(staff.id, (await store.directory.findUserByEmail('c0@example.com'))!.id);
      const api = await appWith(store, { SMTP_URL: 'smtp://127.0.0.1:1' }, { email: true, push: false });
      const json = async (method: string, path: string, body?: unknown) => {
        const r = await api.call(method, path, body);
        return { status: r.status, body: (await r.json()) as Record<string, unknown> & { items?: Record<string, unknown>[] } };
      };

      expect((await json('GET', '/api/admin/overview')).body).toEqual({ users: 6, enrolledDevices: 2, expiringSoon: 0, expiringWithinDays: 30, campaignsRunning: 0 });

      // Audience dry run: include staff (5 with c0), exclude contractors (c0, c1) → 4; nothing saved.
      expect((await json('POST', '/api/admin/policies/preview-audience', { include: ['staff'], exclude: [] })).body).toEqual({ targetCount: 5 });
      expect((await json('POST', '/api/admin/policies/preview-audience', { include: ['staff', 'contractors'], exclude: ['contractors'] })).body).toEqual({ targetCount: 4 });
      expect((await json('POST', '/api/admin/policies/preview-audience', { include: [], exclude: [] })).body).toEqual({ targetCount: 0 });
      expect((await json('POST', '/api/admin/policies/preview-audience', { include: ['nope'] })).status).toBe(404);

      // Devices of a user; retire one (twice is a conflict).
      const devices = await json('GET', '/api/admin/users/u0@example.com/devices');
      expect(devices.body.items).toHaveLength(1);
      const deviceId = devices.body.items![0]!.id as string;
      expect((await json('POST', `/api/admin/devices/${deviceId}/retire`, {})).body).toEqual({ id: deviceId, status: 'retired' });
      expect((await json('POST', `/api/admin/devices/${deviceId}/retire`, {})).status).toBe(409);
      expect((await json('GET', '/api/admin/overview')).body.enrolledDevices).toBe(1);

      // A campaign; fail two rows as a worker would, then list, count by reason and retry.
      const started = await json('POST', '/api/admin/campaigns', { policy: 'Mail', channel: 'email' });
      const id = (started.body.campaign as { id: string }).id;
      expect((await json('GET', '/api/admin/overview')).body.campaignsRunning).toBe(1);
      const failed = [userIds[0]!, userIds[1]!];
      await db.db.updateTable('deliveries').set({ state: 'failed', reason: 'rejected', attempts: 3, last_error: '550 no such user' }).where('campaign_id', '=', id).where('user_id', 'in', failed).execute();
      await db.db.updateTable('deliveries').set({ state: 'sent', sent_at: Date.now() }).where('campaign_id', '=', id).where('user_id', 'not in', failed).execute();
      await store.campaigns.finishIdle([id], Date.now());
      expect((await store.campaigns.getCampaign(id))?.status).toBe('done');

      expect((await json('GET', `/api/admin/campaigns/${id}/failures`)).body).toEqual({ items: [{ state: 'failed', reason: 'rejected', n: 2 }] });
      const onlyFailed = await json('GET', `/api/admin/campaigns/${id}/recipients?state=failed`);
      expect(onlyFailed.body.items!.map((r) => r.email).sort()).toEqual(['u0@example.com', 'u1@example.com']);
      expect(onlyFailed.body.items![0]).toMatchObject({ state: 'failed', reason: 'rejected', attempts: 3, lastError: '550 no such user' });
      const page1 = await json('GET', `/api/admin/campaigns/${id}/recipients?limit=3`);
      expect(page1.body.items).toHaveLength(3);
      const page2 = await json('GET', `/api/admin/campaigns/${id}/recipients?limit=3&after=${page1.body.next as string}`);
      expect(page2.body.items).toHaveLength(2);
      expect(page2.body.next).toBeNull();
      expect((await json('GET', `/api/admin/campaigns/${id}/recipients?state=bogus`)).status).toBe(400);

      expect((await json('POST', `/api/admin/campaigns/${id}/retry-failed`, {})).body).toEqual({ requeued: 2 });
      expect((await store.campaigns.getCampaign(id))?.status).toBe('running');
      const progress = await store.campaigns.progress(id);
      expect(progress.states).toMatchObject({ pending: 2, failed: 0, sent: 3 });
      expect((await json('POST', `/api/admin/campaigns/${id}/retry-failed`, {})).body).toEqual({ requeued: 0 });
      expect((await store.audit.list({ action: 'campaign.retry_failed', limit: 5 })).map((e) => e.details)).toEqual([{ requeued: 0 }, { requeued: 2 }]);
      expect((await json('POST', `/api/admin/campaigns/${id}/cancel`, {})).status).toBe(200);
      expect((await json('POST', `/api/admin/campaigns/${id}/retry-failed`, {})).status).toBe(409);
      expect((await json('GET', `/api/admin/campaigns/${newId()}/recipients`)).status).toBe(404);

      // Without a built-in CA the CA page says so.
      expect((await json('GET', '/api/admin/ca/status')).body).toMatchObject({ status: 503, code: 'dependency_failed' });
      expect((await store.adminSessions.deleteExpired(new Date())) >= 0).toBe(true);
    } finally {
      await db.close();
    }
  });
}

describe('admin console endpoints', async () => {
  defineConsoleRoutes('SQLite', openTestSqlite);
  const unavailable = await postgresUnavailable();
  describe.skipIf(unavailable !== null)('PostgreSQL', () => defineConsoleRoutes('PostgreSQL', openTestPostgres));
});
