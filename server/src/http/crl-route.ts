import { Hono } from 'hono';
import { currentCrl } from '../domain/ca/revocation.ts';
import type { AppDeps } from './app-env.ts';
import { issuerDepsOf } from './issuer-deps.ts';

/** GET /crl: the built-in CA's CRL, DER (application/pkix-crl), cacheable until nextUpdate. */
export function crlRoute(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/crl', async () => {
    const { ca } = issuerDepsOf(deps);
    const { der, nextUpdate } = await currentCrl({ store: deps.store, clock: deps.clock, actor: 'crl' }, ca);
    const maxAge = Math.max(0, Math.min(3600, Math.floor((nextUpdate.getTime() - deps.clock.now().getTime()) / 1000)));
    return new Response(new Uint8Array(der), {
      status: 200,
      headers: { 'content-type': 'application/pkix-crl', 'cache-control': `public, max-age=${maxAge}`, expires: nextUpdate.toUTCString() },
    });
  });
  return app;
}
