/**
 * S/MIME signature verification: multipart/signed (detached) or application/pkcs7-mime
 * signed-data (encapsulated). Checks the messageDigest and contentType attributes, the
 * signature with the signer's public key, and the signer's path to the given trust anchors.
 */

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual, toArrayBuffer } from '../pki/bytes.ts';
import { pemToDer } from '../pki/certificate-info.ts';
import { type AsnNode, children, decodeAsn1, isTag, octetsOf, oidOf } from '../pki/der.ts';
import { spkiOfCertificate } from '../pki/key-match.ts';
import { OID } from '../pki/oids.ts';
import { verifySignature } from '../pki/signature.ts';
import { certificateIds, type RecipientId, recipientMatches } from './cms-enveloped.ts';
import { ATTR } from './cms-sign.ts';
import { decodeBody, fromLatin1, latin1, parseContentType, parseEntity, toCrlf } from './mime.ts';
import { SmimeError } from './smime-error.ts';

export interface VerifyResult {
  /** Signature and digest correct, and the signer chains to a trust anchor. */
  valid: boolean;
  signatureValid: boolean;
  trusted: boolean;
  /** Why `valid` is false, in plain words. */
  reason?: string;
  signer: { certificate: Uint8Array } | null;
  signingTime?: Date;
  /** The signed MIME entity. */
  content: Uint8Array;
}

const HASHES: Record<string, string> = { [OID.sha1]: 'SHA-1', [OID.sha256]: 'SHA-256', [OID.sha384]: 'SHA-384', [OID.sha512]: 'SHA-512' };
const RSA_WITH: Record<string, string> = {
  [OID.sha1]: OID.sha1WithRSAEncryption,
  [OID.sha256]: OID.sha256WithRSAEncryption,
  [OID.sha384]: OID.sha384WithRSAEncryption,
  [OID.sha512]: OID.sha512WithRSAEncryption,
};

/** The signed content and the SignedData DER from whichever framing the message uses. */
function splitSigned(bytes: Uint8Array): { content: Uint8Array | null; cms: Uint8Array } {
  if (bytes[0] === 0x30) return { content: null, cms: bytes };
  if (/^\s*-----BEGIN /.test(latin1(bytes.subarray(0, 64)))) return { content: null, cms: pemToDer(latin1(bytes)) };
  const entity = parseEntity(bytes);
  const { type, params } = parseContentType(entity?.headers.get('content-type'));
  if (entity && type === 'multipart/signed' && params.get('boundary')) {
    const text = latin1(entity.body);
    const delimiter = `--${params.get('boundary')}`;
    const first = text.indexOf(`${delimiter}`);
    const startLine = text.indexOf('\n', first);
    const second = text.indexOf(`\n${delimiter}`, startLine);
    if (first < 0 || startLine < 0 || second < 0) throw new SmimeError('smime_malformed', 'The multipart/signed body is malformed.');
    // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    const end = text[second - 1] === '\r' ? second - 1 : second;
    const content = fromLatin1(text.slice(startLine + 1, end));
    const sigStart = second + 1 + delimiter.length;
    const close = text.indexOf(`\n${delimiter}`, sigStart);
    const sigText = text.slice(sigStart, close < 0 ? text.length : close).replace(/^\r?\n/, '');
    const sigPart = parseEntity(fromLatin1(sigText));
    if (!sigPart) throw new SmimeError('smime_malformed', 'The signature part is missing.');
    return { content, cms: decodeBody(sigPart) };
  }
  const smimeType = params.get('smime-type')?.toLowerCase();
  if (entity && /^application\/(x-)?pkcs7-mime$/.test(type) && smimeType === 'signed-data') return { content: null, cms: decodeBody(entity) };
  throw new SmimeError('smime_not_signed', 'Not an S/MIME signed message.');
}

const items = (n: AsnNode | undefined): AsnNode[] => (n?.valueBlock as { value?: AsnNode[] })?.value ?? [];

function signerId(node: AsnNode | undefined): RecipientId {
  if (isTag(node, 3, 0)) return { kind: 'subjectKeyId', keyIdHex: [...octetsOf(node, 'sid')].map((b) => b.toString(16).padStart(2, '0')).join('') };
  const [issuer, serial] = children(node, 'sid');
  const hex = serial instanceof asn1js.Integer ? [...serial.valueBlock.valueHexView].map((b) => b.toString(16).padStart(2, '0')).join('') : '';
  return { kind: 'issuerSerial', issuerDer: issuer?.valueBeforeDecodeView ?? new Uint8Array(), issuer: '', serialHex: hex.replace(/^(00)+(?=.)/, '') };
}

async function chainTrusted(signer: Uint8Array, others: Uint8Array[], anchors: Uint8Array[], at: Date): Promise<boolean> {
  if (anchors.length === 0) return false;
  const parse = (der: Uint8Array) => pkijs.Certificate.fromBER(toArrayBuffer(der));
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors.map(parse),
    certs: [parse(signer), ...others.filter((c) => !bytesEqual(c, signer)).map(parse)],
    checkDate: at,
  });
  const result = await engine.verify();
  return result.result === true;
}

