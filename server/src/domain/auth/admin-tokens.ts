import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { parseInput } from '../../validate.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import { ADMIN_SCOPES, type AdminScope, type AdminToken } from './types.ts';

const TOKEN_PREFIX = 'smp_';

/** SHA-256 of the token: tokens are 256-bit random, so a fast hash is enough (no guessing). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function mintToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export const createTokenSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  scopes: z.array(z.enum(ADMIN_SCOPES)).min(1, 'must name at least one scope').max(ADMIN_SCOPES.length),
});

/** Creates an admin token; the plaintext is returned once and never stored. */
export async function createAdminToken(ctx: DomainContext, input: unknown): Promise<{ token: string; record: AdminToken }> {
  const { name, scopes } = parseInput(createTokenSchema, input, 'token');
  const token = mintToken();
  return inTransaction(ctx, async (tx) => {
    const record = await tx.store.tokens.create({ id: newId(), name, tokenHash: hashToken(token), scopes: [...new Set(scopes)] }, tx.clock.now());
    await audit(tx, 'token.create', record.id, { name, scopes: record.scopes });
    return { token, record };
  });
}

export async function revokeAdminToken(ctx: DomainContext, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    if (!(await tx.store.tokens.revoke(id, tx.clock.now()))) throw new AppError('not_found', `no active token with id ${id}`);
    await audit(tx, 'token.revoke', id);
  });
}

/**
 * On first start, makes the bootstrap admin token (all scopes) and returns its plaintext so
 * the caller can print it once. Returns null when any token exists already. Safe when several
 * servers start together: the kv claim lets exactly one of them mint it.
 */
export async function bootstrapAdminToken(ctx: DomainContext): Promise<string | null> {
  if ((await ctx.store.tokens.count()) > 0) return null;
  const claim = newId();
  if ((await ctx.store.kv.setIfAbsent('bootstrap-token', claim)) !== claim) return null;
  const { token } = await createAdminToken({ ...ctx, actor: 'system' }, { name: 'bootstrap', scopes: [...ADMIN_SCOPES] });
  return token;
}

/**
 * Checks a presented token. The lookup is by hash (so timing reveals nothing about stored
 * tokens) and the found hash is compared again in constant time.
 */
export async function authenticateAdmin(ctx: DomainContext, presented: string | null): Promise<AdminToken> {
  if (!presented?.startsWith(TOKEN_PREFIX) || presented.length > 200) {
    throw new AppError('unauthorized', 'an admin token is required (Authorization: Bearer smp_…)');
  }
  const hash = hashToken(presented);
  const found = await ctx.store.tokens.findByHash(hash);
  if (!found || !timingSafeEqual(Buffer.from(found.tokenHash, 'hex'), Buffer.from(hash, 'hex')) || found.revokedAt) {
    throw new AppError('unauthorized', 'the admin token is not valid or was revoked');
  }
  const now = ctx.clock.now();
  // Touch at most once a minute: every request writing a row would serialise on SQLite.
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > 60_000) await ctx.store.tokens.touch(found.id, now);
  const { tokenHash: _, ...token } = found;
  return token;
}

/** Throws forbidden unless the token has the scope. */
export function requireScope(token: AdminToken, scope: AdminScope): void {
  if (!token.scopes.includes(scope)) throw new AppError('forbidden', `this token lacks the "${scope}" scope`);
}
