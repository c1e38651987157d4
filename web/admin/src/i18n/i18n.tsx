import { type ComponentChildren, createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { type AdminMessageKey, format, type Locale, LOCALES, pickLocale } from './catalogue.ts';

const STORAGE_KEY = 'smime-portal.admin.locale';

export interface I18n {
  locale: Locale;
  t: (key: AdminMessageKey, params?: Record<string, string | number>) => string;
  setLocale: (locale: Locale) => void;
  /** A date (and time) in the current locale. */
  date: (iso: string | Date | null, withTime?: boolean) => string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLocale(): Locale {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be off; the browser language still decides.
  }
  if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  return pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

/** The console's catalogue; switching persists the choice and updates <html lang>. */
export function I18nProvider(props: { children: ComponentChildren }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo<I18n>(() => {
    const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    const timeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    return {
      locale,
      t: (key, params) => format(locale, key, params),
      setLocale: (next) => {
        try {
          localStorage.setItem(STORAGE_KEY, next);
        } catch {
          // Not persisted; still switched for this visit.
        }
        setLocaleState(next);
      },
      date: (value, withTime = false) => (value === null ? '—' : (withTime ? timeFmt : dateFmt).format(new Date(value))),
    };
  }, [locale]);
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
