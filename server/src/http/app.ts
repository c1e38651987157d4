import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createSharedRateLimiter } from '../domain/auth/rate-limiter.ts';
import { AppError } from '../errors.ts';
import { fieldIssues } from '../validate.ts';
import { adminAuth } from './admin/admin-auth.ts';
import { campaignRoutes } from './admin/campaign-routes.ts';
import { credentialRoutes } from './admin/credential-routes.ts';
import { caCertRoutes } from './ca-cert-route.ts';
import { crlRoute } from './crl-route.ts';
import { enrollmentRoutes } from './admin/enrollment-routes.ts';
import { scepRoutes } from './scep-routes.ts';
import { directoryRoutes } from './admin/directory-routes.ts';
import { policyRoutes } from './admin/policy-routes.ts';
import { tokenRoutes } from './admin/token-routes.ts';
import { sessionRoutes } from './admin-session/session-routes.ts';
import { consoleRoutes } from './admin/console-routes.ts';
import { overviewRoutes } from './admin/overview-routes.ts';
import type { AdminEnv, AppDeps } from './app-env.ts';
import { deviceRoutes } from './device/device-routes.ts';
import { actionsRoutes } from './device/actions-routes.ts';
import { bundleRoutes } from './device/bundle-routes.ts';
import { mountMetrics } from './metrics.ts';
import { recipientRoutes } from './public/recipient-routes.ts';
import { problemResponse, toAppError } from './problem.ts';
import { requestLog } from './request-log.ts';
import type { Logger } from '../log/create-logger.ts';
import { forwardedFrom } from './client-address.ts';
import { securityHeaders } from './security-headers.ts';
import { mountWeb } from './static-web.ts';

/** JSON bodies above this are refused with 413 before parsing. CSV imports get their own cap. */
export const MAX_JSON_BODY = 256 * 1024;
export const MAX_CSV_BODY = 32 * 1024 * 1024;

/**
 * The HTTP application: admin API, health, OpenAPI document (and, as later areas land, the
 * device API, SCEP and the PWA). No socket here: main.ts serves it, tests call app.request().
 */
export function createApp(deps: AppDeps): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = fieldIssues(result.error);
        throw new AppError('validation_failed', `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
      }
    },
  });

  app.use('*', forwardedFrom(deps.config.trustedProxies));
  app.use('*', securityHeaders());
  if (deps.logger) app.use('*', requestLog(deps.logger));
  app.onError((error, c) => {
    const appError = toAppError(error);
    if (appError.code === 'internal') (c.get('log' as never) as Logger | undefined ?? deps.logger)?.error({ err: error, path: c.req.path }, 'unhandled error');
    return problemResponse(c, appError);
  });
  app.notFound((c) => problemResponse(c, new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`)));

  app.get('/api/health', async (c) => {
    try {
      await deps.store.ping();
      return c.json({ status: 'ok', database: deps.store.kind });
    } catch (error) {
      deps.logger?.error({ err: error }, 'health check failed');
      return problemResponse(c, new AppError('dependency_failed', 'the database does not answer'));
    }
  });

  const limiter = deps.authLimiter ?? createSharedRateLimiter(deps.store.attempts, 'admin-auth', { max: 10, windowMs: 60_000, clock: deps.clock });
  const tooLarge = (max: number) => () => {
    throw new AppError('payload_too_large', `request body exceeds ${max} bytes`);
  };
  app.use('/api/admin/users/import', bodyLimit({ maxSize: MAX_CSV_BODY, onError: tooLarge(MAX_CSV_BODY) }));
  app.use('/api/admin/*', async (c, next) => {
    if (c.req.path === '/api/admin/users/import') return next();
    return bodyLimit({ maxSize: MAX_JSON_BODY, onError: tooLarge(MAX_JSON_BODY) })(c, next);
  });
  app.use('/api/admin/*', adminAuth(deps, limiter));
  app.use('/api/admin/*', async (c, next) => {
    const method = c.req.method;
    if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && c.req.path !== '/api/admin/users/import') {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(type)) throw new AppError('unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
    }
    await next();
  });

  app.route('/api/admin', directoryRoutes());
  app.route('/api/admin', policyRoutes());
  app.route('/api/admin', tokenRoutes());
  app.route('/api/admin', sessionRoutes(deps, limiter));
  app.route('/api/admin', overviewRoutes(deps));
  app.route('/api/admin', consoleRoutes(deps));
  app.route('/api/admin', credentialRoutes(deps));
  app.route('/api/admin', enrollmentRoutes(deps));
  app.route('/', scepRoutes(deps));
  app.route('/', crlRoute(deps));
  app.route('/', caCertRoutes(deps));
  app.route('/api/admin', campaignRoutes(deps));
  app.route('/api', recipientRoutes(deps));
  // Metrics reveal the fleet's activity: scrape with an admin token that has the read scope.
  app.use('/metrics', adminAuth(deps, limiter));
  mountMetrics(app as never, deps);
  app.route('/api/device', deviceRoutes(deps));
  app.route('/api/device', bundleRoutes(deps));
  app.route('/api/device', actionsRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An admin token (smp_…)' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'deviceSession', { type: 'http', scheme: 'bearer', description: 'A device session token (dst_…)' });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'smime-portal API', version: '0.1.0', description: 'Admin and device API of smime-portal. Errors are application/problem+json with a stable `code`.' },
  });
  if (deps.webRoot) mountWeb(app, deps.webRoot);
  return app;
}
