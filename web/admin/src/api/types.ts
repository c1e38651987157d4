/** Shapes of the admin API responses the console reads (see /api/openapi.json). */
export interface SessionInfo {
  admin: { name: string; scopes: string[] };
  csrfToken: string;
  expiresAt: string;
}
export interface Overview {
  users: number;
  enrolledDevices: number;
  expiringSoon: number;
  expiringWithinDays: number;
  campaignsRunning: number;
}
export interface User {
  id: string;
  email: string;
  displayName: string | null;
  locale: string | null;
  createdAt: string;
}
export interface Page<T> {
  items: T[];
  next: string | null;
}
export interface Group {
  id: string;
  name: string;
  memberCount: number;
}
export interface Device {
  id: string;
  name: string;
  platform: string;
  status: 'enrolled' | 'retired';
  enrolledAt: string;
  lastSeenAt: string | null;
  push: { endpoint: string } | null;
}
export interface Credential {
  id: string;
  purpose: 'smimeEncryption' | 'smimeSigning' | 'both';
  source: string;
  status: 'active' | 'superseded' | 'revoked' | 'deleted';
  current: boolean;
  serialHex: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  escrowed: boolean;
  revokedAt: string | null;
  revocationReason: string | null;
}
export interface PolicySettings {
  enabled: boolean;
  deployCertificates: boolean;
  signing: { profileType: 'scep' | 'importedPkcs' | 'derivedCredential'; keyAlgorithm: 'RSA-2048' | 'EC-P256'; renewalThreshold: number };
  encryption: { profileType: 'importedPkcs' | 'derivedCredential'; allowExport: boolean };
  notification: 'push' | 'email' | 'pushThenEmail';
  signAll: boolean;
  signAllUserChangeAllowed: boolean;
  encryptAll: boolean;
  encryptAllUserChangeAllowed: boolean;
}
export interface Policy {
  id: string;
  name: string;
  settings: PolicySettings;
  assignments: { groupId: string; groupName: string; mode: 'include' | 'exclude' }[];
  targetCount?: number;
}
export interface Campaign {
  id: string;
  policyId: string | null;
  kind: string;
  channel: 'push' | 'email' | 'pushThenEmail';
  status: 'running' | 'paused' | 'cancelled' | 'done';
  total: number;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
}
export interface Progress {
  total: number;
  states: Record<string, number>;
  funnel: { sent: number; opened: number; retrieved: number };
}
export interface Recipient {
  id: string;
  email: string | null;
  channel: string;
  state: string;
  reason: string | null;
  attempts: number;
  lastError: string | null;
}
export interface CaStatus {
  id: string;
  subject: string;
  keyAlgorithm: string;
  source: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  crl: { number: number; thisUpdate: string | null; nextUpdate: string | null; revokedCount: number };
  issued: { id: string; userEmail: string; serialHex: string; subject: string; purpose: string; status: string; notBefore: string; notAfter: string; revokedAt: string | null }[];
}
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}
