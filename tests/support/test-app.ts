import { createAdminToken } from '../../server/src/domain/auth/admin-tokens.ts';
import { createRateLimiter } from '../../server/src/domain/auth/rate-limiter.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createApp } from '../../server/src/http/app.ts';
import type { Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { createFakeClock, type FakeClock } from './fake-clock.ts';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  store: Store;
  clock: FakeClock;
  /** A token with every scope. */
  token: string;
  /** Sends a request with the admin token; JSON bodies are serialised. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** The real app over a real database (SQLite or PostgreSQL), called without a socket. */
export async function createTestApp(database: OpenDatabase): Promise<TestApp> {
  const store = createStore(database.db, database.kind);
  const clock = createFakeClock();
  const { token } = await createAdminToken({ store, clock, actor: 'test' }, { name: 'test', scopes: ['read', 'write', 'tokens'] });
  const app = createApp({ store, clock, config: loadConfig({}), authLimiter: createRateLimiter({ max: 5, windowMs: 60_000, clock }) });
  return {
    app,
    store,
    clock,
    token,
    call: async (method, path, body, headers = {}) =>
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined || typeof body === 'string' ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    close: () => database.close(),
  };
}
