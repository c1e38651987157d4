import { extractIdentity } from '../../../../shared/pki/pkcs12-read.ts';
import { isPkiError } from '../../../../shared/pki/pki-error.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { type CaSigner, createCa, loadCa } from '../../pki/ca.ts';
import type { KeyAlgorithm } from '../../pki/generate-key-pair.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import type { CaRecord, Vault } from '../credentials/types.ts';

/** The active built-in CA: its row and a signer loaded from its sealed key. */
export interface CaRuntime {
  record: CaRecord;
  signer: CaSigner;
}

export interface CaSettings {
  commonName: string;
  keyAlgorithm: KeyAlgorithm;
  validityYears: number;
}

export const DEFAULT_CA_SETTINGS: CaSettings = { commonName: 'smime-portal Root CA', keyAlgorithm: 'RSA-3072', validityYears: 10 };

async function open(ctx: DomainContext, vault: Vault, record: CaRecord): Promise<CaRuntime> {
  const sealed = await ctx.store.credentials.getSealedKey(record.sealedKeyId);
  if (!sealed) throw new AppError('internal', `the sealed key of CA ${record.id} is missing`);
  const pkcs8 = await vault.open(sealed);
  try {
    return { record, signer: await loadCa({ certificateDer: record.certificateDer, privateKeyPkcs8: pkcs8 }) };
  } finally {
    pkcs8.fill(0);
  }
}

/** Loads the active CA, or null when none was created or imported yet. */
export async function loadActiveCa(ctx: DomainContext, vault: Vault): Promise<CaRuntime | null> {
  const record = await ctx.store.ca.getActive();
  return record ? open(ctx, vault, record) : null;
}

async function install(ctx: DomainContext, vault: Vault, material: { certificateDer: Uint8Array; privateKeyPkcs8: Uint8Array }, source: CaRecord['source'], keyAlgorithm: string): Promise<CaRecord> {
  const now = ctx.clock.now();
  const id = newId(now.getTime());
  const sealedKeyId = newId(now.getTime());
  await ctx.store.credentials.insertSealedKey(await vault.seal(sealedKeyId, material.privateKeyPkcs8), now);
  await ctx.store.ca.insertActive({ id, certificateDer: material.certificateDer, sealedKeyId, keyAlgorithm, source, createdAt: now });
  const record = await ctx.store.ca.get(id);
  if (!record) throw new AppError('internal', 'the CA row vanished after insert');
  return record;
}

/**
 * The active CA, created on first use: a self-signed root whose key is sealed in the vault at
 * once (never written in plaintext). Two processes starting together end with one CA.
 */
export async function ensureCa(ctx: DomainContext, vault: Vault, settings: CaSettings = DEFAULT_CA_SETTINGS): Promise<CaRuntime> {
  const existing = await loadActiveCa(ctx, vault);
  if (existing) return existing;
  const material = await createCa({ ...settings, now: new Date(ctx.clock.now().getTime() - 5 * 60_000) });
  try {
    const record = await inTransaction(ctx, async (tx) => {
      if (await tx.store.ca.getActive()) return null;
      const r = await install(tx, vault, material, 'generated', settings.keyAlgorithm);
      await audit(tx, 'ca.create', r.id, { keyAlgorithm: settings.keyAlgorithm, commonName: settings.commonName });
      return r;
    });
    const loaded = record ? await open(ctx, vault, record) : await loadActiveCa(ctx, vault);
    if (!loaded) throw new AppError('internal', 'no active CA after creating one');
    return loaded;
  } catch (error) {
    // Another process won the race for the single active slot.
    const other = await loadActiveCa(ctx, vault);
    if (other) return other;
    throw error;
  } finally {
    material.privateKeyPkcs8.fill(0);
  }
}

/**
 * Replaces the active CA with one from a PKCS#12 file (key sealed in the vault). The previous
 * CA stays on record so its CRL and its certificates' history keep working.
 */
export async function importCa(ctx: DomainContext, vault: Vault, bytes: Uint8Array, password: string): Promise<CaRuntime> {
  let identity: Awaited<ReturnType<typeof extractIdentity>>;
  try {
    identity = await extractIdentity(bytes, password);
  } catch (error) {
    if (isPkiError(error)) throw new AppError('pkcs12_invalid', error.message, { details: { reason: error.code } });
    throw error;
  }
  try {
    const signer = await loadCa({ certificateDer: identity.certificate, privateKeyPkcs8: identity.privateKeyPkcs8 });
    const record = await inTransaction(ctx, async (tx) => {
      const r = await install(tx, vault, { certificateDer: identity.certificate, privateKeyPkcs8: identity.privateKeyPkcs8 }, 'imported', signer.keyAlgorithm);
      await audit(tx, 'ca.import', r.id, { keyAlgorithm: signer.keyAlgorithm });
      return r;
    });
    return { record, signer };
  } finally {
    identity.privateKeyPkcs8.fill(0);
  }
}
