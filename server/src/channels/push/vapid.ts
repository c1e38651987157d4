/**
 * VAPID (RFC 8292): the application server's P-256 key pair and the signed JWT that identifies
 * it to push services. One JWT is valid for a whole push-service origin, so the signer caches it
 * per origin and re-signs only shortly before it expires instead of once per message.
 */
import { createECDH, createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../ports.ts';

export interface VapidKeys {
  /** base64url uncompressed P-256 point (65 bytes): the `applicationServerKey` of subscribers. */
  publicKey: string;
  /** base64url 32-byte P-256 scalar. */
  privateKey: string;
}

export interface VapidSignerOptions extends VapidKeys {
  /** Contact of the operator: a `mailto:` or `https:` URL (RFC 8292 §2.1). */
  subject: string;
  clock: Clock;
  /** JWT lifetime; RFC 8292 caps it at 24 h. Default 12 h. */
  lifetimeSeconds?: number;
  /** A cached JWT is replaced once it has less than this left. Default 1 h. */
  refreshBeforeSeconds?: number;
}

export interface VapidSigner {
  /** The `Authorization` header value (`vapid t=…, k=…`) for a push-service origin. */
  authorizationFor(endpointOrigin: string): string;
  /** How many JWTs were signed so far (cache misses); for metrics and tests. */
  readonly signatureCount: number;
}

const MAX_LIFETIME_SECONDS = 24 * 60 * 60;

/** Generates a fresh VAPID key pair (P-256), both halves base64url without padding. */
export function generateVapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // getPrivateKey can drop leading zero bytes; VAPID keys are fixed-length.
  const privateKey = Buffer.alloc(32);
  const raw = ecdh.getPrivateKey();
  raw.copy(privateKey, 32 - raw.length);
  return {
    publicKey: ecdh.getPublicKey(null, 'uncompressed').toString('base64url'),
    privateKey: privateKey.toString('base64url'),
  };
}

/**
 * Creates a VAPID signer for one key pair. Throws AppError `validation_failed` if the keys do
 * not form a P-256 pair or the subject is not a mailto:/https: URL (the key itself is never
 * echoed in the message).
 */
export function createVapidSigner(options: VapidSignerOptions): VapidSigner {
  const lifetimeSeconds = options.lifetimeSeconds ?? 12 * 60 * 60;
  const refreshBeforeSeconds = options.refreshBeforeSeconds ?? 60 * 60;
  if (lifetimeSeconds <= refreshBeforeSeconds || lifetimeSeconds > MAX_LIFETIME_SECONDS) {
    throw new AppError('validation_failed', 'VAPID JWT lifetime must be ≤ 24 h and exceed the refresh margin');
  }
  validateSubject(options.subject);
  const key = importVapidPrivateKey(options.publicKey, options.privateKey);
  const cache = new Map<string, { header: string; refreshAtMs: number }>();
  let signatureCount = 0;

  return {
    authorizationFor(endpointOrigin: string): string {
      const nowMs = options.clock.now().getTime();
      // Cached per origin; given an origin (as the push channel does), no URL is parsed.
      const direct = cache.get(endpointOrigin);
      if (direct && nowMs < direct.refreshAtMs) return direct.header;
      const audience = new URL(endpointOrigin).origin;
      const cached = audience === endpointOrigin ? undefined : cache.get(audience);
      if (cached && nowMs < cached.refreshAtMs) return cached.header;
      const exp = Math.floor(nowMs / 1000) + lifetimeSeconds;
      const jwt = signJwt(key, { aud: audience, exp, sub: options.subject });
      signatureCount += 1;
      const header = `vapid t=${jwt}, k=${options.publicKey}`;
      cache.set(audience, { header, refreshAtMs: (exp - refreshBeforeSeconds) * 1000 });
      return header;
    },
    get signatureCount() {
      return signatureCount;
    },
  };
}

function validateSubject(subject: string): void {
  let protocol: string;
  try {
    protocol = new URL(subject).protocol;
  } catch {
    throw new AppError('validation_failed', `VAPID subject is not a URL: ${subject}`);
  }
  if (protocol !== 'mailto:' && protocol !== 'https:') {
    throw new AppError('validation_failed', 'VAPID subject must be a mailto: or https: URL');
  }
}

function importVapidPrivateKey(publicKey: string, privateKey: string): KeyObject {
  const pub = Buffer.from(publicKey, 'base64url');
  const priv = Buffer.from(privateKey, 'base64url');
  if (pub.length !== 65 || pub[0] !== 0x04 || priv.length !== 32) {
    throw new AppError('validation_failed', 'VAPID keys must be a 65-byte public and 32-byte private P-256 key (base64url)');
  }
  // A mismatched pair would sign JWTs every push service rejects: fail at startup instead.
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(priv);
  } catch (cause) {
    throw new AppError('validation_failed', 'VAPID private key is not a valid P-256 scalar', { cause });
  }
  if (!ecdh.getPublicKey().equals(pub)) {
    throw new AppError('validation_failed', 'VAPID public key does not match the private key');
  }
  return createPrivateKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: privateKey,
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33, 65).toString('base64url'),
    },
  });
}

function signJwt(key: KeyObject, claims: { aud: string; exp: number; sub: string }): string {
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signingInput = `${header}.${payload}`;
  // JWS ES256 wants the raw r||s signature, not DER.
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
