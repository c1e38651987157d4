import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../../bin/smime-portal.js');
const dir = mkdtempSync(join(tmpdir(), 'smime-serve-'));

/** Starts `smime-portal serve` on a free port; resolves with the URL and everything printed. */
function start(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [bin, 'serve'], { env: { ...process.env, DATA_DIR: join(dir, 'data'), PORT: '0' }, cwd: dir });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', () => {
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ child, url: m[1]!, output: () => out });
      }
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code}:\n${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((ok) => {
    child.once('exit', (code) => ok(code));
    child.kill('SIGTERM');
  });
}

describe('serve', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves /api/health on the embedded default, prints the admin token once, and stops on SIGTERM', async () => {
    const first = await start();
    const health = await fetch(`${first.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'sqlite' });
    const token = /admin token \(shown once; keep it safe\): (smp_\S+)/.exec(first.output())?.[1];
    expect(token).toBeDefined();
    const users = await fetch(`${first.url}/api/admin/users`, { headers: { authorization: `Bearer ${token}` } });
    expect(users.status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    const second = await start();
    expect(second.output()).not.toMatch(/admin token/);
    expect((await fetch(`${second.url}/api/admin/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await stop(second.child)).toBe(0);
  });
});
