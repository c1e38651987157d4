/**
 * The console session over the real app (no socket): token → HttpOnly SameSite=Strict cookie,
 * CSRF token required on every state-changing cookie request, cross-site requests refused,
 * expiry (absolute and idle), sign-out, revoked token ends its sessions; Bearer unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../../server/src/domain/auth/admin-tokens.ts';
import { hashSession, SESSION_IDLE_MS, SESSION_MAX_AGE_MS } from '../../server/src/http/admin-session/admin-sessions.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable } from '../support/databases.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;

const ORIGIN = 'http://localhost';

async function signIn(token = t.token, headers: Record<string, string> = {}) {
  const res = await t.app.request('/api/admin/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...headers },
    body: JSON.stringify({ token }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  return { res, setCookie, cookie, body: res.status === 201 ? ((await res.json()) as { csrfToken: string; expiresAt: string; admin: { name: string } }) : null };
}

const withCookie = (cookie: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.app.request(path, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

function defineSessionSuite(name: string, open: () => Promise<OpenDatabase>) {
  describe(`admin console session (${name})`, () => {
    beforeAll(async () => {
      t = await createTestApp(await open());
    });
    afterAll(() => t.close());

    it('exchanges a token for an HttpOnly, SameSite=Strict session cookie and stores only a hash', async () => {
      const { res, setCookie, cookie, body } = await signIn();
      expect(res.status).toBe(201);
      expect(setCookie).toMatch(/^smp_admin=sms_[A-Za-z0-9_-]{43};/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      expect(setCookie).toMatch(/Path=\//);
      expect(setCookie).toMatch(/Max-Age=28800/);
      expect(setCookie).not.toMatch(/Secure/);
      expect(body?.admin.name).toBe('test');
      const secret = cookie.split('=')[1]!;
      expect(await t.store.adminSessions.findByHash(secret)).toBeNull();
      expect((await t.store.adminSessions.findByHash(hashSession(secret)))?.token.name).toBe('test');
      const me = await withCookie(cookie, 'GET', '/api/admin/session');
      expect(me.status).toBe(200);
      expect(((await me.json()) as { csrfToken: string }).csrfToken).toBe(body?.csrfToken);
      expect((await withCookie(cookie, 'GET', '/api/admin/users')).status).toBe(200);
    });

    it('marks the cookie Secure (and __Host-) when the request came over TLS via a trusted proxy', async () => {
      // app.request has no socket, so emulate what forwardedFrom sets for a trusted proxy.
      const { createApp } = await import('../../server/src/http/app.ts');
      const { loadConfig } = await import('../../server/src/config.ts');
      const app = createApp({ store: t.store, clock: t.clock, config: loadConfig({}) });
      const res = await app.request(
        '/api/admin/session',
        { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body: JSON.stringify({ token: t.token }) },
        { incoming: { socket: { remoteAddress: '127.0.0.1', encrypted: true } } },
      );
      expect(res.status).toBe(201);
      expect(res.headers.get('set-cookie')).toMatch(/^__Host-smp_admin=sms_.*; Secure/);
    });

    it('requires the CSRF token and a same-origin request for every state-changing call', async () => {
      const { cookie, body } = await signIn();
      const csrf = body!.csrfToken;
      expect(await (await withCookie(cookie, 'POST', '/api/admin/groups', { name: 'no-csrf' })).json()).toMatchObject({ status: 403, code: 'forbidden' });
      expect((await withCookie(cookie, 'POST', '/api/admin/groups', { name: 'bad-csrf' }, { 'x-csrf-token': 'x'.repeat(43) })).status).toBe(403);
      expect((await withCookie(cookie, 'POST', '/api/admin/groups', { name: 'cross' }, { 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect((await withCookie(cookie, 'POST', '/api/admin/groups', { name: 'evil' }, { 'x-csrf-token': csrf, origin: 'https://evil.example' })).status).toBe(403);
      expect(await t.store.directory.findGroupByName('no-csrf')).toBeNull();
      expect(await t.store.directory.findGroupByName('evil')).toBeNull();
      const ok = await withCookie(cookie, 'POST', '/api/admin/groups', { name: 'csrf-ok' }, { 'x-csrf-token': csrf, origin: ORIGIN, 'sec-fetch-site': 'same-origin' });
      expect(ok.status).toBe(201);
      // Another session's CSRF token does not fit this session.
      const other = await signIn();
      expect((await withCookie(cookie, 'POST', '/api/admin/groups', { name: 'mixed' }, { 'x-csrf-token': other.body!.csrfToken })).status).toBe(403);
    });

    it('refuses a cross-site form post (no JSON, no CSRF token, foreign origin)', async () => {
      const { cookie } = await signIn();
      const res = await t.app.request('/api/admin/groups', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        body: 'name=form-post',
      });
      expect(res.status).toBe(403);
      expect(await t.store.directory.findGroupByName('form-post')).toBeNull();
    });

    it('refuses a cross-site sign-in, and a wrong token (audited, rate-limited)', async () => {
      expect((await signIn(t.token, { 'sec-fetch-site': 'cross-site' })).res.status).toBe(403);
      const wrong = await signIn('smp_wrong');
      expect(wrong.res.status).toBe(401);
      expect(wrong.setCookie).toBe('');
      const audit = await t.store.audit.list({ action: 'auth.failed', limit: 5 });
      expect(audit[0]?.details).toMatchObject({ reason: 'invalid token (console sign-in)' });
      expect(JSON.stringify(audit)).not.toContain('smp_wrong');
    });

    it('expires after the idle time and after the maximum age', async () => {
      const a = await signIn();
      t.clock.advance(SESSION_IDLE_MS + 1000);
      expect((await withCookie(a.cookie, 'GET', '/api/admin/users')).status).toBe(401);
      const b = await signIn();
      for (let spent = 0; spent < SESSION_MAX_AGE_MS; spent += SESSION_IDLE_MS - 60_000) {
        t.clock.advance(SESSION_IDLE_MS - 60_000);
        if (spent + SESSION_IDLE_MS - 60_000 < SESSION_MAX_AGE_MS) expect((await withCookie(b.cookie, 'GET', '/api/admin/users')).status).toBe(200);
      }
      expect((await withCookie(b.cookie, 'GET', '/api/admin/users')).status).toBe(401);
    });

    it('signs out (cookie cleared, session gone) and ends sessions of a revoked token', async () => {
      const { cookie, body } = await signIn();
      expect((await withCookie(cookie, 'DELETE', '/api/admin/session')).status).toBe(403);
      const out = await withCookie(cookie, 'DELETE', '/api/admin/session', undefined, { 'x-csrf-token': body!.csrfToken });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/smp_admin=;.*Max-Age=0/);
      expect((await withCookie(cookie, 'GET', '/api/admin/users')).status).toBe(401);

      const { token, record } = await createAdminToken({ store: t.store, clock: t.clock, actor: 'test' }, { name: 'temp', scopes: ['read'] });
      const s = await signIn(token);
      expect((await withCookie(s.cookie, 'GET', '/api/admin/users')).status).toBe(200);
      expect((await withCookie(s.cookie, 'POST', '/api/admin/groups', { name: 'ro' }, { 'x-csrf-token': s.body!.csrfToken })).status).toBe(403);
      await t.call('DELETE', `/api/admin/tokens/${record.id}`);
      expect((await withCookie(s.cookie, 'GET', '/api/admin/users')).status).toBe(401);
    });

    it('keeps Bearer tokens working without CSRF (CLI/API clients)', async () => {
      expect((await t.call('POST', '/api/admin/groups', { name: 'bearer-ok' })).status).toBe(201);
    });
  });
}

defineSessionSuite('SQLite', openTestSqlite);
const unavailable = await postgresUnavailable();
describe.skipIf(unavailable !== null)('PostgreSQL', () => defineSessionSuite('PostgreSQL', openTestPostgres));
