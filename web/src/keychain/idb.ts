/**
 * A tiny promise wrapper over IndexedDB for the device record and the keychain. No DOM types:
 * the service worker uses it too. CryptoKey objects are stored as they are (structured clone),
 * so non-extractable keys stay non-extractable across reloads.
 */
export const DB_NAME = 'smime-portal';
export const DB_VERSION = 2;
/**
 * Object stores: `device` (one record under key "current"), `certificates` (by thumbprint),
 * `meta` (keychain settings: policy, trust anchors, default signing certificate). Version 2 added
 * `meta`; upgrades only add stores, so older data stays as it is.
 */
export type StoreName = 'device' | 'certificates' | 'meta';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Opens (and on first use creates) the database. */
export function openKeychainDb(factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  const open = factory.open(DB_NAME, DB_VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('device')) db.createObjectStore('device');
    if (!db.objectStoreNames.contains('certificates')) db.createObjectStore('certificates', { keyPath: 'thumbprint' });
    if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
  };
  return request(open);
}

async function withStore<T>(name: StoreName, mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openKeychainDb();
  try {
    const tx = db.transaction(name, mode);
    const result = await request(fn(tx.objectStore(name)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

export const idbGet = <T>(store: StoreName, key: IDBValidKey) => withStore(store, 'readonly', (s) => s.get(key) as IDBRequest<T | undefined>);
export const idbGetAll = <T>(store: StoreName) => withStore(store, 'readonly', (s) => s.getAll() as IDBRequest<T[]>);
export const idbPut = (store: StoreName, value: unknown, key?: IDBValidKey) => withStore(store, 'readwrite', (s) => s.put(value, key));
export const idbDelete = (store: StoreName, key: IDBValidKey) => withStore(store, 'readwrite', (s) => s.delete(key));
