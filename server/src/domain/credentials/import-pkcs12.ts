import type { CertificateInfo } from '../../../../shared/pki/certificate-info.ts';
import { extractIdentity, type Pkcs12Identity } from '../../../../shared/pki/pkcs12-identity.ts';
import { isPkiError } from '../../../../shared/pki/pki-error.ts';
import { checkSmimeCertificate, type SmimeCheckIssue } from '../../../../shared/pki/smime-checks.ts';
import { AppError } from '../../errors.ts';
import { isUniqueViolation } from '../../store/sql-errors.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import type { User } from '../directory/types.ts';
import { certificateFields, requireUserByEmail, storeCredentials } from './credential-service.ts';
import type { TrustAnchors } from './trust-anchors.ts';
import type { Credential, CredentialPurpose, Vault } from './types.ts';

/** PKCS#12 files above this are refused before any parsing (real ones are a few KiB). */
export const MAX_PKCS12_BYTES = 128 * 1024;

export interface ImportWarning {
  code: string;
  message: string;
}

export interface Pkcs12ImportInput {
  email: string;
  purpose: CredentialPurpose;
  bytes: Uint8Array;
  password: string;
  /** Shown in messages and the audit entry. */
  fileName?: string | undefined;
}

export interface Pkcs12ImportResult {
  status: 'imported' | 'unchanged';
  fileName: string | null;
  credential: Credential;
  warnings: ImportWarning[];
}

export interface ImportDeps {
  vault: Vault;
  anchors: TrustAnchors;
}

/** A validated file, ready to be written. Holds the plaintext key: keep it short-lived. */
export interface InspectedPkcs12 {
  user: User;
  input: Pkcs12ImportInput;
  identity: Pkcs12Identity;
  info: CertificateInfo;
  warnings: ImportWarning[];
}

const label = (input: Pkcs12ImportInput) => (input.fileName ? `${input.fileName}: ` : '');

/**
 * Reads and validates a PKCS#12 file for a user, without writing anything. Throws AppError:
 * payload_too_large, pkcs12_invalid (details.reason = wrong password, not a PKCS#12, truncated,
 * no key, no certificate, key mismatch, unsupported), certificate_rejected (details.reasons =
 * not for this user, wrong purpose…). Expired encryption certificates and chains that do not
 * reach a trusted root pass with warnings.
 */
export async function inspectPkcs12(ctx: DomainContext, anchors: TrustAnchors, input: Pkcs12ImportInput, user?: User): Promise<InspectedPkcs12> {
  const prefix = label(input);
  if (input.bytes.length > MAX_PKCS12_BYTES) {
    throw new AppError('payload_too_large', `${prefix}the file is ${input.bytes.length} bytes; PKCS#12 files above ${MAX_PKCS12_BYTES} bytes are refused`);
  }
  const owner = user ?? (await requireUserByEmail(ctx, input.email));
  let identity: Pkcs12Identity;
  let info: CertificateInfo;
  try {
    // The certificate's facts come from the tree key matching decoded: no second decode.
    ({ info, ...identity } = await extractIdentity(input.bytes, input.password, { certificateInfo: true }));
  } catch (error) {
    if (isPkiError(error)) {
      throw new AppError('pkcs12_invalid', `${prefix}${error.message}`, { details: { reason: error.code } });
    }
    throw error;
  }
  const now = ctx.clock.now();
  const purposes = input.purpose === 'both' ? (['smimeEncryption', 'smimeSigning'] as const) : [input.purpose];
  const errors: SmimeCheckIssue[] = [];
  const warnings: ImportWarning[] = [];
  for (const purpose of purposes) {
    const r = checkSmimeCertificate(info, { purpose, email: owner.email, now });
    for (const e of r.errors) if (!errors.some((x) => x.code === e.code)) errors.push(e);
    for (const w of r.warnings) if (!warnings.some((x) => x.code === w.code)) warnings.push(w);
  }
  if (errors.length > 0) {
    identity.privateKeyPkcs8.fill(0);
    throw new AppError('certificate_rejected', `${prefix}${errors.map((e) => e.message).join(' ')}`, { details: { reasons: errors.map((e) => e.code) } });
  }
  if (!(await anchors.isTrusted(identity.certificate, identity.chain))) {
    warnings.push({ code: 'untrusted_chain', message: 'The certificate chain does not lead to a trusted root (neither the built-in CA nor a system root).' });
  }
  return { user: owner, input, identity, info, warnings };
}

