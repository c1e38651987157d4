import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSqlite } from '../support/databases.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

describe('admin API: the path an admin takes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(await openTestSqlite());
  });
  afterAll(() => t.close());

  it('answers health with the database kind', async () => {
    const r = await t.app.request('/api/health');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok', database: 'sqlite' });
  });

  it('creates users, groups, a policy, assigns it and shows its targets', async () => {
    let r = await t.call('POST', '/api/admin/users', { email: 'Ann@Example.COM', displayName: 'Ann' });
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ email: 'ann@example.com', displayName: 'Ann' });
    r = await t.call('POST', '/api/admin/users', { email: 'ann@example.com', locale: 'zh-TW' });
    expect(r.status).toBe(200);
    await t.call('POST', '/api/admin/users', { email: 'bob@example.com' });
    await t.call('POST', '/api/admin/users', { email: 'cyd@example.com' });

    expect((await t.call('POST', '/api/admin/groups', { name: 'staff' })).status).toBe(201);
    expect((await t.call('POST', '/api/admin/groups', { name: 'contractors' })).status).toBe(201);
    for (const [g, e] of [['staff', 'ann@example.com'], ['staff', 'bob@example.com'], ['contractors', 'bob@example.com'], ['contractors', 'cyd@example.com']]) {
      r = await t.call('POST', `/api/admin/groups/${g}/members`, { email: e });
      expect(await r.json()).toEqual({ added: true });
    }
    r = await t.call('POST', '/api/admin/groups/staff/members', { email: 'ann@example.com' });
    expect(await r.json()).toEqual({ added: false });

    r = await t.call('POST', '/api/admin/policies', { name: 'Default', settings: { notification: 'email', signing: { profileType: 'scep' } } });
    expect(r.status).toBe(201);
    const created = (await r.json()) as { settings: Record<string, unknown> };
    expect(created.settings).toMatchObject({ enabled: true, deployCertificates: true, notification: 'email', encryption: { profileType: 'importedPkcs' } });

    r = await t.call('PUT', '/api/admin/policies/Default/assignments', { include: ['staff'], exclude: ['contractors'] });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ targetCount: 1 });

    r = await t.call('GET', '/api/admin/policies/Default/targets');
    expect(((await r.json()) as { items: { email: string }[] }).items.map((u) => u.email)).toEqual(['ann@example.com']);

    r = await t.call('GET', '/api/admin/users/ann@example.com');
    expect(await r.json()).toMatchObject({ locale: 'zh-TW', groups: ['staff'] });
  });

  it('imports users from CSV, reporting rejected rows with their line', async () => {
    const csv = 'email,display name,groups,locale\nzoe@example.com,Zoë,staff;new team,en\nnot-an-email,X,,\nzoe@example.com,dup,,\nyan@example.com,"Yan, Y",,zh-TW\n';
    const r = await t.call('POST', '/api/admin/users/import', csv, { 'content-type': 'text/csv' });
    expect(r.status).toBe(200);
    const report = (await r.json()) as { created: number; rejected: { line: number; reason: string }[]; groupsCreated: string[] };
    expect(report.created).toBe(2);
    expect(report.groupsCreated).toEqual(['new team']);
    expect(report.rejected).toEqual([
      { line: 3, email: 'not-an-email', reason: 'email is not an email address' },
      { line: 4, email: 'zoe@example.com', reason: 'duplicate of line 2' },
    ]);
    const again = await t.call('POST', '/api/admin/users/import', csv, { 'content-type': 'text/csv' });
    expect(await again.json()).toMatchObject({ created: 0, unchanged: 2, membershipsAdded: 0 });
  });

  it('records every change in the audit log', async () => {
    const r = await t.call('GET', '/api/admin/audit?action=policy.assign');
    const items = ((await r.json()) as { items: { actor: string; target: string }[] }).items;
    expect(items[0]).toMatchObject({ actor: 'admin:test', target: 'Default' });
  });

  it('serves an OpenAPI 3.1 document listing the admin routes', async () => {
    const r = await t.app.request('/api/openapi.json');
    const doc = (await r.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/admin/users', '/api/admin/policies/{name}/assignments', '/api/admin/users/import']));
  });
});
