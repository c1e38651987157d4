import { writePkcs12 } from '../../../shared/pki/pkcs12-write.ts';
import { openEnvelopeToPkcs8 } from '../../../shared/smime/key-envelope.ts';
import { encryptionHistoryOf, type KeychainEntry } from '../keychain/certificate-store.ts';
import type { DeviceRecord } from '../keychain/device-store.ts';

/**
 * The encryption history as one password-protected PKCS#12 for a native mail client, in the
 * modern (AES-256, PBES2) or the iOS-compatible (3DES, SHA-1 MAC) encoding. Only offered when the
 * policy allows export. Keys come out of their envelopes in memory and are zeroed after writing.
 */
export async function exportHistoryPkcs12(record: DeviceRecord, entries: KeychainEntry[], password: string, encoding: 'aes' | '3des'): Promise<Uint8Array> {
  const history = encryptionHistoryOf(entries).filter((e) => e.envelope);
  if (history.length === 0) throw new Error('there is no encryption history to export');
  const keys: Uint8Array[] = [];
  try {
    for (const e of history) keys.push(await openEnvelopeToPkcs8({ envelope: e.envelope!, devicePrivateKey: record.transport.privateKey, deviceId: e.deviceId, thumbprint: e.thumbprint }));
    return await writePkcs12({
      entries: history.map((e, i) => ({ privateKeyPkcs8: keys[i]!, certificate: e.certificate, chain: e.chain, friendlyName: `${e.emails[0] ?? e.subject} ${e.notBefore.slice(0, 10)}` })),
      password,
      encoding,
    });
  } finally {
    for (const k of keys) k.fill(0);
  }
}
