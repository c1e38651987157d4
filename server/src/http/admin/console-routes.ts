import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireCampaign } from '../../domain/campaigns/campaign-service.ts';
import { DELIVERY_STATES } from '../../domain/campaigns/types.ts';
import { audit, inTransaction } from '../../domain/context.ts';
import { listDevicesOf, retireDevice } from '../../domain/devices/device-service.ts';
import { AppError } from '../../errors.ts';
import type { AdminEnv, AppDeps } from '../app-env.ts';
import { deviceDto, toDeviceDto } from '../device/device-dto.ts';
import { adminErrors, json } from './dto.ts';

const security = [{ bearer: [] }];
const idParam = z.object({ id: z.string().max(64) });
const iso = (d: Date | null) => d?.toISOString() ?? null;

const recipientDto = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    channel: z.string(),
    state: z.string(),
    reason: z.string().nullable(),
    attempts: z.number(),
    lastError: z.string().nullable(),
    sentAt: z.string().nullable(),
    openedAt: z.string().nullable(),
    retrievedAt: z.string().nullable(),
  })
  .openapi('CampaignRecipient');

/** Devices of a user (list, retire) and campaign recipients (list by state, failures by reason, retry the failed). */
export function consoleRoutes(deps: AppDeps): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{email}/devices',
      tags: ['devices'],
      security,
      request: { params: z.object({ email: z.string().max(254) }) },
      responses: { 200: json(z.object({ items: z.array(deviceDto) }), 'The devices, oldest first'), ...adminErrors },
    }),
    async (c) => {
      const email = c.req.valid('param').email;
      return c.json({ items: (await listDevicesOf(c.var.ctx, email)).map((d) => toDeviceDto(d, email.trim().toLowerCase())) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/devices/{id}/retire', tags: ['devices'], security, summary: 'Retire a device: its sessions end, it can do nothing more', request: { params: idParam }, responses: { 200: json(z.object({ id: z.string(), status: z.literal('retired') }), 'Retired'), ...adminErrors } }),
    async (c) => {
      const d = await retireDevice(c.var.ctx, c.req.valid('param').id);
      return c.json({ id: d.id, status: 'retired' as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/recipients',
      tags: ['campaigns'],
      security,
      request: { params: idParam, query: z.object({ state: z.enum(DELIVERY_STATES).optional(), after: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }) },
      responses: { 200: json(z.object({ items: z.array(recipientDto), next: z.string().nullable() }), 'A page of recipients'), ...adminErrors },
    }),
    async (c) => {
      const campaign = await requireCampaign(c.var.ctx, c.req.valid('param').id);
      const page = await c.var.ctx.store.adminConsole.recipients(campaign.id, c.req.valid('query'));
      return c.json({ items: page.items.map((r) => ({ ...r, sentAt: iso(r.sentAt), openedAt: iso(r.openedAt), retrievedAt: iso(r.retrievedAt) })), next: page.next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}/failures',
      tags: ['campaigns'],
      security,
      request: { params: idParam },
      responses: { 200: json(z.object({ items: z.array(z.object({ state: z.string(), reason: z.string(), n: z.number() })) }), 'Failed and skipped rows by reason'), ...adminErrors },
    }),
    async (c) => {
      const campaign = await requireCampaign(c.var.ctx, c.req.valid('param').id);
      return c.json({ items: await c.var.ctx.store.adminConsole.failureReasons(campaign.id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns/{id}/retry-failed',
      tags: ['campaigns'],
      security,
      summary: 'Queue the failed recipients again (attempts reset); a finished campaign runs again',
      request: { params: idParam },
      responses: { 200: json(z.object({ requeued: z.number() }), 'How many rows were queued again'), ...adminErrors },
    }),
    async (c) => {
      const requeued = await inTransaction(c.var.ctx, async (tx) => {
        const campaign = await requireCampaign(tx, c.req.valid('param').id);
        if (campaign.status === 'cancelled') throw new AppError('conflict', 'the campaign was cancelled; start a new one instead');
        const n = await tx.store.adminConsole.requeueFailed(campaign.id, tx.clock.now());
        if (n > 0) await tx.store.campaigns.transition(campaign.id, ['done'], 'running', tx.clock.now());
        await audit(tx, 'campaign.retry_failed', campaign.id, { requeued: n });
        return n;
      });
      if (requeued > 0) deps.delivery?.wake?.();
      return c.json({ requeued }, 200);
    },
  );

  return app;
}
