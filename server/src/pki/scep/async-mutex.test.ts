import { describe, expect, it } from 'vitest';
import { createAsyncMutex } from './async-mutex.ts';

describe('createAsyncMutex', () => {
  it('runs tasks one at a time and survives a failing task', async () => {
    const mutex = createAsyncMutex();
    let active = 0;
    let maxActive = 0;
    const task = (fail: boolean) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      if (fail) throw new Error('boom');
      return 1;
    };
    const results = await Promise.allSettled([task(false), task(true), task(false)].map((t) => mutex.run(t)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(maxActive).toBe(1);
  });
});
