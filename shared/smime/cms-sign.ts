/**
 * S/MIME signing (RFC 8551): a detached CMS SignedData over the canonical (CRLF) MIME entity,
 * with contentType, signingTime and messageDigest signed attributes, wrapped as
 * multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256.
 */

import { toArrayBuffer } from '../pki/bytes.ts';
import { OID } from '../pki/oids.ts';
import { signatureAlgorithmFor, signData } from '../pki/signature.ts';
import { algorithm, int, octets, oid, seq, setOf, time, tlv } from './der-write.ts';
import { base64Lines, messageHeaders, newBoundary, toCrlf } from './mime.ts';
import { issuerAndSerial } from './issuer-and-serial.ts';
import { SmimeError } from './smime-error.ts';

export const ATTR = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

export interface SignSmimeOptions {
  /** The MIME entity to sign, headers included, e.g. 'Content-Type: text/plain\r\n\r\nhello'. */
  content: string;
  /** Signer certificate DER. */
  certificate: Uint8Array;
  /** Intermediate certificates (DER) to include so verifiers can build the path. */
  chain?: Uint8Array[];
  /** RSASSA-PKCS1-v1_5 (SHA-256) or ECDSA P-256 private key; may be non-extractable. */
  privateKey: CryptoKey;
  from?: string;
  to?: string | string[];
  subject?: string;
  /** Signing time and Date header; defaults to now. */
  date?: Date;
}


/**
 * Builds a detached SignedData (DER) over `data`. SHA-256 throughout; RSA keys must be
 * RSASSA-PKCS1-v1_5 with SHA-256, EC keys ECDSA P-256.
 */
export async function buildDetachedSignature(options: {
  data: Uint8Array;
  certificate: Uint8Array;
  chain?: Uint8Array[];
  privateKey: CryptoKey;
  signingTime: Date;
}): Promise<Uint8Array> {
  let sig: ReturnType<typeof signatureAlgorithmFor>;
  try {
    sig = signatureAlgorithmFor(options.privateKey);
  } catch (cause) {
    throw new SmimeError('smime_bad_input', 'The signing key must be RSASSA-PKCS1-v1_5 or ECDSA.', { cause });
  }
  const keyAlg = options.privateKey.algorithm as RsaHashedKeyAlgorithm & EcKeyAlgorithm;
  if ((keyAlg.name === 'RSASSA-PKCS1-v1_5' && keyAlg.hash.name !== 'SHA-256') || (keyAlg.name === 'ECDSA' && keyAlg.namedCurve !== 'P-256')) {
    throw new SmimeError('smime_bad_input', 'S/MIME signing here uses SHA-256: an RSA key with SHA-256 or an ECDSA P-256 key.');
  }
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', toArrayBuffer(options.data)));
  const attributes = [
    seq(oid(ATTR.contentType), setOf([oid(OID.data)])),
    seq(oid(ATTR.signingTime), setOf([time(options.signingTime)])),
    seq(oid(ATTR.messageDigest), setOf([octets(digest)])),
  ];
  // The signature covers the attributes with the SET OF tag; they travel as [0] IMPLICIT.
  const signedAttrs = setOf(attributes);
  const signature = await signData(options.privateKey, sig.params, signedAttrs);
  const sha256 = algorithm(OID.sha256);
  const signerInfo = seq(
    int(1),
    issuerAndSerial(options.certificate, 'signer'),
    sha256,
    setOf(attributes, 0xa0),
    new Uint8Array(sig.algorithm.toBER(false)),
    octets(signature),
  );
  const certificates = tlv(0xa0, options.certificate, ...(options.chain ?? []));
  const signedData = seq(int(1), setOf([sha256]), seq(oid(OID.data)), certificates, setOf([signerInfo]));
  return seq(oid(OID.signedData), tlv(0xa0, signedData));
}

/**
 * Signs a MIME entity and returns a complete multipart/signed .eml (CRLF line ends) that
 * `openssl cms -verify` and mail clients accept.
 */
export async function signSmime(options: SignSmimeOptions): Promise<string> {
  const date = options.date ?? new Date();
  const entity = toCrlf(options.content);
  if (!/^[!-9;-~]+:/.test(entity)) throw new SmimeError('smime_bad_input', 'The content must be a MIME entity starting with its headers.');
  const der = await buildDetachedSignature({
    data: new TextEncoder().encode(entity),
    certificate: options.certificate,
    chain: options.chain ?? [],
    privateKey: options.privateKey,
    signingTime: date,
  });
  const boundary = newBoundary();
  return [
    ...messageHeaders({ from: options.from, to: options.to, subject: options.subject, date }),
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${boundary}"`,
    '',
    'This is an S/MIME signed message',
    '',
    `--${boundary}`,
    entity,
    `--${boundary}`,
    'Content-Type: application/pkcs7-signature; name="smime.p7s"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7s"',
    '',
    base64Lines(der),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
