import { useMemo } from 'preact/hooks';
import { createI18n, type I18n as GenericI18n } from '../../../lib/create-i18n.tsx';
import { type AdminMessageKey, catalogues } from './catalogue.ts';

/** The console's i18n: its catalogue over the shared provider (web/lib), plus dates. */
export interface I18n extends GenericI18n<AdminMessageKey> {
  /** A date (and time) in the current locale; "—" for none. */
  date: (value: string | Date | null, withTime?: boolean) => string;
}

const kit = createI18n({ catalogues, storageKey: 'smime-portal.admin.locale' });

export const I18nProvider = kit.I18nProvider;

/** The console's catalogue and date formatting (inside I18nProvider). */
export function useI18n(): I18n {
  const i18n = kit.useI18n();
  return useMemo(() => {
    const dateFmt = new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium' });
    const timeFmt = new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: 'short' });
    return { ...i18n, date: (value, withTime = false) => (value === null ? '—' : (withTime ? timeFmt : dateFmt).format(new Date(value))) };
  }, [i18n]);
}
