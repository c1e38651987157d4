/**
 * Parsing of an incoming SCEP pkiMessage (RFC 8894 §3): CMS SignedData, signed by the requester,
 * wrapping an EnvelopedData encrypted to our RA (or, from older clients, to the CA). Read in place with the small DER reader and
 * checked with node:crypto: this path runs for every enrollment.
 */
import { createHash, constants, verify } from 'node:crypto';
import { children, encoding, expectTag, octetString, oid, readRoot, type Tlv, text } from './der.ts';
import { type ContentCipher, EnvelopeError, type OpenEnvelopeOptions, openEnvelope } from './envelope.ts';
import { readCsr, type ScepCsr } from './scep-csr.ts';
import { CMS_OID, MESSAGE_TYPE, SCEP_OID, ScepFailure, ScepMalformedError, type ScepReplyContext } from './scep-constants.ts';
import { readSignerCertificate, type SignerCertificate } from './signer-certificate.ts';

export type { ScepCsr } from './scep-csr.ts';

export interface PkiMessage extends ScepReplyContext {
  messageType: number;
  signerCertificate: SignerCertificate;
  signerCertificateDer: Uint8Array;
  contentCipher: ContentCipher;
  /** Present for PKCSReq and RenewalReq. */
  csr: ScepCsr | null;
}

/** The keys and policy for opening the pkcsPKIEnvelope. */
export type ParseOptions = OpenEnvelopeOptions;

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

interface SignedParts {
  /** attribute OID → first value */
  attributes: Map<string, Tlv>;
  signedAttrs: Tlv | undefined;
  digest: string | undefined;
  signatureAlgorithm: string;
  signature: Uint8Array;
  eContent: Uint8Array | null;
  signer: SignerCertificate | undefined;
}

/**
 * Parses and authenticates a pkiMessage. Throws ScepMalformedError when the bytes are not a
 * SCEP message (HTTP 400), ScepFailure when a signed FAILURE reply is possible.
 */
export async function parsePkiMessage(der: Uint8Array, options: ParseOptions): Promise<PkiMessage> {
  const signed = parseSignedData(der);
  const context = readContext(signed.attributes);
  const messageTypeValue = signed.attributes.get(SCEP_OID.messageType);
  const messageType = Number(messageTypeValue ? text(messageTypeValue) : Number.NaN);
  if (!Number.isInteger(messageType)) throw new ScepMalformedError('SCEP messageType attribute is missing');

  const signer = signed.signer;
  if (!signer) throw new ScepFailure('badMessageCheck', context, 'signer certificate not in the message');
  if (!verifySignedData(signed, signer)) throw new ScepFailure('badMessageCheck', context, 'message signature does not verify');
  if (!signed.eContent) throw new ScepFailure('badRequest', context, 'pkcsPKIEnvelope missing');
  let opened: { content: Uint8Array; cipher: ContentCipher };
  try {
    opened = openEnvelope(signed.eContent, options);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    const failInfo = error.reason === 'unsupportedAlgorithm' ? 'badAlg' : 'badMessageCheck';
    throw new ScepFailure(failInfo, context, error.message);
  }
  const isCertRequest = messageType === MESSAGE_TYPE.PKCSReq || messageType === MESSAGE_TYPE.RenewalReq;
  if (isCertRequest && signer.keyAlgorithm !== CMS_OID.rsaEncryption) {
    // The reply is encrypted to this certificate's key: only RSA key transport is possible.
    throw new ScepFailure('badAlg', context, 'the signer certificate must carry an RSA key');
  }
  return {
    ...context,
    messageType,
    signerCertificate: signer,
    signerCertificateDer: signer.der,
    contentCipher: opened.cipher,
    csr: isCertRequest ? await parseCsr(opened.content, context, signer) : null,
  };
}

