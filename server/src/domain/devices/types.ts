import type { PushSubscriptionRecord } from '../../ports.ts';

/** An enrolled (or retired) device of a user. Keys are SPKI DER, base64. */
export interface Device {
  id: string;
  userId: string;
  platform: string;
  name: string;
  status: 'enrolled' | 'retired';
  identityKey: string;
  transportKey: string;
  push: { endpoint: string; p256dh: string; auth: string; updatedAt: Date } | null;
  enrolledAt: Date;
  lastSeenAt: Date | null;
  retiredAt: Date | null;
}

export interface EnrollmentCodeRecord {
  id: string;
  userId: string;
  codeHash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  createdBy: string;
}

export interface NewDevice {
  id: string;
  userId: string;
  platform: string;
  name: string;
  identityKey: string;
  transportKey: string;
}

export interface PushKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Device storage, implemented by store/device-repo.ts on SQLite and PostgreSQL. */
export interface DeviceRepo {
  createEnrollmentCode(code: EnrollmentCodeRecord): Promise<void>;
  findEnrollmentCode(codeHash: string): Promise<EnrollmentCodeRecord | null>;
  /** Marks the code used; false when it was used already (a concurrent enrollment won). */
  markCodeUsed(id: string, now: Date): Promise<boolean>;
  createDevice(device: NewDevice, now: Date): Promise<Device>;
  getDevice(id: string): Promise<Device | null>;
  listDevices(userId: string): Promise<Device[]>;
  /** False when the device does not exist or was retired already. */
  retire(id: string, now: Date): Promise<boolean>;
  touch(id: string, now: Date): Promise<void>;
  createNonce(input: { id: string; deviceId: string; nonceHash: string; expiresAt: Date }, now: Date): Promise<void>;
  /** Uses the nonce once: true only for an unused, unexpired nonce of this device. */
  consumeNonce(deviceId: string, nonceHash: string, now: Date): Promise<boolean>;
  createSession(input: { id: string; deviceId: string; tokenHash: string; expiresAt: Date }, now: Date): Promise<void>;
  findSession(tokenHash: string): Promise<{ deviceId: string; tokenHash: string; expiresAt: Date } | null>;
  deleteSessionsOf(deviceId: string): Promise<void>;
  /** Drops expired nonces and sessions (housekeeping; returns rows removed). */
  purgeExpired(now: Date): Promise<number>;
  setPush(deviceId: string, push: PushKeys | null, now: Date): Promise<void>;
  /** Live subscriptions of the user's enrolled devices (what the push channel sends to). */
  pushSubscriptionsOf(userId: string): Promise<PushSubscriptionRecord[]>;
}
