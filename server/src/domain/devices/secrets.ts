import { createHash, randomBytes } from 'node:crypto';

/**
 * A random secret with a recognisable prefix, base64url. Secrets are high-entropy, so a fast
 * SHA-256 is enough to store them (nothing to brute-force).
 */
export function mintSecret(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex of a secret, the only form in which codes, nonces and tokens are stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
