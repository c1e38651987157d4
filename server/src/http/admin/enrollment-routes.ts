import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createEnrollmentCode, ENROLLMENT_CODE_TTL_MS } from '../../domain/devices/enrollment.ts';
import type { AdminEnv, AppDeps } from '../app-env.ts';
import { adminErrors, json } from './dto.ts';

const body = z
  .strictObject({ ttlMinutes: z.number().int().min(1).max(7 * 24 * 60).optional() })
  .openapi('EnrollmentCodeRequest');
const result = z
  .object({ code: z.string(), link: z.string(), email: z.string(), expiresAt: z.string() })
  .openapi('EnrollmentCode');

/** One-time device enrollment codes (the API twin of `smime-portal enroll-code`). */
export function enrollmentRoutes(deps: AppDeps): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{email}/enrollment-code',
      tags: ['devices'],
      security: [{ bearer: [] }],
      summary: 'A one-time enrollment code and link for the user (shown once, stored hashed, single use, 15 minutes by default)',
      request: { params: z.object({ email: z.string().max(254) }), body: { required: false, content: { 'application/json': { schema: body } } } },
      responses: { 201: json(result, 'Created; the code is shown this once'), ...adminErrors },
    }),
    async (c) => {
      const { ttlMinutes } = c.req.valid('json') ?? {};
      const r = await createEnrollmentCode(c.var.ctx, { email: c.req.valid('param').email, ttlMs: ttlMinutes === undefined ? ENROLLMENT_CODE_TTL_MS : ttlMinutes * 60_000 });
      c.header('cache-control', 'no-store');
      return c.json({ code: r.code, link: `${deps.config.publicUrl}/enroll?code=${encodeURIComponent(r.code)}`, email: r.email, expiresAt: r.expiresAt.toISOString() }, 201);
    },
  );
  return app;
}
