import type { Clock, Store } from '../ports.ts';

/** What every domain operation gets: the store, the clock, and who is acting (for the audit). */
export interface DomainContext {
  store: Store;
  clock: Clock;
  actor: string;
}

/** Appends an audit entry in the same store (and so the same transaction) as the change. */
export async function audit(ctx: DomainContext, action: string, target: string | null, details: Record<string, unknown> | null = null): Promise<void> {
  await ctx.store.audit.append({ at: ctx.clock.now(), actor: ctx.actor, action, target, details });
}

/** Runs `fn` in one transaction with a context bound to it. */
export function inTransaction<T>(ctx: DomainContext, fn: (tx: DomainContext) => Promise<T>): Promise<T> {
  return ctx.store.transaction((store) => fn({ ...ctx, store }));
}
