import { type ComponentChildren, createContext, type JSX } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { type Catalogues, formatMessage, type Locale, LOCALES, pickLocale } from './locale.ts';

/** What a component gets from useI18n(): the locale, its messages, and the switch. */
export interface I18n<K extends string> {
  locale: Locale;
  t: (key: K, params?: Record<string, string | number>) => string;
  setLocale: (locale: Locale) => void;
}

export interface I18nKit<K extends string> {
  /** Provides the catalogue; switching persists the choice and updates <html lang>. */
  I18nProvider: (props: { children: ComponentChildren; locale?: Locale }) => JSX.Element;
  /** The current catalogue (inside I18nProvider). */
  useI18n: () => I18n<K>;
}

/**
 * Makes an i18n provider and hook for one app's catalogue. `storageKey` keeps each app's
 * language choice apart (the console and the PWA share an origin).
 */
export function createI18n<K extends string>(options: { catalogues: Catalogues<K>; storageKey: string }): I18nKit<K> {
  const { catalogues, storageKey } = options;
  const I18nContext = createContext<I18n<K> | null>(null);

  /** The saved choice, else the browser's languages. */
  function initialLocale(): Locale {
    let saved: string | null = null;
    try {
      saved = localStorage.getItem(storageKey);
    } catch {
      // Storage can be disabled (private modes); the browser language still decides.
    }
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
    return pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language]);
  }

  function I18nProvider(props: { children: ComponentChildren; locale?: Locale }) {
    const [locale, setLocaleState] = useState<Locale>(props.locale ?? initialLocale);
    useEffect(() => {
      document.documentElement.lang = locale;
    }, [locale]);
    const value = useMemo<I18n<K>>(
      () => ({
        locale,
        t: (key, params) => formatMessage(catalogues, locale, key, params),
        setLocale: (next) => {
          try {
            localStorage.setItem(storageKey, next);
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

  function useI18n(): I18n<K> {
    const value = useContext(I18nContext);
    if (!value) throw new Error('useI18n outside I18nProvider');
    return value;
  }

  return { I18nProvider, useI18n };
}
