/**
 * S/MIME issuance profiles: which key usages each purpose gets for each key type.
 */
import { AppError } from '../errors.ts';
import { type KeyUsageName, OID } from './x509-builders.ts';

export const CERT_PURPOSES = ['smimeSigning', 'smimeEncryption'] as const;
export type CertPurpose = (typeof CERT_PURPOSES)[number];

export type SubjectKeyType = 'rsa' | 'ec';

export interface CertProfile {
  /** Key usage bits, always marked critical. */
  keyUsage: readonly KeyUsageName[];
  /** Extended key usage OIDs. */
  extKeyUsage: readonly string[];
}

/**
 * Signing keys sign and support non-repudiation; encryption keys only carry content keys: RSA
 * by key transport (keyEncipherment), EC by key agreement (keyAgreement). Keeping the purposes
 * apart is what lets an escrowed encryption key never produce a valid signature.
 */
export function profileFor(purpose: CertPurpose, keyType: SubjectKeyType): CertProfile {
  const extKeyUsage = [OID.emailProtection];
  switch (purpose) {
    case 'smimeSigning':
      return { keyUsage: ['digitalSignature', 'nonRepudiation'], extKeyUsage };
    case 'smimeEncryption':
      return { keyUsage: keyType === 'rsa' ? ['keyEncipherment'] : ['keyAgreement'], extKeyUsage };
    default:
      throw new AppError('validation_failed', `unknown certificate purpose ${String(purpose)}`);
  }
}

/** Maps an SPKI algorithm OID to the key type the profiles understand. */
export function subjectKeyType(algorithmOid: string): SubjectKeyType {
  if (algorithmOid === OID.rsaEncryption) return 'rsa';
  if (algorithmOid === OID.ecPublicKey) return 'ec';
  throw new AppError('csr_invalid', `unsupported subject key algorithm ${algorithmOid}`);
}
