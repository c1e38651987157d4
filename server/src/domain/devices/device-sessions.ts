import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { parseInput } from '../../validate.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import type { DomainContext } from '../context.ts';
import { sessionChallenge, verifyDeviceSignature } from './device-keys.ts';
import { hashSecret, mintSecret } from './secrets.ts';
import type { Device } from './types.ts';

export const NONCE_TTL_MS = 2 * 60 * 1000;
export const SESSION_TTL_MS = 15 * 60 * 1000;
const TOKEN_PREFIX = 'dst_';
const deviceId = z.string().min(1).max(64);

/** The device must exist and be enrolled; a retired device is refused everywhere. */
export async function requireEnrolledDevice(ctx: DomainContext, id: string): Promise<Device> {
  const device = await ctx.store.devices.getDevice(id);
  if (!device) throw new AppError('unauthorized', 'unknown device');
  if (device.status !== 'enrolled') throw new AppError('device_retired', 'this device was retired by an administrator');
  return device;
}

/** A fresh single-use nonce the device signs with its identity key to open a session. */
export async function issueNonce(ctx: DomainContext, input: unknown): Promise<{ nonce: string; expiresAt: Date }> {
  const body = parseInput(z.strictObject({ deviceId }), input, 'nonce request');
  const device = await requireEnrolledDevice(ctx, body.deviceId);
  const now = ctx.clock.now();
  const nonce = mintSecret('', 32);
  const expiresAt = new Date(now.getTime() + NONCE_TTL_MS);
  await ctx.store.devices.createNonce({ id: newId(now.getTime()), deviceId: device.id, nonceHash: hashSecret(nonce), expiresAt }, now);
  return { nonce, expiresAt };
}

export const sessionSchema = z.strictObject({
  deviceId,
  nonce: z.string().min(1).max(100),
  /** base64url (or base64) of the 64-byte IEEE P1363 ECDSA signature over sessionChallenge(). */
  signature: z.string().min(1).max(200),
});

/**
 * Opens a short-lived session: the nonce must be this device's, unused and unexpired, and the
 * signature must verify with the device's identity key. The nonce is spent before the signature
 * check, so a captured (nonce, signature) pair can never be replayed.
 */
export async function openSession(ctx: DomainContext, input: unknown, limiter: RateLimiter, attemptKey: string): Promise<{ token: string; expiresAt: Date; device: Device }> {
  const wait = await limiter.retryAfter(attemptKey);
  if (wait > 0) throw new AppError('rate_limited', 'too many failed session attempts; try again later', { details: { retryAfterMs: wait } });
  const body = parseInput(sessionSchema, input, 'session request');
  const device = await requireEnrolledDevice(ctx, body.deviceId);
  const now = ctx.clock.now();
  if (!(await ctx.store.devices.consumeNonce(device.id, hashSecret(body.nonce), now))) {
    await limiter.fail(attemptKey);
    throw new AppError('unauthorized', 'the nonce is unknown, expired or used already; ask for a new one');
  }
  const signature = Buffer.from(body.signature, body.signature.includes('+') || body.signature.includes('/') ? 'base64' : 'base64url');
  if (!verifyDeviceSignature(device.identityKey, sessionChallenge(device.id, body.nonce), signature)) {
    await limiter.fail(attemptKey);
    throw new AppError('unauthorized', 'the signature does not verify with this device’s identity key');
  }
  const token = mintSecret(TOKEN_PREFIX, 32);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await ctx.store.devices.createSession({ id: newId(now.getTime()), deviceId: device.id, tokenHash: hashSecret(token), expiresAt }, now);
  await ctx.store.devices.touch(device.id, now);
  return { token, expiresAt, device };
}

/** Resolves a presented session token (Bearer dst_…) to its enrolled device. */
export async function authenticateDevice(ctx: DomainContext, presented: string | null): Promise<Device> {
  if (!presented?.startsWith(TOKEN_PREFIX) || presented.length > 200) {
    throw new AppError('unauthorized', 'a device session is required (Authorization: Bearer dst_…)');
  }
  const hash = hashSecret(presented);
  const session = await ctx.store.devices.findSession(hash);
  if (!session || !timingSafeEqual(Buffer.from(session.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) {
    throw new AppError('unauthorized', 'the device session is not valid');
  }
  if (session.expiresAt.getTime() <= ctx.clock.now().getTime()) throw new AppError('unauthorized', 'the device session has expired; open a new one');
  return requireEnrolledDevice(ctx, session.deviceId);
}
