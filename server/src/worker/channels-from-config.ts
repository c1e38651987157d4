import { createChannels } from '../channels/create-channels.ts';
import type { Config } from '../config.ts';
import type { Vault } from '../domain/credentials/types.ts';
import type { ChannelKind, Channels, Clock, Store } from '../ports.ts';
import { loadOrCreateVapidKeys, vapidSubject } from '../vapid-store.ts';

export interface ConfiguredChannels {
  channels: Channels;
  /** Which channels can actually send (SMTP_URL set; VAPID keys present). */
  configured: Record<ChannelKind, boolean>;
  vapidPublicKey: string | null;
}

export interface ChannelSources {
  store: Store;
  /** Opens the VAPID private key sealed in the database. */
  vault: Vault;
  clock?: Clock;
  log?: (level: 'error', message: string, detail?: Record<string, unknown>) => void;
}

/**
 * Builds the real channels from the configuration. The VAPID key pair comes from the database
 * (made there on first start), so every serve and worker process on every machine signs with
 * the same pair the PWA subscribed with.
 */
export async function channelsFromConfig(config: Config, sources: ChannelSources): Promise<ConfiguredChannels> {
  const keys = await loadOrCreateVapidKeys({ store: sources.store, vault: sources.vault, dataDir: config.dataDir });
  const channels = createChannels(
    {
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
      vapid: { ...keys, subject: vapidSubject(config) },
      push: { allowInsecureEndpoints: config.campaigns.allowInsecurePush },
    },
    {
      ...(sources.clock ? { clock: sources.clock } : {}),
      smtpMaxMessages: config.smtpMaxMessages,
      pushHttp2: config.campaigns.pushHttp2,
      pushEncryptionThreads: config.campaigns.pushEncryptionThreads,
      onThreadError: (error) => sources.log?.('error', 'a push encryption thread failed; its messages are encrypted on the main thread', { error: error.message }),
    },
  );
  return { channels, configured: { push: true, email: config.smtpUrl !== null }, vapidPublicKey: keys.publicKey };
}
