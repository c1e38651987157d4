import type { MiddlewareHandler } from 'hono';
import { isSecure } from './client-address.ts';

/**
 * Headers on everything served: a strict CSP with no inline script, no framing, no referrer,
 * no MIME sniffing, and a Permissions-Policy that turns off what the portal never uses.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('content-security-policy', CONTENT_SECURITY_POLICY);
    h.set('x-frame-options', 'DENY');
    h.set('referrer-policy', 'no-referrer');
    h.set('x-content-type-options', 'nosniff');
    h.set('cross-origin-opener-policy', 'same-origin');
    // HSTS only over TLS: sent over plain HTTP it would be ignored, or pin a dev host to HTTPS.
    if (isSecure(c)) h.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
    h.set('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()');
  };
}
