/**
 * The CertificateFields of a certificate this CA just issued, without decoding the whole
 * certificate into asn1js objects (and hashing it in JavaScript) as parseCertificate does: only
 * the names, the validity and the key are decoded, the thumbprints come from node:crypto. The
 * values are parseCertificate's (issued-certificate-fields.test.ts compares them).
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { keyAlgorithmOf } from '../../../../shared/pki/certificate-info.ts';
import { type AsnNode, decodeAsn1 } from '../../../../shared/pki/der.ts';
import { formatName } from '../../../../shared/pki/x509-name.ts';
import type { CaSigner } from '../../pki/ca.ts';
import { children, contents, encoding, expectTag, readRoot } from '../../pki/scep/der.ts';
import { toHex } from '../../pki/x509-builders.ts';
import type { CertificateFields } from '../credentials/credential-service.ts';

const decode = (der: Uint8Array): AsnNode => decodeAsn1(der, 'der_invalid', 'The data is not a valid DER certificate.');

// The issuer is the same CA certificate after certificate: its RFC 4514 form is kept per CA.
const issuerNames = new WeakMap<CaSigner, { der: Buffer; text: string }>();

/** Reads the fields a credential row keeps from the DER of a certificate `ca` issued. */
export function issuedCertificateFields(der: Uint8Array, ca: CaSigner): CertificateFields {
  const tbs = children(expectTag(children(expectTag(readRoot(der), 0x30, 'certificate'))[0], 0x30, 'tbsCertificate'));
  const at = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const serial = expectTag(tbs[at], 0x02, 'serialNumber');
  const validity = (decode(encoding(expectTag(tbs[at + 3], 0x30, 'validity'))).valueBlock as { value: AsnNode[] }).value;
  return {
    sha1: createHash('sha1').update(der).digest('hex'),
    sha256: createHash('sha256').update(der).digest('hex'),
    serialHex: toHex(contents(serial)),
    issuer: issuerName(ca, encoding(expectTag(tbs[at + 2], 0x30, 'issuer'))),
    subject: formatName(decode(encoding(expectTag(tbs[at + 4], 0x30, 'subject')))),
    notBefore: dateOf(validity[0]),
    notAfter: dateOf(validity[1]),
    keyAlgorithm: keyAlgorithmOf(decode(encoding(expectTag(tbs[at + 5], 0x30, 'subjectPublicKeyInfo')))),
  };
}

function issuerName(ca: CaSigner, der: Uint8Array): string {
  const known = issuerNames.get(ca);
  if (known?.der.equals(der)) return known.text;
  const text = formatName(decode(der));
  issuerNames.set(ca, { der: Buffer.from(der), text });
  return text;
}

function dateOf(node: AsnNode | undefined): Date {
  if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) return node.toDate();
  throw new Error('the issued certificate has no valid validity period');
}
