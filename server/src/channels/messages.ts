/**
 * The localized texts of every notice, shared by the push and email channels so that a user
 * reads the same words on the lock screen and in the mailbox.
 */
import type { Locale, Notice } from '../ports.ts';

export type NoticeKind = Notice['kind'];

/** Title and one-line body: the push notification, and the subject + lead of the email. */
export interface NoticeTexts {
  title: string;
  body: string;
}

/** The extra lines only the email needs. */
export interface EmailTexts {
  /** Display name of the sender, so the message is recognisably from IT. */
  senderName: string;
  greeting(displayName: string | null): string;
  action: string;
  linkFallback: string;
  footer: string;
}

const NOTICE_TEXTS: Record<Locale, Record<NoticeKind, NoticeTexts>> = {
  en: {
    retrieve: {
      title: 'Your S/MIME certificates are ready',
      body: 'Open this notice on your device to install your signing and encryption certificates.',
    },
    reminder: {
      title: 'Reminder: install your S/MIME certificates',
      body: 'Your certificates are still waiting. Install them to read and sign encrypted mail.',
    },
    newCertificates: {
      title: 'New S/MIME certificates are available',
      body: 'New certificates were issued for you. Open this notice to add them to your device.',
    },
  },
  'zh-TW': {
    retrieve: {
      title: '您的 S/MIME 憑證已備妥',
      body: '請在您的裝置上開啟此通知，以安裝您的簽章與加密憑證。',
    },
    reminder: {
      title: '提醒：請安裝您的 S/MIME 憑證',
      body: '您的憑證仍在等候安裝。安裝後即可閱讀及簽署加密郵件。',
    },
    newCertificates: {
      title: '有新的 S/MIME 憑證可用',
      body: '系統已為您核發新的憑證。請開啟此通知，將其加入您的裝置。',
    },
  },
};

const EMAIL_TEXTS: Record<Locale, EmailTexts> = {
  en: {
    senderName: 'IT – S/MIME certificates',
    greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
    action: 'Install my certificates',
    linkFallback: 'If the button does not work, open this link on the device you read mail on:',
    footer:
      'This is a mandatory notice from your IT department about the certificates of your work ' +
      'account. The link contains no password; your device proves who you are when you open it.',
  },
  'zh-TW': {
    senderName: '資訊部 – S/MIME 憑證',
    greeting: (name) => (name ? `${name} 您好：` : '您好：'),
    action: '安裝我的憑證',
    linkFallback: '若按鈕無法使用，請在您收信的裝置上開啟此連結：',
    footer:
      '這是資訊部關於您工作帳號憑證的必要通知。此連結不含任何密碼；開啟時將由您的裝置驗證您的身分。',
  },
};

/** Title and body of a notice of `kind` in `locale`. */
export function noticeTexts(kind: NoticeKind, locale: Locale): NoticeTexts {
  return NOTICE_TEXTS[locale][kind];
}

/** The email-only texts in `locale`. */
export function emailTexts(locale: Locale): EmailTexts {
  return EMAIL_TEXTS[locale];
}
