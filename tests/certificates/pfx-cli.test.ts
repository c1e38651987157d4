import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli.ts';
import { createFixtures, type Fixtures } from './fixtures.ts';

const DAY = 86_400_000;
const dataDir = mkdtempSync(join(tmpdir(), 'pfx-cli-'));
const env = { DATA_DIR: dataDir, PW: 'Kennwort', USER: 'tester' };
let fx: Fixtures;

beforeAll(async () => {
  const now = new Date();
  fx = await createFixtures(now);
  const key = fx.newKey('k');
  const span = { notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + 300 * DAY) };
  fx.p12('dave', key, await fx.cert(key, { email: 'dave@example.org', purpose: 'smimeEncryption', ...span }), 'Kennwort', '3des');
  fx.p12('erin', key, await fx.cert(key, { email: 'erin@example.org', purpose: 'smimeSigning', ...span }), 'Kennwort', 'legacy');
  fx.p12('wrong', key, await fx.cert(key, { email: 'mallory@example.org', purpose: 'smimeEncryption', ...span }), 'Kennwort');
  for (const email of ['dave@example.org', 'erin@example.org']) expect((await cli(env, dataDir, 'user', 'add', '--email', email)).code).toBe(0);
});
afterAll(() => {
  fx.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('pfx import, bulk form (folder + CSV mapping)', () => {
  it('imports the good files, rejects the bad one with its reason, exits 1', async () => {
    writeFileSync(join(fx.ws.dir, 'map.csv'), 'file,email,purpose\ndave.p12,dave@example.org,\nerin.p12,erin@example.org,smimeSigning\nwrong.p12,dave@example.org,\n');
    const r = await cli(env, fx.ws.dir, 'pfx', 'import', '--dir', '.', '--map', 'map.csv', '--purpose', 'smimeEncryption', '--password-env', 'PW');
    expect(r.out).toMatch(/^imported\s+dave\.p12/m);
    expect(r.out).toMatch(/^imported\s+erin\.p12\s+smimeSigning/m);
    expect(r.out).toMatch(/^rejected\s+wrong\.p12: .*not for dave@example\.org/m);
    expect(r.code).toBe(1);
    expect(r.err).toBe('smime-portal: 1 of 3 file(s) rejected\n');
    const again = await cli(env, fx.ws.dir, 'pfx', 'import', '--user', 'dave@example.org', '--purpose', 'smimeEncryption', '--password-env', 'PW', 'dave.p12');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^unchanged\s+dave\.p12/m);
  });

  it('one-line reasons for a wrong password, a missing file and a missing password variable', async () => {
    const wrong = await cli({ ...env, PW: 'nope' }, fx.ws.dir, 'pfx', 'import', '--user', 'dave@example.org', '--purpose', 'smimeEncryption', '--password-env', 'PW', 'dave.p12');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^smime-portal: dave\.p12: The password is not the one/);
    const missing = await cli(env, fx.ws.dir, 'pfx', 'import', '--user', 'dave@example.org', '--purpose', 'smimeEncryption', 'nope.p12');
    expect(missing.err).toMatch(/^smime-portal: nope\.p12: cannot read/);
    const noVar = await cli(env, fx.ws.dir, 'pfx', 'import', '--user', 'dave@example.org', '--purpose', 'smimeEncryption', '--password-env', 'UNSET_VAR', 'dave.p12');
    expect(noVar.err).toMatch(/UNSET_VAR: that environment variable is not set/);
  });
});
