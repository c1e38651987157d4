/** `smime-portal demo`: seeds a demo organisation with a real history and prints an enrollment link. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-demo-'));
const env = { DATA_DIR: dir, CA_KEY_ALGORITHM: 'RSA-2048', PUBLIC_URL: 'http://127.0.0.1:8080' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('smime-portal demo', () => {
  it('seeds users, group, policy and an expired-and-current history; a second run tops up only', async () => {
    const first = await cli(env, dir, 'demo', '--json');
    expect(first.code, first.err).toBe(0);
    const r = JSON.parse(first.out) as { email: string; history: { issued: number; total: number }; enrollLink: string; oldMessageFile: string; policy: string };
    expect(r).toMatchObject({ email: 'alice@demo.example', policy: 'Demo', history: { issued: 3, total: 3 } });
    expect(r.enrollLink).toMatch(/^http:\/\/127\.0\.0\.1:8080\/enroll\?code=\S{16,}$/);
    expect(readFileSync(r.oldMessageFile, 'utf8')).toContain('application/pkcs7-mime');

    const certs = await cli(env, dir, 'cert', 'list', '--user', 'alice@demo.example', '--json');
    expect(certs.code, certs.err).toBe(0);
    const list = JSON.parse(certs.out) as { purpose: string; notAfter: string; current: boolean }[] | { items: { purpose: string; notAfter: string; current: boolean }[] };
    const items = Array.isArray(list) ? list : list.items;
    expect(items.filter((c) => c.purpose === 'smimeEncryption')).toHaveLength(3);
    expect(items.filter((c) => Date.parse(c.notAfter) < Date.now())).toHaveLength(2);
    expect(items.filter((c) => c.current)).toHaveLength(1);

    const again = await cli(env, dir, 'demo', '--json');
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ history: { issued: 0, total: 3 } });

    const human = await cli(env, dir, 'demo');
    expect(human.out).toContain('enroll this browser:');
    expect((await cli(env, dir, 'demo', '--history', '0')).code).toBe(1);
  });
});
