import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { deviceActions } from '../../domain/notifications/device-actions.ts';
import { json } from '../admin/dto.ts';
import type { AppDeps } from '../app-env.ts';
import { deviceAuth, type DeviceEnv } from './device-auth.ts';
import { deviceErrors } from './device-dto.ts';

const actionDto = z
  .object({
    kind: z.enum(['retrieve', 'renewSigning', 'expiring']),
    recipientId: z.string().nullable().optional(),
    thumbprint: z.string().optional(),
    since: z.string().optional(),
    notAfter: z.string().optional(),
  })
  .openapi('DeviceAction');

/**
 * In-app notifications (the Company Portal's "Notifications"): what this user should do on
 * this device now. Derived from state, so an action is gone once done.
 */
export function actionsRoutes(deps: AppDeps): OpenAPIHono<DeviceEnv> {
  const app = new OpenAPIHono<DeviceEnv>();
  app.use('/actions', deviceAuth(deps));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/actions',
      tags: ['device'],
      security: [{ deviceSession: [] }],
      responses: { 200: json(z.object({ items: z.array(actionDto) }), 'The actions waiting, most urgent first'), ...deviceErrors },
    }),
    async (c) => {
      const items = await deviceActions(c.var.ctx, c.var.device);
      c.header('cache-control', 'no-store');
      return c.json(
        {
          items: items.map((a) =>
            a.kind === 'retrieve'
              ? { kind: a.kind, recipientId: a.recipientId, since: a.since.toISOString() }
              : { kind: a.kind, thumbprint: a.thumbprint, notAfter: a.notAfter.toISOString() },
          ),
        },
        200,
      );
    },
  );
  return app;
}
