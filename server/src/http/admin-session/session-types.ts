import type { AdminToken } from '../../domain/auth/types.ts';

/** One signed-in admin console session (the secret itself is never stored, only its hash). */
export interface AdminSession {
  id: string;
  tokenId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Storage of admin console sessions, implemented by store/admin-session-repo.ts. */
export interface AdminSessionRepo {
  create(session: AdminSession & { sessionHash: string }): Promise<void>;
  /** The session with that hash and the token that opened it (revoked tokens included: the caller decides). */
  findByHash(sessionHash: string): Promise<{ session: AdminSession & { sessionHash: string }; token: AdminToken } | null>;
  touch(id: string, now: Date): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Removes sessions past their expiry; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}
