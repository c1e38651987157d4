import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

const boolFlag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true');

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const envSchema = z.object({
  PORT: intIn(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (unset it to use the embedded SQLite database)')
    .optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must look like smtp://user:pass@host:port')
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  SMTP_MAX_MESSAGES: intIn(1, 1_000_000).default(1000),
  KEK: z.base64('must be base64').optional(),
  SCEP_ALLOW_LEGACY_DES: boolFlag.default(false),
  CERT_VALIDITY_DAYS: intIn(1, 3650).default(365),
  RENEWAL_THRESHOLD: z.coerce.number().gt(0, 'must be between 0 and 1').lt(1, 'must be between 0 and 1').default(0.8),
  SCEP_CHALLENGE_TTL_MINUTES: intIn(1, 10080).default(60),
  CA_KEY_ALGORITHM: z.enum(['RSA-3072', 'RSA-2048']).default('RSA-3072'),
  WORKER: z.enum(['embedded', 'off']).default('embedded'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  TRUST_PROXY: z.string().regex(/^(0|1|[0-9a-fA-F.:]+(,[0-9a-fA-F.:]+)*)$/, 'must be 0, 1 (a proxy on this machine) or a comma-separated list of proxy addresses').default('0'),
  PUSH_RATE: intIn(0, 1_000_000).default(1000),
  EMAIL_RATE: intIn(0, 1_000_000).default(50),
  WORKER_CONCURRENCY: intIn(1, 10_000).default(64),
  DELIVERY_MAX_ATTEMPTS: intIn(1, 100).default(8),
  DELIVERY_LEASE_SECONDS: intIn(1, 3600).default(60),
  REMINDER_DELAY_HOURS: intIn(1, 8760).default(48),
  REMINDER_MAX: intIn(0, 100).default(2),
  NOTIFY_DEBOUNCE_SECONDS: intIn(0, 86_400).default(60),
  PUSH_ALLOW_INSECURE: boolFlag.default(false),
  PUSH_HTTP2: boolFlag.default(true),
  PUSH_ENCRYPTION_THREADS: intIn(0, 64).optional(),
  VAPID_SUBJECT: z.string().regex(/^(mailto:|https:\/\/)/, 'must be a mailto: or https: URL').optional(),
});

export type Config = Readonly<{
  port: number;
  host: string;
  dataDir: string;
  database: Readonly<{ kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }>;
  publicUrl: string;
  smtpUrl: string | null;
  /** Messages one pooled SMTP connection sends before it is replaced. */
  smtpMaxMessages: number;
  mailFrom: string;
  kek: string | null;
  scepAllowLegacyDes: boolean;
  /** Lifetime of certificates the built-in CA issues. */
  certValidityDays: number;
  /** Fraction of a lifetime after which the renewal sweep issues the successor. */
  renewalThreshold: number;
  scepChallengeTtlMinutes: number;
  /** Key of the built-in CA created on first start (RSA: SCEP clients encrypt to it). */
  caKeyAlgorithm: 'RSA-3072' | 'RSA-2048';
  embeddedWorker: boolean;
  logLevel: string;
  /** HTTPS served directly (PEM file paths), or null for plain HTTP. */
  tls: Readonly<{ certFile: string; keyFile: string }> | null;
  /** Peer addresses whose X-Forwarded-For/Proto are believed; empty = none. */
  trustedProxies: readonly string[];
  /** Delivery tuning; rates are messages per second shared by all workers (0 = unlimited). */
  campaigns: Readonly<{
    pushRate: number;
    emailRate: number;
    concurrency: number;
    maxAttempts: number;
    leaseMs: number;
    reminderDelayMs: number;
    reminderMax: number;
    debounceMs: number;
    /** Accept http:// push endpoints (local test push services only). */
    allowInsecurePush: boolean;
    /** Offer HTTP/2 to https push services (PUSH_HTTP2, default on). */
    pushHttp2: boolean;
    /** Threads encrypting push payloads beside the event loop (PUSH_ENCRYPTION_THREADS; default one per core beyond the first, at most 4). */
    pushEncryptionThreads: number;
    vapidSubject: string | null;
  }>;
}>;

/** One line a problem, e.g. `PORT: must be a whole number`. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once, listing every problem at once, and returns a frozen config.
 * Empty strings count as unset, so `FOO= npm start` behaves like no FOO.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (!!e.TLS_CERT !== !!e.TLS_KEY) throw new ConfigError([`${e.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT'}: must be set together with ${e.TLS_CERT ? 'TLS_CERT' : 'TLS_KEY'}`]);
  const dataDir = resolve(e.DATA_DIR);
  const host = e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database: Object.freeze(
      e.DATABASE_URL
        ? { kind: 'postgres' as const, url: e.DATABASE_URL }
        : { kind: 'sqlite' as const, file: resolve(dataDir, 'smime-portal.sqlite') },
    ),
    publicUrl: (e.PUBLIC_URL ?? `${e.TLS_CERT ? 'https' : 'http'}://${host}:${e.PORT}`).replace(/\/+$/, ''),
    smtpUrl: e.SMTP_URL ?? null,
    smtpMaxMessages: e.SMTP_MAX_MESSAGES,
    mailFrom: e.MAIL_FROM ?? 'S/MIME Portal <smime-portal@localhost>',
    kek: e.KEK ?? null,
    scepAllowLegacyDes: e.SCEP_ALLOW_LEGACY_DES,
    certValidityDays: e.CERT_VALIDITY_DAYS,
    renewalThreshold: e.RENEWAL_THRESHOLD,
    scepChallengeTtlMinutes: e.SCEP_CHALLENGE_TTL_MINUTES,
    caKeyAlgorithm: e.CA_KEY_ALGORITHM,
    embeddedWorker: e.WORKER === 'embedded',
    logLevel: e.LOG_LEVEL,
    tls: e.TLS_CERT && e.TLS_KEY ? Object.freeze({ certFile: resolve(e.TLS_CERT), keyFile: resolve(e.TLS_KEY) }) : null,
    trustedProxies: Object.freeze(e.TRUST_PROXY === '0' ? [] : e.TRUST_PROXY === '1' ? ['127.0.0.1', '::1', '::ffff:127.0.0.1'] : e.TRUST_PROXY.split(',')),
    campaigns: Object.freeze({
      pushRate: e.PUSH_RATE,
      emailRate: e.EMAIL_RATE,
      concurrency: e.WORKER_CONCURRENCY,
      maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
      leaseMs: e.DELIVERY_LEASE_SECONDS * 1000,
      reminderDelayMs: e.REMINDER_DELAY_HOURS * 3_600_000,
      reminderMax: e.REMINDER_MAX,
      debounceMs: e.NOTIFY_DEBOUNCE_SECONDS * 1000,
      allowInsecurePush: e.PUSH_ALLOW_INSECURE,
      pushHttp2: e.PUSH_HTTP2,
      pushEncryptionThreads: e.PUSH_ENCRYPTION_THREADS ?? Math.min(4, availableParallelism() - 1),
      vapidSubject: e.VAPID_SUBJECT ?? null,
    }),
  });
}
