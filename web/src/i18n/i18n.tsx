import { type ComponentChildren, createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { format, type Locale, LOCALES, type MessageKey, pickLocale } from './catalogue.ts';

const STORAGE_KEY = 'smime-portal.locale';

export interface I18n {
  locale: Locale;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  setLocale: (locale: Locale) => void;
}

const I18nContext = createContext<I18n | null>(null);

/** The saved choice, else the browser's languages. */
export function initialLocale(): Locale {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled (private modes); the browser language still decides.
  }
  if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  return pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

/** Provides the catalogue; switching persists the choice and updates <html lang>. */
export function I18nProvider(props: { children: ComponentChildren; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(props.locale ?? initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo<I18n>(
    () => ({
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
    }),
    [locale],
  );
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

/** The current catalogue (inside I18nProvider). */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
