import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Field paths pino replaces with "[redacted]" wherever they appear (one level of nesting
 * covered by the wildcards). Secrets must never reach a log line: tokens, enrollment codes,
 * SCEP challenges, PKCS#12 passwords, keys.
 */
export const REDACT_PATHS = [
  'authorization',
  'cookie',
  'password',
  'passphrase',
  'token',
  'code',
  'challenge',
  'privateKey',
  'pkcs8',
  'key',
  'kek',
  'secret',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.passphrase',
  '*.token',
  '*.code',
  '*.challenge',
  '*.privateKey',
  '*.pkcs8',
  '*.key',
  '*.kek',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
];

// A last net under the field paths: values that look like our secrets wherever they hide
// (messages, error text, unexpected fields).
const SECRET_PATTERNS: RegExp[] = [
  /smp_[A-Za-z0-9_-]{16,}/g,
  /dst_[A-Za-z0-9_-]{16,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /(\b(?:code|challenge|password|token)=)[^&\s"]+/gi,
  /(\bBearer\s+)\S+/gi,
];

/** Replaces secret-looking substrings in a string. */
export function scrub(text: string): string {
  let out = text;
  for (const p of SECRET_PATTERNS) out = out.replace(p, (_m, prefix?: string) => (typeof prefix === 'string' && !prefix.startsWith('-----') ? `${prefix}[redacted]` : '[redacted]'));
  return out;
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, depth + 1)]));
}

/** JSON logs (pino) with redaction; `destination` is for tests. */
export function createLogger(options: { level: string; destination?: DestinationStream; name?: string }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'smime-portal',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { log: (obj) => scrubDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/** The (level, message, detail) shape the worker and sweeps take, written through `logger`. */
export function logFunction(logger: Logger): (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void {
  return (level, message, detail) => logger[level](detail ?? {}, message);
}
