import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { derToPem } from '../../../../shared/pki/certificate-info.ts';
import { issueWithServerKey } from '../../domain/ca/issue-credential.ts';
import { revokeCredential, REVOCATION_REASONS } from '../../domain/ca/revocation.ts';
import { createScepChallenge } from '../../domain/ca/scep-challenges.ts';
import { announceNewCertificates } from '../../domain/credentials/announce.ts';
import { deleteCredential, type HistoryEntry, listCredentials, requireUserByEmail } from '../../domain/credentials/credential-service.ts';
import { importPkcs12, MAX_PKCS12_BYTES } from '../../domain/credentials/import-pkcs12.ts';
import { createTrustAnchors } from '../../domain/credentials/trust-anchors.ts';
import { AppError } from '../../errors.ts';
import type { AdminEnv, AppDeps } from '../app-env.ts';
import { adminErrors, json, jsonBody } from './dto.ts';
import { issuerDepsOf } from '../issuer-deps.ts';

const tags = ['credentials'];
const security = [{ bearer: [] }];
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export const credentialDto = z
  .object({
    id: z.string(),
    userId: z.string(),
    purpose: z.enum(['smimeEncryption', 'smimeSigning', 'both']),
    source: z.enum(['importedPkcs', 'scep', 'issued', 'derivedCredential']),
    status: z.enum(['active', 'superseded', 'revoked', 'deleted']),
    current: z.boolean().openapi({ description: 'The newest valid encryption certificate of the user' }),
    sha1: z.string(),
    sha256: z.string(),
    serialHex: z.string(),
    issuer: z.string(),
    subject: z.string(),
    notBefore: z.string(),
    notAfter: z.string(),
    keyAlgorithm: z.string(),
    escrowed: z.boolean().openapi({ description: 'The server holds the private key (sealed in the vault)' }),
    deviceId: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    revocationReason: z.string().nullable(),
    deletedAt: z.string().nullable(),
    certificate: z.string().openapi({ description: 'DER, base64' }),
  })
  .openapi('Credential');

const warningDto = z.object({ code: z.string(), message: z.string() });

export const toCredentialDto = (c: HistoryEntry | (Omit<HistoryEntry, 'current'> & { current?: boolean })) => ({
  id: c.id,
  userId: c.userId,
  purpose: c.purpose,
  source: c.source,
  status: c.status,
  current: c.current ?? false,
  sha1: c.sha1,
  sha256: c.sha256,
  serialHex: c.serialHex,
  issuer: c.issuer,
  subject: c.subject,
  notBefore: c.notBefore.toISOString(),
  notAfter: c.notAfter.toISOString(),
  keyAlgorithm: c.keyAlgorithm,
  escrowed: c.sealedKeyId !== null,
  deviceId: c.deviceId,
  createdAt: c.createdAt.toISOString(),
  revokedAt: c.revokedAt?.toISOString() ?? null,
  revocationReason: c.revocationReason,
  deletedAt: c.deletedAt?.toISOString() ?? null,
  certificate: b64(c.certificateDer),
});

const importBody = z
  .strictObject({
    purpose: z.enum(['smimeEncryption', 'smimeSigning', 'both']),
    pkcs12: z.base64('must be base64').openapi({ description: `The .p12/.pfx file, base64 (at most ${MAX_PKCS12_BYTES} bytes decoded; larger files get 413 payload_too_large)` }),
    password: z.string().max(1024).default(''),
    fileName: z.string().max(255).optional(),
  })
  .openapi('Pkcs12Import');

const emailParam = z.object({ email: z.string().max(254) });
const idParam = z.object({ id: z.string().max(64) });

