import type { Context } from 'hono';

/**
 * The peer address of the request, from the Node socket. Without a socket (app.request() in
 * tests) it is 'local'. Proxy headers are not trusted here; TLS/proxy handling decides that.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}
