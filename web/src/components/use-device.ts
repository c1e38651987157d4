import { useEffect, useState } from 'preact/hooks';
import { type DeviceRecord, loadDevice } from '../keychain/device-store.ts';

/** This device's record from IndexedDB: undefined while loading, null when not enrolled. */
export function useDeviceRecord(): [DeviceRecord | null | undefined, (r: DeviceRecord | null) => void] {
  const [record, setRecord] = useState<DeviceRecord | null | undefined>(undefined);
  useEffect(() => {
    loadDevice().then(
      (r) => setRecord(r ?? null),
      (error: unknown) => {
        console.error('reading the device record failed', error);
        setRecord(null);
      },
    );
  }, []);
  return [record, setRecord];
}
