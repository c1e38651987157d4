import type { Catalogues } from '../../../lib/locale.ts';
import { type AdminMessageKey, en } from './en.ts';
import { zhTW } from './zh-tw.ts';

export type { AdminMessageKey };
export { type Locale, LOCALE_NAMES, LOCALES } from '../../../lib/locale.ts';
export const catalogues: Catalogues<AdminMessageKey> = { en, 'zh-TW': zhTW };

