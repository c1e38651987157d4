import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { audit, type DomainContext } from '../context.ts';
import type { User } from '../directory/types.ts';

export const DEFAULT_CHALLENGE_TTL_MINUTES = 60;

/** SHA-256 hex: challenges are 128-bit random, so a fast hash is enough at rest. */
export const hashChallenge = (challenge: string): string => createHash('sha256').update(`scep-challenge:${challenge}`, 'utf8').digest('hex');

/**
 * Creates a one-time SCEP challenge for a user (`scep challenge --user E`). Only its hash is
 * stored; the challenge itself is returned once.
 */
export async function createScepChallenge(ctx: DomainContext, user: User, ttlMinutes = DEFAULT_CHALLENGE_TTL_MINUTES): Promise<{ challenge: string; expiresAt: Date }> {
  if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 7 * 24 * 60) {
    throw new AppError('validation_failed', 'the challenge lifetime must be 1 minute to 7 days');
  }
  const now = ctx.clock.now();
  // Hex: SCEP clients put the challenge in a PrintableString, which has no '_' or '-'.
  const challenge = randomBytes(16).toString('hex');
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000);
  await ctx.store.ca.insertChallenge({ id: newId(now.getTime()), userId: user.id, hash: hashChallenge(challenge), expiresAt, createdBy: ctx.actor }, now);
  await audit(ctx, 'scep.challenge', user.email, { expiresAt: expiresAt.toISOString() });
  return { challenge, expiresAt };
}
