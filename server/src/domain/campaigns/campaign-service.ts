import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { ChannelKind } from '../../ports.ts';
import { parseInput } from '../../validate.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import { requirePolicy } from '../policy/policy-service.ts';
import { CAMPAIGN_CHANNELS, type Campaign, type CampaignChannel, type CampaignProgress } from './types.ts';

export const startCampaignSchema = z.strictObject({
  policy: z.string().trim().min(1).max(100),
  channel: z.enum(CAMPAIGN_CHANNELS).optional(),
  dryRun: z.boolean().default(false),
});

/** Which channels can send; a campaign on another one is refused before anything is queued. */
export type ConfiguredKinds = Record<ChannelKind, boolean>;

export type StartResult =
  | { dryRun: true; policy: string; channel: CampaignChannel; audience: number; queueable: number }
  | { dryRun: false; campaign: Campaign; queued: number };

/** Rows inserted per statement: the first batch commits (and can be sent) at once. */
const QUEUE_CHUNK = 2000;

const HOW_TO_CONFIGURE: Record<ChannelKind, string> = {
  email: 'the email channel is not configured (set SMTP_URL)',
  push: 'the push channel is not configured (no VAPID keys)',
};

/** The channels a campaign channel needs. */
export function kindsOf(channel: CampaignChannel): ChannelKind[] {
  return channel === 'pushThenEmail' ? ['push', 'email'] : [channel];
}

/**
 * Starts (or dry-runs) a campaign for a policy. Recipients are inserted in SQL from the policy's
 * targets in chunks, so 100k users never sit in memory and the first chunk is sendable while the
 * rest are inserted. Users already recipients of a running or paused campaign for the same policy
 * are not added again.
 */
export async function startCampaign(ctx: DomainContext, configured: ConfiguredKinds, input: unknown): Promise<StartResult> {
  const { policy: key, channel: wanted, dryRun } = parseInput(startCampaignSchema, input, 'campaign');
  const policy = await requirePolicy(ctx, key);
  if (!policy.settings.enabled) throw new AppError('policy_disabled', `policy "${policy.name}" is disabled; enable it before starting a campaign`);
  const channel = wanted ?? policy.settings.notification;
  for (const kind of kindsOf(channel)) {
    if (!configured[kind]) throw new AppError('channel_not_configured', `cannot start a ${channel} campaign: ${HOW_TO_CONFIGURE[kind]}`);
  }
  if (dryRun) {
    const [audience, queueable] = await Promise.all([ctx.store.policies.countTargets(policy.id), ctx.store.campaigns.countQueueable(policy.id)]);
    return { dryRun: true, policy: policy.name, channel, audience, queueable };
  }
  const now = ctx.clock.now();
  const first = await inTransaction(ctx, async (tx) => {
    const campaign = await tx.store.campaigns.createCampaign({ policyId: policy.id, kind: 'retrieve', channel, createdBy: ctx.actor }, now);
    const batch = await tx.store.campaigns.queueTargets(campaign, { after: null, limit: QUEUE_CHUNK }, now);
    if (batch.inserted === 0) {
      const audience = await tx.store.policies.countTargets(policy.id);
      throw new AppError(
        'conflict',
        audience === 0
          ? `nothing queued: policy "${policy.name}" targets no users (assign groups with members first)`
          : `nothing queued: all ${audience} targeted users are already recipients of a running or paused campaign for "${policy.name}"`,
      );
    }
    await tx.store.campaigns.setTotal(campaign.id, batch.inserted);
    await audit(tx, 'campaign.start', campaign.id, { policy: policy.name, channel });
    return { campaign, batch };
  });
  let queued = first.batch.inserted;
  let after = first.batch.last;
  while (first.batch.inserted === QUEUE_CHUNK) {
    // On SQLite every statement is synchronous: without yielding, a worker in this process could
    // not send the first chunk until the last one is queued (1–2 s for 100k users).
    await new Promise((resolve) => setTimeout(resolve, 0));
    const batch = await ctx.store.campaigns.queueTargets(first.campaign, { after, limit: QUEUE_CHUNK }, now);
    queued += batch.inserted;
    after = batch.last;
    await ctx.store.campaigns.setTotal(first.campaign.id, queued);
    if (batch.inserted < QUEUE_CHUNK) break;
  }
  return { dryRun: false, campaign: { ...first.campaign, total: queued }, queued };
}

/** The campaign with this id, or AppError not_found. */
export async function requireCampaign(ctx: DomainContext, id: unknown): Promise<Campaign> {
  const key = parseInput(z.string().trim().min(1).max(64), id, 'campaign id');
  const campaign = await ctx.store.campaigns.getCampaign(key);
  if (!campaign) throw new AppError('not_found', `no campaign ${key}`);
  return campaign;
}

/** The campaign and its per-state counts. */
export async function campaignStatus(ctx: DomainContext, id: unknown): Promise<{ campaign: Campaign; progress: CampaignProgress }> {
  const campaign = await requireCampaign(ctx, id);
  return { campaign, progress: await ctx.store.campaigns.progress(campaign.id) };
}

const TRANSITIONS = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['running', 'paused'], to: 'cancelled' },
} as const;

/** Pauses, resumes or cancels a campaign; cancelling skips every row not yet sent. */
export async function changeCampaign(ctx: DomainContext, id: unknown, action: keyof typeof TRANSITIONS): Promise<Campaign> {
  const rule = TRANSITIONS[action];
  return inTransaction(ctx, async (tx) => {
    const campaign = await requireCampaign(tx, id);
    if (!(await tx.store.campaigns.transition(campaign.id, [...rule.from], rule.to, tx.clock.now()))) {
      throw new AppError('conflict', `cannot ${action} campaign ${campaign.id}: it is ${campaign.status}`);
    }
    if (action === 'cancel') await tx.store.campaigns.skipUnsent(campaign.id, tx.clock.now());
    await audit(tx, `campaign.${action}`, campaign.id);
    return (await tx.store.campaigns.getCampaign(campaign.id))!;
  });
}

const RECIPIENT_ID = /^[0-9a-f]{32}$/;

/**
 * Marks the recipient whose link was opened. Unknown or malformed ids are ignored silently: the
 * endpoint is unauthenticated and must not tell which ids exist.
 */
export async function markOpened(ctx: DomainContext, recipientId: string): Promise<void> {
  if (!RECIPIENT_ID.test(recipientId)) return;
  await ctx.store.campaigns.markOpened(recipientId, ctx.clock.now().getTime());
}

/** Called when a device acknowledges retrieval: the user's sent/opened recipients become retrieved. */
export async function markRetrieved(ctx: DomainContext, userId: string): Promise<number> {
  return ctx.store.campaigns.markRetrieved(userId, ctx.clock.now().getTime());
}

/**
 * Queues a "new certificates" notice for a user (import, issuance, renewal), debounced: calls
 * within `debounceMs` of each other end in one notice sent `debounceMs` after the last call.
 * The channel is the notification setting of the user's first enabled policy.
 */
export async function notifyUserOfNewCertificates(ctx: DomainContext, userId: string, options: { debounceMs: number }): Promise<'queued' | 'debounced' | 'no_policy'> {
  const policies = await ctx.store.policies.policiesForUser(userId);
  const policy = policies[0];
  if (!policy) return 'no_policy';
  return inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const campaign = await tx.store.campaigns.autoCampaign(policy.settings.notification, now);
    return tx.store.campaigns.queueUserNotice(campaign, userId, now.getTime() + options.debounceMs, now.getTime());
  });
}
