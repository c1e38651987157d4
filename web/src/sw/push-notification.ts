/**
 * Turns a push payload (as server/src/channels/push/push-channel.ts sends it: `{ title, body,
 * url, tag, locale }`) into showNotification arguments. The tag makes a newer notice replace an
 * older one of the same campaign.
 */
export interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag: string;
  locale: string;
}

const FALLBACK: Record<string, { title: string; body: string }> = {
  en: { title: 'S/MIME Portal', body: 'Open the portal to continue.' },
  'zh-TW': { title: 'S/MIME 入口網站', body: '請開啟入口網站以繼續。' },
};

export function parsePushPayload(text: string | null, fallbackLocale = 'en'): PushPayload {
  let value: Partial<Record<keyof PushPayload, unknown>> = {};
  try {
    value = text ? (JSON.parse(text) as typeof value) : {};
  } catch {
    // A push with a non-JSON body still shows something rather than nothing.
  }
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
  const locale = str(value.locale) === 'zh-TW' ? 'zh-TW' : str(value.locale) === 'en' ? 'en' : fallbackLocale;
  const fallback = FALLBACK[locale] ?? FALLBACK['en']!;
  return {
    title: str(value.title) ?? fallback.title,
    body: str(value.body) ?? fallback.body,
    url: str(value.url) ?? '/smime/retrieve',
    tag: str(value.tag) ?? 'smime-portal',
    locale,
  };
}

export function notificationOptions(p: PushPayload): NotificationOptions & { renotify?: boolean } {
  return {
    body: p.body,
    tag: p.tag,
    lang: p.locale,
    data: { url: p.url },
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    renotify: true,
  };
}
