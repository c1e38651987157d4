import { randomBytes } from 'node:crypto';
import type { DomainContext } from '../../server/src/domain/context.ts';
import type { User } from '../../server/src/domain/directory/types.ts';
import type { Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { kekFromBytes } from '../../server/src/vault/kek.ts';
import { staticKeyring } from '../../server/src/vault/keyring.ts';
import { createVault } from '../../server/src/vault/vault.ts';
import { createFakeClock, type FakeClock } from '../support/fake-clock.ts';

export interface CertTestEnv {
  store: Store;
  clock: FakeClock;
  ctx: DomainContext;
  vault: ReturnType<typeof createVault>;
  addUser(email: string, name?: string): Promise<User>;
}

/** A store over the database, a fake clock and a vault with a random KEK. */
export function certTestEnv(database: OpenDatabase, start?: Date): CertTestEnv {
  const store = createStore(database.db, database.kind);
  const clock = createFakeClock(start);
  const ctx: DomainContext = { store, clock, actor: 'test' };
  const vault = createVault(staticKeyring(kekFromBytes(new Uint8Array(randomBytes(32)), 'test')));
  return {
    store,
    clock,
    ctx,
    vault,
    addUser: async (email, name) => (await store.directory.upsertUser({ email, displayName: name ?? null }, clock.now())).user,
  };
}
