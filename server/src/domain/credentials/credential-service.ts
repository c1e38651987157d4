import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { audit, type DomainContext } from '../context.ts';
import type { User } from '../directory/types.ts';
import type { Credential, CredentialPurpose, NewCredential, Vault } from './types.ts';

const isEncryption = (p: CredentialPurpose) => p === 'smimeEncryption' || p === 'both';
const isSigning = (p: CredentialPurpose) => p === 'smimeSigning' || p === 'both';
const live = (c: Credential) => c.status === 'active' || c.status === 'superseded';
const validAt = (c: Credential, now: Date) => c.notBefore.getTime() <= now.getTime() && now.getTime() <= c.notAfter.getTime();

/** Finds the user by email or fails with not_found. */
export async function requireUserByEmail(ctx: DomainContext, email: string): Promise<User> {
  const user = await ctx.store.directory.findUserByEmail(email.trim().toLowerCase());
  if (!user) throw new AppError('not_found', `no user with email ${email}`);
  return user;
}

/** Finds a credential by id or by SHA-256 / SHA-1 thumbprint within a user, or fails. */
export async function requireCredential(ctx: DomainContext, id: string): Promise<Credential> {
  const c = await ctx.store.credentials.get(id);
  if (!c) throw new AppError('not_found', `no credential ${id}`);
  return c;
}

/**
 * The newest valid credential of a group (the "current" one). Everything older in the group
 * becomes superseded and the current one active; certificates not yet valid stay as they are.
 */
function statusChanges(group: Credential[], now: Date): { active: string[]; superseded: string[] } {
  const current = group.find((c) => validAt(c, now));
  if (!current) return { active: [], superseded: [] };
  const older = group.filter((c) => c !== current && c.notBefore.getTime() <= current.notBefore.getTime());
  return {
    active: current.status === 'active' ? [] : [current.id],
    superseded: older.filter((c) => c.status === 'active').map((c) => c.id),
  };
}

/**
 * Re-derives active/superseded for the user's encryption history and for the user's
 * server-held signing credentials (per-device SCEP certificates never supersede each other).
 */
export async function recomputeStatuses(ctx: DomainContext, userId: string): Promise<Set<string>> {
  const now = ctx.clock.now();
  const all = (await ctx.store.credentials.listForUser(userId)).filter(live);
  const groups = [all.filter((c) => isEncryption(c.purpose)), all.filter((c) => c.purpose === 'smimeSigning' && c.deviceId === null && c.sealedKeyId !== null)];
  const changed = new Set<string>();
  for (const group of groups) {
    const { active, superseded } = statusChanges(group, now);
    await ctx.store.credentials.setStatus(active, 'active');
    await ctx.store.credentials.setStatus(superseded, 'superseded');
    for (const id of [...active, ...superseded]) changed.add(id);
  }
  return changed;
}

/**
 * Stores a credential, sealing its private key first when there is one, and re-derives the
 * history statuses. Call inside a transaction: the key row, the credential and the audit entry
 * land together or not at all.
 */
export async function storeCredential(
  ctx: DomainContext,
  vault: Vault,
  input: Omit<NewCredential, 'sealedKeyId' | 'status'> & { privateKeyPkcs8: Uint8Array | null },
): Promise<Credential> {
  const now = ctx.clock.now();
  let sealedKeyId: string | null = null;
  if (input.privateKeyPkcs8) {
    sealedKeyId = newId(now.getTime());
    await ctx.store.credentials.insertSealedKey(await vault.seal(sealedKeyId, input.privateKeyPkcs8), now);
  }
  const { privateKeyPkcs8: _, ...rest } = input;
  const credential = await ctx.store.credentials.insert({ ...rest, sealedKeyId, status: 'active' }, now);
  const changed = await recomputeStatuses(ctx, input.userId);
  return changed.has(credential.id) ? ((await ctx.store.credentials.get(credential.id)) ?? credential) : credential;
}

/** A credential as the history shows it: `current` marks the newest valid encryption one. */
export interface HistoryEntry extends Credential {
  current: boolean;
}