/**
 * Verifies an S/MIME signed message (.eml, or a DER/PEM SignedData with its content inside)
 * against DER trust anchors. Never throws for a bad signature: `valid` is false with a reason.
 */
export async function verifySmime(message: Uint8Array | string, trustAnchors: Uint8Array[], options: { at?: Date } = {}): Promise<VerifyResult> {
  const bytes = typeof message === 'string' ? new TextEncoder().encode(message) : message;
  const { content: detached, cms } = splitSigned(bytes);
  let sd: AsnNode[];
  try {
    const root = decodeAsn1(cms, 'der_invalid', 'The signature is not valid DER.');
    const [typeNode, wrapped] = children(root, 'ContentInfo');
    if (oidOf(typeNode, 'content type') !== OID.signedData) throw new SmimeError('smime_not_signed', 'Not an S/MIME signed message.');
    sd = children(children(wrapped, 'content')[0], 'SignedData');
  } catch (cause) {
    if (cause instanceof SmimeError) throw cause;
    throw new SmimeError('smime_malformed', 'The S/MIME signature is malformed.', { cause });
  }
  const encap = children(sd[2], 'encapContentInfo');
  const eContentType = oidOf(encap[0], 'eContentType');
  const content = detached ?? (encap[1] ? octetsOf(items(encap[1])[0], 'eContent') : null);
  if (!content) throw new SmimeError('smime_malformed', 'The signed content is missing.');
  const certs = sd.filter((n) => isTag(n, 3, 0)).flatMap((n) => items(n)).map((c) => c.valueBeforeDecodeView.slice());
  const signerInfo = items(sd.at(-1))[0];
  const fail = (reason: string, signer: Uint8Array | null = null): VerifyResult => ({
    valid: false, signatureValid: false, trusted: false, reason, signer: signer ? { certificate: signer } : null, content,
  });
  if (!signerInfo) return fail('The message has no signer.');
  const si = items(signerInfo);
  const rid = signerId(si[1]);
  const signer = certs.find((c) => recipientMatches(rid, certificateIds(c))) ?? null;
  if (!signer) return fail('The signer certificate is not in the message.');
  const digestOid = oidOf(items(si[2])[0], 'digestAlgorithm');
  const hash = HASHES[digestOid];
  if (!hash) return fail(`The digest algorithm ${digestOid} is not supported.`, signer);
  const signedAttrs = si.find((n) => isTag(n, 3, 0));
  const rest = si.slice(si.indexOf(signedAttrs ?? si[2]!) + 1);
  const [sigAlg, sigValue] = rest;
  let signingTime: Date | undefined;
  let signedBytes = content;
  let ok = false;
  if (signedAttrs) {
    let messageDigest: Uint8Array | undefined;
    let contentTypeOk = false;
    for (const attr of items(signedAttrs)) {
      const [type, values] = items(attr);
      const value = items(values)[0];
      const t = oidOf(type, 'attribute type');
      if (t === ATTR.messageDigest && value) messageDigest = octetsOf(value, 'messageDigest');
      if (t === ATTR.contentType) contentTypeOk = oidOf(value, 'contentType') === eContentType;
      if (t === ATTR.signingTime && (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime)) signingTime = value.toDate();
    }
    if (!messageDigest || !contentTypeOk) return fail('The signed attributes are incomplete.', signer);
    // Mail transport may turn CRLF into LF: S/MIME signs the canonical CRLF form.
    for (const candidate of detached ? [content, new TextEncoder().encode(toCrlf(latin1(content)))] : [content]) {
      const digest = new Uint8Array(await globalThis.crypto.subtle.digest(hash, toArrayBuffer(candidate)));
      if (bytesEqual(digest, messageDigest)) {
        ok = true;
        signedBytes = candidate;
      }
    }
    if (!ok) return fail('The message was changed after it was signed (digest mismatch).', signer);
    const attrsDer = signedAttrs.valueBeforeDecodeView.slice();
    attrsDer[0] = 0x31;
    signedBytes = attrsDer;
  }
  let algNode: AsnNode | undefined = sigAlg;
  if (oidOf(items(sigAlg)[0], 'signatureAlgorithm') === OID.rsaEncryption && RSA_WITH[digestOid]) {
    algNode = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: RSA_WITH[digestOid]! }), new asn1js.Null()] });
  }
  const signature = octetsOf(sigValue, 'signature');
  const signatureValid = await verifySignature(spkiOfCertificate(signer), algNode, signedBytes, signature);
  if (!signatureValid) return fail('The signature does not match the signer certificate.', signer);
  const trusted = await chainTrusted(signer, certs, trustAnchors, options.at ?? new Date()).catch(() => false);
  return {
    valid: trusted,
    signatureValid,
    trusted,
    ...(trusted ? {} : { reason: 'The signer certificate does not chain to a trusted certificate.' }),
    signer: { certificate: signer },
    ...(signingTime ? { signingTime } : {}),
    content,
  };
}
