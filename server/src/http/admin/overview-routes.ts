import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { parseCertificate } from '../../../../shared/pki/certificate-info.ts';
import { assignmentSchema } from '../../../../shared/schemas/policy.ts';
import { AppError } from '../../errors.ts';
import type { AdminEnv, AppDeps } from '../app-env.ts';
import { adminErrors, json, jsonBody } from './dto.ts';

const security = [{ bearer: [] }];
/** "Expiring soon" on the overview: within 30 days. */
export const EXPIRING_WITHIN_MS = 30 * 24 * 3600_000;

const overviewDto = z
  .object({ users: z.number(), enrolledDevices: z.number(), expiringSoon: z.number(), expiringWithinDays: z.number(), campaignsRunning: z.number() })
  .openapi('AdminOverview');

const caStatusDto = z
  .object({
    id: z.string(),
    subject: z.string(),
    keyAlgorithm: z.string(),
    source: z.string(),
    notBefore: z.string(),
    notAfter: z.string(),
    sha256: z.string(),
    crl: z.object({ number: z.number(), thisUpdate: z.string().nullable(), nextUpdate: z.string().nullable(), revokedCount: z.number() }),
    issued: z.array(
      z.object({
        id: z.string(),
        userEmail: z.string(),
        serialHex: z.string(),
        subject: z.string(),
        purpose: z.string(),
        status: z.string(),
        notBefore: z.string(),
        notAfter: z.string(),
        revokedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('CaStatus');

/** The console's summary views: overview counts, a policy audience preview, the CA status. */
export function overviewRoutes(deps: AppDeps): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();

  app.openapi(
    createRoute({ method: 'get', path: '/overview', tags: ['console'], security, summary: 'Counts for the console overview', responses: { 200: json(overviewDto, 'The counts'), ...adminErrors } }),
    async (c) => {
      const counts = await c.var.ctx.store.adminConsole.overview(c.var.ctx.clock.now(), EXPIRING_WITHIN_MS);
      return c.json({ ...counts, expiringWithinDays: EXPIRING_WITHIN_MS / 86_400_000 }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/policies/preview-audience',
      tags: ['policies'],
      security,
      summary: 'Dry run: how many users these include/exclude groups target (nothing is saved)',
      request: { body: jsonBody(assignmentSchema) },
      responses: { 200: json(z.object({ targetCount: z.number() }), 'The count'), ...adminErrors },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const ids = async (names: string[]) => {
        const out: string[] = [];
        for (const name of names) {
          const group = await c.var.ctx.store.directory.findGroupByName(name);
          if (!group) throw new AppError('not_found', `no group named "${name}"`);
          out.push(group.id);
        }
        return out;
      };
      return c.json({ targetCount: await c.var.ctx.store.adminConsole.countAudience(await ids(body.include), await ids(body.exclude)) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/ca/status', tags: ['credentials'], security, summary: 'The active CA, its CRL and the certificates it issued', responses: { 200: json(caStatusDto, 'The CA status'), ...adminErrors } }),
    async (c) => {
      const store = c.var.ctx.store;
      const record = (await store.ca.getActive()) ?? deps.ca?.record ?? null;
      if (!record) throw new AppError('dependency_failed', 'no built-in CA is configured on this server');
      const info = await parseCertificate(record.certificateDer);
      const [revoked, issued] = await Promise.all([store.credentials.listRevoked(record.id), store.adminConsole.issuedBy(record.id, 200)]);
      return c.json(
        {
          id: record.id,
          subject: info.subject,
          keyAlgorithm: record.keyAlgorithm,
          source: record.source,
          notBefore: info.notBefore.toISOString(),
          notAfter: info.notAfter.toISOString(),
          sha256: info.sha256,
          crl: { number: record.crlNumber, thisUpdate: record.crlThisUpdate?.toISOString() ?? null, nextUpdate: record.crlNextUpdate?.toISOString() ?? null, revokedCount: revoked.length },
          issued: issued.map((i) => ({ ...i, notBefore: i.notBefore.toISOString(), notAfter: i.notAfter.toISOString(), revokedAt: i.revokedAt?.toISOString() ?? null })),
        },
        200,
      );
    },
  );

  return app;
}
