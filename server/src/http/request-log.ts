import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../log/create-logger.ts';
import { clientAddress } from './client-address.ts';

/** Query parameters whose values never reach a log line. */
const SECRET_QUERY = /^(code|token|challenge|password|key|message)$/i;

/** The path with secret query values replaced, for the access log. */
export function loggablePath(url: string): string {
  const u = new URL(url, 'http://x');
  for (const k of [...u.searchParams.keys()]) if (SECRET_QUERY.test(k)) u.searchParams.set(k, '[redacted]');
  const q = u.searchParams.toString();
  return q ? `${u.pathname}?${q.replace(/%5Bredacted%5D/g, '[redacted]')}` : u.pathname;
}

/**
 * A request id on every request (X-Request-Id, taken from a well-formed incoming header or
 * made here), a child logger bound to it in `c.var.log`, and one access line per request.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  const id = requestId({ limitLength: 64 });
  return (c, next) =>
    id(c, async () => {
      const log = logger.child({ requestId: c.get('requestId') });
      c.set('log' as never, log as never);
      const started = performance.now();
      await next();
      log.info(
        { method: c.req.method, path: loggablePath(c.req.url), status: c.res.status, ms: Math.round(performance.now() - started), client: clientAddress(c) },
        'request',
      );
    });
}
