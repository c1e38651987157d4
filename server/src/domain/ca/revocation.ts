import { AppError } from '../../errors.ts';
import { buildCrl, CRL_REASONS, type CrlReason } from '../../pki/crl.ts';
import { audit, type DomainContext } from '../context.ts';
import { recomputeStatuses, requireCredential } from '../credentials/credential-service.ts';
import type { Credential } from '../credentials/types.ts';
import type { CaRuntime } from './ca-service.ts';

export const REVOCATION_REASONS = Object.keys(CRL_REASONS) as CrlReason[];

const DAY = 86_400_000;
/** A CRL is rebuilt when older than a day (or after a revocation) and promises the next within a week. */
export const CRL_REFRESH_MS = DAY;
export const CRL_VALIDITY_MS = 7 * DAY;

/**
 * Revokes a credential: status revoked, listed on its CA's next CRL (when the built-in CA issued
 * it), audited. An encryption certificate stays in the history (old mail still needs its key)
 * but is never current again.
 */
export async function revokeCredential(ctx: DomainContext, id: string, reason: string = 'unspecified'): Promise<Credential> {
  if (!REVOCATION_REASONS.includes(reason as CrlReason) || reason === 'removeFromCRL') {
    throw new AppError('validation_failed', `reason must be one of ${REVOCATION_REASONS.filter((r) => r !== 'removeFromCRL').join(', ')}`);
  }
  return ctx.store.transaction(async (store) => {
    const tx = { ...ctx, store };
    const c = await requireCredential(tx, id);
    if (c.revokedAt) return c;
    await store.credentials.revoke(id, reason, ctx.clock.now());
    if (c.status === 'deleted') await store.credentials.setStatus([id], 'deleted');
    if (c.caId) await store.ca.invalidateCrl(c.caId);
    await recomputeStatuses(tx, c.userId);
    await audit(tx, 'credential.revoke', c.userId, { credentialId: id, sha256: c.sha256, serialHex: c.serialHex, reason });
    return (await store.credentials.get(id)) ?? c;
  });
}

/**
 * The CA's current CRL (DER): the cached one while it is fresh, else a new one with the next
 * CRL number, thisUpdate now and nextUpdate a week later.
 */
export async function currentCrl(ctx: DomainContext, ca: CaRuntime): Promise<{ der: Uint8Array; nextUpdate: Date }> {
  const now = ctx.clock.now();
  const record = await ctx.store.ca.get(ca.record.id);
  if (!record) throw new AppError('internal', 'the CA row is missing');
  if (record.crlDer && record.crlThisUpdate && record.crlNextUpdate && now.getTime() - record.crlThisUpdate.getTime() < CRL_REFRESH_MS && now < record.crlNextUpdate) {
    return { der: record.crlDer, nextUpdate: record.crlNextUpdate };
  }
  const revoked = await ctx.store.credentials.listRevoked(record.id);
  const crlNumber = record.crlNumber + 1;
  const nextUpdate = new Date(now.getTime() + CRL_VALIDITY_MS);
  const der = await buildCrl(ca.signer, {
    revoked: revoked.map((r) => ({ serialHex: r.serialHex, revokedAt: r.revokedAt, reason: (r.reason as CrlReason | null) ?? undefined })),
    thisUpdate: now,
    nextUpdate,
    crlNumber,
  });
  await ctx.store.ca.saveCrl(record.id, crlNumber, der, now, nextUpdate);
  return { der, nextUpdate };
}
