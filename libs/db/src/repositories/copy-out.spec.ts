import { copyTextFields, inlineParams, literal } from './copy-out';

const line = (s: string) => Buffer.from(`${s}\n`, 'utf8');

describe('issue 19 goal 3: COPY … TO STDOUT text format', () => {
  it('R-15: splits tabs, reads \\N as null and keeps Chinese text, empty fields and a literal "\\N" apart', () => {
    expect(copyTextFields(line('GX1\t第1号生成工单\t\\N\t\tt'))).toEqual(['GX1', '第1号生成工单', null, '', 't']);
    // A field holding the two characters \N is sent as \\N.
    expect(copyTextFields(line('\\\\N'))).toEqual(['\\N']);
    expect(copyTextFields(line(''))).toEqual(['']);
  });

  it('R-15: undoes the backslash escapes (line breaks, tabs, backslashes, octal and hex bytes)', () => {
    expect(copyTextFields(line('第一行\\n第二行\tA\\tB\\\\C\\r\\b\\f\\v'))).toEqual([
      '第一行\n第二行',
      'A\tB\\C\r\b\f\v',
    ]);
    expect(copyTextFields(line('\\101\\x42\\7'))).toEqual(['AB\u0007']);
    // A multi-byte character split over escapes is put back together.
    expect(copyTextFields(line('\\344\\270\\255'))).toEqual(['中']);
  });

  it('R-19: values are inlined as quoted, typed literals, never as SQL', () => {
    expect(literal("O'Brien")).toBe("'O''Brien'");
    expect(literal('a\\b')).toBe("E'a\\\\b'");
    expect(literal(new Date('2026-01-01T00:00:00Z'))).toBe("'2026-01-01T00:00:00.000Z'::timestamptz");
    expect(literal(['branch1', "x'"])).toBe("ARRAY['branch1', 'x''']::text[]");
    expect(literal(null)).toBe('NULL');
    expect(inlineParams('SELECT 1-$1', [-5])).toBe('SELECT 1-(-5)');
    expect(() => literal(Number.NaN)).toThrow();
    expect(() => literal('a\u0000')).toThrow();
    // One pass: a value holding "$2" is not replaced again.
    expect(inlineParams('SELECT $1, $2, $10', ['$2', 5, 'x', 4, 5, 6, 7, 8, 9, 'ten'])).toBe("SELECT '$2', (5), 'ten'");
    expect(() => inlineParams('SELECT $3', [1])).toThrow();
  });
});
