import type { ChannelKind, Locale, PushSubscriptionRecord } from '../../ports.ts';

export const CAMPAIGN_CHANNELS = ['push', 'email', 'pushThenEmail'] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];
export type CampaignStatus = 'running' | 'paused' | 'cancelled' | 'done';
export type CampaignKind = 'retrieve' | 'newCertificates';
export const DELIVERY_STATES = ['pending', 'sending', 'sent', 'opened', 'retrieved', 'failed', 'skipped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export type NoticeKind = 'retrieve' | 'reminder' | 'newCertificates';

/**
 * Short, stable reasons for failed/skipped rows (metric labels); the detail (server text) goes
 * to `lastError`.
 */
export type DeliveryReason = 'no_device' | 'no_address' | 'subscription_gone' | 'rejected' | 'max_attempts' | 'cancelled';

export interface Campaign {
  id: string;
  policyId: string | null;
  kind: CampaignKind;
  channel: CampaignChannel;
  status: CampaignStatus;
  total: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** Per-state counts plus the funnel (timestamps survive later state changes such as reminders). */
export interface CampaignProgress {
  total: number;
  states: Record<DeliveryState, number>;
  funnel: { sent: number; opened: number; retrieved: number };
}

/** A row a worker leased. */
export interface ClaimedDelivery {
  id: string;
  campaignId: string;
  userId: string;
  channel: ChannelKind;
  kind: NoticeKind;
  attempts: number;
}

/** What the worker needs to address one user. */
export interface RecipientInfo {
  email: string | null;
  displayName: string | null;
  locale: Locale;
  subscriptions: PushSubscriptionRecord[];
}

/** The outcome of one leased row, written back by the worker (only if it still holds the lease). */
export type DeliveryUpdate =
  | { id: string; state: 'sent' }
  | { id: string; state: 'pending'; nextAttemptAt: number; lastError: string | null; switchTo?: ChannelKind }
  | { id: string; state: 'failed' | 'skipped'; reason: DeliveryReason; lastError: string | null };

export interface MetricsSnapshot {
  byChannelState: { channel: string; state: string; n: number }[];
  byReason: { channel: string; state: string; reason: string; n: number }[];
  queueDepth: number;
  oldestDueAt: number | null;
  funnel: { sent: number; opened: number; retrieved: number };
}

/** Storage of campaigns and the delivery queue, implemented by store/campaign-repo.ts. */
export interface CampaignRepo {
  createCampaign(c: { policyId: string | null; kind: CampaignKind; channel: CampaignChannel; createdBy: string }, now: Date): Promise<Campaign>;
  /**
   * Inserts, in SQL, up to `limit` targets of the policy after `after` (user id order) who are not
   * already recipients of a running or paused campaign for the same policy.
   */
  queueTargets(campaign: Campaign, options: { after: string | null; limit: number }, now: Date): Promise<{ inserted: number; last: string | null }>;
  /** How many targets `queueTargets` would insert (dry run). */
  countQueueable(policyId: string): Promise<number>;
  setTotal(campaignId: string, total: number): Promise<void>;
  getCampaign(id: string): Promise<Campaign | null>;
  listCampaigns(limit: number): Promise<Campaign[]>;
  /** Moves the campaign to `to` if its status is one of `from`; false otherwise. */
  transition(id: string, from: CampaignStatus[], to: CampaignStatus, now: Date): Promise<boolean>;
  /** Skips every not-yet-sent row of a campaign (reason cancelled). */
  skipUnsent(campaignId: string, now: Date): Promise<number>;
  progress(campaignId: string): Promise<CampaignProgress>;

  /** Leases up to `limit` due rows of `channel` in running campaigns. */
  claim(channel: ChannelKind, workerId: string, limit: number, now: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** Puts rows whose lease expired (crashed worker) back in the queue. */
  reclaimExpired(now: number): Promise<number>;
  /** Extends the lease of the rows `workerId` still holds (a live worker's heartbeat). */
  renewLeases(workerId: string, now: number, leaseMs: number): Promise<number>;
  recipients(userIds: string[]): Promise<Map<string, RecipientInfo>>;
  campaignChannels(ids: string[]): Promise<Map<string, CampaignChannel>>;
  /** Writes outcomes in one transaction, each only if `workerId` still holds the row. */
  record(workerId: string, updates: DeliveryUpdate[], now: number): Promise<void>;
  clearPushSubscriptions(deviceIds: string[]): Promise<void>;
  /** Marks running campaigns without pending or sending rows done. */
  finishIdle(campaignIds: string[], now: number): Promise<void>;
  /** Takes up to `want` sends from the channel's per-second budget shared by all workers. */
  acquireRate(channel: ChannelKind, want: number, perSecond: number, now: number): Promise<number>;
  /** Gives back budget taken in the same second but not used. */
  refundRate(channel: ChannelKind, n: number, now: number): Promise<void>;

  markOpened(recipientId: string, now: number): Promise<boolean>;
  markRetrieved(userId: string, now: number): Promise<number>;
  /** Requeues up to `limit` rows sent ≥ delayMs ago, not retrieved, with < max reminders. */
  queueReminders(now: number, delayMs: number, max: number, limit: number): Promise<number>;
  /** Finds (or makes) the running automatic campaign for new certificates on `channel`. */
  autoCampaign(channel: CampaignChannel, now: Date): Promise<Campaign>;
  /** Queues one notice for a user, or pushes an already pending one back to `dueAt` (debounce). */
  queueUserNotice(campaign: Campaign, userId: string, dueAt: number, now: number): Promise<'queued' | 'debounced'>;
  metrics(now: number): Promise<MetricsSnapshot>;
}