function parseSignedData(der: Uint8Array): SignedParts {
  try {
    const info = children(expectTag(readRoot(der), 0x30, 'ContentInfo'));
    if (oid(expectTag(info[0], 0x06, 'contentType')) !== CMS_OID.signedData) throw new Error('not SignedData');
    const fields = children(expectTag(children(expectTag(info[1], 0xa0, 'content'))[0], 0x30, 'SignedData'));
    const encap = children(expectTag(fields[2], 0x30, 'encapContentInfo'));
    const eContentWrapper = encap[1] ? children(expectTag(encap[1], 0xa0, 'eContent'))[0] : undefined;
    const eContent = eContentWrapper ? octetString(eContentWrapper) : null;
    let at = 3;
    const certificates: Tlv[] = [];
    if (fields[at]?.tag === 0xa0) certificates.push(...children(fields[at++]!));
    if (fields[at]?.tag === 0xa1) at++;
    const signerInfos = children(expectTag(fields[at], 0x31, 'signerInfos'));
    if (signerInfos.length !== 1) throw new Error('expected exactly one signer');
    const si = children(expectTag(signerInfos[0], 0x30, 'SignerInfo'));
    const sid = si[1]!;
    const digestOid = oid(expectTag(children(expectTag(si[2], 0x30, 'digestAlgorithm'))[0], 0x06, 'digest'));
    let i = 3;
    const signedAttrs = si[i]?.tag === 0xa0 ? si[i++] : undefined;
    const signatureAlgorithm = oid(expectTag(children(expectTag(si[i++], 0x30, 'signatureAlgorithm'))[0], 0x06, 'signature'));
    const signature = octetString(expectTag(si[i], 0x04, 'signature'));
    const attributes = new Map<string, Tlv>();
    for (const attribute of signedAttrs ? children(signedAttrs) : []) {
      const [type, values] = children(attribute);
      const first = values ? children(values)[0] : undefined;
      if (type && first) attributes.set(oid(type), first);
    }
    return { attributes, signedAttrs, digest: DIGESTS[digestOid], signatureAlgorithm, signature, eContent, signer: findSigner(certificates, sid) };
  } catch (cause) {
    throw new ScepMalformedError('message is not a CMS SignedData with one signer', { cause });
  }
}

/** IssuerAndSerialNumber is matched exactly; a subjectKeyIdentifier sid takes the first certificate. */
function findSigner(certificates: Tlv[], sid: Tlv): SignerCertificate | undefined {
  const parsed: SignerCertificate[] = [];
  for (const c of certificates) {
    if (c.tag !== 0x30) continue;
    try {
      parsed.push(readSignerCertificate(new Uint8Array(encoding(c))));
    } catch {
      // not a certificate we can read: it cannot be the signer
    }
  }
  if (sid.tag !== 0x30) return parsed[0];
  const [issuer, serial] = children(sid);
  if (!issuer || !serial) return undefined;
  return parsed.find((c) => Buffer.from(c.issuerDer).equals(encoding(issuer)) && Buffer.from(c.serialDer).equals(encoding(serial)));
}

/** CMS signature check (RFC 5652 §5.4): messageDigest over eContent, signature over the DER SET. */
function verifySignedData(signed: SignedParts, signer: SignerCertificate): boolean {
  const { digest, signedAttrs } = signed;
  if (!digest || !signedAttrs) return false;
  const messageDigest = signed.attributes.get(CMS_OID.messageDigest);
  const actual = createHash(digest).update(signed.eContent ?? new Uint8Array(0)).digest();
  if (messageDigest?.tag !== 0x04 || !actual.equals(octetString(messageDigest))) return false;
  const data = Buffer.from(encoding(signedAttrs));
  data[0] = 0x31; // signed as a SET OF, sent [0] IMPLICIT
  const rsa = signed.signatureAlgorithm.startsWith('1.2.840.113549.1.1.') && signed.signatureAlgorithm !== '1.2.840.113549.1.1.10';
  const ecdsa = signed.signatureAlgorithm.startsWith('1.2.840.10045.');
  if (!rsa && !ecdsa) return false;
  try {
    const key = rsa ? { key: signer.publicKey, padding: constants.RSA_PKCS1_PADDING } : signer.publicKey;
    return verify(digest, data, key, signed.signature);
  } catch {
    return false;
  }
}

function readContext(attributes: Map<string, Tlv>): ScepReplyContext {
  const id = attributes.get(SCEP_OID.transactionId);
  const transactionId = id ? text(id) : null;
  const nonce = attributes.get(SCEP_OID.senderNonce);
  if (!transactionId || !nonce || nonce.tag !== 0x04) {
    throw new ScepMalformedError('SCEP transactionID or senderNonce attribute is missing');
  }
  if (transactionId.length > 128) throw new ScepMalformedError('SCEP transactionID is too long');
  return { transactionId, senderNonce: new Uint8Array(octetString(nonce)) };
}

async function parseCsr(der: Uint8Array, context: ScepReplyContext, signer: SignerCertificate): Promise<ScepCsr> {
  const read = readCsr(der, signer);
  if (!read) throw new ScepFailure('badRequest', context, 'the envelope does not hold a PKCS #10 request');
  if (!(await read.verify())) throw new ScepFailure('badMessageCheck', context, 'the PKCS #10 signature does not verify');
  return read.csr;
}
