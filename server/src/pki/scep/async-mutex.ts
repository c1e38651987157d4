/**
 * A minimal async mutex: callers run one at a time in arrival order.
 */
export interface AsyncMutex {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** Creates a mutex; each service instance owns its own (no module state). */
export function createAsyncMutex(): AsyncMutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task, task);
      // The chain must survive a failed task; the caller still sees the rejection.
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
