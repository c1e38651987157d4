/**
 * Thin helpers over asn1js for walking DER/BER by hand. PKCS#12 needs BER tolerance (Windows
 * writes indefinite lengths and constructed OCTET STRINGs) and exact bytes (the MAC covers them),
 * which the generic schema layer makes awkward.
 */

import * as asn1js from 'asn1js';
import { concatBytes } from './bytes.ts';
import { PkiError, type PkiErrorCode } from './pki-error.ts';

export type AsnNode = asn1js.AsnType;

/**
 * Decodes one BER element covering the whole input (trailing bytes are ignored). Embedded
 * OCTET STRING contents are not parsed speculatively: it halves the work on big files.
 */
export function decodeAsn1(bytes: Uint8Array, code: PkiErrorCode, message: string): AsnNode {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes, { parseEmbedded: false });
  } catch (cause) {
    throw new PkiError(code, message, { cause });
  }
  if (parsed.offset === -1 || parsed.result.error) {
    throw new PkiError(code, message, { cause: new Error(parsed.result.error || 'BER decode failed') });
  }
  return parsed.result;
}

function fail(message: string): never {
  throw new PkiError('pkcs12_not_pkcs12', message);
}

/** Tag class and number of a node: universal 1, application 2, context 3, private 4. */
export function isTag(node: AsnNode | undefined, tagClass: number, tagNumber: number): boolean {
  return !!node && node.idBlock.tagClass === tagClass && node.idBlock.tagNumber === tagNumber;
}

/** Children of a constructed node (SEQUENCE, SET, [n] EXPLICIT). */
export function children(node: AsnNode | undefined, what: string): AsnNode[] {
  const vb = node?.valueBlock as { value?: unknown } | undefined;
  if (!node?.idBlock.isConstructed || !Array.isArray(vb?.value)) fail(`${what} is malformed`);
  return (vb as { value: AsnNode[] }).value;
}

/** Dotted string of an OBJECT IDENTIFIER. */
export function oidOf(node: AsnNode | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) fail(`${what} is not an object identifier`);
  return node.valueBlock.toString();
}

/** Small non-negative INTEGER value (versions, iteration counts). */
export function intOf(node: AsnNode | undefined, what: string): number {
  if (!(node instanceof asn1js.Integer)) fail(`${what} is not an integer`);
  const v = node.valueBlock.valueDec;
  if (!Number.isSafeInteger(v) || v < 0) fail(`${what} is out of range`);
  return v;
}

/**
 * Contents of an OCTET STRING, primitive or constructed (BER), universal or implicitly tagged.
 */
export function octetsOf(node: AsnNode | undefined, what: string): Uint8Array {
  if (!node) fail(`${what} is missing`);
  if (!node.idBlock.isConstructed) {
    const vb = node.valueBlock as { valueHexView?: Uint8Array };
    if (!(vb.valueHexView instanceof Uint8Array)) fail(`${what} is not an octet string`);
    return vb.valueHexView;
  }
  const parts = children(node, what).map((c) => octetsOf(c, what));
  return parts.length === 1 ? parts[0]! : concatBytes(...parts);
}

/** The exact encoded bytes of a node as it appeared in the input. */
export function encodedBytes(node: AsnNode): Uint8Array {
  return node.valueBeforeDecodeView;
}

/**
 * When a definite-length outer element claims more bytes than there are, the file was cut
 * (a partial download or copy); report that rather than "not PKCS#12".
 */
export function declaredLengthExceeds(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return bytes.length === 1;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first > bytes.length;
  const n = first & 0x7f;
  if (n === 0) return false;
  if (n > 4 || 2 + n > bytes.length) return 2 + n > bytes.length;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + bytes[2 + i]!;
  return 2 + n + len > bytes.length;
}
