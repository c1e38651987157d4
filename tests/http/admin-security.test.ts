import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../../server/src/domain/auth/admin-tokens.ts';
import { openTestSqlite } from '../support/databases.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

describe('admin API: who is asking', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(await openTestSqlite());
  });
  afterAll(() => t.close());

  const as = (token: string | null, method = 'GET', path = '/api/admin/users', body?: unknown) =>
    t.app.request(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('refuses requests without a token, with a wrong one, and with a revoked one', async () => {
    expect((await as(null)).status).toBe(401);
    expect((await as('smp_wrong')).status).toBe(401);
    const { token, record } = await createAdminToken({ store: t.store, clock: t.clock, actor: 'test' }, { name: 'short-lived', scopes: ['read'] });
    expect((await as(token)).status).toBe(200);
    expect((await t.call('DELETE', `/api/admin/tokens/${record.id}`)).status).toBe(204);
    expect((await as(token)).status).toBe(401);
  });

  it('enforces scopes: a read token cannot write or manage tokens', async () => {
    const { token } = await createAdminToken({ store: t.store, clock: t.clock, actor: 'test' }, { name: 'reader', scopes: ['read'] });
    expect((await as(token, 'POST', '/api/admin/groups', { name: 'g' })).status).toBe(403);
    expect((await as(token, 'GET', '/api/admin/tokens')).status).toBe(403);
    expect(await t.store.directory.findGroupByName('g')).toBeNull();
  });

  it('never returns token secrets after creation, and stores only a hash', async () => {
    const r = await t.call('POST', '/api/admin/tokens', { name: 'ci', scopes: ['read'] });
    const created = (await r.json()) as { token: string; id: string };
    expect(created.token).toMatch(/^smp_[A-Za-z0-9_-]{43}$/);
    const list = await (await t.call('GET', '/api/admin/tokens')).text();
    expect(list).not.toContain(created.token);
    expect(JSON.stringify(await t.store.tokens.list())).not.toContain(created.token);
  });

  it('rate-limits failed authentication per address and audits each failure', async () => {
    t.clock.advance(61_000); // a fresh window: earlier tests failed on purpose
    for (let i = 0; i < 5; i++) expect((await as('smp_guess')).status).toBe(401);
    const limited = await as('smp_guess');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right token waits out the window: guessing must not continue in parallel.
    expect((await as(t.token)).status).toBe(429);
    t.clock.advance(61_000);
    expect((await as(t.token)).status).toBe(200);
    const audit = await t.store.audit.list({ action: 'auth.failed', limit: 100 });
    expect(audit.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(audit)).not.toContain('smp_guess');
  });

  it('sends the security headers on API and error responses', async () => {
    for (const r of [await t.app.request('/api/health'), await as(null)]) {
      expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});
