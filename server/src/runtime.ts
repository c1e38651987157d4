import type { Config } from './config.ts';
import type { DomainContext } from './domain/context.ts';
import { systemClock, type Clock, type Store } from './ports.ts';
import { createStore } from './store/create-store.ts';
import { openDatabase } from './store/open-database.ts';

/** An open database with its Store, for one CLI command or one server process. */
export interface Runtime {
  config: Config;
  store: Store;
  clock: Clock;
  /** A domain context acting as `actor` (audit trail). */
  context(actor: string): DomainContext;
  close(): Promise<void>;
}

/** Opens (and migrates) the configured database. */
export async function openRuntime(config: Config, clock: Clock = systemClock): Promise<Runtime> {
  const database = await openDatabase(config.database.kind === 'sqlite' ? { kind: 'sqlite', file: config.database.file } : { kind: 'postgres', url: config.database.url });
  const store = createStore(database.db, database.kind);
  return {
    config,
    store,
    clock,
    context: (actor) => ({ store, clock, actor }),
    close: () => database.close(),
  };
}
