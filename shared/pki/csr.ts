/**
 * PKCS#10 certificate requests (RFC 2986): parse what devices and SCEP clients send, and build
 * one in the PWA from a WebCrypto key pair.
 */

import * as asn1js from 'asn1js';
import { toArrayBuffer } from './bytes.ts';
import { type KeyAlgorithm, keyAlgorithmOf } from './certificate-info.ts';
import { type AsnNode, decodeAsn1, isTag } from './der.ts';
import { OID } from './oids.ts';
import { PkiError } from './pki-error.ts';
import { signatureAlgorithmFor, signData, verifySignature } from './signature.ts';
import { directoryStringValue, formatName, nameValues } from './x509-name.ts';

export interface ParsedCsr {
  spkiDer: Uint8Array;
  /** RFC 4514 subject. */
  subject: string;
  /** SAN rfc822Names (from the extensionRequest) then subject emailAddress values, lowercased. */
  emails: string[];
  challengePassword: string | null;
  signatureValid: boolean;
  keyAlgorithm: KeyAlgorithm;
}

const items = (node: AsnNode | undefined): AsnNode[] => (node?.valueBlock as { value?: AsnNode[] })?.value ?? [];
const oidText = (node: AsnNode | undefined): string =>
  node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : '';

function invalid(message: string, cause?: unknown): PkiError {
  return new PkiError('csr_invalid', message, cause === undefined ? undefined : { cause });
}

/** rfc822Name entries of a DER SubjectAltName value. */
function sanEmails(extnValue: Uint8Array): string[] {
  const parsed = asn1js.fromBER(extnValue, { parseEmbedded: false });
  if (parsed.offset === -1) throw invalid('The request has a damaged subjectAltName.');
  return items(parsed.result)
    .filter((n) => isTag(n, 3, 1) && !n.idBlock.isConstructed)
    .map((n) => new TextDecoder().decode((n.valueBlock as { valueHexView: Uint8Array }).valueHexView));
}

/**
 * Parses a DER PKCS#10 request and checks its self-signature. Throws PkiError csr_invalid
 * when it is not a request; a bad signature is reported in `signatureValid`.
 */
export async function parseCsr(der: Uint8Array): Promise<ParsedCsr> {
  const root = decodeAsn1(der, 'csr_invalid', 'The data is not a valid certificate request (PKCS#10).');
  const [info, sigAlg, sigValue] = items(root);
  const infoItems = items(info);
  const [version, subjectNode, spkiNode, attrs] = infoItems;
  if (!(version instanceof asn1js.Integer) || !(subjectNode instanceof asn1js.Sequence) || !(spkiNode instanceof asn1js.Sequence) || !(sigValue instanceof asn1js.BitString)) {
    throw invalid('The data is not a valid certificate request (PKCS#10).');
  }
  const emails: string[] = [];
  let challengePassword: string | null = null;
  if (attrs && isTag(attrs, 3, 0)) {
    for (const attr of items(attrs)) {
      const [typeNode, values] = items(attr);
      const type = oidText(typeNode);
      const first = items(values)[0];
      if (type === OID.challengePassword) challengePassword = directoryStringValue(first);
      if (type === OID.extensionRequest) {
        for (const ext of items(first)) {
          const extItems = items(ext);
          const value = extItems.at(-1);
          if (oidText(extItems[0]) === OID.subjectAltName && value instanceof asn1js.OctetString) {
            emails.push(...sanEmails(value.valueBlock.valueHexView));
          }
        }
      }
    }
  }
  emails.push(...nameValues(subjectNode, OID.emailAddress));
  const spkiDer = spkiNode.valueBeforeDecodeView.slice();
  const signatureValid = await verifySignature(
    spkiDer,
    sigAlg,
    info!.valueBeforeDecodeView,
    sigValue.valueBlock.valueHexView,
  );
  return {
    spkiDer,
    subject: formatName(subjectNode),
    emails: [...new Set(emails.map((e) => e.trim().toLowerCase()))],
    challengePassword,
    signatureValid,
    keyAlgorithm: keyAlgorithmOf(spkiNode),
  };
}

/** parseCsr, but a bad signature throws PkiError csr_bad_signature. */
export async function parseVerifiedCsr(der: Uint8Array): Promise<ParsedCsr> {
  const csr = await parseCsr(der);
  if (!csr.signatureValid) {
    throw new PkiError('csr_bad_signature', 'The certificate request is not signed by the key it carries (it was altered or damaged).');
  }
  return csr;
}

/**
 * Builds a DER PKCS#10 request: subject CN, the address as a SAN rfc822Name (extensionRequest),
 * signed with the pair's private key (RSASSA-PKCS1-v1_5 with its hash, or ECDSA P-256/P-384/P-521
 * with SHA-256/384/512). The public key must be exportable (WebCrypto public keys always are).
 */
export async function buildCsr(options: { keys: CryptoKeyPair; subjectCommonName: string; email: string }): Promise<Uint8Array> {
  const { keys, subjectCommonName, email } = options;
  const spkiDer = new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', keys.publicKey));
  const spki = asn1js.fromBER(spkiDer).result;
  const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
  const subject = new asn1js.Sequence({
    value: [
      new asn1js.Set({
        value: [new asn1js.Sequence({ value: [oid(OID.commonName), new asn1js.Utf8String({ value: subjectCommonName })] })],
      }),
    ],
  });
  const san = new asn1js.Sequence({
    value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 1 }, valueHex: toArrayBuffer(new TextEncoder().encode(email)) })],
  });
  const extensions = new asn1js.Sequence({
    value: [new asn1js.Sequence({ value: [oid(OID.subjectAltName), new asn1js.OctetString({ valueHex: san.toBER(false) })] })],
  });
  const attributes = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 0 },
    value: [new asn1js.Sequence({ value: [oid(OID.extensionRequest), new asn1js.Set({ value: [extensions] })] })],
  });
  const info = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 }), subject, spki, attributes] });
  const infoDer = new Uint8Array(info.toBER(false));
  const { algorithm, params } = signatureAlgorithmFor(keys.privateKey);
  const signature = await signData(keys.privateKey, params, infoDer);
  const csr = new asn1js.Sequence({
    value: [info, algorithm, new asn1js.BitString({ valueHex: toArrayBuffer(signature), unusedBits: 0 })],
  });
  return new Uint8Array(csr.toBER(false));
}
