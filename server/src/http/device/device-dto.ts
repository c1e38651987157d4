import { z } from '@hono/zod-openapi';
import type { Device } from '../../domain/devices/types.ts';
import { problemDto } from '../admin/dto.ts';

/** Response shapes of the device API (dates as ISO 8601 strings; never a key or secret). */
export const deviceDto = z
  .object({
    id: z.string(),
    name: z.string(),
    platform: z.string(),
    status: z.enum(['enrolled', 'retired']),
    email: z.string(),
    enrolledAt: z.string(),
    lastSeenAt: z.string().nullable(),
    push: z.object({ endpoint: z.string(), updatedAt: z.string() }).nullable(),
  })
  .openapi('Device');

export const toDeviceDto = (d: Device, email: string) => ({
  id: d.id,
  name: d.name,
  platform: d.platform,
  status: d.status,
  email,
  enrolledAt: d.enrolledAt.toISOString(),
  lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
  push: d.push ? { endpoint: d.push.endpoint, updatedAt: d.push.updatedAt.toISOString() } : null,
});

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemDto } } });

/** The error responses of device routes. */
export const deviceErrors = {
  400: problem('Invalid input; `errors` names each bad field'),
  401: problem('No, expired or invalid device session, nonce or signature'),
  403: problem('The device was retired (`device_retired`)'),
  404: problem('Unknown enrollment code'),
  410: problem('Enrollment code used or expired (`details.reason`)'),
  413: problem('Body too large'),
  415: problem('Body is not JSON'),
  429: problem('Too many failed attempts'),
} as const;
