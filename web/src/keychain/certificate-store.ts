import type { BundlePolicy, CredentialSource } from '../../../shared/schemas/bundle.ts';
import type { KeyEnvelope } from '../../../shared/smime/key-envelope.ts';
import { idbDelete, idbGet, idbGetAll, idbPut } from './idb.ts';

export type KeychainPurpose = 'signing' | 'encryption' | 'both';

/**
 * One certificate in the device keychain (issue 6 item 3). The private key is a non-extractable
 * CryptoKey; encryption entries also keep the sealed delivery envelope, because WebCrypto cannot
 * do RSA PKCS#1 v1.5 key transport: opening the envelope (only this device's ECDH key can) gives
 * the key in memory for that one decryption.
 */
export interface KeychainEntry {
  /** SHA-256 of the certificate DER, lowercase hex: the entry's identity. */
  thumbprint: string;
  sha1: string;
  purpose: KeychainPurpose;
  source: CredentialSource;
  certificate: Uint8Array;
  /** Issuer first, up towards the root. */
  chain: Uint8Array[];
  subject: string;
  issuer: string;
  serialHex: string;
  emails: string[];
  keyAlgorithm: string;
  /** Key usage names set in the certificate (empty: any). */
  keyUsage: string[];
  /** ISO 8601 UTC. */
  notBefore: string;
  notAfter: string;
  /** Non-extractable: RSASSA/ECDSA for signing, RSA-OAEP (SHA-256) for encryption. */
  privateKey: CryptoKey;
  /** The key sealed to this device (encryption keys); opens with the device transport key. */
  envelope: KeyEnvelope | null;
  /** The device the envelope is bound to. */
  deviceId: string;
  storedAt: string;
}

/** Keychain-wide state kept beside the entries. */
export interface KeychainMeta {
  policy: BundlePolicy | null;
  /** CA certificates (DER) to verify signed mail. */
  trustAnchors: Uint8Array[];
  /** Thumbprint of the encryption certificate senders use now. */
  currentEncryption: string | null;
  /** The signing certificate the user chose; null = the newest valid one. */
  defaultSigning: string | null;
  /** When the last retrieval was confirmed to the portal (ISO). */
  confirmedAt: string | null;
}

const META_KEY = 'keychain';
export const EMPTY_META: KeychainMeta = { policy: null, trustAnchors: [], currentEncryption: null, defaultSigning: null, confirmedAt: null };

export const listCertificates = () => idbGetAll<KeychainEntry>('certificates');
export const getCertificate = (thumbprint: string) => idbGet<KeychainEntry>('certificates', thumbprint);
export const putCertificate = (entry: KeychainEntry) => idbPut('certificates', entry);
export const removeCertificate = (thumbprint: string) => idbDelete('certificates', thumbprint);

/** The keychain settings (defaults when nothing was stored yet). */
export async function loadKeychainMeta(): Promise<KeychainMeta> {
  return { ...EMPTY_META, ...((await idbGet<KeychainMeta>('meta', META_KEY)) ?? {}) };
}

/** Merges `patch` into the stored settings. */
export async function updateKeychainMeta(patch: Partial<KeychainMeta>): Promise<KeychainMeta> {
  const next = { ...(await loadKeychainMeta()), ...patch };
  await idbPut('meta', next, META_KEY);
  return next;
}

export const isSigning = (e: KeychainEntry) => e.purpose === 'signing' || e.purpose === 'both';
export const isEncryption = (e: KeychainEntry) => e.purpose === 'encryption' || e.purpose === 'both';
export const validNow = (e: KeychainEntry, now = Date.now()) => Date.parse(e.notBefore) <= now && now <= Date.parse(e.notAfter);
const newestFirst = (a: KeychainEntry, b: KeychainEntry) => Date.parse(b.notBefore) - Date.parse(a.notBefore);

/** The signing certificate to use: the chosen default if still valid, else the newest valid one. */
export function defaultSigningEntry(entries: KeychainEntry[], meta: KeychainMeta, now = Date.now()): KeychainEntry | null {
  const valid = entries.filter((e) => isSigning(e) && validNow(e, now)).sort(newestFirst);
  return valid.find((e) => e.thumbprint === meta.defaultSigning) ?? valid[0] ?? null;
}

/** Encryption entries newest first. */
export const encryptionHistoryOf = (entries: KeychainEntry[]) => entries.filter(isEncryption).sort(newestFirst);
export const signingEntriesOf = (entries: KeychainEntry[]) => entries.filter(isSigning).sort(newestFirst);
