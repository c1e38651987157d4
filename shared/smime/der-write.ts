/**
 * A minimal DER writer. CMS signing needs exact bytes (certificates and names copied verbatim,
 * signed attributes in DER SET OF order), which re-encoding parsed objects does not promise.
 */

import * as asn1js from 'asn1js';
import { concatBytes } from '../pki/bytes.ts';

function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return new Uint8Array([n]);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return new Uint8Array([0x80 | out.length, ...out]);
}

/** One TLV with a single-byte tag (enough for CMS: universal and [0]–[30] context tags). */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concatBytes(...contents);
  return concatBytes(new Uint8Array([tag]), lengthBytes(body.length), body);
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** SET OF with its elements in DER order (X.690 §11.6), or with another tag for [n] IMPLICIT. */
export function setOf(items: Uint8Array[], tag = 0x31): Uint8Array {
  return tlv(tag, ...[...items].sort(compareBytes));
}

export const oid = (dotted: string): Uint8Array => new Uint8Array(new asn1js.ObjectIdentifier({ value: dotted }).toBER(false));
export const octets = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
export const int = (n: number): Uint8Array => new Uint8Array(new asn1js.Integer({ value: n }).toBER(false));
export const algorithm = (dotted: string, params?: Uint8Array): Uint8Array => seq(oid(dotted), ...(params ? [params] : []));
export const NULL = new Uint8Array([0x05, 0x00]);

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5652 §11.3). */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const year = date.getUTCFullYear();
  const text = year >= 1950 && year < 2050 ? `${iso.slice(2)}Z` : `${iso}Z`;
  return tlv(year >= 1950 && year < 2050 ? 0x17 : 0x18, new TextEncoder().encode(text));
}
