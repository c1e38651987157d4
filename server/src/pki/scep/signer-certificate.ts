/**
 * The requester's certificate of a SCEP pkiMessage, read with node:crypto plus the few raw DER
 * fields a reply needs (its IssuerAndSerialNumber names the recipient of the CertRep envelope).
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import { children, DerError, encoding, expectTag, oid, readRoot } from './der.ts';

export interface SignerCertificate {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  readonly publicKey: KeyObject;
  /** DER of the SubjectPublicKeyInfo. */
  readonly spkiDer: Uint8Array;
  /** OID of the subject public key algorithm. */
  readonly keyAlgorithm: string;
  /** DER of the issuer Name. */
  readonly issuerDer: Uint8Array;
  /** DER of the serialNumber INTEGER. */
  readonly serialDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Reads a certificate; throws DerError when it is not one. */
export function readSignerCertificate(der: Uint8Array): SignerCertificate {
  const tbs = children(expectTag(children(expectTag(readRoot(der), 0x30, 'certificate'))[0], 0x30, 'tbsCertificate'));
  const at = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const serial = expectTag(tbs[at], 0x02, 'serialNumber');
  const issuer = expectTag(tbs[at + 2], 0x30, 'issuer');
  const spki = expectTag(tbs[at + 5], 0x30, 'subjectPublicKeyInfo');
  const keyAlgorithm = oid(expectTag(children(expectTag(children(spki)[0], 0x30, 'algorithm'))[0], 0x06, 'algorithm'));
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    throw new DerError('certificate does not parse');
  }
  return {
    der,
    x509,
    publicKey: x509.publicKey,
    spkiDer: encoding(spki),
    keyAlgorithm,
    issuerDer: encoding(issuer),
    serialDer: encoding(serial),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
}
