import type { Config } from '../config.ts';
import type { CaRuntime } from '../domain/ca/ca-service.ts';
import type { Vault } from '../domain/credentials/types.ts';
import type { AdminToken } from '../domain/auth/types.ts';
import type { DomainContext } from '../domain/context.ts';
import type { RateLimiter } from '../domain/auth/rate-limiter.ts';
import type { Logger } from '../log/create-logger.ts';
import type { ChannelKind, Clock, Store } from '../ports.ts';

/** Everything createApp needs; main.ts builds it, tests pass their own. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  config: Config;
  /** Failed admin authentications per client address. */
  authLimiter?: RateLimiter;
  /** Key vault (escrowed keys); absent = credential routes answer dependency_failed. */
  vault?: Vault;
  /** The active built-in CA; absent = /scep, /crl and issuance answer dependency_failed. */
  ca?: CaRuntime;
  /** Folder with the built PWA (dist/web); absent = API only. */
  webRoot?: string | null;
  /** Device API options: its own attempt limiter, and http push endpoints for local test push services. */
  device?: {
    limiter?: RateLimiter;
    /** Bounds /bundle and /signing-csr calls per device (default 30 each per 10 min). */
    callLimiter?: RateLimiter;
    allowInsecurePushEndpoints?: boolean;
  };
  /** Structured logger (pino); absent = no logging (tests). */
  logger?: Logger;
  /** Notification delivery: which channels can send, the VAPID public key, a worker to wake. */
  delivery?: {
    configured: Record<ChannelKind, boolean>;
    vapidPublicKey: string | null;
    wake?: () => void;
    progressIntervalMs?: number;
  };
}

/** Hono's typed variables for admin routes. */
export interface AdminEnv {
  Variables: {
    admin: AdminToken;
    ctx: DomainContext;
  };
}
