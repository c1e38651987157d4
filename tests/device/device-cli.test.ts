/** `enroll-code`, `device list` and `device retire` through the in-process CLI. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-device-cli-'));
const env = { DATA_DIR: dir, PUBLIC_URL: 'https://portal.example.com' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('device CLI', () => {
  it('prints a code and an enrollment link, lists and retires devices', async () => {
    expect((await cli(env, dir, 'user', 'add', '--email', 'cli@example.com')).code).toBe(0);
    const human = await cli(env, dir, 'enroll-code', '--user', 'cli@example.com');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^code: +[A-Za-z0-9_-]{24}$/m);
    expect(human.out).toMatch(/^link: +https:\/\/portal\.example\.com\/enroll\?code=[A-Za-z0-9_-]{24}$/m);
    const json = JSON.parse((await cli(env, dir, 'enroll-code', '--user', 'cli@example.com', '--json')).out) as { code: string; link: string };
    expect(json.link).toBe(`https://portal.example.com/enroll?code=${json.code}`);
    const list = await cli(env, dir, 'device', 'list', '--user', 'cli@example.com');
    expect(list).toMatchObject({ code: 0, out: 'no devices for cli@example.com\n' });
    const retire = await cli(env, dir, 'device', 'retire', 'no-such-device');
    expect(retire.code).toBe(1);
    expect(retire.err).toMatch(/no device with id no-such-device/);
    expect((await cli(env, dir, 'enroll-code', '--user', 'ghost@example.com')).code).toBe(1);
  });
});
