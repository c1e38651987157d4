import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { deliveryBundleSchema } from '../../../../shared/schemas/bundle.ts';
import { createSharedRateLimiter } from '../../domain/auth/rate-limiter.ts';
import { ackSchema, acknowledgeRetrieval } from '../../domain/retrieval/acknowledge.ts';
import { buildDeliveryBundle } from '../../domain/retrieval/build-bundle.ts';
import { issueDeviceSigning, signingCsrSchema } from '../../domain/retrieval/device-signing.ts';
import { lookupRecipients } from '../../domain/retrieval/recipient-directory.ts';
import { AppError } from '../../errors.ts';
import { json, jsonBody, problemDto } from '../admin/dto.ts';
import type { AppDeps } from '../app-env.ts';
import { problemResponse } from '../problem.ts';
import { issuerDepsOf } from '../issuer-deps.ts';
import { deviceAuth, type DeviceEnv } from './device-auth.ts';
import { deviceErrors } from './device-dto.ts';

const tags = ['device'];
/** Calls of /bundle and of /signing-csr each device may make per window. */
export const DEVICE_CALLS_PER_WINDOW = 30;
export const DEVICE_CALL_WINDOW_MS = 10 * 60_000;
const security = [{ deviceSession: [] }];
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemDto } } });
const errors = {
  ...deviceErrors,
  429: problem('Too many attempts, or too many calls of this route from this device (`rate_limited`, with Retry-After)'),
  409: problem('No enabled policy deploys certificates (`policy_disabled`), or the policy’s signing profile is not scep'),
  503: problem('The vault or the built-in CA is not loaded (`dependency_failed`)'),
} as const;

/**
 * Retrieval for enrolled devices (issue 6): the delivery bundle with keys sealed to this
 * device, device-side signing issuance from a CSR, the acknowledgement that marks campaign
 * recipients retrieved, and the recipient certificate directory. Never cached.
 */
export function bundleRoutes(deps: AppDeps): OpenAPIHono<DeviceEnv> {
  const app = new OpenAPIHono<DeviceEnv>();
  for (const path of ['/bundle', '/signing-csr', '/ack', '/directory']) app.use(path, deviceAuth(deps));
  app.use('*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });
  // A bundle opens every escrowed key of the user and a CSR mints a certificate: an enrolled
  // device gets a generous number of each per window (a retrieval needs one or two), not an
  // endless supply. Every call counts, per device and route.
  const calls = deps.device?.callLimiter ?? createSharedRateLimiter(deps.store.attempts, 'device-calls', { max: DEVICE_CALLS_PER_WINDOW, windowMs: DEVICE_CALL_WINDOW_MS, clock: deps.clock });
  for (const path of ['/bundle', '/signing-csr']) {
    app.use(path, async (c, next) => {
      const key = `${path} ${c.var.device.id}`;
      const wait = await calls.consume(key);
      if (wait > 0) {
        return problemResponse(c, new AppError('rate_limited', `too many ${path.slice(1)} requests from this device; try again later`), Math.ceil(wait / 1000));
      }
      return next();
    });
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/bundle',
      tags,
      security,
      summary: 'The delivery bundle: policy, signing instruction and the encryption history, each key sealed to this device',
      responses: { 200: json(deliveryBundleSchema, 'Version 1 (shared/schemas/bundle.ts)'), ...errors },
    }),
    async (c) => {
      if (!deps.vault) throw new AppError('dependency_failed', 'the key vault is not loaded on this server');
      const anchors = deps.ca ? [deps.ca.record.certificateDer] : [];
      return c.json(await buildDeliveryBundle(c.var.ctx, { vault: deps.vault, trustAnchors: anchors }, c.var.device), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/signing-csr',
      tags,
      security,
      summary: 'Sign a signing certificate for a key made on this device (policy signing profile scep)',
      request: { body: jsonBody(signingCsrSchema) },
      responses: {
        201: json(
          z.object({ thumbprint: z.string(), sha1: z.string(), certificate: z.string(), chain: z.array(z.string()), notBefore: z.string(), notAfter: z.string() }),
          'Issued (DER, base64)',
        ),
        ...errors,
      },
    }),
    async (c) => c.json(await issueDeviceSigning(c.var.ctx, issuerDepsOf(deps), c.var.device, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/ack',
      tags,
      security,
      summary: 'Acknowledge the certificates this device holds; a complete history marks campaign recipients retrieved',
      request: { body: jsonBody(ackSchema) },
      responses: { 200: json(z.object({ complete: z.boolean(), missing: z.array(z.string()), marked: z.number() }), 'Recorded'), ...errors },
    }),
    async (c) => c.json(await acknowledgeRetrieval(c.var.ctx, c.var.device, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/directory',
      tags,
      security,
      summary: 'Current encryption certificates of recipients (repeat `email`)',
      request: { query: z.object({ email: z.union([z.string(), z.array(z.string())]) }) },
      responses: {
        200: json(
          z.object({
            items: z.array(
              z.object({ email: z.string(), status: z.enum(['found', 'unknown_user', 'no_certificate']), certificate: z.string().optional(), thumbprint: z.string().optional(), notAfter: z.string().optional() }),
            ),
          }),
          'One entry per address',
        ),
        ...errors,
      },
    }),
    async (c) => c.json({ items: await lookupRecipients(c.var.ctx, { email: c.req.queries('email') ?? [] }) }, 200),
  );

  return app;
}
