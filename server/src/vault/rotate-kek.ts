import { existsSync } from 'node:fs';
import type { Store } from '../ports.ts';
import { type Kek, kekFromBase64 } from './kek.ts';
import { createKekFile, loadKeyring, nextKekPath, promoteNextKek, staticKeyring } from './keyring.ts';
import { createVault } from './vault.ts';

export interface RotationReport {
  fromKekId: string;
  toKekId: string;
  rewrapped: number;
  /** True when an earlier, interrupted rotation was continued. */
  resumed: boolean;
}

const BATCH = 200;

/** Re-wraps every data key not yet under `to`, in batches of one transaction each. */
export async function rewrapAll(store: Store, vault: ReturnType<typeof createVault>, to: Kek, onProgress?: (done: number) => void): Promise<number> {
  let done = 0;
  for (;;) {
    // Always start over from the beginning: rows re-wrapped by a batch leave the query, and
    // rows sealed meanwhile by a server still on the old KEK are picked up too.
    const rows = await store.credentials.sealedKeysNotUnder(to.id, null, BATCH);
    if (rows.length === 0) return done;
    await store.transaction(async (tx) => {
      for (const row of rows) {
        if (await tx.credentials.rewrapSealedKey(vault.rewrap(row, to), row.kekId)) done++;
      }
    });
    onProgress?.(done);
  }
}

/**
 * `kek rotate`, file mode: writes DATA_DIR/kek.next (0600) unless an interrupted rotation left
 * one, re-wraps every data key under it with both KEKs known, then renames kek.next over kek.
 * Sealed keys are never touched. Interrupting it at any point is safe: every row is readable
 * with kek or kek.next, and running it again continues where it stopped.
 */
export async function rotateKekFile(store: Store, dataDir: string, onProgress?: (done: number) => void): Promise<RotationReport> {
  const resumed = existsSync(nextKekPath(dataDir));
  if (!resumed) createKekFile(nextKekPath(dataDir));
  const ring = loadKeyring({ dataDir, kekEnv: null, create: false });
  const to = ring.next;
  if (!to) throw new Error('kek.next vanished during rotation');
  const rewrapped = await rewrapAll(store, createVault(ring), to, onProgress);
  promoteNextKek(dataDir);
  return { fromKekId: ring.current.id, toKekId: to.id, rewrapped, resumed };
}

/**
 * `kek rotate --to-env VAR`, env mode (KEK set): re-wraps every data key under the new KEK
 * given in VAR. Safe to interrupt and re-run with the same two values; afterwards set KEK to
 * the new value.
 */
export async function rotateKekEnv(store: Store, currentBase64: string, nextBase64: string, onProgress?: (done: number) => void): Promise<RotationReport> {
  const current = kekFromBase64(currentBase64, 'KEK');
  const next = kekFromBase64(nextBase64, 'the new KEK');
  const resumed = (await store.credentials.countSealedKeysNotUnder(current.id)) > 0;
  const rewrapped = await rewrapAll(store, createVault(staticKeyring(current, next, 'KEK and the new KEK')), next, onProgress);
  return { fromKekId: current.id, toKekId: next.id, rewrapped, resumed };
}
