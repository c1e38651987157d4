import type { Clock } from '../../ports.ts';
import { hashSecret } from '../devices/secrets.ts';
import type { AttemptWindowRepo } from './types.ts';

/**
 * A fixed-window counter per key (e.g. client address, device id). After `max` events within
 * `windowMs` the key is blocked until the window ends.
 */
export interface RateLimiter {
  /** Milliseconds until the key may try again, or 0 when it may try now. */
  retryAfter(key: string): Promise<number>;
  fail(key: string): Promise<void>;
  /**
   * Counts one event and answers like `retryAfter` would have before it: 0 when it was within
   * the limit, else the wait. One write where `retryAfter` + `fail` take a read and a write.
   */
  consume(key: string): Promise<number>;
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
  let lastPurge = 0;
  const count = async (key: string, now: number) => {
    const w = await attempts.hit(scope, hashSecret(key), now, windowMs);
    if (now - lastPurge >= windowMs) {
      lastPurge = now;
      // Rows of every scope past the longest window any limiter uses (a day) go.
      await attempts.purge(now - Math.max(windowMs, 24 * 60 * 60_000));
    }
    return w;
  };
  return {
    async retryAfter(key) {
      const now = clock.now().getTime();
      const w = await attempts.current(scope, hashSecret(key), now, windowMs);
      return w && w.count >= max ? w.start + windowMs - now : 0;
    },
    async fail(key) {
      await count(key, clock.now().getTime());
    },
    async consume(key) {
      const now = clock.now().getTime();
      const w = await count(key, now);
      return w.count > max ? w.start + windowMs - now : 0;
    },
    async reset(key) {
      await attempts.clear(scope, hashSecret(key));
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
  const count = (key: string) => {
    let w = current(key);
    if (w) w.count++;
    else {
      if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
      w = { start: clock.now().getTime(), count: 1 };
      windows.set(key, w);
    }
    return w;
  };
  return {
    async retryAfter(key) {
      const w = current(key);
      return w && w.count >= max ? w.start + windowMs - clock.now().getTime() : 0;
    },
    async fail(key) {
      count(key);
    },
    async consume(key) {
      const w = count(key);
      return w.count > max ? w.start + windowMs - clock.now().getTime() : 0;
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
