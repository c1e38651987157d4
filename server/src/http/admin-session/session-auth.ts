import type { Context } from 'hono';
import type { AdminToken } from '../../domain/auth/types.ts';
import type { DomainContext } from '../../domain/context.ts';
import { AppError } from '../../errors.ts';
import { authenticateSession, csrfMatches } from './admin-sessions.ts';
import { CSRF_HEADER, readSessionCookie, requireSameOrigin } from './session-cookie.ts';
import type { AdminSession } from './session-types.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The path of the sign-in route, which needs no credential (it exchanges one). */
export const SESSION_PATH = '/api/admin/session';

export const isSignIn = (c: Context) => c.req.path === SESSION_PATH && c.req.method === 'POST';

/**
 * The admin behind the session cookie, or null when the request carries none. A state-changing
 * request must also come from our own origin and carry the session's CSRF token in
 * X-CSRF-Token (SameSite=Strict already keeps the cookie off cross-site requests; this holds
 * even where a browser does not honour it).
 */
export async function sessionAdmin(c: Context, ctx: DomainContext, publicUrl: string): Promise<{ admin: AdminToken; session: AdminSession } | null> {
  const secret = readSessionCookie(c);
  if (secret === null) return null;
  const found = await authenticateSession(ctx, secret);
  if (!SAFE_METHODS.has(c.req.method)) {
    requireSameOrigin(c, publicUrl);
    if (!csrfMatches(secret, c.req.header(CSRF_HEADER))) throw new AppError('forbidden', 'missing or wrong X-CSRF-Token for this session');
  }
  c.set('adminSession' as never, found.session as never);
  return found;
}

/** The session the request was authenticated with (set by sessionAdmin). */
export const currentSession = (c: Context): AdminSession | undefined => c.get('adminSession' as never) as AdminSession | undefined;
