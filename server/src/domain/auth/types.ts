export const ADMIN_SCOPES = ['read', 'write', 'tokens'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

export interface AdminToken {
  id: string;
  name: string;
  scopes: AdminScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface TokenRepo {
  create(input: { id: string; name: string; tokenHash: string; scopes: AdminScope[] }, now: Date): Promise<AdminToken>;
  findByHash(tokenHash: string): Promise<(AdminToken & { tokenHash: string }) | null>;
  touch(id: string, now: Date): Promise<void>;
  revoke(id: string, now: Date): Promise<boolean>;
  list(): Promise<AdminToken[]>;
  count(): Promise<number>;
}

/** A rate limiter's fixed window: when it started and what it has counted. */
export interface AttemptWindow {
  start: number;
  count: number;
}

/** Rate-limiter counters shared by every process (see rate-limiter.ts); keys arrive hashed. */
export interface AttemptWindowRepo {
  /** Counts one event: the window restarts at `now` with 1 when the stored one is over. */
  hit(scope: string, keyHash: string, now: number, windowMs: number): Promise<AttemptWindow>;
  /** The window still running at `now`, or null. */
  current(scope: string, keyHash: string, now: number, windowMs: number): Promise<AttemptWindow | null>;
  clear(scope: string, keyHash: string): Promise<void>;
  /** Deletes windows that started before `before`; returns how many. */
  purge(before: number): Promise<number>;
}

export interface KvRepo {
  get(key: string): Promise<string | null>;
  /** Sets the key only if it is absent; returns the value that is stored afterwards. */
  setIfAbsent(key: string, value: string): Promise<string>;
  set(key: string, value: string): Promise<void>;
}