/**
 * The encryption history: every encryption credential of the user (expired ones included;
 * deleted ones excluded), newest first, the newest valid non-revoked one marked current.
 */
export async function encryptionHistory(ctx: DomainContext, userId: string): Promise<HistoryEntry[]> {
  const now = ctx.clock.now();
  const list = (await ctx.store.credentials.listForUser(userId)).filter((c) => isEncryption(c.purpose) && c.status !== 'deleted');
  const current = list.find((c) => live(c) && validAt(c, now));
  return list.map((c) => ({ ...c, current: c === current }));
}

/** Every credential of the user (all purposes and statuses), newest first, current marked. */
export async function listCredentials(ctx: DomainContext, userId: string): Promise<HistoryEntry[]> {
  const history = new Set((await encryptionHistory(ctx, userId)).filter((h) => h.current).map((h) => h.id));
  return (await ctx.store.credentials.listForUser(userId)).map((c) => ({ ...c, current: history.has(c.id) }));
}

/** What a device receives: certificates with a reference to their sealed key. */
export interface DeliverableCredential {
  id: string;
  purpose: CredentialPurpose;
  source: Credential['source'];
  status: Credential['status'];
  current: boolean;
  certificateDer: Uint8Array;
  chain: Uint8Array[];
  sha256: string;
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: string;
  /** Open it with openSealedKey only to re-seal it to a device. */
  sealedKeyId: string;
}

const deliverable = (c: HistoryEntry & { sealedKeyId: string }): DeliverableCredential => ({
  id: c.id,
  purpose: c.purpose,
  source: c.source,
  status: c.status,
  current: c.current,
  certificateDer: c.certificateDer,
  chain: c.chain,
  sha256: c.sha256,
  notBefore: c.notBefore,
  notAfter: c.notAfter,
  keyAlgorithm: c.keyAlgorithm,
  sealedKeyId: c.sealedKeyId,
});

/**
 * What to deliver to a user's device: the whole encryption history with escrowed keys (newest
 * first, current marked; revoked ones too, since old mail still needs them; never deleted
 * ones) and the valid, active server-held signing credentials.
 */
export async function getDeliverableCredentials(ctx: DomainContext, userId: string): Promise<{ encryption: DeliverableCredential[]; signing: DeliverableCredential[] }> {
  const now = ctx.clock.now();
  const hasKey = (c: HistoryEntry): c is HistoryEntry & { sealedKeyId: string } => c.sealedKeyId !== null;
  const encryption = (await encryptionHistory(ctx, userId)).filter(hasKey).map(deliverable);
  const signing = (await ctx.store.credentials.listForUser(userId))
    .filter((c) => isSigning(c.purpose) && c.status === 'active' && validAt(c, now))
    .map((c) => ({ ...c, current: true }))
    .filter(hasKey)
    .map(deliverable);
  return { encryption, signing };
}

/**
 * Opens a sealed private key (PKCS#8 DER) so that the caller can re-seal it to a device's
 * transport key at once. The caller must not log or store the result and should zero it
 * (`bytes.fill(0)`) when done.
 */
export async function openSealedKey(ctx: DomainContext, vault: Vault, sealedKeyId: string): Promise<Uint8Array> {
  const sealed = await ctx.store.credentials.getSealedKey(sealedKeyId);
  if (!sealed) throw new AppError('not_found', `no sealed key ${sealedKeyId}`);
  return vault.open(sealed);
}

/** Removes a credential from every future delivery (status deleted), audited. Idempotent. */
export async function deleteCredential(ctx: DomainContext, id: string): Promise<Credential> {
  return ctx.store.transaction(async (store) => {
    const tx = { ...ctx, store };
    const c = await requireCredential(tx, id);
    if (c.status === 'deleted') return c;
    await store.credentials.markDeleted(id, ctx.clock.now());
    await recomputeStatuses(tx, c.userId);
    await audit(tx, 'credential.delete', c.userId, { credentialId: id, sha256: c.sha256, purpose: c.purpose });
    return (await store.credentials.get(id)) ?? c;
  });
}
