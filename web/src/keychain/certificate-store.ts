import { idbGetAll } from './idb.ts';

/**
 * A keychain entry (the retrieval of issue 6 fills these). Only what the keychain page lists
 * today; the full shape (chain, envelope, private key) lands with retrieval.
 */
export interface KeychainEntry {
  thumbprint: string;
  purpose: 'signing' | 'encryption';
  subject: string;
  notAfter: string;
}

export const listCertificates = () => idbGetAll<KeychainEntry>('certificates');
