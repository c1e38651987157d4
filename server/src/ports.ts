import type { AuditRepo } from './domain/audit/types.ts';
import type { CampaignRepo } from './domain/campaigns/types.ts';
import type { AttemptWindowRepo, KvRepo, TokenRepo } from './domain/auth/types.ts';
import type { CaRepo, CredentialRepo } from './domain/credentials/types.ts';
import type { DeviceRepo } from './domain/devices/types.ts';
import type { InboxRepo } from './domain/notifications/types.ts';
import type { DirectoryRepo } from './domain/directory/types.ts';
import type { PolicyRepo } from './domain/policy/types.ts';
import type { AdminSessionRepo } from './http/admin-session/session-types.ts';
import type { AdminConsoleRepo } from './http/admin/console-types.ts';

/**
 * The capabilities the domain depends on. main.ts chooses the implementations; tests pass fakes.
 * The domain imports only these interfaces, never Hono, SQL, fetch or process.env.
 */

/** Time source; tests use a fake clock with pinned dates. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type Locale = 'en' | 'zh-TW';
export const LOCALES: readonly Locale[] = ['en', 'zh-TW'];

export const CHANNEL_KINDS = ['push', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** A device's Web Push subscription as stored on the device record. */
export interface PushSubscriptionRecord {
  /** Device id owning the subscription (one subscription per device). */
  deviceId: string;
  endpoint: string;
  /** base64url P-256 public key of the user agent (65 bytes uncompressed). */
  p256dh: string;
  /** base64url 16-byte auth secret. */
  auth: string;
}

/** One notification to one user, whatever the channel. */
export interface Notice {
  /** Opaque delivery id; also the `r` in the retrieval link. */
  recipientId: string;
  kind: 'retrieve' | 'reminder' | 'newCertificates';
  user: { email: string | null; displayName: string | null; locale: Locale };
  /** Absolute link the user opens: PUBLIC_URL + /smime/retrieve?r=… (no credential). */
  url: string;
  /** Push Topic / notification tag: a newer notice with the same topic replaces the older. */
  topic: string;
  /** Live push subscriptions of the user's enrolled devices (push channel only). */
  subscriptions: PushSubscriptionRecord[];
}

/**
 * How a send ended. Channels classify failures (STYLE.md rule 3): network, timeout, 5xx, 429 →
 * retryable (with Retry-After when given); push 404/410 → the subscription is gone (delete it,
 * never retry it); other 4xx / SMTP 5xx → permanent.
 */
export type SendOutcome =
  | { status: 'sent'; goneDeviceIds: string[] }
  | { status: 'retryable'; reason: string; retryAfterMs?: number; goneDeviceIds: string[] }
  | { status: 'permanent'; reason: string; goneDeviceIds: string[] }
  /** Nothing could be sent because every subscription is gone (pushThenEmail falls back). */
  | { status: 'gone'; reason: string; goneDeviceIds: string[] };

export interface Channel {
  readonly kind: ChannelKind;
  send(notice: Notice): Promise<SendOutcome>;
  /**
   * Whether the channel is about to run out of work it could be doing beside the event loop
   * (the push channel's encryption threads): the worker then commits outcomes sooner, freeing
   * slots for more rows. Absent: never.
   */
  starving?(): boolean;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

export type Channels = Record<ChannelKind, Channel>;


/**
 * The database port: one repository per area, and a transaction that hands the same set,
 * bound to one transaction, to the callback (all or nothing).
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly directory: DirectoryRepo;
  readonly policies: PolicyRepo;
  readonly audit: AuditRepo;
  readonly tokens: TokenRepo;
  readonly kv: KvRepo;
  readonly campaigns: CampaignRepo;
  readonly devices: DeviceRepo;
  readonly credentials: CredentialRepo;
  readonly inbox: InboxRepo;
  readonly ca: CaRepo;
  readonly adminSessions: AdminSessionRepo;
  readonly adminConsole: AdminConsoleRepo;
  readonly attempts: AttemptWindowRepo;
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Cheap round trip for /api/health. */
  ping(): Promise<void>;
}
