/** One thing the user should do on this device (the PWA's "Notifications" list). */
export type DeviceAction =
  /** Certificates are waiting: a campaign notified the user and the device has not retrieved. */
  | { kind: 'retrieve'; recipientId: string | null; since: Date }
  /** This device's signing certificate passed the policy's renewal threshold. */
  | { kind: 'renewSigning'; thumbprint: string; notAfter: Date }
  /** The current encryption certificate expires within 30 days and has no successor yet. */
  | { kind: 'expiring'; thumbprint: string; notAfter: Date };

/** What the actions are computed from; implemented by store/inbox-repo.ts. */
export interface InboxRepo {
  /** The newest delivery for the user that was sent or opened but not retrieved, if any. */
  pendingDelivery(userId: string): Promise<{ id: string; sentAt: Date } | null>;
}
