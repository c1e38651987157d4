import type { Config } from '../config.ts';
import type { AdminToken } from '../domain/auth/types.ts';
import type { DomainContext } from '../domain/context.ts';
import type { RateLimiter } from '../domain/auth/rate-limiter.ts';
import type { Clock, Store } from '../ports.ts';

/** Everything createApp needs; main.ts builds it, tests pass their own. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  config: Config;
  /** Failed admin authentications per client address. */
  authLimiter?: RateLimiter;
  /** Folder with the built PWA (dist/web); absent = API only. */
  webRoot?: string | null;
  log?: (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;
}

/** Hono's typed variables for admin routes. */
export interface AdminEnv {
  Variables: {
    admin: AdminToken;
    ctx: DomainContext;
  };
}
