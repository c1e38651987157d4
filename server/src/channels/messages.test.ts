import { describe, expect, it } from 'vitest';
import { LOCALES } from '../ports.ts';
import { emailTexts, noticeTexts } from './messages.ts';

describe('messages', () => {
  it('has a title and body for every kind in every locale, distinct per kind', () => {
    for (const locale of LOCALES) {
      const titles = (['retrieve', 'reminder', 'newCertificates'] as const).map((kind) => {
        const texts = noticeTexts(kind, locale);
        expect(texts.title.length).toBeGreaterThan(0);
        expect(texts.body.length).toBeGreaterThan(0);
        return texts.title;
      });
      expect(new Set(titles).size).toBe(3);
    }
    expect(noticeTexts('retrieve', 'zh-TW').title).not.toBe(noticeTexts('retrieve', 'en').title);
  });

  it('greets by name when known', () => {
    expect(emailTexts('en').greeting('Ann')).toBe('Hello Ann,');
    expect(emailTexts('en').greeting(null)).toBe('Hello,');
    expect(emailTexts('zh-TW').greeting('王小明')).toBe('王小明 您好：');
  });
});
