import type { MiddlewareHandler } from 'hono';
import { authenticateAdmin, requireScope } from '../../domain/auth/admin-tokens.ts';
import type { RateLimiter } from '../../domain/auth/rate-limiter.ts';
import { AppError, isAppError } from '../../errors.ts';
import type { AdminEnv, AppDeps } from '../app-env.ts';
import { clientAddress } from '../client-address.ts';
import { problemResponse } from '../problem.ts';
import { isSignIn, SESSION_PATH, sessionAdmin } from '../admin-session/session-auth.ts';

/**
 * Bearer-token (CLI/API) or console-session-cookie (with CSRF checks, see sessionAdmin)
 * authentication for /api/admin/*; POST /api/admin/session (sign-in) passes through. Failures are rate-limited per client address
 * (429 with Retry-After once the limit is hit, even for a right token, so guessing cannot go
 * on) and audited without the presented token. GET needs the `read` scope, anything else
 * `write`; /tokens needs `tokens`.
 */
export function adminAuth(deps: AppDeps, limiter: RateLimiter): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (isSignIn(c)) return next();
    const address = clientAddress(c);
    const wait = await limiter.retryAfter(address);
    if (wait > 0) {
      return problemResponse(c, new AppError('rate_limited', 'too many failed sign-in attempts from this address; try again later'), wait / 1000);
    }
    const header = c.req.header('authorization') ?? '';
    const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? null;
    const base = { store: deps.store, clock: deps.clock, actor: `anonymous@${address}` };
    let admin: Awaited<ReturnType<typeof authenticateAdmin>>;
    try {
      admin = presented === null ? ((await sessionAdmin(c, base, deps.config.publicUrl))?.admin ?? (await authenticateAdmin(base, null))) : await authenticateAdmin(base, presented);
    } catch (error) {
      // A refused CSRF/origin check is not a guess at a credential: not counted, still refused.
      if (isAppError(error, 'forbidden')) throw error;
      await limiter.fail(address);
      await deps.store.audit.append({
        at: deps.clock.now(),
        actor: base.actor,
        action: 'auth.failed',
        target: c.req.path,
        details: { reason: presented ? 'invalid token' : 'no token' },
      });
      throw error;
    }
    const path = c.req.path;
    requireScope(admin, path.startsWith('/api/admin/tokens') ? 'tokens' : c.req.method === 'GET' || c.req.method === 'HEAD' || path === SESSION_PATH ? 'read' : 'write');
    c.set('admin', admin);
    c.set('ctx', { store: deps.store, clock: deps.clock, actor: `admin:${admin.name}` });
    await next();
  };
}
