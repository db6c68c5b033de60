import { csvCell, csvRow } from './csv.js';

describe('csv', () => {
  it('quotes what needs quoting and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell(null)).toBe('');
  });

  it('defuses spreadsheet formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('+1 415')).toBe("'+1 415");
  });

  it('keeps plain numbers, negative ones included, as numbers', () => {
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell('-1')).toBe('-1');
    expect(csvCell(-0.25)).toBe('-0.25');
    expect(csvCell('-.5')).toBe('-.5');
    expect(csvCell('-1e3')).toBe('-1e3');
    expect(csvCell(3.5)).toBe('3.5');
    expect(csvCell('+7')).toBe('+7');
  });

  it('still defuses what only starts like a number, and other formulas', () => {
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('-1-2')).toBe("'-1-2");
    expect(csvCell('-2*A1')).toBe("'-2*A1");
    expect(csvCell('=cmd|/c calc')).toBe("'=cmd|/c calc");
    expect(csvCell('+x')).toBe("'+x");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('-x')).toBe("'-x");
    expect(csvCell('-')).toBe("'-");
    expect(csvCell('\t-1')).toBe("'\t-1");
    expect(csvCell('-1\n=2')).toBe(`"'-1\n=2"`);
  });

  it('ends rows with CRLF', () => {
    expect(csvRow(['a', 1, true])).toBe('a,1,true\r\n');
  });
});
