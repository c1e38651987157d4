import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './parse-csv.ts';

describe('parseCsv', () => {
  it('reads quoted fields, escaped quotes, embedded newlines, CRLF and a BOM', () => {
    const rows = parseCsv('\ufeffemail,name\r\na@x.io,"Doe, ""Jo"""\r\nb@x.io,"two\nlines"\n');
    expect(rows).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@x.io', 'Doe, "Jo"'] },
      { line: 3, fields: ['b@x.io', 'two\nlines'] },
    ]);
  });

  it('skips blank lines but keeps line numbers true', () => {
    expect(parseCsv('a\n\nb').map((r) => r.line)).toEqual([1, 3]);
  });

  it('keeps empty trailing fields', () => {
    expect(parseCsv('a,,\n')[0]?.fields).toEqual(['a', '', '']);
  });

  it('names the line of an unclosed quote', () => {
    expect(() => parseCsv('a\n"b,c\n')).toThrow(new CsvSyntaxError(2, 'a quoted field is never closed'));
  });

  it('rejects text after a closing quote', () => {
    expect(() => parseCsv('"a"b,c')).toThrow(/line 1: unexpected character/);
  });
});
