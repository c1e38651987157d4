import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { campaignStatus, changeCampaign, requireCampaign, startCampaign, startCampaignSchema } from '../../domain/campaigns/campaign-service.ts';
import type { Campaign, CampaignProgress } from '../../domain/campaigns/types.ts';
import type { AdminEnv, AppDeps } from '../app-env.ts';
import { adminErrors, json, jsonBody } from './dto.ts';

const tags = ['campaigns'];
const security = [{ bearer: [] }];
const idParam = z.object({ id: z.string().max(64) });

export const campaignDto = z
  .object({
    id: z.string(),
    policyId: z.string().nullable(),
    kind: z.enum(['retrieve', 'newCertificates']),
    channel: z.enum(['push', 'email', 'pushThenEmail']),
    status: z.enum(['running', 'paused', 'cancelled', 'done']),
    total: z.number(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Campaign');

const progressDto = z
  .object({
    total: z.number(),
    states: z.record(z.string(), z.number()),
    funnel: z.object({ sent: z.number(), opened: z.number(), retrieved: z.number() }),
  })
  .openapi('CampaignProgress');

const startedDto = z.union([
  z.object({ dryRun: z.literal(true), policy: z.string(), channel: z.string(), audience: z.number(), queueable: z.number() }),
  z.object({ dryRun: z.literal(false), campaign: campaignDto, queued: z.number() }),
]);

export const toCampaignDto = (c: Campaign) => ({
  ...c,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  finishedAt: c.finishedAt?.toISOString() ?? null,
});

/** The channels that can send, as the app was given them (none known = only SMTP_URL counts). */
export function configuredKinds(deps: AppDeps) {
  return deps.delivery?.configured ?? { email: deps.config.smtpUrl !== null, push: false };
}

/** Campaigns: start (or dry-run), list, status, pause/resume/cancel, and a live SSE progress stream. */
export function campaignRoutes(deps: AppDeps): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns',
      tags,
      security,
      summary: 'Start a campaign for a policy (dryRun: only count the audience)',
      request: { body: jsonBody(startCampaignSchema) },
      responses: { 200: json(startedDto, 'Dry run'), 201: json(startedDto, 'Started'), ...adminErrors },
    }),
    async (c) => {
      const result = await startCampaign(c.var.ctx, configuredKinds(deps), c.req.valid('json'));
      if (result.dryRun) return c.json(result, 200);
      deps.delivery?.wake?.();
      return c.json({ ...result, campaign: toCampaignDto(result.campaign) }, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/campaigns', tags, security, responses: { 200: json(z.object({ items: z.array(campaignDto) }), 'Newest first'), ...adminErrors } }),
    async (c) => c.json({ items: (await c.var.ctx.store.campaigns.listCampaigns(100)).map(toCampaignDto) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}',
      tags,
      security,
      request: { params: idParam },
      responses: { 200: json(z.object({ campaign: campaignDto, progress: progressDto }), 'The campaign and its per-state counts'), ...adminErrors },
    }),
    async (c) => {
      const { campaign, progress } = await campaignStatus(c.var.ctx, c.req.valid('param').id);
      return c.json({ campaign: toCampaignDto(campaign), progress }, 200);
    },
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.openapi(
      createRoute({ method: 'post', path: `/campaigns/{id}/${action}`, tags, security, request: { params: idParam }, responses: { 200: json(campaignDto, 'Changed'), ...adminErrors } }),
      async (c) => {
        const campaign = await changeCampaign(c.var.ctx, c.req.valid('param').id, action);
        if (action === 'resume') deps.delivery?.wake?.();
        return c.json(toCampaignDto(campaign), 200);
      },
    );
  }

  // Server-Sent Events: one `progress` event per second until the campaign is over.
  app.get('/campaigns/:id/events', async (c) => {
    const ctx = c.var.ctx;
    const first = await requireCampaign(ctx, c.req.param('id'));
    const intervalMs = deps.delivery?.progressIntervalMs ?? 1000;
    return streamSSE(c, async (stream) => {
      let last = '';
      for (;;) {
        const campaign = (await ctx.store.campaigns.getCampaign(first.id)) ?? first;
        const progress: CampaignProgress = await ctx.store.campaigns.progress(first.id);
        const data = JSON.stringify({ campaign: toCampaignDto(campaign), progress });
        if (data !== last) {
          await stream.writeSSE({ event: 'progress', data });
          last = data;
        }
        const over = campaign.status === 'done' || campaign.status === 'cancelled';
        if (over || stream.aborted) {
          if (over) await stream.writeSSE({ event: 'end', data: campaign.status });
          return;
        }
        await stream.sleep(intervalMs);
      }
    });
  });

  return app;
}
