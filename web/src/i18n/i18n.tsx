import { createI18n, type I18n as GenericI18n } from '../../lib/create-i18n.tsx';
import { catalogues, type MessageKey } from './catalogue.ts';

/** The PWA's i18n: its catalogue over the shared provider (web/lib). */
export type I18n = GenericI18n<MessageKey>;

export const { I18nProvider, useI18n } = createI18n({ catalogues, storageKey: 'smime-portal.locale' });
