import { type Kysely, sql } from 'kysely';
import type { Store } from '../ports.ts';
import { createAdminConsoleRepo } from './admin-console-repo.ts';
import { createAdminSessionRepo } from './admin-session-repo.ts';
import { createAttemptWindowRepo } from './attempt-window-repo.ts';
import { createAuditRepo } from './audit-repo.ts';
import { createCaRepo } from './ca-repo.ts';
import { createCredentialRepo } from './credential-repo.ts';
import { createCampaignRepo } from './campaign-repo.ts';
import { createDeviceRepo } from './device-repo.ts';
import { createDirectoryRepo } from './directory-repo.ts';
import { createInboxRepo } from './inbox-repo.ts';
import { createPolicyRepo } from './policy-repo.ts';
import type { Database } from './schema.ts';
import { createKvRepo, createTokenRepo } from './token-repo.ts';

/**
 * The Store over a Kysely instance (SQLite or PostgreSQL — same code). Inside `transaction`
 * the callback gets a Store bound to that transaction; nested calls reuse it.
 */
export function createStore(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): Store {
  const store: Store = {
    kind,
    directory: createDirectoryRepo(db),
    policies: createPolicyRepo(db),
    audit: createAuditRepo(db),
    tokens: createTokenRepo(db),
    kv: createKvRepo(db),
    campaigns: createCampaignRepo(db, kind),
    devices: createDeviceRepo(db),
    credentials: createCredentialRepo(db),
    inbox: createInboxRepo(db),
    ca: createCaRepo(db),
    adminSessions: createAdminSessionRepo(db),
    adminConsole: createAdminConsoleRepo(db),
    attempts: createAttemptWindowRepo(db),
    transaction: (fn) => (db.isTransaction ? fn(store) : db.transaction().execute((trx) => fn(createStore(trx, kind)))),
    async ping() {
      await sql`select 1`.execute(db);
    },
  };
  return store;
}
