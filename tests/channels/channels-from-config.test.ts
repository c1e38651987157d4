/**
 * channelsFromConfig builds the channels serve and worker send with: SMTP_MAX_MESSAGES reaches the
 * email channel's pool, counted as connections by a real smtp-server.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import type { Notice } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { kekFromBytes } from '../../server/src/vault/kek.ts';
import { staticKeyring } from '../../server/src/vault/keyring.ts';
import { createVault } from '../../server/src/vault/vault.ts';
import { channelsFromConfig } from '../../server/src/worker/channels-from-config.ts';
import { type CountingSmtp, startCountingSmtp } from '../support/counting-smtp.ts';
import { openTestSqlite } from '../support/databases.ts';

let smtp: CountingSmtp;
beforeAll(async () => {
  smtp = await startCountingSmtp();
});
afterAll(() => smtp.close());

const notice: Notice = {
  recipientId: 'r-1',
  kind: 'retrieve',
  user: { email: 'ann@example.com', displayName: 'Ann', locale: 'en' },
  url: 'https://portal.example.com/smime/retrieve?r=r-1',
  topic: 't',
  subscriptions: [],
};

describe('channelsFromConfig', () => {
  it('gives the email channel SMTP_MAX_MESSAGES messages per connection', async () => {
    const database = await openTestSqlite();
    try {
      const sources = { store: createStore(database.db, database.kind), vault: createVault(staticKeyring(kekFromBytes(randomBytes(32), 'test'))) };
      const connectionsFor = async (env: Record<string, string>) => {
        const { channels } = await channelsFromConfig(loadConfig({ DATA_DIR: database.dir, SMTP_URL: smtp.url, ...env }), sources);
        smtp.reset();
        for (let i = 0; i < 5; i += 1) expect((await channels.email.send(notice)).status).toBe('sent');
        await Promise.all([channels.email.close(), channels.push.close()]);
        return smtp.connections();
      };
      expect(await connectionsFor({ SMTP_MAX_MESSAGES: '2' })).toBe(3);
      expect(await connectionsFor({})).toBe(1);
    } finally {
      await database.close();
    }
  });
});
