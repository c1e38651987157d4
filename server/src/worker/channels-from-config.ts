import { createChannels } from '../channels/create-channels.ts';
import type { Config } from '../config.ts';
import type { ChannelKind, Channels, Clock } from '../ports.ts';
import { loadOrCreateVapidKeys, vapidSubject } from '../vapid-store.ts';

export interface ConfiguredChannels {
  channels: Channels;
  /** Which channels can actually send (SMTP_URL set; VAPID keys present). */
  configured: Record<ChannelKind, boolean>;
  vapidPublicKey: string | null;
}

/** Builds the real channels from the configuration, making the VAPID keys on first start. */
export function channelsFromConfig(config: Config, clock?: Clock): ConfiguredChannels {
  const keys = loadOrCreateVapidKeys(config.dataDir);
  const channels = createChannels(
    {
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
      vapid: { ...keys, subject: vapidSubject(config) },
      push: { allowInsecureEndpoints: config.campaigns.allowInsecurePush },
    },
    clock ? { clock } : {},
  );
  return { channels, configured: { push: true, email: config.smtpUrl !== null }, vapidPublicKey: keys.publicKey };
}
