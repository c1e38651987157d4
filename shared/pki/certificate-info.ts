/**
 * Reads the facts about an X.509 certificate that the portal shows and decides on: names,
 * validity, thumbprints, e-mail addresses, usages and key type.
 */

import * as asn1js from 'asn1js';
import { fromBase64, toBase64, toHex } from './bytes.ts';
import { type AsnNode, decodeAsn1, isTag } from './der.ts';
import { OID } from './oids.ts';
import { PkiError } from './pki-error.ts';
import { sha1, sha256 } from './sha.ts';
import { formatName, nameValues } from './x509-name.ts';

/** Key type and size. Other RSA sizes appear as `RSA-<bits>`; anything else as 'unknown'. */
export type KeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'EC-P256' | 'EC-P384' | 'EC-P521' | `RSA-${number}` | 'unknown';

/** RFC 5280 §4.2.1.3 bits. */
export interface KeyUsageFlags {
  digitalSignature: boolean;
  nonRepudiation: boolean;
  keyEncipherment: boolean;
  dataEncipherment: boolean;
  keyAgreement: boolean;
  keyCertSign: boolean;
  cRLSign: boolean;
}

export interface CertificateInfo {
  /** RFC 4514 string, most specific first: "CN=Alice,O=Example". */
  subject: string;
  subjectCommonName: string | null;
  issuer: string;
  /** Lowercase hex of the DER INTEGER contents (keeps a 00 sign byte when DER has one). */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex thumbprints of the whole DER certificate. */
  sha1: string;
  sha256: string;
  /** rfc822Name SANs then subject emailAddress values, lowercased, without duplicates. */
  emails: string[];
  /** null when the certificate has no keyUsage extension (which means any usage). */
  keyUsage: KeyUsageFlags | null;
  /** Extended key usage OIDs; null when the extension is absent. */
  extKeyUsage: string[] | null;
  keyAlgorithm: KeyAlgorithm;
  spkiDer: Uint8Array;
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
  isCa: boolean;
}

const KU_BITS: (keyof KeyUsageFlags)[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
];

function keyUsageFlags(bits: asn1js.BitString): KeyUsageFlags {
  const bytes = bits.valueBlock.valueHexView;
  const flags = {} as KeyUsageFlags;
  KU_BITS.forEach((name, i) => {
    flags[name] = ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
  });
  return flags;
}

const items = (node: AsnNode | undefined): AsnNode[] => (node?.valueBlock as { value?: AsnNode[] })?.value ?? [];
const oidText = (node: AsnNode | undefined): string =>
  node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : '';

/** Key type and size from a decoded SubjectPublicKeyInfo. */
export function keyAlgorithmOf(spki: AsnNode): KeyAlgorithm {
  const [alg, key] = items(spki);
  const [oidNode, params] = items(alg);
  const oid = oidText(oidNode);
  if (oid === OID.rsaEncryption && key instanceof asn1js.BitString) {
    const parsed = asn1js.fromBER(key.valueBlock.valueHexView, { parseEmbedded: false });
    const modulus = items(parsed.result)[0];
    if (!(modulus instanceof asn1js.Integer)) return 'unknown';
    const m = modulus.valueBlock.valueHexView;
    let i = 0;
    while (i < m.length && m[i] === 0) i++;
    if (i === m.length) return 'unknown';
    return `RSA-${(m.length - i - 1) * 8 + (32 - Math.clz32(m[i]!))}`;
  }
  if (oid === OID.ecPublicKey) {
    const curveOid = oidText(params);
    if (curveOid === OID.secp256r1) return 'EC-P256';
    if (curveOid === OID.secp384r1) return 'EC-P384';
    if (curveOid === OID.secp521r1) return 'EC-P521';
  }
  return 'unknown';
}

function timeOf(node: AsnNode | undefined): Date {
  if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) return node.toDate();
  throw new PkiError('der_invalid', 'The certificate has a damaged validity period.');
}

/** The extension fields of CertificateInfo, read by hand from the DER (RFC 5280 §4.2.1). */
function readExtensions(extensions: AsnNode[]) {
  const out = {
    emails: [] as string[],
    keyUsage: null as KeyUsageFlags | null,
    extKeyUsage: null as string[] | null,
    subjectKeyIdentifier: null as string | null,
    authorityKeyIdentifier: null as string | null,
    isCa: false,
  };
  for (const ext of extensions) {
    const parts = items(ext);
    const id = oidText(parts[0]);
    const valueNode = parts.at(-1);
    if (!(valueNode instanceof asn1js.OctetString)) continue;
    const parsed = asn1js.fromBER(valueNode.valueBlock.valueHexView, { parseEmbedded: false });
    if (parsed.offset === -1) throw new PkiError('der_invalid', `The certificate has a damaged extension (${id}).`);
    const v = parsed.result;
    switch (id) {
      case OID.subjectAltName:
        for (const n of items(v)) {
          if (isTag(n, 3, 1) && !n.idBlock.isConstructed) {
            out.emails.push(new TextDecoder().decode((n.valueBlock as { valueHexView: Uint8Array }).valueHexView));
          }
        }
        break;
      case OID.keyUsage:
        if (v instanceof asn1js.BitString) out.keyUsage = keyUsageFlags(v);
        break;
      case OID.extKeyUsage:
        out.extKeyUsage = items(v).map(oidText);
        break;
      case OID.subjectKeyIdentifier:
        if (v instanceof asn1js.OctetString) out.subjectKeyIdentifier = toHex(v.valueBlock.valueHexView);
        break;
      case OID.authorityKeyIdentifier: {
        const keyId = items(v).find((n) => isTag(n, 3, 0) && !n.idBlock.isConstructed);
        if (keyId) out.authorityKeyIdentifier = toHex((keyId.valueBlock as { valueHexView: Uint8Array }).valueHexView);
        break;
      }
      case OID.basicConstraints: {
        const ca = items(v)[0];
        out.isCa = ca instanceof asn1js.Boolean && ca.valueBlock.value;
        break;
      }
    }
  }
  return out;
}

