/**
 * The email channel: a pooled SMTP transport (nodemailer) sending the localized notice.
 */
import nodemailer from 'nodemailer';
import type { Channel, SendOutcome } from '../../ports.ts';
import { buildEmail } from './build-email.ts';

export interface EmailChannelOptions {
  /** smtp://user:pass@host:port or smtps://…; never logged (it may hold a password). */
  smtpUrl: string;
  /** MAIL_FROM: `"IT" <it@example.com>` or a bare address (then a localized name is added). */
  from: string;
  pool: true;
  maxConnections: number;
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
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const hasDisplayName = options.from.includes('<');

  return {
    kind: 'email',
    async send(notice) {
      const to = notice.user.email;
      if (!to) return { status: 'permanent', reason: 'no address', goneDeviceIds: [] };
      const content = buildEmail(notice);
      try {
        await transport.sendMail({
          from: hasDisplayName ? options.from : { name: content.senderName, address: options.from },
          to: notice.user.displayName ? { name: notice.user.displayName, address: to } : to,
          subject: content.subject,
          text: content.text,
          html: content.html,
          // RFC 3834: an automated notice; asks auto-responders not to answer it.
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
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
