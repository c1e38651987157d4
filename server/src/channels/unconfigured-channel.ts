/**
 * The no-op implementation of a channel that has no configuration (no SMTP_URL, no VAPID
 * keys). Campaigns refuse to start on it earlier; this keeps `Channels` total.
 */
import type { Channel, ChannelKind } from '../ports.ts';

/** A channel whose every send is permanent 'channel not configured'. */
export function createUnconfiguredChannel(kind: ChannelKind): Channel {
  return {
    kind,
    async send() {
      return { status: 'permanent', reason: 'channel not configured', goneDeviceIds: [] };
    },
    async close() {},
  };
}
