/**
 * Reads the parts of a CMS EnvelopedData (RFC 5652 §6) or AuthEnvelopedData (RFC 5083) that
 * decryption needs, straight from the (BER-tolerant) ASN.1: the key-transport recipients, the
 * content-encryption algorithm and the encrypted content. Also how a certificate is matched to a
 * recipient identifier (issuerAndSerialNumber or subjectKeyIdentifier).
 */

import * as asn1js from 'asn1js';
import { toHex } from '../pki/bytes.ts';
import { type AsnNode, children, decodeAsn1, isTag, octetsOf, oidOf } from '../pki/der.ts';
import { OID } from '../pki/oids.ts';
import { sha1 } from '../pki/sha.ts';
import { formatName } from '../pki/x509-name.ts';
import { SmimeError } from './smime-error.ts';

export const AUTH_ENVELOPED_DATA = '1.2.840.113549.1.9.16.1.23';

/** Who a RecipientInfo is for. */
export type RecipientId =
  | { kind: 'issuerSerial'; issuerDer: Uint8Array; issuer: string; serialHex: string }
  | { kind: 'subjectKeyId'; keyIdHex: string };

export interface KeyTransRecipient {
  rid: RecipientId;
  keyEncryptionOid: string;
  keyEncryptionParams: AsnNode | undefined;
  encryptedKey: Uint8Array;
}

export interface EnvelopedParts {
  authenticated: boolean;
  recipients: KeyTransRecipient[];
  /** Other recipient kinds present (kari, kekri, pwri, ori), for error messages. */
  otherRecipientKinds: string[];
  contentType: string;
  contentAlgorithmOid: string;
  contentAlgorithmParams: AsnNode | undefined;
  encryptedContent: Uint8Array;
  /** AuthEnvelopedData: the MAC (GCM tag) and the DER of authAttrs re-tagged as SET OF, if any. */
  mac?: Uint8Array;
  authAttrsDer?: Uint8Array;
}

/** Strips the sign byte so serials compare equal however they were encoded. */
function serialHexOf(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return toHex(bytes.subarray(i));
}

function malformed(message: string, cause?: unknown): never {
  throw new SmimeError('smime_malformed', message, cause === undefined ? undefined : { cause });
}

/** Runs an ASN.1 walk, turning the walker's structural errors into smime_malformed. */
function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof SmimeError) throw cause;
    malformed(`The ${what} is malformed.`, cause);
  }
}

function recipientId(node: AsnNode | undefined): RecipientId {
  if (isTag(node, 3, 0)) return { kind: 'subjectKeyId', keyIdHex: toHex(octetsOf(node, 'subject key identifier')) };
  const [issuer, serial] = children(node, 'issuerAndSerialNumber');
  if (!issuer || !(serial instanceof asn1js.Integer)) malformed('A recipient identifier is malformed.');
  return {
    kind: 'issuerSerial',
    issuerDer: issuer.valueBeforeDecodeView,
    issuer: formatName(issuer),
    serialHex: serialHexOf(serial.valueBlock.valueHexView),
  };
}

const OTHER_RECIPIENT_KINDS: Record<number, string> = { 1: 'kari', 2: 'kekri', 3: 'pwri', 4: 'ori' };

