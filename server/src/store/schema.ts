import type { Generated } from 'kysely';
import type { CaSerialsTable, CertificateAuthoritiesTable, CredentialsTable, ScepChallengesTable, ScepTransactionsTable, SealedKeysTable } from './credential-tables.ts';

/**
 * The database as Kysely sees it. Portable on SQLite and PostgreSQL: ids are text (UUIDv7, so
 * they sort by creation), times are integer epoch milliseconds, booleans 0/1, JSON as text.
 * Later areas add their tables in their own migration and their own interface below.
 */
export interface UsersTable {
  id: string;
  email: string;
  display_name: string | null;
  locale: string | null;
  created_at: number;
  updated_at: number;
}

export interface GroupsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface DevicesTable {
  id: string;
  user_id: string;
  platform: string;
  name: string;
  status: 'enrolled' | 'retired';
  /** SPKI DER (base64) of the device's ECDSA P-256 identity key. */
  identity_key: string;
  /** SPKI DER (base64) of the device's ECDH P-256 transport key. */
  transport_key: string;
  push_endpoint: string | null;
  push_p256dh: string | null;
  push_auth: string | null;
  push_updated_at: number | null;
  enrolled_at: number;
  last_seen_at: number | null;
  retired_at: number | null;
}

export interface EnrollmentCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  created_by: string;
}

export interface PoliciesTable {
  id: string;
  name: string;
  /** PolicySettings as JSON. */
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface PolicyAssignmentsTable {
  policy_id: string;
  group_id: string;
  mode: 'include' | 'exclude';
}

export interface AdminTokensTable {
  id: string;
  name: string;
  token_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  /** JSON object; never a secret. */
  details: string | null;
}

export interface KvTable {
  key: string;
  value: string;
}

export interface CampaignsTable {
  id: string;
  /** Null for the automatic "new certificates" campaigns. */
  policy_id: string | null;
  kind: 'retrieve' | 'newCertificates';
  channel: 'push' | 'email' | 'pushThenEmail';
  status: 'running' | 'paused' | 'cancelled' | 'done';
  total: number;
  created_by: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** One recipient of a campaign; the id is the opaque `r` of the retrieval link. */
export interface DeliveriesTable {
  id: string;
  campaign_id: string;
  user_id: string;
  /** The channel of the next send (pushThenEmail rows switch from push to email). */
  channel: 'push' | 'email';
  kind: 'retrieve' | 'reminder' | 'newCertificates';
  state: 'pending' | 'sending' | 'sent' | 'opened' | 'retrieved' | 'failed' | 'skipped';
  reason: string | null;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  leased_by: string | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  opened_at: number | null;
  retrieved_at: number | null;
  reminders_sent: number;
}

export interface RateLimitsTable {
  channel: string;
  slot: number;
  used: number;
  granted: number;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  devices: DevicesTable;
  enrollment_codes: EnrollmentCodesTable;
  policies: PoliciesTable;
  policy_assignments: PolicyAssignmentsTable;
  admin_tokens: AdminTokensTable;
  audit_log: AuditLogTable;
  kv: KvTable;
  campaigns: CampaignsTable;
  deliveries: DeliveriesTable;
  rate_limits: RateLimitsTable;
  device_nonces: DeviceNoncesTable;
  device_sessions: DeviceSessionsTable;
  admin_sessions: AdminSessionsTable;
  sealed_keys: SealedKeysTable;
  certificate_authorities: CertificateAuthoritiesTable;
  credentials: CredentialsTable;
  ca_serials: CaSerialsTable;
  scep_challenges: ScepChallengesTable;
  scep_transactions: ScepTransactionsTable;
  attempt_windows: AttemptWindowsTable;
}

/** A rate limiter's counter: one fixed window per (scope, hashed key). */
export interface AttemptWindowsTable {
  scope: string;
  key_hash: string;
  window_start: number;
  count: number;
}

/** Single-use nonces a device signs to open a session (hash only). */
export interface DeviceNoncesTable {
  id: string;
  device_id: string;
  nonce_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Short-lived device sessions (hash of the bearer token only). */
export interface DeviceSessionsTable {
  id: string;
  device_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
}

/** Admin console sessions (hash of the session secret only). */
export interface AdminSessionsTable {
  id: string;
  token_id: string;
  session_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

// Keep Generated importable for later tables with database-made columns.
export type { Generated };
