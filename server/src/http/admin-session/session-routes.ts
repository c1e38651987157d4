import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { RateLimiter } from '../../domain/auth/rate-limiter.ts';
import { AppError } from '../../errors.ts';
import type { AdminEnv, AppDeps } from '../app-env.ts';
import { clientAddress } from '../client-address.ts';
import { adminErrors, json, jsonBody } from '../admin/dto.ts';
import { problemResponse } from '../problem.ts';
import { csrfTokenFor, signIn, signOut } from './admin-sessions.ts';
import { currentSession } from './session-auth.ts';
import { clearSessionCookie, readSessionCookie, requireSameOrigin, writeSessionCookie } from './session-cookie.ts';

const tags = ['admin session'];
const sessionDto = z
  .object({
    admin: z.object({ name: z.string(), scopes: z.array(z.string()) }),
    csrfToken: z.string().openapi({ description: 'Send it back in X-CSRF-Token on every state-changing request made with the cookie' }),
    expiresAt: z.string(),
  })
  .openapi('AdminSession');

/**
 * The admin console's sign-in: an admin token is exchanged for an HttpOnly, SameSite=Strict
 * session cookie (Secure over TLS); sign-out ends it. Bearer tokens keep working for CLI/API.
 */
export function sessionRoutes(deps: AppDeps, limiter: RateLimiter): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/session',
      tags,
      summary: 'Sign in to the admin console with an admin token; sets the session cookie',
      request: { body: jsonBody(z.strictObject({ token: z.string().max(200) })) },
      responses: { 201: json(sessionDto, 'Signed in'), ...adminErrors },
    }),
    async (c) => {
      const address = clientAddress(c);
      const wait = await limiter.retryAfter(address);
      if (wait > 0) return problemResponse(c, new AppError('rate_limited', 'too many failed sign-in attempts from this address; try again later'), wait / 1000) as never;
      requireSameOrigin(c, deps.config.publicUrl);
      const ctx = { store: deps.store, clock: deps.clock, actor: `anonymous@${address}` };
      let opened: Awaited<ReturnType<typeof signIn>>;
      try {
        opened = await signIn(ctx, c.req.valid('json').token);
      } catch (error) {
        await limiter.fail(address);
        await deps.store.audit.append({ at: deps.clock.now(), actor: ctx.actor, action: 'auth.failed', target: c.req.path, details: { reason: 'invalid token (console sign-in)' } });
        throw error;
      }
      writeSessionCookie(c, opened.secret, opened.session.expiresAt);
      return c.json({ admin: { name: opened.admin.name, scopes: opened.admin.scopes }, csrfToken: opened.csrf, expiresAt: opened.session.expiresAt.toISOString() }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/session',
      tags,
      summary: 'The current console session and its CSRF token',
      responses: { 200: json(sessionDto, 'Signed in'), ...adminErrors },
    }),
    async (c) => {
      const session = currentSession(c);
      const secret = readSessionCookie(c);
      if (!session || !secret) throw new AppError('not_found', 'this request was not made with a console session');
      return c.json({ admin: { name: c.var.admin.name, scopes: c.var.admin.scopes }, csrfToken: csrfTokenFor(secret), expiresAt: session.expiresAt.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'delete', path: '/session', tags, summary: 'Sign out: ends the session and clears the cookie', responses: { 204: { description: 'Signed out' }, ...adminErrors } }),
    async (c) => {
      const session = currentSession(c);
      if (session) await signOut(c.var.ctx, session);
      clearSessionCookie(c);
      return c.body(null, 204);
    },
  );

  return app;
}