/** Parses a ContentInfo holding EnvelopedData or AuthEnvelopedData. */
export function parseEnveloped(der: Uint8Array): EnvelopedParts {
  return guard('encrypted message', () => {
    const root = decodeAsn1(der, 'der_invalid', 'The message is not valid DER.');
    const [typeNode, wrapped] = children(root, 'ContentInfo');
    const type = oidOf(typeNode, 'content type');
    if (type !== OID.envelopedData && type !== AUTH_ENVELOPED_DATA) {
      const what = type === OID.signedData ? ' (it is signed, not encrypted)' : '';
      throw new SmimeError('smime_not_encrypted', `Not an S/MIME encrypted message${what}.`);
    }
    const fields = children(children(wrapped, 'content')[0], 'EnvelopedData');
    let i = 1;
    if (isTag(fields[i], 3, 0)) i++; // originatorInfo
    const recipients: KeyTransRecipient[] = [];
    const otherRecipientKinds: string[] = [];
    for (const ri of children(fields[i++], 'recipientInfos')) {
      if (ri.idBlock.tagClass !== 1) {
        otherRecipientKinds.push(OTHER_RECIPIENT_KINDS[ri.idBlock.tagNumber] ?? 'unknown');
        continue;
      }
      const [, rid, alg, encryptedKey] = children(ri, 'KeyTransRecipientInfo');
      const [algOid, params] = children(alg, 'keyEncryptionAlgorithm');
      recipients.push({
        rid: recipientId(rid),
        keyEncryptionOid: oidOf(algOid, 'key encryption algorithm'),
        keyEncryptionParams: params,
        encryptedKey: octetsOf(encryptedKey, 'encrypted key'),
      });
    }
    const [contentType, contentAlg, content] = children(fields[i++], 'EncryptedContentInfo');
    const [algOid, algParams] = children(contentAlg, 'contentEncryptionAlgorithm');
    if (!content) malformed('The message has no encrypted content (detached content is not supported).');
    const parts: EnvelopedParts = {
      authenticated: type === AUTH_ENVELOPED_DATA,
      recipients,
      otherRecipientKinds,
      contentType: oidOf(contentType, 'content type'),
      contentAlgorithmOid: oidOf(algOid, 'content encryption algorithm'),
      contentAlgorithmParams: algParams,
      encryptedContent: octetsOf(content, 'encrypted content'),
    };
    if (parts.authenticated) {
      if (isTag(fields[i], 3, 1)) {
        // RFC 5083 §2.1: the MAC covers authAttrs DER-encoded with the SET OF tag.
        const attrs = fields[i++]!.valueBeforeDecodeView.slice();
        attrs[0] = 0x31;
        parts.authAttrsDer = attrs;
      }
      parts.mac = octetsOf(fields[i], 'message authentication code');
    }
    return parts;
  });
}

/** The identifiers of a certificate that recipient identifiers are compared against. */
export interface CertificateIds {
  issuerDer: Uint8Array;
  serialHex: string;
  /** The subjectKeyIdentifier extension, and the RFC 5280 SHA-1 of the public key (hex). */
  keyIds: string[];
}

/** Reads issuer, serial and key identifiers from a certificate DER. */
export function certificateIds(certDer: Uint8Array): CertificateIds {
  return guard('certificate', () => {
    const tbs = children(children(decodeAsn1(certDer, 'der_invalid', 'The certificate is not valid DER.'), 'certificate')[0], 'tbs');
    const s = isTag(tbs[0], 3, 0) ? 1 : 0;
    const serial = tbs[s];
    if (!(serial instanceof asn1js.Integer)) malformed('The certificate serial is malformed.');
    const spki = children(tbs[s + 5], 'subjectPublicKeyInfo');
    const keyIds: string[] = [];
    const extsNode = tbs.find((n) => isTag(n, 3, 3));
    for (const ext of extsNode ? children(children(extsNode, 'extensions')[0], 'extensions') : []) {
      const [id, ...rest] = children(ext, 'extension');
      if (oidOf(id, 'extension id') !== OID.subjectKeyIdentifier) continue;
      const inner = asn1js.fromBER(octetsOf(rest.at(-1), 'extension value'));
      if (inner.result instanceof asn1js.OctetString) keyIds.push(toHex(inner.result.valueBlock.valueHexView));
    }
    const bits = spki[1];
    if (bits instanceof asn1js.BitString) keyIds.push(toHex(sha1(bits.valueBlock.valueHexView)));
    return { issuerDer: tbs[s + 2]!.valueBeforeDecodeView, serialHex: serialHexOf(serial.valueBlock.valueHexView), keyIds };
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when the recipient identifier names this certificate. */
export function recipientMatches(rid: RecipientId, cert: CertificateIds): boolean {
  if (rid.kind === 'subjectKeyId') return cert.keyIds.includes(rid.keyIdHex);
  return rid.serialHex === cert.serialHex && sameBytes(rid.issuerDer, cert.issuerDer);
}

/** "issuer CN=…, serial 0a1b" or "subjectKeyIdentifier 12ab…", for messages. */
export function describeRecipient(rid: RecipientId): string {
  return rid.kind === 'issuerSerial' ? `issuer ${rid.issuer}, serial ${rid.serialHex}` : `subjectKeyIdentifier ${rid.keyIdHex}`;
}
