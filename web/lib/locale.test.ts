import { describe, expect, it } from 'vitest';
import { formatMessage, pickLocale } from './locale.ts';

describe('pickLocale', () => {
  it('takes the first supported browser language; Simplified Chinese is not Traditional', () => {
    expect(pickLocale(['zh-TW', 'en'])).toBe('zh-TW');
    expect(pickLocale(['zh-HK'])).toBe('zh-TW');
    expect(pickLocale(['zh-Hant-TW'])).toBe('zh-TW');
    expect(pickLocale(['zh-CN', 'en-GB'])).toBe('en');
    expect(pickLocale(['zh-Hans', 'zh-TW'])).toBe('zh-TW');
    expect(pickLocale(['fr', 'de'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});

describe('formatMessage', () => {
  const catalogues = { en: { hi: 'Hello {name}, {n} new {missing}' }, 'zh-TW': { hi: '{name} 您好，{n} 則新訊息' } };

  it('fills placeholders in the chosen locale and leaves unknown ones as written', () => {
    expect(formatMessage(catalogues, 'en', 'hi', { name: 'Ann', n: 2 })).toBe('Hello Ann, 2 new {missing}');
    expect(formatMessage(catalogues, 'zh-TW', 'hi', { name: 'Ann', n: 0 })).toBe('Ann 您好，0 則新訊息');
    expect(formatMessage(catalogues, 'en', 'hi')).toBe('Hello {name}, {n} new {missing}');
  });
});
