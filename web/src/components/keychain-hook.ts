import { useCallback, useEffect, useState } from 'preact/hooks';
import { EMPTY_META, type KeychainEntry, type KeychainMeta, listCertificates, loadKeychainMeta } from '../keychain/certificate-store.ts';

export interface KeychainState {
  entries: KeychainEntry[] | null;
  meta: KeychainMeta;
  error: string | null;
  reload: () => void;
}

/** The keychain's entries and settings from IndexedDB (entries null while loading). */
export function useKeychain(): KeychainState {
  const [entries, setEntries] = useState<KeychainEntry[] | null>(null);
  const [meta, setMeta] = useState<KeychainMeta>(EMPTY_META);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    Promise.all([listCertificates(), loadKeychainMeta()]).then(
      ([list, m]) => {
        setEntries(list);
        setMeta(m);
      },
      (e: unknown) => {
        console.error('reading the keychain failed', e);
        setError(e instanceof Error ? e.message : String(e));
        setEntries([]);
      },
    );
  }, []);
  useEffect(reload, [reload]);
  return { entries, meta, error, reload };
}
