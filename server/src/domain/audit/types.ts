export interface AuditEntry {
  id: string;
  at: Date;
  /** Who: `admin:<token name>`, `cli`, `device:<id>`, `anonymous@<ip>`, `system`. */
  actor: string;
  action: string;
  target: string | null;
  /** Secret-free detail (never a password, key or token). */
  details: Record<string, unknown> | null;
}

export interface AuditRepo {
  append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  list(filter: { action?: string; actor?: string; target?: string; before?: string; limit: number }): Promise<AuditEntry[]>;
}
