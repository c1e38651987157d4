/**
 * Issues an end-entity S/MIME certificate from the built-in CA.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../errors.ts';
import type { CaSigner } from './ca.ts';
import { type CertPurpose, profileFor, subjectKeyType } from './profiles.ts';
import { assertValidSerial, randomSerial } from './serial.ts';
import {
  buildExtension,
  buildKeyUsage,
  buildName,
  buildTime,
  computeKeyIdentifier,
  OID,
  toBytes,
} from './x509-builders.ts';

export interface IssueCertificateRequest {
  /** Subject public key (SubjectPublicKeyInfo DER) from a CSR or a server-generated key. */
  spkiDer: Uint8Array;
  /** The user's mailbox, bound in SAN rfc822Name (whatever a CSR may have asked for). */
  email: string;
  displayName?: string | null | undefined;
  purpose: CertPurpose;
  notBefore: Date;
  notAfter: Date;
  /** Defaults to 16 random bytes; the store enforces uniqueness too. */
  serial?: Uint8Array | undefined;
  crlUrl: string;
  /** Also put the mailbox in the subject as emailAddress (legacy clients read it). Default true. */
  subjectEmailAddress?: boolean | undefined;
}

// Deliberately strict: ASCII mailbox only (SmtpUTF8Mailbox would need otherName, RFC 8398).
const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * Builds and signs the certificate: subject CN = display name or email, SAN rfc822Name = email,
 * key usage per purpose profile (critical), EKU emailProtection, AKI/SKI, CRL distribution point,
 * basicConstraints CA:false. Returns the certificate DER.
 */
export async function issueCertificate(ca: CaSigner, request: IssueCertificateRequest): Promise<Uint8Array> {
  if (!EMAIL_PATTERN.test(request.email) || request.email.length > 254) {
    throw new AppError('validation_failed', 'email is not a valid ASCII mailbox');
  }
  if (!(request.notBefore.getTime() < request.notAfter.getTime())) {
    throw new AppError('validation_failed', 'notBefore must be before notAfter');
  }
  if (!/^https?:\/\/\S+$/.test(request.crlUrl)) {
    throw new AppError('validation_failed', 'crlUrl must be an http(s) URL');
  }
  const serial = request.serial ?? randomSerial();
  assertValidSerial(serial);

  const { spki, keyType } = checkSubjectKey(request.spkiDer);
  const profile = profileFor(request.purpose, keyType);

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: toBytes(serial).buffer as ArrayBuffer });
  cert.issuer = ca.certificate.subject;
  const displayName = request.displayName?.trim();
  cert.subject = buildName({
    commonName: displayName || request.email,
    emailAddress: request.subjectEmailAddress === false ? undefined : request.email,
  });
  cert.notBefore = buildTime(request.notBefore);
  cert.notAfter = buildTime(request.notAfter);
  cert.subjectPublicKeyInfo = spki;
  const ski = await computeKeyIdentifier(spki);
  const san = new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 1, value: request.email })] });
  const crlDp = new pkijs.CRLDistributionPoints({
    distributionPoints: [
      new pkijs.DistributionPoint({
        distributionPoint: [new pkijs.GeneralName({ type: 6, value: request.crlUrl })],
      }),
    ],
  });
  cert.extensions = [
    buildExtension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false })),
    buildExtension(OID.keyUsage, true, buildKeyUsage(profile.keyUsage)),
    buildExtension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [...profile.extKeyUsage] })),
    buildExtension(OID.subjectAltName, false, san),
    buildExtension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: ski })),
    buildExtension(
      OID.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: ca.subjectKeyIdentifier }),
      }),
    ),
    buildExtension(OID.crlDistributionPoints, false, crlDp),
  ];
  await cert.sign(ca.signingKey, 'SHA-256', ca.engine);
  return toBytes(cert.toSchema(true).toBER(false));
}

/**
 * Parses a SubjectPublicKeyInfo and checks it is a key we certify (RSA ≥ 2048, EC P-256/P-384).
 * Exported so that SCEP can refuse a request before consuming its challenge.
 */
export function checkSubjectKey(spkiDer: Uint8Array): { spki: pkijs.PublicKeyInfo; keyType: 'rsa' | 'ec' } {
  let spki: pkijs.PublicKeyInfo;
  try {
    spki = pkijs.PublicKeyInfo.fromBER(toBytes(spkiDer));
  } catch (cause) {
    throw new AppError('csr_invalid', 'subject public key is not a valid SubjectPublicKeyInfo', { cause });
  }
  const keyType = subjectKeyType(spki.algorithm.algorithmId);
  assertKeyStrength(spki, keyType);
  return { spki, keyType };
}

/** RSA below 2048 bits and curves other than P-256/P-384 are refused. */
function assertKeyStrength(spki: pkijs.PublicKeyInfo, keyType: 'rsa' | 'ec'): void {
  if (keyType === 'rsa') {
    const parsed = spki.parsedKey;
    const modulus = parsed instanceof pkijs.RSAPublicKey ? parsed.modulus.valueBlock.valueHexView : undefined;
    const bytes = modulus ? (modulus[0] === 0 ? modulus.length - 1 : modulus.length) : 0;
    if (bytes * 8 < 2048) throw new AppError('csr_invalid', 'RSA keys must be at least 2048 bits');
    return;
  }
  const params = spki.algorithm.algorithmParams;
  const curve = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '';
  if (curve !== '1.2.840.10045.3.1.7' && curve !== '1.3.132.0.34') {
    throw new AppError('csr_invalid', 'EC keys must be on P-256 or P-384');
  }
}
