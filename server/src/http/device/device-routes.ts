import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createSharedRateLimiter } from '../../domain/auth/rate-limiter.ts';
import { clearPushSubscription, pushSubscriptionSchema, setPushSubscription } from '../../domain/devices/device-service.ts';
import { issueNonce, openSession, sessionSchema } from '../../domain/devices/device-sessions.ts';
import { enrollDevice, enrollSchema } from '../../domain/devices/enrollment.ts';
import { AppError, isAppError } from '../../errors.ts';
import type { DomainContext } from '../../domain/context.ts';
import { json, jsonBody } from '../admin/dto.ts';
import type { AppDeps } from '../app-env.ts';
import { clientAddress } from '../client-address.ts';
import { problemResponse } from '../problem.ts';
import { deviceAuth, type DeviceEnv } from './device-auth.ts';
import { deviceDto, deviceErrors, toDeviceDto } from './device-dto.ts';

const MAX_DEVICE_BODY = 16 * 1024;
const tags = ['device'];
const security = [{ deviceSession: [] }];

/** Answers a rate_limited AppError with Retry-After; rethrows anything else. */
function withRetryAfter(c: Context, error: unknown): Response {
  if (isAppError(error, 'rate_limited')) {
    const ms = Number(error.details?.retryAfterMs ?? 60_000);
    return problemResponse(c, error, ms / 1000);
  }
  throw error;
}

/**
 * The device API under /api/device: enrollment with a one-time code, nonce → signed session,
 * the device's own record, and its push subscription. Responses are never cached.
 */
export function deviceRoutes(deps: AppDeps): OpenAPIHono<DeviceEnv> {
  const app = new OpenAPIHono<DeviceEnv>();
  const limiter = deps.device?.limiter ?? createSharedRateLimiter(deps.store.attempts, 'device-attempts', { max: 10, windowMs: 15 * 60_000, clock: deps.clock });
  const allowInsecure = deps.device?.allowInsecurePushEndpoints ?? false;
  const anonymous = (c: Context): DomainContext => ({ store: deps.store, clock: deps.clock, actor: `anonymous@${clientAddress(c)}` });

  app.use('*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_DEVICE_BODY,
      onError: () => {
        throw new AppError('payload_too_large', `request body exceeds ${MAX_DEVICE_BODY} bytes`);
      },
    }),
  );
  app.use('*', async (c, next) => {
    if ((c.req.method === 'POST' || c.req.method === 'PUT') && !/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      throw new AppError('unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
    }
    await next();
  });
  app.use('/me', deviceAuth(deps));
  app.use('/push-subscription', deviceAuth(deps));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/enroll',
      tags,
      summary: 'Register this device’s identity (ECDSA P-256) and transport (ECDH P-256) keys with a one-time code',
      request: { body: jsonBody(enrollSchema) },
      responses: { 201: json(z.object({ deviceId: z.string(), email: z.string(), enrolledAt: z.string() }), 'Enrolled'), ...deviceErrors },
    }),
    async (c) => {
      try {
        const { device, email } = await enrollDevice(anonymous(c), c.req.valid('json'), limiter, clientAddress(c));
        return c.json({ deviceId: device.id, email, enrolledAt: device.enrolledAt.toISOString() }, 201);
      } catch (error) {
        return withRetryAfter(c, error) as never;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/nonce',
      tags,
      summary: 'A single-use nonce to sign for a session',
      request: { body: jsonBody(z.object({ deviceId: z.string().max(64) })) },
      responses: { 200: json(z.object({ nonce: z.string(), expiresAt: z.string() }), 'Sign `smime-portal-device-session:v1:{deviceId}:{nonce}`'), ...deviceErrors },
    }),
    async (c) => {
      const { nonce, expiresAt } = await issueNonce(anonymous(c), c.req.valid('json'));
      return c.json({ nonce, expiresAt: expiresAt.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/session',
      tags,
      summary: 'Exchange a signed nonce for a short-lived session token',
      request: { body: jsonBody(sessionSchema) },
      responses: { 200: json(z.object({ token: z.string(), expiresAt: z.string() }), 'Use as Authorization: Bearer'), ...deviceErrors },
    }),
    async (c) => {
      try {
        const { token, expiresAt } = await openSession(anonymous(c), c.req.valid('json'), limiter, clientAddress(c));
        return c.json({ token, expiresAt: expiresAt.toISOString() }, 200);
      } catch (error) {
        return withRetryAfter(c, error) as never;
      }
    },
  );

  app.openapi(createRoute({ method: 'get', path: '/me', tags, security, responses: { 200: json(deviceDto, 'This device'), ...deviceErrors } }), async (c) => {
    const device = c.var.device;
    const user = await c.var.ctx.store.directory.getUser(device.userId);
    return c.json(toDeviceDto(device, user?.email ?? ''), 200);
  });

  app.openapi(
    createRoute({
      method: 'put',
      path: '/push-subscription',
      tags,
      security,
      summary: 'Store this device’s Web Push subscription (PushSubscription.toJSON())',
      request: { body: jsonBody(pushSubscriptionSchema) },
      responses: { 204: { description: 'Stored' }, ...deviceErrors },
    }),
    async (c) => {
      await setPushSubscription(c.var.ctx, c.var.device, c.req.valid('json'), { allowInsecure });
      return c.body(null, 204);
    },
  );

  app.openapi(createRoute({ method: 'delete', path: '/push-subscription', tags, security, responses: { 204: { description: 'Removed' }, ...deviceErrors } }), async (c) => {
    await clearPushSubscription(c.var.ctx, c.var.device);
    return c.body(null, 204);
  });

  return app;
}
