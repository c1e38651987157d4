import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../errors.ts';
import { isSecure } from '../client-address.ts';
import { SESSION_MAX_AGE_MS } from './admin-sessions.ts';

/** The header the console sends the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Over TLS the cookie takes the __Host- prefix (Secure, Path=/, no Domain: a sibling host
 * cannot plant or overwrite it). Plain HTTP (local use) cannot carry that prefix.
 */
export const cookieName = (c: Context) => (isSecure(c) ? '__Host-smp_admin' : 'smp_admin');

/** The session secret from the cookie of this transport, if any. */
export function readSessionCookie(c: Context): string | null {
  return getCookie(c, cookieName(c)) ?? null;
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Path=/, Secure over TLS, with the session's lifetime. */
export function writeSessionCookie(c: Context, secret: string, expiresAt: Date): void {
  setCookie(c, cookieName(c), secret, {
    httpOnly: true,
    secure: isSecure(c),
    sameSite: 'Strict',
    path: '/',
    expires: expiresAt,
    maxAge: Math.floor(SESSION_MAX_AGE_MS / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, cookieName(c), { path: '/', secure: isSecure(c), httpOnly: true, sameSite: 'Strict' });
}

/** The origins this server answers as: the one the request came to, and PUBLIC_URL's. */
function ownOrigins(c: Context, publicUrl: string): string[] {
  const origins = [new URL(publicUrl).origin, new URL(c.req.url).origin];
  const host = c.req.header('host');
  if (host) origins.push(`${isSecure(c) ? 'https' : 'http'}://${host}`);
  return origins;
}

/**
 * Refuses a request a browser made on behalf of another site: Sec-Fetch-Site must be
 * same-origin (or absent: older browsers, non-browser clients) and Origin, when sent, must be
 * ours. Applied to sign-in and to every state-changing request made with the cookie.
 */
export function requireSameOrigin(c: Context, publicUrl: string): void {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin') throw new AppError('forbidden', `cross-site request refused (Sec-Fetch-Site: ${site})`);
  const origin = c.req.header('origin');
  if (origin !== undefined && !ownOrigins(c, publicUrl).includes(origin)) throw new AppError('forbidden', 'cross-origin request refused');
}
