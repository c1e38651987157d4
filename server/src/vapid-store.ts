import { createPrivateKey } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateVapidKeys, type VapidKeys } from './channels/push/vapid.ts';
import type { Vault } from './domain/credentials/types.ts';
import { AppError } from './errors.ts';
import { newId } from './ids.ts';
import type { Store } from './ports.ts';

/** The kv entry naming the VAPID key pair: `{ publicKey, sealedKeyId }`. */
export const VAPID_KV_KEY = 'vapid.keys';

/** Where earlier versions kept the key pair in plaintext; read once, migrated, then removed. */
export function vapidFile(dataDir: string): string {
  return join(dataDir, 'vapid.json');
}

export interface VapidKeySource {
  store: Store;
  /** Seals the private key at rest (its row is re-wrapped by `kek rotate` like every other). */
  vault: Vault;
  /** Only for the one-time migration of DATA_DIR/vapid.json. */
  dataDir: string;
  now?: () => Date;
}

interface StoredVapid {
  publicKey: string;
  sealedKeyId: string;
}

/**
 * The VAPID key pair every process signs with, kept in the database so workers on any number of
 * machines share it: the public key in kv, the private key (PKCS#8) as a vault-sealed key. Made on
 * first start (from DATA_DIR/vapid.json when an earlier version left one, else fresh); two
 * processes starting at once both end up with the winner's pair (kv setIfAbsent in the same
 * transaction as the sealed key, so the loser leaves nothing behind).
 */
export async function loadOrCreateVapidKeys(source: VapidKeySource): Promise<VapidKeys> {
  const existing = await source.store.kv.get(VAPID_KV_KEY);
  if (existing) return openStored(source, existing);
  const legacy = readLegacyFile(source.dataDir);
  const keys = legacy ?? generateVapidKeys();
  const sealedKeyId = newId();
  const mine = JSON.stringify({ publicKey: keys.publicKey, sealedKeyId } satisfies StoredVapid);
  const der = toPkcs8(keys);
  const sealed = await source.vault.seal(sealedKeyId, der);
  der.fill(0);
  let stored = mine;
  const lost = new Error('another process stored its VAPID keys first');
  try {
    await source.store.transaction(async (tx) => {
      await tx.credentials.insertSealedKey(sealed, source.now?.() ?? new Date());
      stored = await tx.kv.setIfAbsent(VAPID_KV_KEY, mine);
      if (stored !== mine) throw lost;
    });
  } catch (error) {
    if (error !== lost) throw error;
  }
  if (stored !== mine) return openStored(source, stored);
  // The plaintext copy has done its job: the database holds the sealed pair from now on.
  if (legacy) rmSync(vapidFile(source.dataDir), { force: true });
  return keys;
}

async function openStored(source: VapidKeySource, value: string): Promise<VapidKeys> {
  const parsed = JSON.parse(value) as Partial<StoredVapid>;
  if (typeof parsed.publicKey !== 'string' || typeof parsed.sealedKeyId !== 'string') {
    throw new AppError('internal', `kv ${VAPID_KV_KEY} does not name a VAPID key pair`);
  }
  const sealed = await source.store.credentials.getSealedKey(parsed.sealedKeyId);
  if (!sealed) throw new AppError('internal', `the sealed VAPID private key ${parsed.sealedKeyId} is missing`);
  const der = await source.vault.open(sealed);
  try {
    const jwk = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
    if (typeof jwk.d !== 'string') throw new AppError('internal', 'the sealed VAPID key is not an EC private key');
    return { publicKey: parsed.publicKey, privateKey: jwk.d };
  } finally {
    der.fill(0);
  }
}

function toPkcs8(keys: VapidKeys): Uint8Array {
  const pub = Buffer.from(keys.publicKey, 'base64url');
  const key = createPrivateKey({
    format: 'jwk',
    key: { kty: 'EC', crv: 'P-256', d: keys.privateKey, x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33, 65).toString('base64url') },
  });
  return new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
}

function readLegacyFile(dataDir: string): VapidKeys | null {
  const file = vapidFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<VapidKeys>;
  if (typeof parsed.publicKey !== 'string' || typeof parsed.privateKey !== 'string') {
    throw new AppError('validation_failed', `${file} does not hold a VAPID key pair (publicKey, privateKey)`);
  }
  return { publicKey: parsed.publicKey, privateKey: parsed.privateKey };
}

/** The VAPID `sub` claim: VAPID_SUBJECT, else an https PUBLIC_URL, else mailto: MAIL_FROM's address. */
export function vapidSubject(config: { publicUrl: string; mailFrom: string; campaigns: { vapidSubject: string | null } }): string {
  if (config.campaigns.vapidSubject) return config.campaigns.vapidSubject;
  if (config.publicUrl.startsWith('https://')) return config.publicUrl;
  const address = /<([^>]+)>/.exec(config.mailFrom)?.[1] ?? config.mailFrom.trim();
  return `mailto:${address}`;
}
