/**
 * Test support: the two signature AlgorithmIdentifiers of a certificate or CRL (the one inside
 * the signed part and the outer one), and the form without NULL parameters that our RSA
 * certificates, CA certificates and CRLs carried before RFC 4055 §5 was followed.
 */
import { type KeyObject, sign } from 'node:crypto';
import { children, der, encoding, expectTag, readRoot, seq } from '../scep/der.ts';
import { toHex } from '../x509-builders.ts';

/** SEQUENCE { sha256WithRSAEncryption, NULL } (RFC 4055 §5, RFC 8017 A.2.4). */
export const SHA256_WITH_RSA_NULL = '300d06092a864886f70d01010b0500';
/** SEQUENCE { sha256WithRSAEncryption }: what pkijs wrote, and what earlier certificates carry. */
export const SHA256_WITH_RSA_BARE = '300b06092a864886f70d01010b';
/** SEQUENCE { ecdsa-with-SHA256 }, parameters absent (RFC 5758 §3.2). */
export const ECDSA_WITH_SHA256 = '300a06082a8648ce3d040302';

/**
 * Hex of the `signature` field of a TBSCertificate / TBSCertList (its first SEQUENCE: a
 * certificate's version is [0] and its serial an INTEGER, a CRL's version an INTEGER) and of the
 * outer signatureAlgorithm.
 */
export function signatureAlgorithmsOf(signedDer: Uint8Array): { tbs: string; outer: string } {
  const [tbs, outer] = children(expectTag(readRoot(signedDer), 0x30, 'signed object'));
  const inner = children(expectTag(tbs, 0x30, 'to be signed')).find((field) => field.tag === 0x30);
  return { tbs: toHex(encoding(expectTag(inner, 0x30, 'signature'))), outer: toHex(encoding(expectTag(outer, 0x30, 'signatureAlgorithm'))) };
}

/**
 * The same RSA-signed certificate or CRL with `SEQUENCE { OID }` (no NULL) in both places,
 * re-signed with `issuerKey`: a certificate as we issued it before the NULL was added.
 */
export function withoutRsaNull(signedDer: Uint8Array, issuerKey: KeyObject): Uint8Array {
  const bare = Buffer.from(SHA256_WITH_RSA_BARE, 'hex');
  const [tbs] = children(expectTag(readRoot(signedDer), 0x30, 'signed object'));
  const fields = children(expectTag(tbs, 0x30, 'to be signed')).map((field) => encoding(field));
  const at = fields.findIndex((field) => toHex(field) === SHA256_WITH_RSA_NULL);
  if (at < 0) throw new Error('the signed object has no sha256WithRSAEncryption with NULL to remove');
  fields[at] = bare;
  const legacyTbs = seq(...fields);
  return seq(legacyTbs, bare, der(0x03, new Uint8Array([0]), sign('sha256', legacyTbs, issuerKey)));
}
