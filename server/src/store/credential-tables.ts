/** Tables of migration 003-credentials (binary values are base64 text; times epoch ms). */

export interface SealedKeysTable {
  id: string;
  kek_id: string;
  wrapped_dek: string;
  ciphertext: string;
  created_at: number;
}

export interface CertificateAuthoritiesTable {
  id: string;
  cert_der: string;
  sealed_key_id: string;
  key_algorithm: string;
  source: 'generated' | 'imported';
  active_slot: string | null;
  crl_number: number;
  crl_der: string | null;
  crl_this_update: number | null;
  crl_next_update: number | null;
  created_at: number;
}

export interface CredentialsTable {
  id: string;
  user_id: string;
  purpose: string;
  source: string;
  status: string;
  cert_der: string;
  /** JSON array of base64 DER, issuer first. */
  chain: string;
  sha1: string;
  sha256: string;
  serial_hex: string;
  issuer: string;
  subject: string;
  not_before: number;
  not_after: number;
  key_algorithm: string;
  sealed_key_id: string | null;
  ca_id: string | null;
  device_id: string | null;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
  revocation_reason: string | null;
  deleted_at: number | null;
}

export interface CaSerialsTable {
  ca_id: string;
  serial_hex: string;
  created_at: number;
}

export interface ScepChallengesTable {
  id: string;
  user_id: string;
  challenge_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  created_by: string;
}

export interface ScepTransactionsTable {
  transaction_id: string;
  signer_thumbprint: string;
  created_at: number;
}
