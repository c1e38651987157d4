/**
 * The SCEP CertRep reply (RFC 8894 §3.3.2), signed by the CA with SHA-256.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CaSigner } from '../ca.ts';
import { toBytes } from '../x509-builders.ts';
import { type ContentCipher, sealEnvelope } from './envelope.ts';
import { CMS_OID, FAIL_INFO, type FailInfo, MESSAGE_TYPE, PKI_STATUS, SCEP_OID, type ScepReplyContext } from './scep-constants.ts';

export type CertRepOutcome =
  | {
      status: 'success';
      /** The issued certificate, returned in a degenerate certs-only SignedData. */
      certificateDer: Uint8Array;
      /** The requester's signer certificate: the reply is encrypted to its key. */
      recipient: pkijs.Certificate;
      /** The cipher the request used; AES sizes are mirrored, anything else gets AES-256. */
      requestCipher: ContentCipher;
    }
  | { status: 'failure'; failInfo: FailInfo };

/** Builds a CertRep: SUCCESS with the enveloped certificate, or FAILURE with failInfo. */
export async function buildCertRep(
  ca: CaSigner,
  context: ScepReplyContext,
  outcome: CertRepOutcome,
): Promise<Uint8Array> {
  // A FAILURE carries no pkcsPKIEnvelope: eContent is left out (an empty OCTET STRING makes
  // scepclient 2.1.0 fail with "sequence truncated"); the digest is then that of no bytes.
  let content: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  if (outcome.status === 'success') {
    const cipher =
      outcome.requestCipher === 'aes-128-cbc' || outcome.requestCipher === 'aes-192-cbc'
        ? outcome.requestCipher
        : 'aes-256-cbc';
    content = toBytes(sealEnvelope(degenerateSignedData(outcome.certificateDer), outcome.recipient, cipher));
  }
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', content));
  const attributes = [
    attribute(CMS_OID.contentType, new asn1js.ObjectIdentifier({ value: CMS_OID.data })),
    attribute(CMS_OID.messageDigest, new asn1js.OctetString({ valueHex: digest })),
    attribute(SCEP_OID.messageType, new asn1js.PrintableString({ value: String(MESSAGE_TYPE.CertRep) })),
    attribute(SCEP_OID.transactionId, new asn1js.PrintableString({ value: context.transactionId })),
    attribute(SCEP_OID.senderNonce, new asn1js.OctetString({ valueHex: globalThis.crypto.getRandomValues(new Uint8Array(16)) })),
    attribute(SCEP_OID.recipientNonce, new asn1js.OctetString({ valueHex: toBytes(context.senderNonce) })),
  ];
  if (outcome.status === 'success') {
    attributes.push(attribute(SCEP_OID.pkiStatus, new asn1js.PrintableString({ value: String(PKI_STATUS.SUCCESS) })));
  } else {
    attributes.push(
      attribute(SCEP_OID.pkiStatus, new asn1js.PrintableString({ value: String(PKI_STATUS.FAILURE) })),
      attribute(SCEP_OID.failInfo, new asn1js.PrintableString({ value: String(FAIL_INFO[outcome.failInfo]) })),
    );
  }
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: CMS_OID.data,
      ...(outcome.status === 'success' ? { eContent: new asn1js.OctetString({ valueHex: content }) } : {}),
    }),
    certificates: [ca.certificate],
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: ca.certificate.issuer,
          serialNumber: ca.certificate.serialNumber,
        }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: derSorted(attributes) }),
      }),
    ],
  });
  await signed.sign(ca.signingKey, 0, 'SHA-256', undefined, ca.engine);
  const info = new pkijs.ContentInfo({ contentType: CMS_OID.signedData, content: signed.toSchema(true) });
  return toBytes(info.toSchema().toBER(false));
}

/**
 * DER requires SET OF elements in byte order. pkijs signs the attributes in the order given,
 * while verifiers such as Go's pkcs7 (scepclient) re-encode them sorted: unsorted would fail.
 */
function derSorted(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  const encoded = attributes.map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }));
  encoded.sort((x, y) => compareBytes(x.der, y.der));
  return encoded.map((e) => e.a);
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** A certs-only SignedData (no signers) holding the issued certificate. */
function degenerateSignedData(certificateDer: Uint8Array): Uint8Array {
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: CMS_OID.data }),
    certificates: [pkijs.Certificate.fromBER(toBytes(certificateDer))],
    signerInfos: [],
  });
  const info = new pkijs.ContentInfo({ contentType: CMS_OID.signedData, content: signed.toSchema(true) });
  return toBytes(info.toSchema().toBER(false));
}
