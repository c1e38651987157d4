/**
 * Builds the localized email of a notice: subject, plain text and HTML. Pure.
 * No List-Unsubscribe: this is a mandatory IT notice, not a newsletter.
 */
import type { Notice } from '../../ports.ts';
import { emailTexts, noticeTexts } from '../messages.ts';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
  /** Localized display name for a sender address that has none. */
  senderName: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The email for `notice` in the user's locale, linking to `notice.url`. */
export function buildEmail(notice: Notice): EmailContent {
  const { locale } = notice.user;
  const texts = noticeTexts(notice.kind, locale);
  const mail = emailTexts(locale);
  const greeting = mail.greeting(notice.user.displayName);
  const text = [greeting, '', texts.body, '', `${mail.action}: ${notice.url}`, '', '-- ', mail.footer, ''].join('\n');
  const url = escapeHtml(notice.url);
  const html = `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><title>${escapeHtml(texts.title)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1b1b">
<p>${escapeHtml(greeting)}</p>
<p>${escapeHtml(texts.body)}</p>
<p><a href="${url}" style="display: inline-block; padding: 10px 18px; background: #0b5cad; color: #ffffff; border-radius: 4px; text-decoration: none">${escapeHtml(mail.action)}</a></p>
<p>${escapeHtml(mail.linkFallback)}<br><a href="${url}">${url}</a></p>
<hr>
<p style="font-size: 0.9em; color: #555">${escapeHtml(mail.footer)}</p>
</body>
</html>
`;
  return { subject: texts.title, text, html, senderName: mail.senderName };
}
