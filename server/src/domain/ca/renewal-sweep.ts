import { audit, type DomainContext } from '../context.ts';
import type { Credential } from '../credentials/types.ts';
import { type IssuerDeps, issueWithServerKey } from './issue-credential.ts';

export interface RenewalResult {
  renewed: { userId: string; predecessorId: string; successorId: string }[];
  failed: { userId: string; predecessorId: string; reason: string }[];
}

/** Fraction of the lifetime after which a successor is issued (default 80%). */
export const DEFAULT_RENEWAL_THRESHOLD = 0.8;

const due = (c: Credential, now: Date, threshold: number) => now.getTime() >= c.notBefore.getTime() + threshold * (c.notAfter.getTime() - c.notBefore.getTime());

/**
 * The daily renewal sweep: for each user whose newest encryption certificate came from this CA
 * (server-held key) and has used up `threshold` of its lifetime, issues the successor. The old
 * one stays in the history (superseded). Each predecessor is claimed once in the kv table, so
 * several server processes sweeping at once issue one successor; a failure is retried the next day.
 */
export async function runRenewalSweep(ctx: DomainContext, deps: IssuerDeps, options: { threshold?: number; onRenewed?: (userId: string) => Promise<unknown> } = {}): Promise<RenewalResult> {
  const threshold = options.threshold ?? DEFAULT_RENEWAL_THRESHOLD;
  const now = ctx.clock.now();
  const result: RenewalResult = { renewed: [], failed: [] };
  for (const c of await ctx.store.credentials.listRenewalCandidates(deps.ca.record.id)) {
    if (!due(c, now, threshold)) continue;
    const user = await ctx.store.directory.getUser(c.userId);
    if (!user) continue;
    const token = `${ctx.actor}:${now.getTime()}:${Math.random()}`;
    // One claim per predecessor per day: a failed attempt is retried by the next day's sweep.
    const claim = `renewal:${c.id}:${now.toISOString().slice(0, 10)}`;
    if ((await ctx.store.kv.setIfAbsent(claim, token)) !== token) continue;
    try {
      const successor = await issueWithServerKey(ctx, deps, user, 'smimeEncryption');
      await audit(ctx, 'credential.renew', user.email, { predecessorId: c.id, successorId: successor.id, sha256: successor.sha256 });
      result.renewed.push({ userId: user.id, predecessorId: c.id, successorId: successor.id });
      await options.onRenewed?.(user.id);
    } catch (error) {
      result.failed.push({ userId: user.id, predecessorId: c.id, reason: (error as Error).message });
    }
  }
  return result;
}
