import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { assignmentSchema, policySettingsSchema } from '../../../../shared/schemas/policy.ts';
import { assignPolicy, createPolicy, createPolicySchema, requirePolicy, resolveTargets, updatePolicySettings } from '../../domain/policy/policy-service.ts';
import type { AdminEnv } from '../app-env.ts';
import { adminErrors, json, jsonBody, pageOf, policyDto, toPolicyDto, toUserDto, userDto } from './dto.ts';

const tags = ['policies'];
const security = [{ bearer: [] }];
const nameParam = z.object({ name: z.string().max(100) });

/** S/MIME policies, their assignments and the users they target. */
export function policyRoutes(): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();

  app.openapi(
    createRoute({ method: 'get', path: '/policies', tags, security, responses: { 200: json(z.object({ items: z.array(policyDto) }), 'Every policy'), ...adminErrors } }),
    async (c) => c.json({ items: (await c.var.ctx.store.policies.listPolicies()).map((p) => toPolicyDto(p)) }, 200),
  );

  app.openapi(
    createRoute({ method: 'post', path: '/policies', tags, security, request: { body: jsonBody(createPolicySchema) }, responses: { 201: json(policyDto, 'Created'), ...adminErrors } }),
    async (c) => c.json(toPolicyDto(await createPolicy(c.var.ctx, c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/policies/{name}', tags, security, request: { params: nameParam }, responses: { 200: json(policyDto, 'The policy with its target count'), ...adminErrors } }),
    async (c) => {
      const policy = await requirePolicy(c.var.ctx, c.req.valid('param').name);
      return c.json(toPolicyDto(policy, await c.var.ctx.store.policies.countTargets(policy.id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/policies/{name}/settings',
      tags,
      security,
      summary: 'Replace the settings (unset ones take their defaults)',
      request: { params: nameParam, body: jsonBody(policySettingsSchema) },
      responses: { 200: json(policyDto, 'Updated'), ...adminErrors },
    }),
    async (c) => c.json(toPolicyDto(await updatePolicySettings(c.var.ctx, c.req.valid('param').name, c.req.valid('json'))), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/policies/{name}/assignments',
      tags,
      security,
      summary: 'Replace the include/exclude groups (exclude wins)',
      request: { params: nameParam, body: jsonBody(assignmentSchema) },
      responses: { 200: json(policyDto, 'Assigned, with the new target count'), ...adminErrors },
    }),
    async (c) => {
      const policy = await assignPolicy(c.var.ctx, c.req.valid('param').name, c.req.valid('json'));
      return c.json(toPolicyDto(policy, await c.var.ctx.store.policies.countTargets(policy.id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/policies/{name}/targets',
      tags,
      security,
      request: { params: nameParam, query: z.object({ after: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      responses: { 200: json(pageOf(userDto), 'A page of the users the policy applies to'), ...adminErrors },
    }),
    async (c) => {
      const policy = await requirePolicy(c.var.ctx, c.req.valid('param').name);
      const page = await resolveTargets(c.var.ctx, policy, c.req.valid('query'));
      return c.json({ items: page.items.map(toUserDto), next: page.next }, 200);
    },
  );

  return app;
}
