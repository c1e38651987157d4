/**
 * Parsing of an incoming SCEP pkiMessage (RFC 8894 §3): CMS SignedData, signed by the requester,
 * wrapping an EnvelopedData encrypted to the CA.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CaSigner } from '../ca.ts';
import { toBytes } from '../x509-builders.ts';
import { type ContentCipher, EnvelopeError, octets, openEnvelope } from './envelope.ts';
import {
  CMS_OID,
  MESSAGE_TYPE,
  SCEP_OID,
  ScepFailure,
  ScepMalformedError,
  type ScepReplyContext,
} from './scep-constants.ts';

/** The PKCS #10 request inside a PKCSReq/RenewalReq, already signature-checked. */
export interface ScepCsr {
  der: Uint8Array;
  spkiDer: Uint8Array;
  /** Subject CN the device asked for (informational: the challenge decides the identity). */
  commonName: string | null;
  challengePassword: string | null;
}

export interface PkiMessage extends ScepReplyContext {
  messageType: number;
  signerCertificate: pkijs.Certificate;
  signerCertificateDer: Uint8Array;
  contentCipher: ContentCipher;
  /** Present for PKCSReq and RenewalReq. */
  csr: ScepCsr | null;
}

export interface ParseOptions {
  allowLegacyDes: boolean;
  rejectionSecret: Uint8Array;
}

/**
 * Parses and authenticates a pkiMessage. Throws ScepMalformedError when the bytes are not a
 * SCEP message (HTTP 400), ScepFailure when a signed FAILURE reply is possible.
 */
export async function parsePkiMessage(ca: CaSigner, der: Uint8Array, options: ParseOptions): Promise<PkiMessage> {
  const signed = parseSignedData(der);
  const signerInfo = signed.signerInfos[0]!;
  const context = readContext(signerInfo);
  const messageType = Number(readString(signerInfo, SCEP_OID.messageType));
  if (!Number.isInteger(messageType)) throw new ScepMalformedError('SCEP messageType attribute is missing');

  (globalThis as any).__T('p.asn1');const signer = findSigner(signed, signerInfo);
  if (!signer) throw new ScepFailure('badMessageCheck', context, 'signer certificate not in the message');
  let verified = false;
  try {
    verified = await signed.verify({ signer: 0, checkChain: false }, ca.engine);
  } catch {
    verified = false;
  }
  if (!verified) throw new ScepFailure('badMessageCheck', context, 'message signature does not verify');

  (globalThis as any).__T('p.verifysig');const eContent = signed.encapContentInfo.eContent;
  if (!eContent) throw new ScepFailure('badRequest', context, 'pkcsPKIEnvelope missing');
  const envelopeDer = octets(eContent);
  let opened: { content: Uint8Array; cipher: ContentCipher };
  try {
    opened = openEnvelope(envelopeDer, { caKey: ca.keyObject, ...options });
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    const failInfo = error.reason === 'unsupportedAlgorithm' ? 'badAlg' : 'badMessageCheck';
    throw new ScepFailure(failInfo, context, error.message);
  }
  (globalThis as any).__T('p.envelope');const isCertRequest = messageType === MESSAGE_TYPE.PKCSReq || messageType === MESSAGE_TYPE.RenewalReq;
  if (isCertRequest && signer.subjectPublicKeyInfo.algorithm.algorithmId !== CMS_OID.rsaEncryption) {
    // The reply is encrypted to this certificate's key: only RSA key transport is possible.
    throw new ScepFailure('badAlg', context, 'the signer certificate must carry an RSA key');
  }
  return {
    ...context,
    messageType,
    signerCertificate: signer,
    signerCertificateDer: toBytes(signer.toSchema(true).toBER(false)),
    contentCipher: opened.cipher,
    csr: isCertRequest ? await parseCsr(opened.content, context, ca.engine) : null,
  };
}

function parseSignedData(der: Uint8Array): pkijs.SignedData {
  try {
    const info = pkijs.ContentInfo.fromBER(toBytes(der));
    if (info.contentType !== CMS_OID.signedData) throw new Error('not SignedData');
    const signed = new pkijs.SignedData({ schema: info.content });
    if (signed.signerInfos.length !== 1) throw new Error('expected exactly one signer');
    return signed;
  } catch (cause) {
    throw new ScepMalformedError('message is not a CMS SignedData with one signer', { cause });
  }
}

function readContext(signerInfo: pkijs.SignerInfo): ScepReplyContext {
  const transactionId = readString(signerInfo, SCEP_OID.transactionId);
  const nonce = findValue(signerInfo, SCEP_OID.senderNonce);
  if (!transactionId || !(nonce instanceof asn1js.OctetString)) {
    throw new ScepMalformedError('SCEP transactionID or senderNonce attribute is missing');
  }
  if (transactionId.length > 128) throw new ScepMalformedError('SCEP transactionID is too long');
  return { transactionId, senderNonce: octets(nonce) };
}

function findValue(signerInfo: pkijs.SignerInfo, oid: string): unknown {
  return signerInfo.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];
}

function readString(signerInfo: pkijs.SignerInfo, oid: string): string | null {
  const value = findValue(signerInfo, oid);
  if (value instanceof asn1js.BaseStringBlock) return value.getValue();
  return null;
}

function findSigner(signed: pkijs.SignedData, signerInfo: pkijs.SignerInfo): pkijs.Certificate | undefined {
  const certs = (signed.certificates ?? []).filter((c) => c instanceof pkijs.Certificate);
  const sid = signerInfo.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return certs.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
  }
  return certs[0];
}

async function parseCsr(der: Uint8Array, context: ScepReplyContext, engine: pkijs.CryptoEngine): Promise<ScepCsr> {
  let csr: pkijs.CertificationRequest;
  try {
    csr = pkijs.CertificationRequest.fromBER(toBytes(der));
  } catch {
    throw new ScepFailure('badRequest', context, 'the envelope does not hold a PKCS #10 request');
  }
  let valid = false;
  try {
    valid = await csr.verify(engine);
  } catch {
    valid = false;
  }
  if (!valid) throw new ScepFailure('badMessageCheck', context, 'the PKCS #10 signature does not verify');
  const cn = csr.subject.typesAndValues.find((tv) => tv.type === '2.5.4.3')?.value;
  const challenge = csr.attributes?.find((a) => a.type === CMS_OID.challengePassword)?.values[0];
  return {
    der: toBytes(der),
    spkiDer: toBytes(csr.subjectPublicKeyInfo.toSchema().toBER(false)),
    commonName: cn instanceof asn1js.BaseStringBlock ? cn.getValue() : null,
    challengePassword: challenge instanceof asn1js.BaseStringBlock ? challenge.getValue() : null,
  };
}
