import { mendPlaceholders, oneLine, positionOf, searchPosition, snippetParts, unmarked } from './search-text.js';

describe('search text helpers', () => {
  const id = '0b7e9a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5d';

  it('reads a cursor position of score, kind and id, and refuses anything else', () => {
    expect(searchPosition([60793, 'form', id])).toEqual({ ranked: true, score: 60793, kind: 'form', id });
    expect(searchPosition([0, 'rep_note', id])).toEqual({ ranked: true, score: 0, kind: 'rep_note', id });
    expect(searchPosition(['older', 1796000000000000, id])).toEqual({ ranked: false, atMicros: 1796000000000000, id });
    expect(searchPosition(['older', 1.5, id])).toBeUndefined();
    expect(searchPosition(['newer', 1, id])).toBeUndefined();
    expect(searchPosition([1.5, 'form', id])).toBeUndefined();
    expect(searchPosition([-1, 'form', id])).toBeUndefined();
    expect(searchPosition([1, 'theme', id])).toBeUndefined();
    expect(searchPosition([1, 'form', 'x'])).toBeUndefined();
    expect(searchPosition([1, 'form'])).toBeUndefined();
  });

  it('writes the position a result row ends a page on, which searchPosition reads back', () => {
    const ranked = { ranked: true, score: '60793', kind: 'form' as const, id, at_micros: '1796000000000000' };
    expect(searchPosition(positionOf(ranked))).toEqual({ ranked: true, score: 60793, kind: 'form', id });
    expect(searchPosition(positionOf({ ...ranked, ranked: false }))).toEqual({ ranked: false, atMicros: 1796000000000000, id });
  });

  it('splits a snippet into plain and matched parts', () => {
    expect(snippetParts('they «export» to «csv» daily')).toEqual([
      { text: 'they ', match: false },
      { text: 'export', match: true },
      { text: ' to ', match: false },
      { text: 'csv', match: true },
      { text: ' daily', match: false },
    ]);
    expect(snippetParts('no marks')).toEqual([{ text: 'no marks', match: false }]);
    expect(unmarked('a «b» c')).toBe('a b c');
  });

  it('puts back the bracket ts_headline cut off a placeholder at a fragment edge', () => {
    expect(mendPlaceholders('name] finance hates the CSV')).toBe('[name] finance hates the CSV');
    expect(mendPlaceholders('write to [email … phone] later')).toBe('write to [email] … [phone] later');
    expect(mendPlaceholders('[name] and [email] stay')).toBe('[name] and [email] stay');
    expect(mendPlaceholders('a username] b')).toBe('a username] b');
  });

  it('puts a snippet on one line', () => {
    expect(oneLine(' first answer\nsecond   answer \n')).toBe('first answer second answer');
  });
});
