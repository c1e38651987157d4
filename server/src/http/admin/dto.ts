import { z } from '@hono/zod-openapi';
import type { AdminToken } from '../../domain/auth/types.ts';
import type { Group, User } from '../../domain/directory/types.ts';
import type { Policy } from '../../domain/policy/types.ts';

/** Response shapes of the admin API (dates as ISO 8601 strings). */
export const userDto = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string().nullable(),
    locale: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User');

export const groupDto = z.object({ id: z.string(), name: z.string(), memberCount: z.number(), createdAt: z.string() }).openapi('Group');

export const policyDto = z
  .object({
    id: z.string(),
    name: z.string(),
    settings: z.record(z.string(), z.unknown()),
    assignments: z.array(z.object({ groupId: z.string(), groupName: z.string(), mode: z.enum(['include', 'exclude']) })),
    targetCount: z.number().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Policy');

export const tokenDto = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('AdminToken');

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: z.string().nullable() });

export const problemDto = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemDto } } });

/** The error responses every admin route can give. */
export const adminErrors = {
  400: problem('Invalid input; `errors` names each bad field'),
  401: problem('No or invalid admin token'),
  403: problem('The token lacks the scope'),
  404: problem('Not found'),
  409: problem('Conflict with existing data'),
  413: problem('Body too large'),
  429: problem('Too many failed attempts'),
} as const;

export const toUserDto = (u: User) => ({ ...u, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() });
export const toGroupDto = (g: Group) => ({ ...g, createdAt: g.createdAt.toISOString() });
export const toPolicyDto = (p: Policy, targetCount?: number) => ({
  ...p,
  ...(targetCount === undefined ? {} : { targetCount }),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});
export const toTokenDto = (t: AdminToken) => ({
  ...t,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
