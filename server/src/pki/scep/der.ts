/**
 * A minimal ASN.1 BER reader and DER writer for the SCEP hot path. pkijs builds a full object
 * model with schema matching for every message, which cost more than the RSA operations
 * themselves (≈ 10 ms per PKIOperation); SCEP only needs a handful of fields, read here in place.
 * Reads definite and indefinite lengths (some clients send BER); writes DER only.
 */
import { concatBytes } from '../../../../shared/pki/bytes.ts';

/** One element: its tag byte and where its header and contents lie in `bytes`. */
export interface Tlv {
  readonly bytes: Uint8Array;
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the contents (before the end-of-contents octets when indefinite). */
  readonly contentEnd: number;
  /** Offset just past the whole element. */
  readonly end: number;
}

/** Thrown for anything that is not well-formed BER; callers map it to their own error. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

const MAX_DEPTH = 32;

/** Reads the element at `offset` (single-byte tags only, as used by X.509 and CMS). */
export function readTlv(bytes: Uint8Array, offset = 0, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new DerError('nesting too deep');
  if (offset + 2 > bytes.length) throw new DerError('truncated');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let pos = offset + 1;
  const first = bytes[pos++]!;
  if (first === 0x80) {
    if ((tag & 0x20) === 0) throw new DerError('indefinite length on a primitive');
    let child = pos;
    while (true) {
      if (child + 2 > bytes.length) throw new DerError('truncated');
      if (bytes[child] === 0 && bytes[child + 1] === 0) break;
      child = readTlv(bytes, child, depth + 1).end;
    }
    return { bytes, tag, start: offset, contentStart: pos, contentEnd: child, end: child + 2 };
  }
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4 || pos + n > bytes.length) throw new DerError('bad length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[pos++]!;
  }
  if (pos + length > bytes.length) throw new DerError('truncated');
  return { bytes, tag, start: offset, contentStart: pos, contentEnd: pos + length, end: pos + length };
}

/** The elements inside a constructed element. */
export function children(tlv: Tlv): Tlv[] {
  if ((tlv.tag & 0x20) === 0) throw new DerError('not a constructed element');
  const out: Tlv[] = [];
  for (let pos = tlv.contentStart; pos < tlv.contentEnd; ) {
    const child = readTlv(tlv.bytes, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Reads a whole buffer as one element; trailing bytes are an error. */
export function readRoot(bytes: Uint8Array): Tlv {
  const tlv = readTlv(bytes, 0);
  if (tlv.end !== bytes.length) throw new DerError('trailing bytes');
  return tlv;
}

/** Asserts the tag and returns the element, for readable navigation. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError(`${what}: unexpected element`);
  return tlv;
}

/** The contents of an element (a view, not a copy). */
export function contents(tlv: Tlv): Uint8Array {
  return tlv.bytes.subarray(tlv.contentStart, tlv.contentEnd);
}

/** The whole encoding of an element (a view). */
export function encoding(tlv: Tlv): Uint8Array {
  return tlv.bytes.subarray(tlv.start, tlv.end);
}

/** Bytes of an OCTET STRING (or an IMPLICIT-tagged one), joining BER constructed chunks. */
export function octetString(tlv: Tlv): Uint8Array {
  if ((tlv.tag & 0x20) === 0) return contents(tlv);
  const parts = children(tlv).map((part) => octetString(part));
  return concat(parts);
}

/** Dotted-decimal form of an OBJECT IDENTIFIER. */
export function oid(tlv: Tlv): string {
  if (tlv.tag !== 0x06) throw new DerError('not an OBJECT IDENTIFIER');
  const body = contents(tlv);
  const arcs: number[] = [];
  let value = 0;
  for (const byte of body) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** Text of a string element: UTF8/Printable/IA5/Teletex/Visible as UTF-8, BMPString as UTF-16BE. */
export function text(tlv: Tlv): string | null {
  const body = contents(tlv);
  switch (tlv.tag) {
    case 0x0c:
    case 0x13:
    case 0x14:
    case 0x16:
    case 0x1a:
      return new TextDecoder().decode(body);
    case 0x1e: {
      let out = '';
      for (let i = 0; i + 1 < body.length; i += 2) out += String.fromCharCode((body[i]! << 8) | body[i + 1]!);
      return out;
    }
    default:
      return null;
  }
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(...parts);
}

/** DER: an element with the given tag around the concatenated parts. */
export function der(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = parts.length === 1 ? parts[0]! : concat(parts);
  const n = body.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else if (n < 0x100) header = [tag, 0x81, n];
  else if (n < 0x10000) header = [tag, 0x82, n >> 8, n & 0xff];
  else header = [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(header.length + n);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

export const seq = (...parts: Uint8Array[]) => der(0x30, ...parts);
export const set = (...parts: Uint8Array[]) => der(0x31, ...parts);
export const octets = (value: Uint8Array) => der(0x04, value);
export const printable = (value: string) => der(0x13, new TextEncoder().encode(value));
export const NULL = new Uint8Array([0x05, 0x00]);

/** DER INTEGER of a small non-negative number. */
export function smallInt(value: number): Uint8Array {
  if (value < 0 || value > 127) throw new DerError('smallInt out of range');
  return new Uint8Array([0x02, 0x01, value]);
}

// The few OIDs the SCEP and issuing paths write, encoded once (callers never mutate them).
const oidCache = new Map<string, Uint8Array>();

/** DER OBJECT IDENTIFIER from dotted-decimal. */
export function oidDer(dotted: string): Uint8Array {
  let encoded = oidCache.get(dotted);
  if (!encoded) {
    encoded = encodeOid(dotted);
    if (oidCache.size < 256) oidCache.set(dotted, encoded);
  }
  return encoded;
}

function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const values = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const value of values) {
    const groups = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return der(0x06, new Uint8Array(out));
}

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function setOf(elements: Uint8Array[]): Uint8Array {
  return set(...[...elements].sort(compareBytes));
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
