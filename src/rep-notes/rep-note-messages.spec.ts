import { cleanAnswer, hasAnswer, repNoteMail } from './rep-note-messages.js';

describe('repNoteMail', () => {
  const facts = {
    noteId: 'n-1',
    rep: { name: 'Nora <York>', email: 'nora@example.com', timeZone: 'America/New_York' },
    marketerName: 'Mark Eter',
    sessionStart: new Date('2026-03-10T15:00:00Z'),
    dueAt: new Date('2026-03-11T15:45:00Z'),
    programName: 'Rep Life',
    publicUrl: 'https://ridealong.example',
  };

  it('says it is optional, in the rep’s zone, with one link and no images', () => {
    const m = repNoteMail(facts);
    expect(m.to).toEqual({ name: 'Nora <York>', email: 'nora@example.com' });
    expect(m.subject).toBe('Optional: what do you wish Marketing knew? (Tuesday 10 March, 11:00)');
    expect(m.text).toContain('optional');
    expect(m.text).toContain('Wednesday 11 March, 11:45 (America/New_York)');
    expect(m.text).toContain('https://ridealong.example/rep/notes/n-1');
    expect(m.text).toContain('Mark Eter never sees it');
    expect(m.html).toContain('Nora &lt;York&gt;');
    expect([...m.html!.matchAll(/href="([^"]+)"/g)].map((x) => x[1])).toEqual(['https://ridealong.example/rep/notes/n-1']);
    expect(m.html).not.toMatch(/<img|src=/i);
  });
});

describe('answers', () => {
  it('treats blank text as no answer and keeps absence apart from clearing', () => {
    expect(cleanAnswer('  hi ')).toBe('hi');
    expect(cleanAnswer('   ')).toBeNull();
    expect(cleanAnswer(null)).toBeNull();
    expect(cleanAnswer(undefined)).toBeUndefined();
  });

  it('needs at least one answer', () => {
    expect(hasAnswer({ wish: null, usefulness: null, followUp: null })).toBe(false);
    expect(hasAnswer({ wish: null, usefulness: 3, followUp: null })).toBe(true);
    expect(hasAnswer({ wish: 'x', usefulness: null, followUp: null })).toBe(true);
  });
});
