import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { groupNameSchema, userInputSchema } from '../../../../shared/schemas/directory.ts';
import { addGroup, addMember, addUser, removeMember, requireGroup, requireUser } from '../../domain/directory/directory-service.ts';
import { importUsers } from '../../domain/directory/import-users.ts';
import { AppError } from '../../errors.ts';
import type { AdminEnv } from '../app-env.ts';
import { adminErrors, groupDto, json, jsonBody, pageOf, toGroupDto, toUserDto, userDto } from './dto.ts';

const tags = ['directory'];
const security = [{ bearer: [] }];
const pageQuery = z.object({
  after: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const importReport = z
  .object({
    created: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    membershipsAdded: z.number(),
    groupsCreated: z.array(z.string()),
    rejected: z.array(z.object({ line: z.number(), email: z.string().nullable(), reason: z.string() })),
  })
  .openapi('ImportReport');

/** Users, groups and memberships. */
export function directoryRoutes(): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();

  app.openapi(
    createRoute({ method: 'get', path: '/users', tags, security, request: { query: pageQuery.extend({ query: z.string().max(200).optional() }) }, responses: { 200: json(pageOf(userDto), 'A page of users'), ...adminErrors } }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await c.var.ctx.store.directory.listUsers({ query: q.query, after: q.after, limit: q.limit });
      return c.json({ items: page.items.map(toUserDto), next: page.next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags,
      security,
      summary: 'Create a user, or update the name/locale of the user with that email',
      request: { body: jsonBody(userInputSchema) },
      responses: { 200: json(userDto, 'Updated'), 201: json(userDto, 'Created'), ...adminErrors },
    }),
    async (c) => {
      const { user, created } = await addUser(c.var.ctx, c.req.valid('json'));
      return c.json(toUserDto(user), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/users/{email}', tags, security, request: { params: z.object({ email: z.string().max(254) }) }, responses: { 200: json(userDto.extend({ groups: z.array(z.string()) }), 'The user'), ...adminErrors } }),
    async (c) => {
      const user = await requireUser(c.var.ctx, c.req.valid('param').email);
      const groups = await c.var.ctx.store.directory.groupsOf(user.id);
      return c.json({ ...toUserDto(user), groups: groups.map((g) => g.name) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/import',
      tags,
      security,
      summary: 'Bulk import from CSV (header: email, display name, groups separated by ";", locale)',
      request: { body: { required: true, content: { 'text/csv': { schema: z.string() } } } },
      responses: { 200: json(importReport, 'What was created, updated and rejected (with line and reason)'), 415: adminErrors[400], ...adminErrors },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^text\/csv\b/i.test(type)) throw new AppError('unsupported_media_type', 'send the CSV with Content-Type: text/csv');
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch (error) {
        throw new AppError('validation_failed', 'CSV must be UTF-8 text', { cause: error });
      }
      return c.json(await importUsers(c.var.ctx, text), 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/groups', tags, security, responses: { 200: json(z.object({ items: z.array(groupDto) }), 'Every group'), ...adminErrors } }),
    async (c) => c.json({ items: (await c.var.ctx.store.directory.listGroups()).map(toGroupDto) }, 200),
  );

  app.openapi(
    createRoute({ method: 'post', path: '/groups', tags, security, request: { body: jsonBody(z.strictObject({ name: groupNameSchema })) }, responses: { 201: json(groupDto, 'Created'), ...adminErrors } }),
    async (c) => c.json(toGroupDto(await addGroup(c.var.ctx, c.req.valid('json'))), 201),
  );

  const groupParam = z.object({ name: z.string().max(100) });
  app.openapi(
    createRoute({ method: 'get', path: '/groups/{name}/members', tags, security, request: { params: groupParam, query: pageQuery }, responses: { 200: json(pageOf(userDto), 'A page of members'), ...adminErrors } }),
    async (c) => {
      const group = await requireGroup(c.var.ctx, c.req.valid('param').name);
      const q = c.req.valid('query');
      const page = await c.var.ctx.store.directory.listMembers(group.id, { after: q.after, limit: q.limit });
      return c.json({ items: page.items.map(toUserDto), next: page.next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/groups/{name}/members',
      tags,
      security,
      request: { params: groupParam, body: jsonBody(z.strictObject({ email: z.string().max(254) })) },
      responses: { 200: json(z.object({ added: z.boolean() }), 'added=false when already a member'), ...adminErrors },
    }),
    async (c) => c.json(await addMember(c.var.ctx, c.req.valid('param').name, c.req.valid('json').email), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/groups/{name}/members/{email}',
      tags,
      security,
      request: { params: groupParam.extend({ email: z.string().max(254) }) },
      responses: { 200: json(z.object({ removed: z.boolean() }), 'removed=false when not a member'), ...adminErrors },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(await removeMember(c.var.ctx, p.name, p.email), 200);
    },
  );

  return app;
}
