import type { Context, MiddlewareHandler } from 'hono';

type NodeBindings = { incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } } } | undefined;

function socketOf(c: Context) {
  return (c.env as NodeBindings)?.incoming?.socket;
}

/**
 * The client's address: set by `forwardedFrom` when the peer is a trusted proxy, else the
 * socket's peer. Without a socket (app.request() in tests) it is 'local'.
 */
export function clientAddress(c: Context): string {
  return (c.get('clientAddress' as never) as string | undefined) ?? socketOf(c)?.remoteAddress ?? 'local';
}

/** True when the client reached us over TLS (directly, or via a trusted proxy that says so). */
export function isSecure(c: Context): boolean {
  return (c.get('secureTransport' as never) as boolean | undefined) ?? socketOf(c)?.encrypted === true;
}

/**
 * Honours X-Forwarded-For / X-Forwarded-Proto only when the TCP peer is one of `trusted`
 * proxies (TRUST_PROXY); anyone else could forge them. The client is the rightmost address
 * in X-Forwarded-For that is not itself a trusted proxy.
 */
export function forwardedFrom(trusted: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const peer = socketOf(c)?.remoteAddress;
    if (peer && trusted.includes(peer)) {
      const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
      const client = [...hops].reverse().find((h) => !trusted.includes(h));
      if (client) c.set('clientAddress' as never, client as never);
      const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
      if (proto === 'https' || proto === 'http') c.set('secureTransport' as never, (proto === 'https') as never);
    }
    await next();
  };
}
