import type { CertificateInfo } from '../../../../shared/pki/certificate-info.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { audit, type DomainContext } from '../context.ts';
import type { User } from '../directory/types.ts';
import type { Credential, CredentialPurpose, NewCredential, SealedKey, Vault } from './types.ts';

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
  return new Set((await recomputeStatusesOf(ctx, [userId])).keys());
}

/**
 * recomputeStatuses for several users with one read and at most two writes (bulk import).
 * Returns the new status of every credential that changed.
 */
async function recomputeStatusesOf(ctx: DomainContext, userIds: string[]): Promise<Map<string, 'active' | 'superseded'>> {
  const now = ctx.clock.now();
  const byUser = new Map<string, Credential[]>();
  const all = userIds.length === 1 ? await ctx.store.credentials.listForUser(userIds[0]!) : await ctx.store.credentials.listForUsers(userIds);
  for (const c of all.filter(live)) {
    const list = byUser.get(c.userId);
    if (list) list.push(c);
    else byUser.set(c.userId, [c]);
  }
  const active: string[] = [];
  const superseded: string[] = [];
  for (const list of byUser.values()) {
    const groups = [list.filter((c) => isEncryption(c.purpose)), list.filter((c) => c.purpose === 'smimeSigning' && c.deviceId === null && c.sealedKeyId !== null)];
    for (const group of groups) {
      const changes = statusChanges(group, now);
      active.push(...changes.active);
      superseded.push(...changes.superseded);
    }
  }
  await ctx.store.credentials.setStatus(active, 'active');
  await ctx.store.credentials.setStatus(superseded, 'superseded');
  const changed = new Map<string, 'active' | 'superseded'>();
  for (const id of active) changed.set(id, 'active');
  for (const id of superseded) changed.set(id, 'superseded');
  return changed;
}

/** The certificate facts a credential row keeps, as parseCertificate read them. */
export type CertificateFields = Pick<NewCredential, 'sha1' | 'sha256' | 'serialHex' | 'issuer' | 'subject' | 'notBefore' | 'notAfter' | 'keyAlgorithm'>;

/** Picks the CertificateFields of a storeCredential input out of a parsed certificate. */
export function certificateFields(info: CertificateInfo): CertificateFields {
  return {
    sha1: info.sha1,
    sha256: info.sha256,
    serialHex: info.serialHex,
    issuer: info.issuer,
    subject: info.subject,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    keyAlgorithm: info.keyAlgorithm,
  };
}

/**
 * Stores a credential, sealing its private key first when there is one, and re-derives the
 * history statuses. Call inside a transaction: the key row, the credential and the audit entry
 * land together or not at all.
 */
export async function storeCredential(ctx: DomainContext, vault: Vault, input: StoreCredentialInput): Promise<Credential> {
  const [credential] = await storeCredentials(ctx, vault, [input]);
  return credential!;
}

/** What storeCredential takes: the row's fields (see certificateFields) and the plaintext key. */
export type StoreCredentialInput = Omit<NewCredential, 'sealedKeyId' | 'status'> & { privateKeyPkcs8: Uint8Array | null };

/**
 * storeCredential for many credentials at once (bulk import): every key sealed, then one
 * multi-row insert per table and one status recomputation for all their users. Returns the
 * credentials in input order, with their statuses after the recomputation. Same transaction rule.
 */
export async function storeCredentials(ctx: DomainContext, vault: Vault, inputs: StoreCredentialInput[]): Promise<Credential[]> {
  if (inputs.length === 0) return [];
  const now = ctx.clock.now();
  const sealed: SealedKey[] = [];
  const rows: NewCredential[] = [];
  for (const input of inputs) {
    const { privateKeyPkcs8, ...rest } = input;
    let sealedKeyId: string | null = null;
    if (privateKeyPkcs8) {
      sealedKeyId = newId(now.getTime());
      sealed.push(await vault.seal(sealedKeyId, privateKeyPkcs8));
    }
    rows.push({ ...rest, sealedKeyId, status: 'active' });
  }
  if (sealed.length > 0) await ctx.store.credentials.insertSealedKeys(sealed, now);
  const credentials = await ctx.store.credentials.insertMany(rows, now);
  const changed = await recomputeStatusesOf(ctx, [...new Set(inputs.map((i) => i.userId))]);
  // setStatus changes nothing but the status, so the rows just written stay right otherwise.
  return credentials.map((c) => {
    const status = changed.get(c.id);
    return status ? { ...c, status } : c;
  });
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
