/**
 * Credentials (certificate + escrowed key), sealed keys, the CA and SCEP state: the domain's
 * view and the repository ports that store/credential-repo.ts and store/ca-repo.ts implement.
 */

export const CREDENTIAL_PURPOSES = ['smimeEncryption', 'smimeSigning', 'both'] as const;
export type CredentialPurpose = (typeof CREDENTIAL_PURPOSES)[number];
export const CREDENTIAL_SOURCES = ['importedPkcs', 'scep', 'issued', 'derivedCredential'] as const;
export type CredentialSource = (typeof CREDENTIAL_SOURCES)[number];
export const CREDENTIAL_STATUSES = ['active', 'superseded', 'revoked', 'deleted'] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];

/** A private key sealed by the vault: AES-256-GCM under its own DEK, the DEK wrapped by a KEK. */
export interface SealedKey {
  id: string;
  kekId: string;
  wrappedDek: Uint8Array;
  ciphertext: Uint8Array;
}

/** The key vault port (server/src/vault implements it). */
export interface Vault {
  /** Seals `plaintext` (PKCS#8 DER) for the sealed-key row `id`. */
  seal(id: string, plaintext: Uint8Array): Promise<SealedKey>;
  /** Opens a sealed key; AppError kek_mismatch when the KEK is not the one it was sealed with. */
  open(sealed: SealedKey): Promise<Uint8Array>;
}

export interface Credential {
  id: string;
  userId: string;
  purpose: CredentialPurpose;
  source: CredentialSource;
  status: CredentialStatus;
  certificateDer: Uint8Array;
  /** Issuer first, up towards the root. */
  chain: Uint8Array[];
  sha1: string;
  sha256: string;
  serialHex: string;
  issuer: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: string;
  /** Null when the key lives only on a device (SCEP / device CSR). */
  sealedKeyId: string | null;
  /** The built-in CA that issued it, if any (CRL, renewal). */
  caId: string | null;
  deviceId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
  deletedAt: Date | null;
}

export type NewCredential = Omit<Credential, 'id' | 'createdAt' | 'revokedAt' | 'revocationReason' | 'deletedAt'> & { id?: string };

/** Storage of credentials and sealed keys (same code on SQLite and PostgreSQL). */
export interface CredentialRepo {
  insertSealedKey(key: SealedKey, now: Date): Promise<void>;
  /** Several sealed keys in as few statements as possible (bulk import). */
  insertSealedKeys(keys: SealedKey[], now: Date): Promise<void>;
  getSealedKey(id: string): Promise<SealedKey | null>;
  /** Sealed keys not wrapped by `kekId`, in id order, after `after` (rotation batches). */
  sealedKeysNotUnder(kekId: string, after: string | null, limit: number): Promise<SealedKey[]>;
  /** Replaces the wrapped DEK only if the row is still wrapped by `fromKekId`. */
  rewrapSealedKey(key: SealedKey, fromKekId: string): Promise<boolean>;
  countSealedKeysNotUnder(kekId: string): Promise<number>;
  /** Throws a unique-violation error (see store/sql-errors) when the user already has the thumbprint. */
  insert(credential: NewCredential, now: Date): Promise<Credential>;
  /** Several credentials in as few statements as possible, returned in input order; same unique rule. */
  insertMany(credentials: NewCredential[], now: Date): Promise<Credential[]>;
  get(id: string): Promise<Credential | null>;
  findByThumbprint(userId: string, sha256: string): Promise<Credential | null>;
  /** The credentials matching any of the (user, SHA-256 thumbprint) pairs, in no particular order. */
  findByThumbprints(pairs: { userId: string; sha256: string }[]): Promise<Credential[]>;
  /** Any user's credential with this SHA-256 thumbprint (SCEP renewal signer lookup). */
  findBySha256(sha256: string): Promise<Credential | null>;
  /** Every credential of the user, newest certificate first. */
  listForUser(userId: string): Promise<Credential[]>;
  /** Every credential of these users, grouped by user, each user's newest certificate first. */
  listForUsers(userIds: string[]): Promise<Credential[]>;
  setStatus(ids: string[], status: CredentialStatus): Promise<void>;
  revoke(id: string, reason: string, now: Date): Promise<void>;
  markDeleted(id: string, now: Date): Promise<void>;
  /** Revoked certificates of a CA (for its CRL). */
  listRevoked(caId: string): Promise<{ serialHex: string; revokedAt: Date; reason: string | null }[]>;
  /** Users whose newest active encryption credential came from `caId`, with that credential. */
  listRenewalCandidates(caId: string): Promise<Credential[]>;
}

export interface CaRecord {
  id: string;
  certificateDer: Uint8Array;
  sealedKeyId: string;
  keyAlgorithm: string;
  source: 'generated' | 'imported';
  createdAt: Date;
  crlNumber: number;
  crlDer: Uint8Array | null;
  crlThisUpdate: Date | null;
  crlNextUpdate: Date | null;
}

export interface ScepChallenge {
  id: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
}

/** The CA row, its CRL cache, issued serials and SCEP one-time state. */
export interface CaRepo {
  getActive(): Promise<CaRecord | null>;
  get(id: string): Promise<CaRecord | null>;
  /** Makes `record` the active CA (the previous one stays for its CRL and history). */
  insertActive(record: Omit<CaRecord, 'crlNumber' | 'crlDer' | 'crlThisUpdate' | 'crlNextUpdate'>): Promise<void>;
  /** Claims a serial; false when the CA already used it. */
  claimSerial(caId: string, serialHex: string, now: Date): Promise<boolean>;
  /** Stores a freshly built CRL with its number (only if the number is higher). */
  saveCrl(caId: string, crlNumber: number, der: Uint8Array, thisUpdate: Date, nextUpdate: Date): Promise<void>;
  /** Drops the cached CRL so the next /crl builds a fresh one (after a revocation). */
  invalidateCrl(caId: string): Promise<void>;
  insertChallenge(input: { id: string; userId: string; hash: string; expiresAt: Date; createdBy: string }, now: Date): Promise<void>;
  findChallenge(hash: string): Promise<ScepChallenge | null>;
  /** Marks the challenge used if it still is unused and unexpired; false otherwise. */
  consumeChallenge(id: string, now: Date): Promise<boolean>;
  transactionSeen(transactionId: string): Promise<boolean>;
  /** False when the transaction id was already recorded (replay). */
  recordTransaction(transactionId: string, signerThumbprint: string, now: Date): Promise<boolean>;
}
