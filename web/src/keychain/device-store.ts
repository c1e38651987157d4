import { idbDelete, idbGet, idbPut } from './idb.ts';

/** This device's enrollment: its id, owner and the two non-extractable key pairs. */
export interface DeviceRecord {
  deviceId: string;
  email: string;
  name: string;
  enrolledAt: string;
  /** ECDSA P-256: signs session nonces. */
  identity: CryptoKeyPair;
  /** ECDH P-256: opens key envelopes the server seals to this device. */
  transport: CryptoKeyPair;
}

const KEY = 'current';

export const loadDevice = () => idbGet<DeviceRecord>('device', KEY);
export const saveDevice = (record: DeviceRecord) => idbPut('device', record, KEY);
export const forgetDevice = () => idbDelete('device', KEY);
