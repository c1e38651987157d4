import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { parseInput } from '../../validate.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import { parseP256Spki } from './device-keys.ts';
import { hashSecret, mintSecret } from './secrets.ts';
import type { Device } from './types.ts';

export const ENROLLMENT_CODE_TTL_MS = 15 * 60 * 1000;
/** 18 random bytes = 144 bits, 24 base64url characters: unguessable, still fits a link. */
const CODE_BYTES = 18;
const CODE_PATTERN = /^[A-Za-z0-9_-]{24}$/;

/**
 * Makes a one-time enrollment code for the user with this email. The plaintext is returned once
 * (for the link or the admin) and only its hash is stored.
 */
export async function createEnrollmentCode(
  ctx: DomainContext,
  input: { email: string; ttlMs?: number },
): Promise<{ code: string; userId: string; email: string; expiresAt: Date }> {
  const ttlMs = input.ttlMs ?? ENROLLMENT_CODE_TTL_MS;
  if (!Number.isInteger(ttlMs) || ttlMs < 60_000 || ttlMs > 7 * 24 * 3600_000) {
    throw new AppError('validation_failed', 'the code lifetime must be between 1 minute and 7 days');
  }
  const user = await ctx.store.directory.findUserByEmail(input.email.trim().toLowerCase());
  if (!user) throw new AppError('not_found', `no user with email ${input.email}`);
  const code = mintSecret('', CODE_BYTES);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await inTransaction(ctx, async (tx) => {
    const id = newId(now.getTime());
    await tx.store.devices.createEnrollmentCode({ id, userId: user.id, codeHash: hashSecret(code), createdAt: now, expiresAt, usedAt: null, createdBy: ctx.actor });
    await audit(tx, 'device.enrollment-code.create', user.id, { codeId: id, expiresAt: expiresAt.toISOString() });
  });
  return { code, userId: user.id, email: user.email, expiresAt };
}

const spki = z.string().min(60).max(400).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

export const enrollSchema = z.strictObject({
  code: z.string().max(100),
  identityKey: spki,
  transportKey: spki,
  platform: z.string().trim().min(1).max(100).default('web'),
  name: z.string().trim().min(1).max(100).default('Browser'),
});

/**
 * Registers a device with a one-time code. Failed attempts count against `attemptKey` (the
 * client address) and, past the limiter's budget, every attempt is refused for a while, a
 * right code included, so codes cannot be guessed at speed. Unknown → not_found; used or
 * expired → gone with `details.reason`.
 */
export async function enrollDevice(
  ctx: DomainContext,
  input: unknown,
  limiter: RateLimiter,
  attemptKey: string,
): Promise<{ device: Device; email: string }> {
  const wait = await limiter.retryAfter(attemptKey);
  if (wait > 0) throw new AppError('rate_limited', 'too many enrollment attempts; try again later', { details: { retryAfterMs: wait } });
  const body = parseInput(enrollSchema, input, 'enrollment');
  // A wrong code counts against the attempt limit. The count is written after the transaction
  // (the limiter has its own table, and SQLite's one connection is the transaction's meanwhile).
  const fail = (error: AppError): never => {
    throw new CountedFailure(error);
  };
  if (!CODE_PATTERN.test(body.code)) {
    await limiter.fail(attemptKey);
    throw new AppError('not_found', 'this enrollment code is not valid', { details: { reason: 'unknown' } });
  }
  parseP256Spki(body.identityKey, 'identityKey');
  parseP256Spki(body.transportKey, 'transportKey');
  if (body.identityKey === body.transportKey) throw new AppError('validation_failed', 'the identity and transport keys must differ');

  let enrolled: { device: Device; email: string };
  try {
    enrolled = await inTransaction(ctx, async (tx) => {
      const now = tx.clock.now();
      const record = await tx.store.devices.findEnrollmentCode(hashSecret(body.code));
      if (!record) return fail(new AppError('not_found', 'this enrollment code is not valid', { details: { reason: 'unknown' } }));
      if (record.usedAt) return fail(new AppError('gone', 'this enrollment code was used already', { details: { reason: 'used' } }));
      if (record.expiresAt.getTime() <= now.getTime()) return fail(new AppError('gone', 'this enrollment code has expired', { details: { reason: 'expired' } }));
      if (!(await tx.store.devices.markCodeUsed(record.id, now))) return fail(new AppError('gone', 'this enrollment code was used already', { details: { reason: 'used' } }));
      const user = await tx.store.directory.getUser(record.userId);
      if (!user) return fail(new AppError('not_found', 'this enrollment code is not valid', { details: { reason: 'unknown' } }));
      const device = await tx.store.devices.createDevice(
        { id: newId(now.getTime()), userId: record.userId, platform: body.platform, name: body.name, identityKey: body.identityKey, transportKey: body.transportKey },
        now,
      );
      await audit({ ...tx, actor: `device:${device.id}` }, 'device.enroll', device.id, { userId: user.id, codeId: record.id, platform: device.platform });
      return { device, email: user.email };
    });
  } catch (error) {
    if (!(error instanceof CountedFailure)) throw error;
    await limiter.fail(attemptKey);
    throw error.error;
  }
  await limiter.reset(attemptKey);
  return enrolled;
}

/** A refused code inside the enrollment transaction, to be counted once the transaction is over. */
class CountedFailure extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}