/** Certificates and escrowed keys per user: list, PKCS#12 import, issue, revoke, delete; SCEP challenges; the CA. */
export function credentialRoutes(deps: AppDeps): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();
  const vault = () => {
    if (!deps.vault) throw new AppError('dependency_failed', 'the key vault is not configured on this server');
    return deps.vault;
  };
  const issuer = () => issuerDepsOf(deps);
  let anchors: ReturnType<typeof createTrustAnchors> | undefined;
  const trust = () => {
    anchors ??= createTrustAnchors(deps.ca ? [deps.ca.record.certificateDer] : []);
    return anchors;
  };
  const announce = (ctx: AdminEnv['Variables']['ctx'], userId: string) =>
    announceNewCertificates(ctx, userId, (message, detail) => deps.logger?.warn(detail, message));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{email}/credentials',
      tags,
      security,
      summary: 'Every credential of a user, newest first; the encryption history is those with purpose smimeEncryption/both, `current` marks the newest valid one',
      request: { params: emailParam },
      responses: { 200: json(z.object({ items: z.array(credentialDto) }), 'The credentials'), ...adminErrors },
    }),
    async (c) => {
      const user = await requireUserByEmail(c.var.ctx, c.req.valid('param').email);
      return c.json({ items: (await listCredentials(c.var.ctx, user.id)).map(toCredentialDto) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{email}/credentials/pkcs12',
      tags,
      security,
      summary: 'Import a PKCS#12 (.p12/.pfx) file, sent as base64 in JSON; idempotent per certificate',
      description:
        'Reads OpenSSL 3 default, OpenSSL -legacy and Windows 3DES files. 400 pkcs12_invalid (details.reason: pkcs12_wrong_password, pkcs12_not_pkcs12, pkcs12_truncated, pkcs12_no_key, pkcs12_no_certificate, pkcs12_key_mismatch, pkcs12_unsupported), 400 certificate_rejected (details.reasons: not_for_user, wrong_purpose_eku, wrong_purpose_key_usage, expired for signing), 413 above the size limit. Expired encryption certificates and untrusted chains are imported with warnings.',
      request: { params: emailParam, body: jsonBody(importBody) },
      responses: {
        200: json(z.object({ status: z.literal('unchanged'), credential: credentialDto, warnings: z.array(warningDto) }), 'Already imported: nothing changed'),
        201: json(z.object({ status: z.literal('imported'), credential: credentialDto, warnings: z.array(warningDto) }), 'Imported'),
        ...adminErrors,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const bytes = new Uint8Array(Buffer.from(body.pkcs12, 'base64'));
      const result = await importPkcs12(c.var.ctx, { vault: vault(), anchors: trust() }, {
        email: c.req.valid('param').email,
        purpose: body.purpose,
        bytes,
        password: body.password,
        fileName: body.fileName,
      });
      if (result.status === 'imported') {
        await announce(c.var.ctx, result.credential.userId);
        return c.json({ status: 'imported' as const, credential: toCredentialDto(result.credential), warnings: result.warnings }, 201);
      }
      return c.json({ status: 'unchanged' as const, credential: toCredentialDto(result.credential), warnings: result.warnings }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{email}/credentials/issue',
      tags,
      security,
      summary: 'Issue a certificate from the built-in CA with a key made and escrowed on the server',
      request: { params: emailParam, body: jsonBody(z.strictObject({ purpose: z.enum(['smimeEncryption', 'smimeSigning']) })) },
      responses: { 201: json(credentialDto, 'Issued'), ...adminErrors },
    }),
    async (c) => {
      const user = await requireUserByEmail(c.var.ctx, c.req.valid('param').email);
      const credential = await issueWithServerKey(c.var.ctx, issuer(), user, c.req.valid('json').purpose);
      await announce(c.var.ctx, user.id);
      return c.json(toCredentialDto({ ...credential, current: false }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/credentials/{id}/revoke',
      tags,
      security,
      summary: 'Revoke a credential (listed on the next /crl when the built-in CA issued it)',
      request: { params: idParam, body: jsonBody(z.strictObject({ reason: z.enum(REVOCATION_REASONS as [string, ...string[]]).default('unspecified') })) },
      responses: { 200: json(credentialDto, 'Revoked'), ...adminErrors },
    }),
    async (c) => c.json(toCredentialDto(await revokeCredential(c.var.ctx, c.req.valid('param').id, c.req.valid('json').reason)), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/credentials/{id}',
      tags,
      security,
      summary: 'Delete a credential: it is never delivered again (the row stays, status deleted, audited)',
      request: { params: idParam },
      responses: { 200: json(credentialDto, 'Deleted'), ...adminErrors },
    }),
    async (c) => c.json(toCredentialDto(await deleteCredential(c.var.ctx, c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{email}/scep-challenge',
      tags,
      security,
      summary: 'A one-time SCEP challenge password for the user (shown once, stored hashed)',
      request: { params: emailParam, body: jsonBody(z.strictObject({ ttlMinutes: z.number().int().min(1).max(10080).optional() })) },
      responses: { 201: json(z.object({ challenge: z.string(), expiresAt: z.string() }), 'Created'), ...adminErrors },
    }),
    async (c) => {
      const user = await requireUserByEmail(c.var.ctx, c.req.valid('param').email);
      const r = await createScepChallenge(c.var.ctx, user, c.req.valid('json').ttlMinutes ?? deps.config.scepChallengeTtlMinutes);
      return c.json({ challenge: r.challenge, expiresAt: r.expiresAt.toISOString() }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/ca',
      tags,
      security,
      summary: 'The active built-in CA certificate',
      responses: { 200: json(z.object({ id: z.string(), source: z.string(), keyAlgorithm: z.string(), certificatePem: z.string(), createdAt: z.string() }), 'The CA'), ...adminErrors },
    }),
    async (c) => {
      const ca = issuer().ca.record;
      return c.json({ id: ca.id, source: ca.source, keyAlgorithm: ca.keyAlgorithm, certificatePem: derToPem(ca.certificateDer), createdAt: ca.createdAt.toISOString() }, 200);
    },
  );

  return app;
}
