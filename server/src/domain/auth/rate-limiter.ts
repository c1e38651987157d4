import { createHash } from 'node:crypto';
import type { Clock } from '../../ports.ts';
import type { AttemptWindowRepo } from './types.ts';

/**
 * A fixed-window counter per key (e.g. client address, device id). After `max` events within
 * `windowMs` the key is blocked until the window ends.
 */
export interface RateLimiter {
  /** Milliseconds until the key may try again, or 0 when it may try now. */
  retryAfter(key: string): Promise<number>;
  fail(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export interface RateLimiterOptions {
  max: number;
  windowMs: number;
  clock: Clock;
}

/**
 * The limiter servers use: counts live in the database (`attempts`), so every `serve` process on
 * every machine counts together — a guesser cannot multiply its budget by the number of
 * processes behind a load balancer. Keys are stored as SHA-256 (no addresses or device ids at
 * rest); windows that are over are purged now and then.
 */
export function createSharedRateLimiter(attempts: AttemptWindowRepo, scope: string, options: RateLimiterOptions): RateLimiter {
  const { max, windowMs, clock } = options;
  const hash = (key: string) => createHash('sha256').update(key).digest('base64url');
  let lastPurge = 0;
  return {
    async retryAfter(key) {
      const now = clock.now().getTime();
      const w = await attempts.current(scope, hash(key), now, windowMs);
      return w && w.count >= max ? w.start + windowMs - now : 0;
    },
    async fail(key) {
      const now = clock.now().getTime();
      await attempts.hit(scope, hash(key), now, windowMs);
      if (now - lastPurge >= windowMs) {
        lastPurge = now;
        // Rows of every scope past the longest window any limiter uses (a day) go.
        await attempts.purge(now - Math.max(windowMs, 24 * 60 * 60_000));
      }
    },
    async reset(key) {
      await attempts.clear(scope, hash(key));
    },
  };
}

/**
 * The same limiter in this process's memory (tests, tools). Bounded: the oldest keys are dropped
 * past `maxKeys`, so a flood of addresses cannot grow memory without limit.
 */
export function createRateLimiter(options: RateLimiterOptions & { maxKeys?: number }): RateLimiter {
  const { max, windowMs, clock, maxKeys = 10_000 } = options;
  const windows = new Map<string, { start: number; count: number }>();
  const current = (key: string) => {
    const w = windows.get(key);
    if (w && clock.now().getTime() - w.start >= windowMs) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    async retryAfter(key) {
      const w = current(key);
      return w && w.count >= max ? w.start + windowMs - clock.now().getTime() : 0;
    },
    async fail(key) {
      const w = current(key);
      if (w) w.count++;
      else {
        if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
        windows.set(key, { start: clock.now().getTime(), count: 1 });
      }
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