/**
 * Writes an inspected file: seals the key, stores the credential, audits — in the caller's
 * transaction. Re-importing a certificate the user already has changes nothing.
 */
export async function commitPkcs12(ctx: DomainContext, vault: Vault, inspected: InspectedPkcs12): Promise<Pkcs12ImportResult> {
  const [result] = await commitPkcs12Batch(ctx, vault, [inspected]);
  return result!;
}

/**
 * commitPkcs12 for a batch of files in the caller's transaction, with a handful of statements
 * for the whole batch (one thumbprint lookup, multi-row inserts, one status recomputation) plus
 * one audit entry per imported file. Results come in input order; a certificate that appears
 * twice for the same user is imported once, the later copy reported unchanged.
 */
export async function commitPkcs12Batch(ctx: DomainContext, vault: Vault, batch: InspectedPkcs12[]): Promise<Pkcs12ImportResult[]> {
  const keyOf = (userId: string, sha256: string) => `${userId} ${sha256}`;
  const existing = new Map<string, Credential>();
  const pairs = batch.map(({ user, info }) => ({ userId: user.id, sha256: info.sha256 }));
  for (const c of await ctx.store.credentials.findByThumbprints(pairs)) existing.set(keyOf(c.userId, c.sha256), c);
  const firstOf = new Map<string, number>();
  const fresh: InspectedPkcs12[] = [];
  for (const [i, { user, info }] of batch.entries()) {
    const key = keyOf(user.id, info.sha256);
    if (existing.has(key) || firstOf.has(key)) continue;
    firstOf.set(key, i);
    fresh.push(batch[i]!);
  }
  const stored = await storeCredentials(
    ctx,
    vault,
    fresh.map(({ user, input, identity, info }) => ({
      userId: user.id,
      purpose: input.purpose,
      source: 'importedPkcs' as const,
      certificateDer: identity.certificate,
      chain: identity.chain,
      ...certificateFields(info),
      caId: null,
      deviceId: null,
      privateKeyPkcs8: identity.privateKeyPkcs8,
    })),
  );
  const created = new Map(fresh.map((item, i) => [keyOf(item.user.id, item.info.sha256), stored[i]!]));
  const results: Pkcs12ImportResult[] = [];
  for (const [i, { user, input, info, warnings }] of batch.entries()) {
    const key = keyOf(user.id, info.sha256);
    const fileName = input.fileName ?? null;
    const before = existing.get(key);
    if (before) {
      const note = before.status === 'deleted' ? [{ code: 'was_deleted', message: 'This certificate was deleted earlier and stays deleted.' }] : [];
      results.push({ status: 'unchanged', fileName, credential: before, warnings: [...warnings, ...note] });
      continue;
    }
    const credential = created.get(key)!;
    if (firstOf.get(key) !== i) {
      results.push({ status: 'unchanged', fileName, credential, warnings });
      continue;
    }
    await audit(ctx, 'credential.import', user.email, {
      credentialId: credential.id,
      sha256: info.sha256,
      purpose: input.purpose,
      ...(fileName ? { fileName } : {}),
      warnings: warnings.map((w) => w.code),
    });
    results.push({ status: 'imported', fileName, credential, warnings });
  }
  return results;
}

/** Zeroes the plaintext key of an inspected file once it is sealed (or abandoned). */
export function forgetKey(inspected: InspectedPkcs12): void {
  inspected.identity.privateKeyPkcs8.fill(0);
}

/**
 * Imports one PKCS#12 file for a user: inspect, then seal and store in one transaction, so a
 * failure leaves nothing behind. Idempotent per certificate thumbprint.
 */
export async function importPkcs12(ctx: DomainContext, deps: ImportDeps, input: Pkcs12ImportInput): Promise<Pkcs12ImportResult> {
  const inspected = await inspectPkcs12(ctx, deps.anchors, input);
  try {
    return await inTransaction(ctx, (tx) => commitPkcs12(tx, deps.vault, inspected));
  } catch (error) {
    // A concurrent import of the same file won the unique (user, thumbprint) race.
    if (isUniqueViolation(error)) {
      const existing = await ctx.store.credentials.findByThumbprint(inspected.user.id, inspected.info.sha256);
      if (existing) return { status: 'unchanged', fileName: input.fileName ?? null, credential: existing, warnings: inspected.warnings };
    }
    throw error;
  } finally {
    forgetKey(inspected);
  }
}
