import type { Clock } from '../../ports.ts';

/**
 * A fixed-window failure counter per key (e.g. client address). After `max` failures within
 * `windowMs` the key is blocked until the window ends. Bounded: the oldest keys are dropped
 * past `maxKeys`, so a flood of addresses cannot grow memory without limit.
 */
export interface RateLimiter {
  /** Milliseconds until the key may try again, or 0 when it may try now. */
  retryAfter(key: string): number;
  fail(key: string): void;
  reset(key: string): void;
}

export function createRateLimiter(options: { max: number; windowMs: number; clock: Clock; maxKeys?: number }): RateLimiter {
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
    retryAfter(key) {
      const w = current(key);
      return w && w.count >= max ? w.start + windowMs - clock.now().getTime() : 0;
    },
    fail(key) {
      const w = current(key);
      if (w) w.count++;
      else {
        if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
        windows.set(key, { start: clock.now().getTime(), count: 1 });
      }
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
