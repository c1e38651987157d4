import { chmodSync, existsSync, linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.ts';
import { type Kek, kekFromBase64, newKekText } from './kek.ts';

/**
 * Where the KEKs live: the current one and, while `kek rotate` runs (or after it was
 * interrupted), the next one. File mode: DATA_DIR/kek and DATA_DIR/kek.next (0600). Env mode:
 * the `KEK` value, and the new value passed to `kek rotate`.
 */
export interface Keyring {
  /** The KEK new data keys are wrapped with: the next one while a rotation is under way. */
  sealing(): Kek;
  /** The KEK with this id, or null. Re-reads the files once when the id is unknown. */
  find(id: string): Kek | null;
  /** Ids of every KEK this keyring holds (for error messages). */
  ids(): string[];
  readonly current: Kek;
  readonly next: Kek | null;
  readonly source: string;
}

export interface KeyringOptions {
  dataDir: string;
  /** Base64 KEK from the environment; null = the file DATA_DIR/kek. */
  kekEnv: string | null;
  /** Create DATA_DIR/kek (mode 0600) when missing: first start. */
  create: boolean;
}

export const kekPath = (dataDir: string): string => join(dataDir, 'kek');
export const nextKekPath = (dataDir: string): string => join(dataDir, 'kek.next');

/** Writes a new KEK file with mode 0600 without ever replacing an existing one. */
export function createKekFile(path: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, newKekText(), { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  try {
    // link() fails when `path` exists, so two processes starting at once keep one KEK.
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
}

function readKekFile(path: string): Kek {
  const mode = statSync(path).mode & 0o077;
  if (mode !== 0) {
    throw new AppError('kek_mismatch', `${path} is readable by other users (mode ${(statSync(path).mode & 0o777).toString(8)}); run chmod 600 ${path}`);
  }
  return kekFromBase64(readFileSync(path, 'utf8'), path);
}

/** Loads the keyring; fails fast with kek_mismatch on an unreadable or malformed KEK. */
export function loadKeyring(options: KeyringOptions): Keyring {
  const file = kekPath(options.dataDir);
  const nextFile = nextKekPath(options.dataDir);
  const load = (): { current: Kek; next: Kek | null } => {
    if (options.kekEnv) return { current: kekFromBase64(options.kekEnv, 'the KEK environment variable'), next: null };
    if (!existsSync(file)) {
      if (!options.create) throw new AppError('kek_mismatch', `no key-encryption key at ${file} (start the server once, or set KEK)`);
      createKekFile(file);
    }
    return { current: readKekFile(file), next: existsSync(nextFile) ? readKekFile(nextFile) : null };
  };
  let state = load();
  const ring: Keyring = {
    get current() {
      return state.current;
    },
    get next() {
      return state.next;
    },
    source: options.kekEnv ? 'the KEK environment variable' : file,
    sealing() {
      // A rotation may have started in another process since we loaded: seal with its new KEK.
      if (!options.kekEnv && !state.next && existsSync(nextFile)) state = load();
      return state.next ?? state.current;
    },
    find(id) {
      const hit = [state.current, state.next].find((k) => k?.id === id);
      if (hit) return hit;
      if (options.kekEnv) return null;
      state = load();
      return [state.current, state.next].find((k) => k?.id === id) ?? null;
    },
    ids: () => [state.current.id, ...(state.next ? [state.next.id] : [])],
  };
  return ring;
}

/** A keyring over fixed KEKs (env rotation, tests). */
export function staticKeyring(current: Kek, next: Kek | null = null, source = 'the given KEK'): Keyring {
  return {
    current,
    next,
    source,
    sealing: () => next ?? current,
    find: (id) => [current, next].find((k) => k?.id === id) ?? null,
    ids: () => [current.id, ...(next ? [next.id] : [])],
  };
}

/** Completes a file rotation: kek.next becomes kek (atomic rename). */
export function promoteNextKek(dataDir: string): void {
  renameSync(nextKekPath(dataDir), kekPath(dataDir));
}
