import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { authenticateAdmin } from '../../domain/auth/admin-tokens.ts';
import type { AdminToken } from '../../domain/auth/types.ts';
import { audit, type DomainContext } from '../../domain/context.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { AdminSession } from './session-types.ts';

const SESSION_PREFIX = 'sms_';
/** A session lives at most this long, however busy the admin is. */
export const SESSION_MAX_AGE_MS = 8 * 60 * 60 * 1000;
/** ...and ends after this long without a request. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** SHA-256 of the session secret: 256-bit random, so a fast hash is enough. */
export const hashSession = (secret: string): string => sha256(`admin-session:${secret}`).toString('hex');

/**
 * The CSRF token bound to a session: derived from the secret, so only someone holding the
 * cookie's value (the server) or reading our own JSON (the page itself) can know it.
 */
export const csrfTokenFor = (secret: string): string => sha256(`admin-csrf:${secret}`).toString('base64url');

/** Constant-time comparison of the presented CSRF token with the session's. */
export function csrfMatches(secret: string, presented: string | null | undefined): boolean {
  if (!presented) return false;
  const want = Buffer.from(csrfTokenFor(secret));
  const got = Buffer.from(presented);
  return want.length === got.length && timingSafeEqual(want, got);
}

export interface OpenedSession {
  secret: string;
  csrf: string;
  session: AdminSession;
  admin: AdminToken;
}

/** Exchanges a valid admin token for a new session (the secret goes into the cookie, once). */
export async function signIn(ctx: DomainContext, presentedToken: string | null): Promise<OpenedSession> {
  const admin = await authenticateAdmin(ctx, presentedToken);
  const secret = SESSION_PREFIX + randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const session: AdminSession = { id: newId(), tokenId: admin.id, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_MS) };
  await ctx.store.adminSessions.deleteExpired(now);
  await ctx.store.adminSessions.create({ ...session, sessionHash: hashSession(secret) });
  await audit({ ...ctx, actor: `admin:${admin.name}` }, 'session.open', session.id, { tokenId: admin.id });
  return { secret, csrf: csrfTokenFor(secret), session, admin };
}

/**
 * The admin behind a session cookie. Unknown, expired, idle or revoked-token sessions throw
 * unauthorized (and an expired one is removed).
 */
export async function authenticateSession(ctx: DomainContext, secret: string): Promise<{ admin: AdminToken; session: AdminSession }> {
  if (!secret.startsWith(SESSION_PREFIX) || secret.length > 200) throw new AppError('unauthorized', 'the admin session is not valid; sign in again');
  const found = await ctx.store.adminSessions.findByHash(hashSession(secret));
  const now = ctx.clock.now();
  if (!found) throw new AppError('unauthorized', 'the admin session is not valid; sign in again');
  const { session, token } = found;
  const idleUntil = session.lastSeenAt.getTime() + SESSION_IDLE_MS;
  if (token.revokedAt || session.expiresAt.getTime() <= now.getTime() || idleUntil <= now.getTime()) {
    await ctx.store.adminSessions.delete(session.id);
    throw new AppError('unauthorized', 'the admin session has expired; sign in again');
  }
  // Touch at most once a minute: a write per request would serialise on SQLite.
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) await ctx.store.adminSessions.touch(session.id, now);
  const { sessionHash: _, ...rest } = session;
  return { admin: token, session: rest };
}

/** Ends the session (idempotent). */
export async function signOut(ctx: DomainContext, session: AdminSession): Promise<void> {
  if (await ctx.store.adminSessions.delete(session.id)) await audit(ctx, 'session.close', session.id);
}
