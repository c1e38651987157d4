import { z } from 'zod';
import { emailSchema, groupNameSchema, userInputSchema } from '../../../../shared/schemas/directory.ts';
import { AppError } from '../../errors.ts';
import { parseInput } from '../../validate.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import type { Group, User } from './types.ts';

/** Creates a user or updates the name/locale of the one with that email (idempotent). */
export async function addUser(ctx: DomainContext, input: unknown): Promise<{ user: User; created: boolean }> {
  const data = parseInput(userInputSchema, input, 'user');
  return inTransaction(ctx, async (tx) => {
    const r = await tx.store.directory.upsertUser(data, tx.clock.now());
    if (r.changed) await audit(tx, r.created ? 'user.create' : 'user.update', r.user.email);
    return { user: r.user, created: r.created };
  });
}

/** Finds a user by email or fails with not_found naming the address. */
export async function requireUser(ctx: DomainContext, email: unknown): Promise<User> {
  const address = parseInput(emailSchema, email, 'email');
  const user = await ctx.store.directory.findUserByEmail(address);
  if (!user) throw new AppError('not_found', `no user with email ${address}`);
  return user;
}

export async function addGroup(ctx: DomainContext, input: unknown): Promise<Group> {
  const { name } = parseInput(z.strictObject({ name: groupNameSchema }), input, 'group');
  return inTransaction(ctx, async (tx) => {
    const group = await tx.store.directory.createGroup(name, tx.clock.now());
    await audit(tx, 'group.create', name);
    return group;
  });
}

export async function requireGroup(ctx: DomainContext, name: unknown): Promise<Group> {
  const n = parseInput(groupNameSchema, name, 'group name');
  const group = await ctx.store.directory.findGroupByName(n);
  if (!group) throw new AppError('not_found', `no group named "${n}"`);
  return group;
}

/** Adds a user to a group; adding an existing member is not an error (idempotent). */
export async function addMember(ctx: DomainContext, groupName: unknown, email: unknown): Promise<{ added: boolean }> {
  return inTransaction(ctx, async (tx) => {
    const group = await requireGroup(tx, groupName);
    const user = await requireUser(tx, email);
    const added = await tx.store.directory.addMember(group.id, user.id);
    if (added) await audit(tx, 'group.member.add', group.name, { email: user.email });
    return { added };
  });
}

export async function removeMember(ctx: DomainContext, groupName: unknown, email: unknown): Promise<{ removed: boolean }> {
  return inTransaction(ctx, async (tx) => {
    const group = await requireGroup(tx, groupName);
    const user = await requireUser(tx, email);
    const removed = await tx.store.directory.removeMember(group.id, user.id);
    if (removed) await audit(tx, 'group.member.remove', group.name, { email: user.email });
    return { removed };
  });
}
