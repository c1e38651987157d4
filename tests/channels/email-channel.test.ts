/**
 * The email channel against a real SMTP server (smtp-server) on 127.0.0.1; what it receives is
 * parsed with mailparser. The recipient's local part picks the server's answer.
 */
import { once } from 'node:events';
import type net from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailChannel } from '../../server/src/channels/email/email-channel.ts';
import type { Channel, Notice } from '../../server/src/ports.ts';
import { startCountingSmtp } from '../support/counting-smtp.ts';

const inbox: ParsedMail[] = [];
const servers: SMTPServer[] = [];
let channel: Channel;
let smtpUrl: string;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

async function startSmtp(options: ConstructorParameters<typeof SMTPServer>[0]): Promise<string> {
  const server = new SMTPServer({ disabledCommands: ['AUTH', 'STARTTLS'], logger: false, ...options });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`;
}

function notice(overrides: Partial<Notice['user']> = {}, kind: Notice['kind'] = 'retrieve'): Notice {
  return {
    recipientId: 'r-7',
    kind,
    user: { email: 'ann@example.com', displayName: 'Ann <b>&</b> Co', locale: 'en', ...overrides },
    url: 'https://portal.example.com/smime/retrieve?r=r-7&x=1',
    topic: 'campaign-7',
    subscriptions: [],
  };
}

beforeAll(async () => {
  smtpUrl = await startSmtp({
    onRcptTo(address, _session, callback) {
      const local = address.address.split('@')[0];
      if (local === 'defer451') return callback(smtpError(451, '4.3.0 Mailbox temporarily unavailable'));
      if (local === 'reject550') return callback(smtpError(550, '5.1.1 No such user here'));
      if (local === 'busy421') return callback(smtpError(421, '4.7.0 Try again later'));
      return callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          inbox.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  channel = createEmailChannel({ smtpUrl, from: 'it-certificates@example.com', pool: true, maxConnections: 2 });
});

afterAll(async () => {
  await channel.close();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe('email channel against smtp-server', () => {
  it('sends the English notice with subject, a clear sender and the link in text and HTML', async () => {
    inbox.length = 0;
    expect(await channel.send(notice())).toEqual({ status: 'sent', goneDeviceIds: [] });
    expect(inbox).toHaveLength(1);
    const mail = inbox[0]!;
    expect(mail.subject).toBe('Your S/MIME certificates are ready');
    expect(mail.from?.value).toEqual([{ name: 'IT – S/MIME certificates', address: 'it-certificates@example.com' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('ann@example.com');
    const url = 'https://portal.example.com/smime/retrieve?r=r-7&x=1';
    expect(mail.text).toContain(url);
    expect(mail.text).toContain('Hello Ann <b>&</b> Co,');
    expect(mail.html).toContain('href="https://portal.example.com/smime/retrieve?r=r-7&amp;x=1"');
    expect(mail.html).toContain('Hello Ann &lt;b&gt;&amp;&lt;/b&gt; Co,');
    expect(mail.html).not.toContain('<b>');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@example\.com>$/);
    expect(Math.abs((mail.date?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('gives every message its own Message-ID', async () => {
    inbox.length = 0;
    await Promise.all([channel.send(notice()), channel.send(notice())]);
    expect(new Set(inbox.map((m) => m.messageId)).size).toBe(2);
  });

  it('has nodemailer compose what the renderer declines: an internationalized domain', async () => {
    inbox.length = 0;
    expect(await channel.send(notice({ email: 'ann@bücher.example', displayName: 'Ann' }))).toEqual({ status: 'sent', goneDeviceIds: [] });
    const mail = inbox[0]!;
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toMatch(/^ann@(bücher|xn--bcher-kva)\.example$/);
    expect(mail.from?.value).toEqual([{ name: 'IT – S/MIME certificates', address: 'it-certificates@example.com' }]);
    expect(mail.text).toContain('https://portal.example.com/smime/retrieve?r=r-7&x=1');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('sends zh-TW to a zh-TW user', async () => {
    inbox.length = 0;
    const outcome = await channel.send(notice({ locale: 'zh-TW', displayName: '王小明' }, 'newCertificates'));
    expect(outcome.status).toBe('sent');
    const mail = inbox[0]!;
    expect(mail.subject).toBe('有新的 S/MIME 憑證可用');
    expect(mail.from?.value[0]?.name).toBe('資訊部 – S/MIME 憑證');
    expect(mail.text).toContain('王小明 您好：');
    expect(mail.html).toContain('<html lang="zh-TW">');
    expect(mail.html).toContain('安裝我的憑證');
  });

  it('keeps the display name MAIL_FROM already has', async () => {
    inbox.length = 0;
    const named = createEmailChannel({ smtpUrl, from: '"Contoso IT" <it@contoso.example>', pool: true, maxConnections: 1 });
    expect((await named.send(notice())).status).toBe('sent');
    await named.close();
    expect(inbox[0]?.from?.value).toEqual([{ name: 'Contoso IT', address: 'it@contoso.example' }]);
  });

  it('replaces a pooled connection after maxMessages messages, and keeps it for 1000 by default', async () => {
    const smtp = await startCountingSmtp();
    const send = async (messages: number, maxMessages?: number) => {
      smtp.reset();
      const c = createEmailChannel({ smtpUrl: smtp.url, from: 'it@example.com', pool: true, maxConnections: 1, ...(maxMessages ? { maxMessages } : {}) });
      const outcomes = await Promise.all(Array.from({ length: messages }, () => c.send(notice())));
      await c.close();
      expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(messages);
      return smtp.connections();
    };
    try {
      expect(await send(5, 2)).toBe(3);
      // nodemailer's own default (100) would open a second connection here.
      expect(await send(150)).toBe(1);
    } finally {
      await smtp.close();
    }
  });

  it('is permanent with no address', async () => {
    expect(await channel.send(notice({ email: null }))).toEqual({
      status: 'permanent',
      reason: 'no address',
      goneDeviceIds: [],
    });
  });

  it('classifies 451 and 421 as retryable and 550 as permanent with the server text', async () => {
    expect(await channel.send(notice({ email: 'defer451@example.com' }))).toEqual({
      status: 'retryable',
      reason: expect.stringContaining('451 4.3.0 Mailbox temporarily unavailable'),
      goneDeviceIds: [],
    });
    expect(await channel.send(notice({ email: 'busy421@example.com' }))).toMatchObject({
      status: 'retryable',
      reason: expect.stringContaining('421 4.7.0 Try again later'),
    });
    expect(await channel.send(notice({ email: 'reject550@example.com' }))).toEqual({
      status: 'permanent',
      reason: 'SMTP server rejected the message: 550 5.1.1 No such user here',
      goneDeviceIds: [],
    });
    // The pool still delivers afterwards.
    expect((await channel.send(notice())).status).toBe('sent');
  });

  it('is retryable when the server greets with 421 or cannot be reached', async () => {
    const busyUrl = await startSmtp({
      onConnect(_session, callback) {
        callback(smtpError(421, 'Too many connections, try later'));
      },
    });
    const busy = createEmailChannel({ smtpUrl: busyUrl, from: '"Contoso IT" <it@contoso.example>', pool: true, maxConnections: 1 });
    expect(await busy.send(notice())).toMatchObject({ status: 'retryable', reason: expect.stringContaining('421') });
    await busy.close();

    const closed = new SMTPServer({ logger: false });
    closed.listen(0, '127.0.0.1');
    await once(closed.server, 'listening');
    const { port } = closed.server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = createEmailChannel({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'it@example.com',
      pool: true,
      maxConnections: 1,
      timeoutMs: 2000,
    });
    expect(await unreachable.send(notice())).toMatchObject({
      status: 'retryable',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
    await unreachable.close();
  });
});
