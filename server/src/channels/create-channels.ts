/**
 * Chooses the implementation of every channel from the configuration (called by main.ts).
 */
import type https from 'node:https';
import { type Channels, type Clock, systemClock } from '../ports.ts';
import { createEmailChannel } from './email/email-channel.ts';
import { createPushChannel } from './push/push-channel.ts';
import { createVapidSigner } from './push/vapid.ts';
import { createUnconfiguredChannel } from './unconfigured-channel.ts';

export interface ChannelsConfig {
  smtpUrl: string | null;
  mailFrom: string;
  vapid: { publicKey: string; privateKey: string; subject: string } | null;
  push: { allowInsecureEndpoints: boolean };
}

export interface ChannelTuning {
  clock?: Clock;
  /** SMTP connections kept open. Default 5. */
  smtpMaxConnections?: number;
  /** Messages per pooled SMTP connection before it is replaced. Default 1000. */
  smtpMaxMessages?: number;
  /** Push request deadline. Default 10 s. */
  pushTimeoutMs?: number;
  /** How long push services hold a message for an offline device. Default 7 days. */
  pushTtlSeconds?: number;
  /** Extra options of the push client's keep-alive agents (e.g. a private CA in tests). */
  pushAgentOptions?: https.AgentOptions;
  /** Offer HTTP/2 to https push services. Default true. */
  pushHttp2?: boolean;
  /** Threads encrypting push payloads beside the event loop. Default 0 (inline). */
  pushEncryptionThreads?: number;
  /** Told when a push encryption thread fails. */
  onThreadError?: (error: Error) => void;
}

/**
 * Builds `Channels`; a channel without configuration is an unconfigured channel. Throws
 * AppError `validation_failed` for unusable VAPID keys or subject.
 */
export function createChannels(config: ChannelsConfig, tuning: ChannelTuning = {}): Channels {
  const clock = tuning.clock ?? systemClock;
  return {
    email: config.smtpUrl
      ? createEmailChannel({
          smtpUrl: config.smtpUrl,
          from: config.mailFrom,
          pool: true,
          maxConnections: tuning.smtpMaxConnections ?? 5,
          ...(tuning.smtpMaxMessages ? { maxMessages: tuning.smtpMaxMessages } : {}),
        })
      : createUnconfiguredChannel('email'),
    push: config.vapid
      ? createPushChannel({
          vapid: createVapidSigner({ ...config.vapid, clock }),
          timeoutMs: tuning.pushTimeoutMs ?? 10_000,
          ttlSeconds: tuning.pushTtlSeconds ?? 7 * 24 * 3600,
          ...(tuning.pushAgentOptions ? { httpAgentOptions: tuning.pushAgentOptions } : {}),
          ...(tuning.pushHttp2 === false ? { http2: false } : {}),
          encryptionThreads: tuning.pushEncryptionThreads ?? 0,
          ...(tuning.onThreadError ? { onThreadError: tuning.onThreadError } : {}),
          allowInsecureEndpoints: config.push.allowInsecureEndpoints,
          clock,
        })
      : createUnconfiguredChannel('push'),
  };
}
