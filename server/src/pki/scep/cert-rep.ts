/**
 * The SCEP CertRep reply (RFC 8894 §3.3.2), signed by the RA with SHA-256. Written directly as
 * DER (it is a fixed shape) and signed with node:crypto in the thread pool, so the event loop
 * keeps serving other enrollments meanwhile.
 */
import { createHash, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { der, NULL, octets, oidDer, printable, seq, set, setOf, smallInt } from './der.ts';
import { type ContentCipher, sealEnvelope } from './envelope.ts';
import type { ScepRa } from './ra-certificate.ts';
import { CMS_OID, FAIL_INFO, type FailInfo, MESSAGE_TYPE, PKI_STATUS, SCEP_OID, type ScepReplyContext } from './scep-constants.ts';
import type { SignerCertificate } from './signer-certificate.ts';

const signAsync = promisify(sign);

export type CertRepOutcome =
  | {
      status: 'success';
      /** The issued certificate, returned in a degenerate certs-only SignedData. */
      certificateDer: Uint8Array;
      /** The requester's signer certificate: the reply is encrypted to its key. */
      recipient: SignerCertificate;
      /** The cipher the request used; AES sizes are mirrored, anything else gets AES-256. */
      requestCipher: ContentCipher;
    }
  | { status: 'failure'; failInfo: FailInfo };

/**
 * Builds a CertRep: SUCCESS with the enveloped certificate, or FAILURE with failInfo. Signed by
 * `ra`; `certificates` (the RA's, then the CA's) travel in the SignedData so that a client can
 * build the path from the signer to the CA it trusts.
 */
export async function buildCertRep(ra: ScepRa, certificates: readonly Uint8Array[], context: ScepReplyContext, outcome: CertRepOutcome): Promise<Uint8Array> {
  // A FAILURE carries no pkcsPKIEnvelope, but eContent stays, as an empty OCTET STRING (so the
  // digest is that of no bytes): OpenSSL's PKCS7_verify (certmonger) refuses a SignedData
  // without content ("no content"), and scepclient 2.1.0 reads the empty OCTET STRING fine — it
  // is an empty [0] with no OCTET STRING inside that it cannot parse.
  let content = new Uint8Array(0);
  if (outcome.status === 'success') {
    const cipher =
      outcome.requestCipher === 'aes-128-cbc' || outcome.requestCipher === 'aes-192-cbc' ? outcome.requestCipher : 'aes-256-cbc';
    content = new Uint8Array(sealEnvelope(degenerateSignedData(outcome.certificateDer), outcome.recipient, cipher));
  }
  const attributes = [
    attribute(CMS_OID.contentType, oidDer(CMS_OID.data)),
    attribute(CMS_OID.messageDigest, octets(createHash('sha256').update(content).digest())),
    attribute(SCEP_OID.messageType, printable(String(MESSAGE_TYPE.CertRep))),
    attribute(SCEP_OID.transactionId, printable(context.transactionId)),
    attribute(SCEP_OID.senderNonce, octets(randomBytes(16))),
    attribute(SCEP_OID.recipientNonce, octets(context.senderNonce)),
  ];
  if (outcome.status === 'success') {
    attributes.push(attribute(SCEP_OID.pkiStatus, printable(String(PKI_STATUS.SUCCESS))));
  } else {
    attributes.push(
      attribute(SCEP_OID.pkiStatus, printable(String(PKI_STATUS.FAILURE))),
      attribute(SCEP_OID.failInfo, printable(String(FAIL_INFO[outcome.failInfo]))),
    );
  }
  // DER: SET OF sorted by encoding; Go's pkcs7 (scepclient) re-encodes sorted before verifying.
  const signedAttrs = setOf(attributes);
  const signature = await signAsync('sha256', signedAttrs, ra.keyObject);
  const sha256 = seq(oidDer(CMS_OID.sha256), NULL);
  const signerInfo = seq(
    smallInt(1),
    ra.issuerAndSerialDer,
    sha256,
    der(0xa0, signedAttrs.subarray(signedAttrs[1]! & 0x80 ? 2 + (signedAttrs[1]! & 0x7f) : 2)),
    seq(oidDer(CMS_OID.rsaEncryption), NULL),
    octets(signature),
  );
  const encap = seq(oidDer(CMS_OID.data), der(0xa0, octets(content)));
  const signed = seq(smallInt(1), set(sha256), encap, der(0xa0, ...certificates), set(signerInfo));
  return seq(oidDer(CMS_OID.signedData), der(0xa0, signed));
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return seq(oidDer(type), set(value));
}

/**
 * A degenerate certs-only SignedData (no signers): the issued certificate in a CertRep, and the
 * RA + CA certificates of GetCACert (RFC 8894 §4.2.1.2).
 */
export function degenerateSignedData(...certificates: Uint8Array[]): Uint8Array {
  const signed = seq(smallInt(1), set(), seq(oidDer(CMS_OID.data)), der(0xa0, ...certificates), set());
  return seq(oidDer(CMS_OID.signedData), der(0xa0, signed));
}
