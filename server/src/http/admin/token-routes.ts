import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createAdminToken, createTokenSchema, revokeAdminToken } from '../../domain/auth/admin-tokens.ts';
import type { AdminEnv } from '../app-env.ts';
import { adminErrors, json, jsonBody, toTokenDto, tokenDto } from './dto.ts';

const tags = ['admin tokens'];
const security = [{ bearer: [] }];

/** Admin tokens (scope `tokens`) and the audit log (scope `read`). */
export function tokenRoutes(): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();

  app.openapi(
    createRoute({ method: 'get', path: '/tokens', tags, security, responses: { 200: json(z.object({ items: z.array(tokenDto) }), 'Every token (never the secret)'), ...adminErrors } }),
    async (c) => c.json({ items: (await c.var.ctx.store.tokens.list()).map(toTokenDto) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      tags,
      security,
      request: { body: jsonBody(createTokenSchema) },
      responses: { 201: json(tokenDto.extend({ token: z.string() }), 'Created; `token` is shown this once'), ...adminErrors },
    }),
    async (c) => {
      const { token, record } = await createAdminToken(c.var.ctx, c.req.valid('json'));
      return c.json({ ...toTokenDto(record), token }, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'delete', path: '/tokens/{id}', tags, security, request: { params: z.object({ id: z.string().max(64) }) }, responses: { 204: { description: 'Revoked' }, ...adminErrors } }),
    async (c) => {
      await revokeAdminToken(c.var.ctx, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      tags: ['audit'],
      security,
      request: {
        query: z.object({
          action: z.string().max(100).optional(),
          actor: z.string().max(200).optional(),
          target: z.string().max(300).optional(),
          before: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(z.object({ id: z.string(), at: z.string(), actor: z.string(), action: z.string(), target: z.string().nullable(), details: z.record(z.string(), z.unknown()).nullable() })) }),
          'Newest first; pass the last id as `before` for the next page',
        ),
        ...adminErrors,
      },
    }),
    async (c) => {
      const items = await c.var.ctx.store.audit.list(c.req.valid('query'));
      return c.json({ items: items.map((e) => ({ ...e, at: e.at.toISOString() })) }, 200);
    },
  );

  return app;
}
