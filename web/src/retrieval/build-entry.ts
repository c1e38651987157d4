import { fromBase64 } from '../../../shared/pki/bytes.ts';
import { parseCertificate } from '../../../shared/pki/certificate-info.ts';
import type { Credential } from '../../../shared/schemas/bundle.ts';
import { openEnvelopeToKey } from '../../../shared/smime/key-envelope.ts';
import type { KeychainEntry, KeychainPurpose } from '../keychain/certificate-store.ts';

/** WebCrypto import parameters for a signing key of this certificate key algorithm. */
export function signingAlgorithmFor(keyAlgorithm: string): RsaHashedImportParams | EcKeyImportParams {
  return keyAlgorithm.startsWith('EC-') ? { name: 'ECDSA', namedCurve: keyAlgorithm.slice(3).replace('P', 'P-') } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

/** The keychain's description of a certificate (everything but the key). */
export async function describeCertificate(der: Uint8Array): Promise<Omit<KeychainEntry, 'purpose' | 'source' | 'chain' | 'privateKey' | 'envelope' | 'deviceId' | 'storedAt'>> {
  const info = await parseCertificate(der);
  return {
    thumbprint: info.sha256,
    sha1: info.sha1,
    certificate: der,
    subject: info.subject,
    issuer: info.issuer,
    serialHex: info.serialHex,
    emails: info.emails,
    keyAlgorithm: info.keyAlgorithm,
    keyUsage: info.keyUsage ? Object.entries(info.keyUsage).filter(([, on]) => on).map(([name]) => name) : [],
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
  };
}

/**
 * Turns a bundle credential into a keychain entry: opens its envelope straight into a
 * non-extractable key (proving the envelope is for this device before anything is stored) and
 * keeps the envelope of encryption keys for PKCS#1 v1.5 mail.
 */
export async function entryFromCredential(credential: Credential, deviceId: string, transportKey: CryptoKey): Promise<KeychainEntry> {
  const der = fromBase64(credential.certificate);
  const described = await describeCertificate(der);
  if (described.thumbprint !== credential.thumbprint) throw new Error('the certificate does not match its thumbprint');
  const encryption = credential.purpose === 'smimeEncryption';
  const keyAlgorithm = encryption ? ({ name: 'RSA-OAEP', hash: 'SHA-256' } as const) : signingAlgorithmFor(described.keyAlgorithm);
  const privateKey = await openEnvelopeToKey({
    envelope: credential.envelope,
    devicePrivateKey: transportKey,
    deviceId,
    thumbprint: credential.thumbprint,
    keyAlgorithm,
    keyUsages: encryption ? ['decrypt'] : ['sign'],
  });
  const purpose: KeychainPurpose = encryption ? 'encryption' : 'signing';
  return {
    ...described,
    purpose,
    source: credential.source,
    chain: credential.chain.map(fromBase64),
    privateKey,
    envelope: encryption ? credential.envelope : null,
    deviceId,
    storedAt: new Date().toISOString(),
  };
}
