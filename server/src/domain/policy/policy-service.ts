import { z } from 'zod';
import { assignmentSchema, policyNameSchema, policySettingsSchema } from '../../../../shared/schemas/policy.ts';
import { AppError } from '../../errors.ts';
import { parseInput } from '../../validate.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import type { Page, User } from '../directory/types.ts';
import type { Policy } from './types.ts';

export const createPolicySchema = z.strictObject({
  name: policyNameSchema,
  settings: policySettingsSchema.default(() => policySettingsSchema.parse({})),
});

/** Creates a policy; settings not given take the defaults of the Outlook configuration. */
export async function createPolicy(ctx: DomainContext, input: unknown): Promise<Policy> {
  const { name, settings } = parseInput(createPolicySchema, input, 'policy');
  return inTransaction(ctx, async (tx) => {
    const policy = await tx.store.policies.createPolicy(name, settings, tx.clock.now());
    await audit(tx, 'policy.create', name, { settings });
    return policy;
  });
}

export async function requirePolicy(ctx: DomainContext, nameOrId: unknown): Promise<Policy> {
  const key = parseInput(z.string().trim().min(1, 'must not be empty').max(100), nameOrId, 'policy name');
  const policy = (await ctx.store.policies.findPolicyByName(key)) ?? (await ctx.store.policies.getPolicy(key));
  if (!policy) throw new AppError('not_found', `no policy named "${key}"`);
  return policy;
}

/** Replaces a policy's settings (the whole object; unset settings take their defaults). */
export async function updatePolicySettings(ctx: DomainContext, nameOrId: unknown, settings: unknown): Promise<Policy> {
  const parsed = parseInput(policySettingsSchema, settings, 'policy settings');
  return inTransaction(ctx, async (tx) => {
    const policy = await requirePolicy(tx, nameOrId);
    const updated = await tx.store.policies.updateSettings(policy.id, parsed, tx.clock.now());
    await audit(tx, 'policy.update', policy.name, { settings: parsed });
    return updated;
  });
}

/**
 * Sets the include/exclude groups of a policy (replacing the previous ones). A group in both
 * lists is an error rather than a silent "exclude wins", since it is almost surely a typo.
 */
export async function assignPolicy(ctx: DomainContext, nameOrId: unknown, input: unknown): Promise<Policy> {
  const { include, exclude } = parseInput(assignmentSchema, input, 'assignment');
  const both = include.filter((g) => exclude.includes(g));
  if (both.length > 0) {
    throw new AppError('validation_failed', `group(s) ${both.map((g) => `"${g}"`).join(', ')} are both included and excluded`, {
      issues: both.map((g) => ({ path: 'exclude', message: `"${g}" is also in include` })),
    });
  }
  return inTransaction(ctx, async (tx) => {
    const policy = await requirePolicy(tx, nameOrId);
    const resolve = async (name: string, mode: 'include' | 'exclude') => {
      const group = await tx.store.directory.findGroupByName(name.normalize('NFC').trim());
      if (!group) throw new AppError('not_found', `no group named "${name}" (in ${mode})`);
      return { groupId: group.id, mode };
    };
    const assignments = [
      ...(await Promise.all([...new Set(include)].map((g) => resolve(g, 'include')))),
      ...(await Promise.all([...new Set(exclude)].map((g) => resolve(g, 'exclude')))),
    ];
    await tx.store.policies.setAssignments(policy.id, assignments);
    await audit(tx, 'policy.assign', policy.name, { include, exclude });
    return (await tx.store.policies.getPolicy(policy.id))!;
  });
}

/**
 * The users a policy applies to: members of an include group who are in no exclude group
 * (exclude wins). Paged in id order; pass `next` as `after` for the following page.
 */
export async function resolveTargets(ctx: DomainContext, policy: Policy, page: { after?: string; limit?: number } = {}): Promise<Page<User>> {
  return ctx.store.policies.listTargets(policy.id, { after: page.after, limit: Math.min(page.limit ?? 100, 1000) });
}

/** Streams every target in batches, never holding more than one batch in memory. */
export async function* iterateTargets(ctx: DomainContext, policyId: string, batchSize = 1000): AsyncGenerator<User[]> {
  let after: string | undefined;
  for (;;) {
    const page = await ctx.store.policies.listTargets(policyId, { after, limit: batchSize });
    if (page.items.length > 0) yield page.items;
    if (!page.next) return;
    after = page.next;
  }
}
