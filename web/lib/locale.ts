/**
 * The languages both web entries speak and the generic message mechanics. No strings of either
 * app live here: each entry passes its own catalogue to createI18n.
 */
export type Locale = 'en' | 'zh-TW';
export const LOCALES: readonly Locale[] = ['en', 'zh-TW'];
/** Each language named in itself, for a language switch. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-TW': '繁體中文' };

/** One table of messages per locale, keyed alike. */
export type Catalogues<K extends string> = Record<Locale, Record<K, string>>;

/** The best supported locale for the browser's languages: any Chinese but Simplified → zh-TW. */
export function pickLocale(languages: readonly string[]): Locale {
  for (const lang of languages) {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) {
      if (l === 'zh-cn' || l === 'zh-sg' || l.startsWith('zh-hans')) continue;
      return 'zh-TW';
    }
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

/** Looks a message up and fills `{name}` placeholders (unknown ones are left as written). */
export function formatMessage<K extends string>(catalogues: Catalogues<K>, locale: Locale, key: K, params?: Record<string, string | number>): string {
  const text = catalogues[locale][key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}
