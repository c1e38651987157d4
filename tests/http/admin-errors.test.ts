import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSqlite } from '../support/databases.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

type Problem = { code: string; detail: string; status: number; errors?: { path: string; message: string }[] };

describe('admin API: bad input gets a clear 4xx naming the field', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(await openTestSqlite());
    await t.call('POST', '/api/admin/groups', { name: 'staff' });
    await t.call('POST', '/api/admin/policies', { name: 'P' });
  });
  afterAll(() => t.close());

  const problem = async (r: Response, status: number, code: string): Promise<Problem> => {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    const body = (await r.json()) as Problem;
    expect(body).toMatchObject({ status, code });
    return body;
  };

  it('names a wrong type and a missing field', async () => {
    const p = await problem(await t.call('POST', '/api/admin/users', { email: 42 }), 400, 'validation_failed');
    expect(p.errors?.[0]?.path).toBe('email');
    const q = await problem(await t.call('POST', '/api/admin/groups', {}), 400, 'validation_failed');
    expect(q.errors?.[0]?.path).toBe('name');
  });

  it('refuses unknown fields instead of ignoring them', async () => {
    const p = await problem(await t.call('POST', '/api/admin/users', { email: 'a@example.com', admin: true }), 400, 'validation_failed');
    expect(p.detail).toMatch(/admin/);
  });

  it('refuses an unknown policy setting and a bad enum value', async () => {
    const p = await problem(await t.call('PUT', '/api/admin/policies/P/settings', { notification: 'pigeon' }), 400, 'validation_failed');
    expect(p.errors?.[0]?.path).toBe('notification');
    await problem(await t.call('PUT', '/api/admin/policies/P/settings', { signing: { profileType: 'scep', color: 'red' } }), 400, 'validation_failed');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const r = await t.app.request('/api/admin/users', { method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' }, body: '{"email": ' });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses a body that is not JSON', async () => {
    await problem(await t.call('POST', '/api/admin/users', 'email=a@example.com', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  });

  it('refuses an oversized body before parsing it', async () => {
    const r = await t.call('POST', '/api/admin/users', { email: 'a@example.com', displayName: 'x'.repeat(300_000) });
    await problem(r, 413, 'payload_too_large');
  });

  it('reports conflicts and unknown names', async () => {
    await problem(await t.call('POST', '/api/admin/groups', { name: 'staff' }), 409, 'conflict');
    await problem(await t.call('PUT', '/api/admin/policies/P/assignments', { include: ['nope'] }), 404, 'not_found');
    await problem(await t.call('POST', '/api/admin/groups/staff/members', { email: 'ghost@example.com' }), 404, 'not_found');
    await problem(await t.call('GET', '/api/admin/nothing-here'), 404, 'not_found');
  });

  it('refuses a group both included and excluded', async () => {
    const p = await problem(await t.call('PUT', '/api/admin/policies/P/assignments', { include: ['staff'], exclude: ['staff'] }), 400, 'validation_failed');
    expect(p.detail).toMatch(/both included and excluded/);
  });

  it('refuses bidi overrides and control characters in names', async () => {
    await problem(await t.call('POST', '/api/admin/users', { email: 'b@example.com', displayName: 'evil\u202egnp.exe' }), 400, 'validation_failed');
    await problem(await t.call('POST', '/api/admin/users', { email: 'b\u0000@example.com' }), 400, 'validation_failed');
  });

  it('refuses a CSV without an email column or with broken quoting, writing nothing', async () => {
    const before = await t.store.directory.countUsers();
    const p = await problem(await t.call('POST', '/api/admin/users/import', 'name,groups\nAnn,staff\n', { 'content-type': 'text/csv' }), 400, 'validation_failed');
    expect(p.detail).toMatch(/no "email" column/);
    await problem(await t.call('POST', '/api/admin/users/import', 'email\n"a@example.com\n', { 'content-type': 'text/csv' }), 400, 'validation_failed');
    await problem(await t.call('POST', '/api/admin/users/import', 'email\n\xff', { 'content-type': 'application/json' }), 415, 'unsupported_media_type');
    expect(await t.store.directory.countUsers()).toBe(before);
  });
});
