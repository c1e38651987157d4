import type { Config } from '../config.ts';
import type { Vault } from '../domain/credentials/types.ts';
import type { Store } from '../ports.ts';
import { loadKeyring } from './keyring.ts';
import { createVault } from './vault.ts';

/**
 * The vault for this process: KEK from `KEK` (base64) or DATA_DIR/kek, created with mode 0600
 * when `create` (first start) and missing. Unchecked: prefer openVerifiedVault.
 */
export function openVault(config: Config, options: { create: boolean }): Vault {
  return createVault(loadKeyring({ dataDir: config.dataDir, kekEnv: config.kek, create: options.create }));
}

/**
 * Opens the vault and proves the KEK against the database by opening one sealed key: a wrong
 * KEK fails here with kek_mismatch, before anything new is sealed under it.
 */
export async function openVerifiedVault(config: Config, store: Store, options: { create: boolean }): Promise<Vault> {
  const vault = openVault(config, options);
  const [probe] = await store.credentials.sealedKeysNotUnder('', null, 1);
  if (probe) (await vault.open(probe)).fill(0);
  return vault;
}
