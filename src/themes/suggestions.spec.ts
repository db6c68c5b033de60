import { plainSnippet, prunePhrases, START, STOP, surfaceForm } from './suggestions.js';

const row = (phrase: string, observers: number, weight = observers) => ({ phrase, observers, forms: observers, weight });
const m = (w: string) => `${START}${w}${STOP}`;

describe('prunePhrases', () => {
  it('ranks by observers, then weight per observer', () => {
    expect(prunePhrases([row('price page', 3, 0.5), row('dark mode', 4, 0.2), row('export csv', 3, 0.9)]).map((r) => r.phrase)).toEqual(['dark mode', 'export csv', 'price page']);
  });

  it('keeps the longer phrase when it has as many observers, the shorter when it has more', () => {
    const out = prunePhrases([row('export csv', 4), row('export csv file', 4), row('dark mode', 5), row('want dark mode', 3)]).map((r) => r.phrase);
    expect(out).toEqual(['dark mode', 'export csv file']);
  });

  it('does not treat a word inside another word as contained', () => {
    expect(prunePhrases([row('art work', 3), row('smart work flow', 3)]).map((r) => r.phrase)).toEqual(['art work', 'smart work flow']);
  });

  it('caps the list', () => {
    expect(prunePhrases([row('a b', 3), row('c d', 3), row('e f', 3)], 2)).toHaveLength(2);
  });
});

describe('surfaceForm', () => {
  it('reads the phrase as written, stop words between included', () => {
    expect(surfaceForm(`They want to ${m('export')} to the ${m('CSV')} every week`, 2)).toBe('export to the csv');
  });

  it('skips lone marks before the run', () => {
    expect(surfaceForm(`${m('Dark')} corners everywhere, but the ${m('dark')} ${m('mode')}.`, 2)).toBe('dark mode');
  });

  it('gives null when the words are too far apart', () => {
    expect(surfaceForm(`${m('dark')} one two three four ${m('mode')}`, 2)).toBeNull();
  });

  it('drops trailing punctuation', () => {
    expect(surfaceForm(`${m('pricing')} ${m('page')}.`, 2)).toBe('pricing page');
  });
});

describe('plainSnippet', () => {
  it('removes the marks and folds whitespace', () => {
    expect(plainSnippet(`a ${m('b')}\n  c`)).toBe('a b c');
  });
});
