import type { BundlePolicy } from '../../../shared/schemas/bundle.ts';
import { type KeychainEntry, isSigning, validNow } from '../keychain/certificate-store.ts';

/**
 * This device's own SCEP-type signing certificate that still serves: issued to this device,
 * valid now and not past the policy's renewal threshold (share of its lifetime). Null means
 * the device must make a key and ask for a (new) certificate.
 */
export function usableDeviceSigning(entries: KeychainEntry[], deviceId: string, policy: BundlePolicy, now = Date.now()): KeychainEntry | null {
  const threshold = policy.signing.renewalThreshold;
  return (
    entries.find((e) => {
      if (!isSigning(e) || e.source !== 'scep' || e.deviceId !== deviceId || !validNow(e, now)) return false;
      const start = Date.parse(e.notBefore);
      const life = Date.parse(e.notAfter) - start;
      return life > 0 && (now - start) / life < threshold;
    }) ?? null
  );
}

/** A non-extractable signing key pair as the policy asks (RSA-2048 or ECDSA P-256). */
export async function makeSigningKeys(keyAlgorithm: BundlePolicy['signing']['keyAlgorithm']): Promise<CryptoKeyPair> {
  const params: RsaHashedKeyGenParams | EcKeyGenParams =
    keyAlgorithm === 'EC-P256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  return (await crypto.subtle.generateKey(params, false, ['sign', 'verify'])) as CryptoKeyPair;
}
