import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { addUser } from '../../server/src/domain/directory/directory-service.ts';
import { openRuntime } from '../../server/src/runtime.ts';
import { cli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'smime-backup-'));

describe('backup and restore (SQLite)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a consistent snapshot while another connection writes, and restores it into an empty data dir', async () => {
    const live = { DATA_DIR: join(dir, 'live') };
    const rt = await openRuntime(loadConfig(live));
    const ctx = rt.context('test');
    for (let i = 0; i < 50; i++) await addUser(ctx, { email: `before${i}@example.com` });
    // Keep writing while the backup runs: the snapshot must still be intact and consistent.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await addUser(ctx, { email: `during${written++}@example.com` });
        // better-sqlite3 settles in microtasks; yield so the backup's steps get the event loop.
        await new Promise((r) => setImmediate(r));
      }
    })();
    const backup = await cli(live, dir, 'backup', '--out', join(dir, 'snap.db'), '--json');
    writing = false;
    await writer;
    await rt.close();
    expect(backup.code, backup.err).toBe(0);
    expect(JSON.parse(backup.out).bytes).toBeGreaterThan(0);
    expect(written).toBeGreaterThan(0);

    const restored = { DATA_DIR: join(dir, 'restored') };
    const r = await cli(restored, dir, 'restore', join(dir, 'snap.db'));
    expect(r.code, r.err).toBe(0);
    const back = await openRuntime(loadConfig(restored));
    const users = await back.store.directory.countUsers();
    await back.close();
    expect(users).toBeGreaterThanOrEqual(50);
    expect(users).toBeLessThanOrEqual(50 + written);
  });

  it('refuses to restore over an existing database, or a file that is not a backup', async () => {
    const live = { DATA_DIR: join(dir, 'live') };
    const over = await cli(live, dir, 'restore', join(dir, 'snap.db'));
    expect(over.code).toBe(1);
    expect(over.err).toMatch(/exists: restore only into an empty data dir/);
    writeFileSync(join(dir, 'junk.db'), 'not a database at all'.repeat(100));
    const junk = await cli({ DATA_DIR: join(dir, 'fresh') }, dir, 'restore', join(dir, 'junk.db'));
    expect(junk.code).toBe(1);
    expect(junk.err).toMatch(/is not a SQLite database|is damaged/);
    const again = await cli(live, dir, 'backup', '--out', join(dir, 'snap.db'));
    expect(again.err).toMatch(/exists; choose a new file name/);
  });
});
