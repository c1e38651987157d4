import { type AdminMessageKey, en } from './en.ts';
import { zhTW } from './zh-tw.ts';

export type { AdminMessageKey };
export type Locale = 'en' | 'zh-TW';
export const LOCALES: readonly Locale[] = ['en', 'zh-TW'];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-TW': '繁體中文' };
const catalogues: Record<Locale, Record<AdminMessageKey, string>> = { en, 'zh-TW': zhTW };

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

/** Looks a message up and fills `{name}` placeholders. */
export function format(locale: Locale, key: AdminMessageKey, params?: Record<string, string | number>): string {
  const text = catalogues[locale][key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}