/**
 * Parses a DER certificate. Throws PkiError der_invalid when it is not one. Walks the DER
 * directly (no schema validation layer): bulk imports parse thousands of these.
 */
export async function parseCertificate(der: Uint8Array): Promise<CertificateInfo> {
  return certificateInfoOf(decodeCertificate(der), der);
}

/** Decodes a DER certificate to its ASN.1 tree (PkiError der_invalid when it is not DER). */
export function decodeCertificate(der: Uint8Array): AsnNode {
  return decodeAsn1(der, 'der_invalid', 'The data is not a valid DER certificate.');
}

/**
 * The same facts as parseCertificate, from a certificate already decoded with
 * decodeCertificate: code that has walked the tree (PKCS#12 key matching) does not decode the
 * certificate a second time. `der` must be the bytes `root` was decoded from (the thumbprints
 * cover them).
 */
export function certificateInfoOf(root: AsnNode, der: Uint8Array): CertificateInfo {
  const [tbs, sigAlg, sigValue] = items(root);
  const fields = items(tbs);
  const start = isTag(fields[0], 3, 0) ? 1 : 0;
  const [serialNode, , issuerNode, validity, subjectNode, spkiNode] = fields.slice(start);
  if (
    !(tbs instanceof asn1js.Sequence) ||
    !(sigAlg instanceof asn1js.Sequence) ||
    !(sigValue instanceof asn1js.BitString) ||
    !(serialNode instanceof asn1js.Integer) ||
    !(issuerNode instanceof asn1js.Sequence) ||
    !(subjectNode instanceof asn1js.Sequence) ||
    !(spkiNode instanceof asn1js.Sequence)
  ) {
    throw new PkiError('der_invalid', 'The data is not a valid X.509 certificate.');
  }
  const [notBefore, notAfter] = items(validity);
  const extWrapper = fields.slice(start + 6).find((n) => isTag(n, 3, 3));
  const ext = readExtensions(items(items(extWrapper)[0]));
  const emails = [...ext.emails, ...nameValues(subjectNode, OID.emailAddress)];
  return {
    subject: formatName(subjectNode),
    subjectCommonName: nameValues(subjectNode, OID.commonName).at(-1) ?? null,
    issuer: formatName(issuerNode),
    serialHex: toHex(serialNode.valueBlock.valueHexView),
    notBefore: timeOf(notBefore),
    notAfter: timeOf(notAfter),
    sha1: toHex(sha1(der)),
    sha256: toHex(sha256(der)),
    emails: [...new Set(emails.map((e) => e.trim().toLowerCase()))],
    keyUsage: ext.keyUsage,
    extKeyUsage: ext.extKeyUsage,
    keyAlgorithm: keyAlgorithmOf(spkiNode),
    spkiDer: spkiNode.valueBeforeDecodeView.slice(),
    subjectKeyIdentifier: ext.subjectKeyIdentifier,
    authorityKeyIdentifier: ext.authorityKeyIdentifier,
    isCa: ext.isCa,
  };
}

/**
 * DER of the first PEM block (with the given label, default any). Throws der_invalid when
 * there is none. Accepts bare base64 too, as pasted from some admin consoles.
 */
export function pemToDer(pem: string, label?: string): Uint8Array {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (const m of pem.matchAll(re)) {
    if (label && m[1] !== label) continue;
    try {
      return fromBase64(m[2]!.replace(/^[A-Za-z-]+:.*$/gm, ''));
    } catch (cause) {
      throw new PkiError('der_invalid', 'The PEM text is damaged (bad base64).', { cause });
    }
  }
  // Bare base64 of a DER SEQUENCE starts with "MI" (0x30 0x8x).
  if (/^\s*MI[A-Za-z0-9+/=\s]+$/.test(pem)) {
    try {
      return fromBase64(pem);
    } catch (cause) {
      throw new PkiError('der_invalid', 'The base64 text is damaged.', { cause });
    }
  }
  throw new PkiError('der_invalid', label ? `No "${label}" PEM block was found.` : 'No PEM block was found.');
}

/** PEM text with 64-character lines. */
export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = toBase64(der).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
