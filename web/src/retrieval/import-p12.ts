import { extractIdentities } from '../../../shared/pki/pkcs12-identity.ts';
import { sealToDevice } from '../../../shared/smime/key-envelope.ts';
import { type KeychainEntry, type KeychainPurpose, putCertificate } from '../keychain/certificate-store.ts';
import type { DeviceRecord } from '../keychain/device-store.ts';
import { describeCertificate, signingAlgorithmFor } from './build-entry.ts';

function purposeOf(keyUsage: string[]): KeychainPurpose {
  if (keyUsage.length === 0) return 'both';
  const encrypts = keyUsage.includes('keyEncipherment') || keyUsage.includes('keyAgreement');
  const signs = keyUsage.includes('digitalSignature') || keyUsage.includes('nonRepudiation');
  return encrypts && signs ? 'both' : encrypts ? 'encryption' : 'signing';
}

/**
 * Imports a .p12 (the "mail the certificate to yourself" path) into the keychain as
 * user-imported credentials. The private key becomes a non-extractable CryptoKey; an encryption
 * key is also sealed to this device's own transport key, like delivered keys, so PKCS#1 v1.5
 * mail opens. The PKCS#8 bytes are zeroed at once. Throws PkiError for unreadable files.
 */
export async function importPkcs12File(record: DeviceRecord, bytes: Uint8Array, password: string): Promise<KeychainEntry[]> {
  const identities = await extractIdentities(bytes, password);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', record.transport.publicKey));
  const out: KeychainEntry[] = [];
  try {
    for (const identity of identities) {
      const described = await describeCertificate(identity.certificate);
      const purpose = purposeOf(described.keyUsage);
      const pkcs8 = identity.privateKeyPkcs8;
      const envelope =
        purpose === 'signing' ? null : await sealToDevice({ deviceId: record.deviceId, thumbprint: described.thumbprint, devicePublicKeySpki: spki, privateKeyPkcs8: pkcs8 });
      const privateKey =
        purpose === 'encryption'
          ? await crypto.subtle.importKey('pkcs8', pkcs8.slice(), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt'])
          : await crypto.subtle.importKey('pkcs8', pkcs8.slice(), signingAlgorithmFor(described.keyAlgorithm), false, ['sign']);
      const entry: KeychainEntry = { ...described, purpose, source: 'userImported', chain: identity.chain, privateKey, envelope, deviceId: record.deviceId, storedAt: new Date().toISOString() };
      await putCertificate(entry);
      out.push(entry);
    }
  } finally {
    for (const identity of identities) identity.privateKeyPkcs8.fill(0);
  }
  return out;
}

