/**
 * The little MIME (RFC 2045/5322) S/MIME needs: split an entity into headers and body, read a
 * Content-Type with its parameters, decode a base64 body, and write headers safely. Bytes are
 * handled as Latin-1 strings where only ASCII structure matters, so binary bodies survive.
 */

import { fromBase64, toBase64 } from '../pki/bytes.ts';
import { SmimeError } from './smime-error.ts';

export interface MimeEntity {
  /** Lowercased header names → unfolded values (first occurrence wins). */
  headers: Map<string, string>;
  /** The body bytes exactly as they follow the blank line. */
  body: Uint8Array;
}

/** Bytes → Latin-1 string (one char per byte), for ASCII-structure scanning of binary data. */
export function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
}

/** Latin-1 string → bytes (inverse of latin1). */
export function fromLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * Splits an entity at the first empty line (CRLF or bare LF). Returns null when the text does
 * not start with a header line, so callers can try other formats.
 */
export function parseEntity(bytes: Uint8Array): MimeEntity | null {
  const text = latin1(bytes.subarray(0, Math.min(bytes.length, 256 * 1024)));
  if (!/^[!-9;-~]+:/.test(text)) return null;
  const match = /\r?\n\r?\n/.exec(text);
  const headerEnd = match ? match.index : text.length;
  const bodyStart = match ? match.index + match[0].length : bytes.length;
  const headers = new Map<string, string>();
  const unfolded = text.slice(0, headerEnd).replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body: bytes.subarray(bodyStart) };
}

/** A Content-Type split into lowercase `type/subtype` and parameters (names lowercased). */
export function parseContentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  if (!value) return { type: 'text/plain', params };
  const [first, ...rest] = value.split(';');
  const tail = rest.join(';');
  for (const m of tail.matchAll(/([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g)) {
    const raw = m[2]!;
    params.set(m[1]!.toLowerCase(), raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
  }
  return { type: first!.trim().toLowerCase(), params };
}

/** Decodes a body by its Content-Transfer-Encoding (base64, or identity for 7bit/8bit/binary). */
export function decodeBody(entity: MimeEntity): Uint8Array {
  const cte = (entity.headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  if (cte === 'base64') {
    try {
      return fromBase64(latin1(entity.body).replace(/[^A-Za-z0-9+/=]/g, ''));
    } catch (cause) {
      throw new SmimeError('smime_malformed', 'The message body is not valid base64.', { cause });
    }
  }
  if (cte === '7bit' || cte === '8bit' || cte === 'binary') return entity.body;
  throw new SmimeError('smime_unsupported', `The transfer encoding "${cte}" is not supported here.`);
}

/** Base64 in 76-character CRLF lines, as MIME wants. */
export function base64Lines(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/(.{76})/g, '$1\r\n').replace(/\r\n$/, '');
}

/** Converts bare LF (and bare CR) line ends to CRLF: the canonical form S/MIME signs. */
export function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/**
 * A header value that is safe to write: refuses CR/LF (header injection) and encodes non-ASCII
 * text as an RFC 2047 UTF-8 encoded-word.
 */
export function headerValue(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new SmimeError('smime_bad_input', `The ${name} header must be a single line.`);
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  return `=?UTF-8?B?${toBase64(new TextEncoder().encode(value))}?=`;
}

/** Header lines From/To/Subject/Date for a message; `to` may be several addresses. */
export function messageHeaders(options: { from?: string; to?: string | string[]; subject?: string; date?: Date }): string[] {
  const lines: string[] = [];
  if (options.from) lines.push(`From: ${headerValue('From', options.from)}`);
  const to = Array.isArray(options.to) ? options.to.join(', ') : options.to;
  if (to) lines.push(`To: ${headerValue('To', to)}`);
  if (options.subject !== undefined) lines.push(`Subject: ${headerValue('Subject', options.subject)}`);
  lines.push(`Date: ${(options.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`);
  lines.push('MIME-Version: 1.0');
  return lines;
}

/** Fresh random MIME boundary. */
export function newBoundary(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return `----=_smime_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
