import type { CampaignChannel, ClaimedDelivery, DeliveryUpdate, RecipientInfo } from '../domain/campaigns/types.ts';
import type { Channels, Notice, SendOutcome } from '../ports.ts';

/** A claimed row with what its send needs. */
export interface Job {
  row: ClaimedDelivery;
  user: RecipientInfo | undefined;
  campaignChannel: CampaignChannel;
}

/** The notice a claimed row becomes: the retrieval link carries only the opaque recipient id. */
export function noticeFor(row: ClaimedDelivery, user: RecipientInfo, publicUrl: string): Notice {
  return {
    recipientId: row.id,
    kind: row.kind,
    user: { email: user.email, displayName: user.displayName, locale: user.locale },
    url: `${publicUrl}/smime/retrieve?r=${row.id}`,
    // One topic for every notice of the portal: a reminder replaces the unread original.
    topic: 'smime-certificates',
    subscriptions: user.subscriptions,
  };
}

/**
 * Sends one job through its channel. Returns the channel's outcome, or the row's final update
 * when there is nothing to send (no email address). Never throws.
 */
export async function sendJob({ row, user }: Job, channels: Channels, publicUrl: string): Promise<SendOutcome | DeliveryUpdate> {
  if (!user) return { status: 'permanent', reason: 'user no longer exists', goneDeviceIds: [] };
  if (row.channel === 'email' && !user.email) return { id: row.id, state: 'skipped', reason: 'no_address', lastError: 'the user has no email address' };
  if (row.channel === 'push' && user.subscriptions.length === 0) return { status: 'gone', reason: 'no live subscription', goneDeviceIds: [] };
  try {
    return await channels[row.channel].send(noticeFor(row, user, publicUrl));
  } catch (error) {
    // Channels classify failures themselves; a throw is a bug or an outage: retry later.
    return { status: 'retryable', reason: `channel error: ${(error as Error).message}`, goneDeviceIds: [] };
  }
}
