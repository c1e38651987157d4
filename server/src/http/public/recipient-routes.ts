import { Hono } from 'hono';
import { markOpened } from '../../domain/campaigns/campaign-service.ts';
import { AppError } from '../../errors.ts';
import type { AppDeps } from '../app-env.ts';

/**
 * Unauthenticated endpoints for the retrieval landing page and the PWA's push subscription:
 * `POST /recipients/{r}/opened` (idempotent; 204 whatever r is, so it reveals nothing about which
 * ids exist) and `GET /push/vapid-public-key`.
 */
export function recipientRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.post('/recipients/:r/opened', async (c) => {
    const r = c.req.param('r');
    try {
      await markOpened({ store: deps.store, clock: deps.clock, actor: 'recipient' }, r);
    } catch (error) {
      // The page must not learn anything from a failure either; the error is still logged.
      deps.logger?.error({ err: error }, 'could not mark a recipient opened');
    }
    return c.body(null, 204);
  });
  app.get('/push/vapid-public-key', (c) => {
    const key = deps.delivery?.vapidPublicKey;
    if (!key) throw new AppError('channel_not_configured', 'push notifications are not configured on this server');
    c.header('cache-control', 'public, max-age=300');
    return c.json({ publicKey: key });
  });
  return app;
}
