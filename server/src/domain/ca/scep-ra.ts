/**
 * The SCEP RA of the active CA, kept like the VAPID keys: its certificate in kv
 * (`scep.ra.<caId>`), its private key (PKCS #8) as a vault-sealed key — never in plaintext, and
 * re-wrapped by `kek rotate` together with every other sealed key. Made on first use, re-issued
 * when it nears expiry; a new CA (`ca import`) has a new id and so gets its own RA, and an RA
 * that no longer chains to the active CA is replaced rather than served.
 */
import { AppError, isAppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { createRaCertificate, loadScepRa, type ScepRa } from '../../pki/scep/ra-certificate.ts';
import type { ScepRaKeys } from '../../pki/scep/scep-service.ts';
import { randomSerial } from '../../pki/serial.ts';
import { toHex } from '../../pki/x509-builders.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import type { Vault } from '../credentials/types.ts';
import type { CaRuntime } from './ca-service.ts';

const DAY = 86_400_000;
export const RA_VALIDITY_DAYS = 365;
/** Re-issued this long before it expires; the old RA keeps opening requests until then. */
export const RA_RENEW_BEFORE_DAYS = 30;
// Clients whose clocks run a little behind must still accept a fresh RA.
const BACKDATE_MS = 5 * 60_000;

interface StoredRa {
  certificate: string;
  sealedKeyId: string;
}

interface StoredRas {
  current: StoredRa;
  previous: StoredRa[];
}

/** The kv entry naming the RA of CA `caId`. */
export function scepRaKvKey(caId: string): string {
  return `scep.ra.${caId}`;
}

export interface ScepRaSourceOptions {
  /** How often kv is read again, so that an RA another process re-issued is picked up. */
  refreshMs?: number;
}

/**
 * The RA keys for the SCEP service: loaded (or made) on first call, cached, checked against kv
 * every `refreshMs` (60 s) and re-issued when due. Concurrent callers share one load.
 */
export function createScepRaSource(ctx: () => DomainContext, vault: Vault, ca: CaRuntime, options: ScepRaSourceOptions = {}): () => Promise<ScepRaKeys> {
  const refreshMs = options.refreshMs ?? 60_000;
  let cached: { value: string; keys: ScepRaKeys; checkedAt: number } | null = null;
  let loading: Promise<ScepRaKeys> | null = null;

  async function load(): Promise<ScepRaKeys> {
    const c = ctx();
    const value = await c.store.kv.get(scepRaKvKey(ca.record.id));
    const now = c.clock.now();
    if (cached && value === cached.value && !renewalDue(cached.keys.current, ca, now)) {
      cached.checkedAt = now.getTime();
      return cached.keys;
    }
    const opened = value === null ? null : await openStored(c, vault, ca, value);
    if (value !== null && opened && !renewalDue(opened.current.ra, ca, now)) {
      const keys = keysOf(opened.current, opened.previous);
      cached = { value, keys, checkedAt: now.getTime() };
      return keys;
    }
    const issued = await issueRa(c, vault, ca, value, opened);
    cached = { ...issued, checkedAt: now.getTime() };
    return issued.keys;
  }

  return async () => {
    const now = ctx().clock.now();
    let keys: ScepRaKeys;
    if (cached && now.getTime() - cached.checkedAt < refreshMs && !renewalDue(cached.keys.current, ca, now)) {
      keys = cached.keys;
    } else {
      loading ??= load().finally(() => {
        loading = null;
      });
      keys = await loading;
    }
    // A replaced RA opens requests only while it is valid.
    const previous = keys.previous.filter((ra) => ra.notAfter.getTime() > now.getTime());
    return previous.length === keys.previous.length ? keys : { current: keys.current, previous };
  };
}

/** Due when under RA_RENEW_BEFORE_DAYS remain, unless a new RA would not outlive it (CA ends). */
export function renewalDue(ra: ScepRa, ca: CaRuntime, now: Date): boolean {
  if (ra.notAfter.getTime() - now.getTime() > RA_RENEW_BEFORE_DAYS * DAY) return false;
  return raNotAfter(ca, now).getTime() > ra.notAfter.getTime() + DAY;
}

function raNotAfter(ca: CaRuntime, now: Date): Date {
  const caEnd = ca.signer.certificate.notAfter.value.getTime();
  return new Date(Math.min(now.getTime() + RA_VALIDITY_DAYS * DAY, caEnd));
}

interface Opened {
  stored: StoredRa;
  ra: ScepRa;
}

const keysOf = (current: Opened, previous: Opened[]): ScepRaKeys => ({ current: current.ra, previous: previous.map((p) => p.ra) });

/** Opens one stored RA; null when it cannot serve this CA (not issued by it, wrong usage). */
async function openOne(ctx: DomainContext, vault: Vault, ca: CaRuntime, stored: StoredRa): Promise<Opened | null> {
  const sealed = await ctx.store.credentials.getSealedKey(stored.sealedKeyId);
  if (!sealed) throw new AppError('internal', `the sealed key of the SCEP RA (${stored.sealedKeyId}) is missing`);
  // A KEK mismatch surfaces here, as for the CA key: it must never be papered over.
  const pkcs8 = await vault.open(sealed);
  try {
    return { stored, ra: loadScepRa({ certificateDer: new Uint8Array(Buffer.from(stored.certificate, 'base64')), privateKeyPkcs8: pkcs8 }, ca.signer) };
  } catch (error) {
    if (isAppError(error, 'certificate_rejected')) return null;
    throw error;
  } finally {
    pkcs8.fill(0);
  }
}

/** Opens the stored RAs; null when the current one cannot serve this CA (it is then replaced). */
async function openStored(ctx: DomainContext, vault: Vault, ca: CaRuntime, value: string): Promise<{ current: Opened; previous: Opened[] } | null> {
  const parsed = JSON.parse(value) as Partial<StoredRas>;
  if (typeof parsed.current?.certificate !== 'string' || typeof parsed.current.sealedKeyId !== 'string') {
    throw new AppError('internal', `kv ${scepRaKvKey(ca.record.id)} does not name a SCEP RA`);
  }
  const current = await openOne(ctx, vault, ca, parsed.current);
  if (!current) return null;
  const now = ctx.clock.now().getTime();
  const previous: Opened[] = [];
  for (const stored of parsed.previous ?? []) {
    const opened = await openOne(ctx, vault, ca, stored);
    if (opened && opened.ra.notAfter.getTime() > now) previous.push(opened);
  }
  return { current, previous };
}

/**
 * Issues a new RA and stores it in place of `observed` (compare-and-set inside a transaction);
 * the RA it replaces stays as `previous` until it expires. When another process stored one
 * meanwhile, that one is used and ours is left unreferenced.
 */
async function issueRa(ctx: DomainContext, vault: Vault, ca: CaRuntime, observed: string | null, opened: { current: Opened; previous: Opened[] } | null): Promise<{ value: string; keys: ScepRaKeys }> {
  const now = ctx.clock.now();
  let serial = randomSerial();
  for (let attempt = 0; !(await ctx.store.ca.claimSerial(ca.record.id, toHex(serial), now)); attempt++) {
    if (attempt >= 3) throw new AppError('internal', 'could not draw an unused serial number for the SCEP RA');
    serial = randomSerial();
  }
  const material = await createRaCertificate(ca.signer, { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: raNotAfter(ca, now), serial });
  try {
    const mine: Opened = {
      ra: loadScepRa(material, ca.signer),
      stored: { certificate: Buffer.from(material.certificateDer).toString('base64'), sealedKeyId: newId(now.getTime()) },
    };
    const sealed = await vault.seal(mine.stored.sealedKeyId, material.privateKeyPkcs8);
    const previous = (opened ? [opened.current, ...opened.previous] : []).filter((o) => o.ra.notAfter.getTime() > now.getTime());
    const value = JSON.stringify({ current: mine.stored, previous: previous.map((o) => o.stored) } satisfies StoredRas);
    const key = scepRaKvKey(ca.record.id);
    const lost = new Error('another process stored a SCEP RA first');
    let stored: string | null = null;
    try {
      await inTransaction(ctx, async (tx) => {
        await tx.store.credentials.insertSealedKey(sealed, now);
        stored = observed === null ? await tx.store.kv.setIfAbsent(key, value) : await tx.store.kv.get(key);
        if (stored !== (observed ?? value)) throw lost;
        if (observed !== null) await tx.store.kv.set(key, value);
        await audit(tx, 'scep.ra.issue', ca.record.id, { serialHex: toHex(serial), notAfter: mine.ra.notAfter.toISOString(), replaced: observed !== null });
      });
    } catch (error) {
      if (error !== lost || stored === null) throw error;
      const theirs = await openStored(ctx, vault, ca, stored);
      if (!theirs) throw new AppError('internal', 'the SCEP RA another process stored does not serve this CA');
      return { value: stored, keys: keysOf(theirs.current, theirs.previous) };
    }
    return { value, keys: keysOf(mine, previous) };
  } finally {
    material.privateKeyPkcs8.fill(0);
  }
}
