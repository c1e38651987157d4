/**
 * The email channel: a pooled SMTP transport (nodemailer) sending the localized notice, rendered
 * by render-mime.ts into a finished message (nodemailer composes only what that does not cover).
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { Channel, Notice, SendOutcome } from '../../ports.ts';
import { buildEmail } from './build-email.ts';
import { type Mailbox, renderMime } from './render-mime.ts';

export interface EmailChannelOptions {
  /** smtp://user:pass@host:port or smtps://…; never logged (it may hold a password). */
  smtpUrl: string;
  /** MAIL_FROM: `"IT" <it@example.com>` or a bare address (then a localized name is added). */
  from: string;
  pool: true;
  maxConnections: number;
  /**
   * Messages a pooled connection sends before it is closed and replaced (nodemailer's own default
   * is 100). Every replacement waits for the server's greeting again — servers delay it on
   * purpose (smtp-server 100 ms, Postfix's postscreen longer) — and connections opened together
   * reach the limit together. Default 1000.
   */
  maxMessages?: number;
  /** Connection, greeting and socket timeouts. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Creates the email channel. Classification: SMTP 4xx (responseCode 400–499) and connection
 * errors/timeouts → retryable; SMTP 5xx → permanent with the server's text; a user without an
 * address → permanent 'no address'.
 */
export function createEmailChannel(options: EmailChannelOptions): Channel {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections: options.maxConnections,
    maxMessages: options.maxMessages ?? 1000,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const sender = parseSender(options.from);
  const messageIdDomain = sender.address.split('@').pop();

  /** The finished message, or nodemailer's composition input where renderMime declines. */
  function message(notice: Notice, to: string): SendMailOptions {
    const content = buildEmail(notice);
    const from = { name: sender.name || content.senderName, address: sender.address };
    const recipient = { name: notice.user.displayName ?? '', address: to };
    // RFC 3834: an automated notice; asks auto-responders not to answer it.
    const headers = { 'Auto-Submitted': 'auto-generated' };
    const id = randomUUID();
    const raw = renderMime({ from, to: recipient, subject: content.subject, text: content.text, html: content.html, date: new Date(), messageId: `<${id}@${messageIdDomain}>`, boundary: id.replaceAll('-', ''), headers });
    if (raw !== null) return { envelope: { from: sender.address, to: [to] }, raw };
    return {
      from: sender.name || !sender.parsed ? options.from : from,
      to: recipient.name ? recipient : to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      headers,
    };
  }

  return {
    kind: 'email',
    async send(notice) {
      const to = notice.user.email;
      if (!to) return { status: 'permanent', reason: 'no address', goneDeviceIds: [] };
      try {
        await transport.sendMail(message(notice, to));
        return { status: 'sent', goneDeviceIds: [] };
      } catch (error) {
        return classifySmtpError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** MAIL_FROM's display name and address; `parsed` is false where it is not one mailbox. */
function parseSender(from: string): Mailbox & { name: string; parsed: boolean } {
  const [first, ...rest] = addressparser(from, { flatten: true });
  if (first?.address && rest.length === 0) return { name: first.name, address: first.address, parsed: true };
  return { name: '', address: from.trim(), parsed: false };
}

/** Maps a nodemailer failure to an outcome (see createEmailChannel). */
export function classifySmtpError(error: unknown): SendOutcome {
  const err = (error ?? {}) as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown };
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const serverText = typeof err.response === 'string' ? err.response.trim() : undefined;
  if (responseCode !== undefined && responseCode >= 500 && responseCode < 600) {
    return { status: 'permanent', reason: `SMTP server rejected the message: ${serverText ?? responseCode}`, goneDeviceIds: [] };
  }
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) {
    return { status: 'retryable', reason: `SMTP server deferred the message: ${serverText ?? responseCode}`, goneDeviceIds: [] };
  }
  const code = typeof err.code === 'string' ? `${err.code}: ` : '';
  const message = typeof err.message === 'string' ? err.message : String(error);
  return { status: 'retryable', reason: `SMTP connection failed: ${code}${message}`, goneDeviceIds: [] };
}
