/**
 * renderMime against nodemailer's own composer: both messages are parsed with mailparser and must
 * read the same — sender, recipient, subject, both bodies, the extra header — and ours must keep
 * to RFC 5322's line rules.
 */
import { type ParsedMail, simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { buildEmail } from './build-email.ts';
import { type MimeMessage, renderMime } from './render-mime.ts';

function message(overrides: Partial<MimeMessage> = {}): MimeMessage {
  return {
    from: { name: 'IT – S/MIME certificates', address: 'it@example.com' },
    to: { name: 'Ann Example', address: 'ann@example.com' },
    subject: 'Your S/MIME certificates are ready',
    text: 'Hello Ann,\n\nOpen this link: https://portal.example.com/smime/retrieve?r=r-1\n',
    html: '<!doctype html>\n<p>Hello Ann,</p>\n<p><a href="https://portal.example.com/smime/retrieve?r=r-1">Install</a></p>\n',
    date: new Date('2026-11-29T01:30:00Z'),
    messageId: '<0198c3f2-0000-7000-8000-000000000001@example.com>',
    boundary: '0198c3f200007000800000000000001',
    headers: { 'Auto-Submitted': 'auto-generated' },
    ...overrides,
  };
}

function rendered(m: MimeMessage): string {
  const raw = renderMime(m);
  if (raw === null) throw new Error('renderMime declined');
  return raw;
}

/** What a reader sees: the fields both renderings must agree on. */
function seen(mail: ParsedMail) {
  const one = (a: ParsedMail['to']) => (a && !Array.isArray(a) ? a.value : undefined);
  return {
    from: mail.from?.value,
    to: one(mail.to),
    subject: mail.subject,
    text: mail.text?.replace(/\r\n/g, '\n').trimEnd(),
    html: typeof mail.html === 'string' ? mail.html.replace(/\r\n/g, '\n').trimEnd() : mail.html,
    autoSubmitted: mail.headers.get('auto-submitted'),
    date: mail.date?.toISOString(),
    attachments: mail.attachments.length,
  };
}

async function nodemailerReads(m: MimeMessage) {
  const composed = await new MailComposer({
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    date: m.date,
    messageId: m.messageId,
    headers: m.headers,
  } as ConstructorParameters<typeof MailComposer>[0])
    .compile()
    .build();
  return seen(await simpleParser(composed));
}

const zhName = '王小明'.repeat(12);
const cases: [string, Partial<MimeMessage>][] = [
  ['the English notice with specials in the name', { to: { name: 'Ann <b>&</b> "Co" \\ Ltd', address: 'ann@example.com' } }],
  ['the zh-TW notice', { subject: '有新的 S/MIME 憑證可用', to: { name: '王小明', address: 'ming@example.com' }, from: { name: '資訊部 – S/MIME 憑證', address: 'it@example.com' }, text: '王小明 您好：\n\n請開啟連結。\n', html: '<p>王小明 您好：</p>\n' }],
  ['a long non-ASCII name and subject', { to: { name: zhName, address: 'ming@example.com' }, subject: '憑證'.repeat(40) }],
  ['a long ASCII name and subject', { to: { name: 'A'.repeat(70), address: 'a@example.com' }, subject: 'Your certificates '.repeat(6).trim() }],
  ['no display name', { to: { name: '', address: 'bob@example.com' } }],
  ['a text line longer than SMTP allows', { text: `${'x'.repeat(1200)}\nend\n` }],
  ['a body holding the boundary', { text: 'a\n------=_smime_0198c3f200007000800000000000001--\nb\n' }],
  ['the built notice itself', (() => {
    const c = buildEmail({ recipientId: 'r-1', kind: 'retrieve', user: { email: 'ann@example.com', displayName: 'Ann', locale: 'zh-TW' }, url: 'https://portal.example.com/smime/retrieve?r=r-1&x=<1>', topic: 't', subscriptions: [] });
    return { subject: c.subject, text: c.text, html: c.html };
  })()],
];

describe('renderMime', () => {
  it.each(cases)('reads as nodemailer composes it: %s', async (_name, overrides) => {
    const m = message(overrides);
    const ours = seen(await simpleParser(rendered(m)));
    expect(ours).toEqual(await nodemailerReads(m));
    expect(ours.subject).toBe(m.subject);
    expect(ours.to?.[0]).toEqual({ name: m.to.name ?? '', address: m.to.address });
  });

  it.each(cases)('keeps to CRLF and 78-character lines: %s', (_name, overrides) => {
    const raw = rendered(message(overrides));
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length, line).toBeLessThanOrEqual(78);
  });

  it('writes ASCII bodies as 7bit and others, or over-long lines, as base64', () => {
    const ascii = rendered(message());
    expect(ascii.match(/Content-Transfer-Encoding: 7bit/g)).toHaveLength(2);
    expect(ascii).toContain('Open this link: https://portal.example.com/smime/retrieve?r=r-1\r\n');
    const zh = rendered(message({ text: '您好\n' }));
    expect(zh).toMatch(/text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n5oKo5aW9DQo=\r\n/);
    expect(rendered(message({ text: 'x'.repeat(999) }))).toMatch(/text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64/);
    const spoof = rendered(message({ text: `a\n------=_smime_${message().boundary}--\nb\n` }));
    expect(spoof).toMatch(/text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64/);
  });

  it('encodes non-ASCII header text in words of at most 75 characters, never splitting a character', async () => {
    const raw = rendered(message({ to: { name: zhName, address: 'ming@example.com' } }));
    const words = raw.match(/=\?UTF-8\?B\?[^?]*\?=/g) ?? [];
    expect(words.length).toBeGreaterThan(2);
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      expect(Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).not.toContain('\uFFFD');
    }
    expect(seen(await simpleParser(raw)).to?.[0]?.name).toBe(zhName);
  });

  it('cannot be made to add a header through a display name or subject', async () => {
    const raw = rendered(message({ to: { name: 'Eve\r\nBcc: mallory@example.net', address: 'eve@example.com' }, subject: 'Hi\r\nBcc: mallory@example.net' }));
    const mail = await simpleParser(raw);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ address: 'eve@example.com', name: 'Eve Bcc: mallory@example.net' }]);
    expect(mail.subject).toBe('Hi Bcc: mallory@example.net');
  });

  it('declines addresses that are not plain ASCII, for nodemailer to compose', () => {
    expect(renderMime(message({ to: { name: 'Ann', address: 'ann@bücher.example' } }))).toBeNull();
    expect(renderMime(message({ to: { name: 'Ann', address: '"ann smith"@example.com' } }))).toBeNull();
    expect(renderMime(message({ from: { name: 'IT', address: 'it@example.com>\r\nBcc: x@y' } }))).toBeNull();
    expect(renderMime(message({ to: { address: 'ann@example.com.' } }))).toBeNull();
  });

  it('refuses extra headers that are not printable ASCII, naming the header', () => {
    expect(() => renderMime(message({ headers: { 'X-Note': 'a\r\nBcc: x@y' } }))).toThrow('header "X-Note" must be printable ASCII');
    expect(() => renderMime(message({ headers: { 'X Bad': 'v' } }))).toThrow('header "X Bad"');
  });
});
