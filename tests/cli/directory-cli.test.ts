import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-cli-'));
const env = { DATA_DIR: join(dir, 'data'), USER: 'tester' };
const run = (...args: string[]) => cli(env, dir, ...args);

describe('CLI: users, groups and policies', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates users, groups, a policy, assigns it and shows its targets', async () => {
    expect((await run('user', 'add', '--email', 'ann@example.com', '--name', 'Ann')).code).toBe(0);
    expect((await run('user', 'add', '--email', 'bob@example.com')).code).toBe(0);
    expect((await run('group', 'add', 'staff')).code).toBe(0);
    expect((await run('group', 'add', 'contractors')).code).toBe(0);
    await run('group', 'member', 'add', 'staff', 'ann@example.com');
    await run('group', 'member', 'add', 'staff', 'bob@example.com');
    await run('group', 'member', 'add', 'contractors', 'bob@example.com');
    const created = await run('policy', 'create', 'Default', '--signing', 'scep', '--notification', 'email', '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out).settings).toMatchObject({ notification: 'email', signing: { profileType: 'scep' } });
    const assigned = await run('policy', 'assign', 'Default', '--include', 'staff', '--exclude', 'contractors', '--json');
    expect(JSON.parse(assigned.out).targetCount).toBe(1);
    const shown = await run('policy', 'show', 'Default', '--targets', '10', '--json');
    expect(JSON.parse(shown.out)).toMatchObject({ targetCount: 1, targets: ['ann@example.com'] });
    const human = await run('policy', 'show', 'Default', '--targets', '10');
    expect(human.out).toMatch(/include: staff/);
    expect(human.out).toMatch(/exclude: contractors/);
  });

  it('imports a CSV and lists rejected rows', async () => {
    const file = join(dir, 'users.csv');
    writeFileSync(file, 'email,name,groups\ncyd@example.com,Cyd,staff\nbroken,,\n');
    const r = await run('user', 'import', 'users.csv', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ created: 1, rejected: [{ line: 3, email: 'broken' }] });
  });

  it('fails with one line and a non-zero code', async () => {
    const bad = await run('user', 'add', '--email', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.err.trim().split('\n')).toEqual(['smime-portal: invalid user: email: is not an email address']);
    const missing = await run('group', 'member', 'add', 'ghosts', 'ann@example.com');
    expect(missing.err.trim()).toBe('smime-portal: no group named "ghosts"');
    const file = await run('user', 'import', 'missing.csv');
    expect(file.err.trim()).toBe('smime-portal: cannot read missing.csv: ENOENT');
    const usage = await run('policy', 'assign');
    expect(usage.code).toBe(2);
    const conf = await cli({ ...env, PORT: 'x' }, dir, 'user', 'list');
    expect(conf.code).toBe(1);
    expect(conf.err).toMatch(/PORT: must be a whole number/);
  });

  it('has --help on every command', async () => {
    for (const args of [[], ['user', 'add'], ['user', 'import'], ['group', 'add'], ['group', 'member', 'add'], ['policy', 'create'], ['policy', 'assign'], ['policy', 'show'], ['serve'], ['token', 'create']]) {
      const r = await run(...args, '--help');
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out, args.join(' ')).toMatch(/^Usage: smime-portal/);
    }
  });

  it('runs as the installed binary with exit codes', async () => {
    const bin = resolve(import.meta.dirname, '../../bin/smime-portal.js');
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [bin, 'user', 'list', '--json'], { env: { ...process.env, ...env }, cwd: dir });
    expect(JSON.parse(ok.stdout).items.map((u: { email: string }) => u.email)).toContain('ann@example.com');
    await expect(exec(process.execPath, [bin, 'group', 'add', ''], { env: { ...process.env, ...env }, cwd: dir })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^smime-portal: invalid group: name: must not be empty\n$/) });
  });
});
