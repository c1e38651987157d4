/**
 * Renders a notice email as one finished RFC 5322 message — multipart/alternative, a text and an
 * HTML part in UTF-8 — so the pooled transport sends it as it is. Composing through nodemailer's
 * MIME tree and streams costs about half of its CPU per message; this is string work. Pure.
 *
 * Only plain ASCII addresses are rendered (what users' directory addresses are); for anything
 * else — an internationalized domain or local part, a quoted local part — it returns null and the
 * caller composes through nodemailer, which handles IDN and SMTPUTF8.
 */

export interface Mailbox {
  name?: string | null;
  address: string;
}

export interface MimeMessage {
  from: Mailbox;
  to: Mailbox;
  subject: string;
  text: string;
  html: string;
  date: Date;
  /** `<unique@domain>` */
  messageId: string;
  /** A random token of letters and digits, unique per message. */
  boundary: string;
  /** Extra header fields, ASCII only (e.g. Auto-Submitted). */
  headers?: Record<string, string>;
}

/** dot-atom local part @ a host name of letters, digits, dots and hyphens. */
const PLAIN_ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters, and MUST be at most 998. */
const LINE = 78;
/** UTF-8 bytes per encoded-word: 42 bytes are 56 base64 characters, 68 with `=?UTF-8?B?…?=`, so one fits beside `Subject: `. */
const WORD_BYTES = 42;

/** The whole message with CRLF line ends, or null when an address is not plain ASCII. */
export function renderMime(m: MimeMessage): string | null {
  if (!PLAIN_ADDRESS.test(m.from.address) || !PLAIN_ADDRESS.test(m.to.address)) return null;
  const extra = Object.entries(m.headers ?? {});
  for (const [name, value] of extra) {
    if (!FIELD_NAME.test(name) || !PRINTABLE_ASCII.test(value)) throw new Error(`header ${JSON.stringify(name)} must be printable ASCII`);
  }
  const boundary = `----=_smime_${m.boundary}`;
  const head = [
    field('From', mailbox(m.from)),
    field('To', mailbox(m.to)),
    field('Subject', unstructured(m.subject)),
    `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${m.messageId}`,
    ...extra.map(([name, value]) => `${name}: ${value}`),
    'MIME-Version: 1.0',
    field('Content-Type', ['multipart/alternative;', `boundary="${boundary}"`]),
  ];
  return [
    ...head,
    '',
    `--${boundary}`,
    ...part('text/plain', m.text, boundary),
    `--${boundary}`,
    ...part('text/html', m.html, boundary),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** A body part: 7bit when it is ASCII in short lines without the boundary, else base64 in 76-character lines. */
function part(type: string, body: string, boundary: string): string[] {
  const canonical = body.replace(/\r?\n/g, '\r\n');
  const lines = canonical.split('\r\n');
  if (PRINTABLE_ASCII.test(lines.join('')) && lines.every((l) => l.length <= 998) && !canonical.includes(boundary)) {
    return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: 7bit', '', ...lines];
  }
  const encoded = Buffer.from(canonical, 'utf8').toString('base64');
  return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', ...(encoded.match(/.{1,76}/g) ?? [''])];
}

/** `Name: tokens`, folded between tokens where a line would pass 78 characters. */
function field(name: string, tokens: string[]): string {
  let out = `${name}:`;
  let line = out.length;
  for (const token of tokens) {
    if (line + 1 + token.length > LINE && line > name.length + 1) {
      out += `\r\n ${token}`;
      line = 1 + token.length;
    } else {
      out += ` ${token}`;
      line += 1 + token.length;
    }
  }
  return out;
}

/** An unstructured value (Subject): as it is when short printable ASCII, else encoded-words. */
function unstructured(value: string): string[] {
  const flat = value.replace(/[\r\n]+/g, ' ');
  return PRINTABLE_ASCII.test(flat) && flat.length <= LINE - 'Subject: '.length ? [flat] : encodedWords(flat);
}

/** `"Display Name" <address>` (or encoded-words for the name), or the bare address. */
function mailbox(box: Mailbox): string[] {
  const name = (box.name ?? '').replace(/[\r\n]+/g, ' ').trim();
  const address = `<${box.address}>`;
  if (!name) return [box.address];
  if (PRINTABLE_ASCII.test(name) && name.length <= 60) return [`"${name.replace(/[\\"]/g, '\\$&')}"`, address];
  return [...encodedWords(name), address];
}

/** RFC 2047 B encoded-words of at most 42 UTF-8 bytes each, split between characters. */
function encodedWords(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const words: string[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(bytes.length, start + WORD_BYTES);
    // Never between the bytes of one character: back off continuation bytes (10xxxxxx).
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end -= 1;
    words.push(`=?UTF-8?B?${bytes.subarray(start, end).toString('base64')}?=`);
    start = end;
  }
  return words.length > 0 ? words : ['""'];
}
