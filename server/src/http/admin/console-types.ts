/** Read models (and the one retry write) the admin console needs beyond the area repos. */
export interface OverviewCounts {
  users: number;
  enrolledDevices: number;
  /** Active, unrevoked certificates whose notAfter falls within the window. */
  expiringSoon: number;
  campaignsRunning: number;
}

export interface RecipientRow {
  id: string;
  email: string | null;
  displayName: string | null;
  channel: string;
  state: string;
  reason: string | null;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  openedAt: Date | null;
  retrievedAt: Date | null;
}

export interface IssuedRow {
  id: string;
  userEmail: string;
  serialHex: string;
  subject: string;
  purpose: string;
  status: string;
  notBefore: Date;
  notAfter: Date;
  revokedAt: Date | null;
}

export interface AdminConsoleRepo {
  overview(now: Date, expiringWithinMs: number): Promise<OverviewCounts>;
  /** Failure counts of a campaign by reason (failed and skipped rows). */
  failureReasons(campaignId: string): Promise<{ state: string; reason: string; n: number }[]>;
  recipients(campaignId: string, options: { state?: string; after?: string; limit: number }): Promise<{ items: RecipientRow[]; next: string | null }>;
  /** Puts the campaign's failed rows back in the queue (attempts reset); returns how many. */
  requeueFailed(campaignId: string, now: Date): Promise<number>;
  /** Users in any include group and in no exclude group (exclude wins), by group id. */
  countAudience(include: string[], exclude: string[]): Promise<number>;
  /** Certificates issued by a CA (issued and SCEP), newest first. */
  issuedBy(caId: string, limit: number): Promise<IssuedRow[]>;
}
