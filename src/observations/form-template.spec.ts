import { answerProblems, DEFAULT_FIELDS, templateProblems } from './form-template.js';

const theme = '6a1f0c3e-8b1d-4c55-9a0e-2f4f7d9b1c11';

const completeAnswers = () => ({
  mode: 'feedback',
  segment: 'Mid-market operations lead',
  empathy: { says: ['We lose a day a week'], thinks: ['Is this worth it?'], does: ['Exports to spreadsheets'], feels: ['Frustrated'], sees: [], hears: ['Competitor pitch'] },
  painPoints: ['Manual exports'],
  quotes: [{ text: 'I spend Fridays fixing spreadsheets', speaker: 'customer' }],
  themeIds: [theme],
  proposedThemes: ['Spreadsheet fatigue'],
  lead: { marketingSourced: true, followUp: 'Rep referenced the webinar', lacked: 'Which webinar they attended' },
  ideas: [{ text: 'Tell reps which campaign a lead came from', category: 'info_to_sales' }],
  peak: { text: 'Pricing objection', valence: -2 },
  end: { text: 'Agreed to a trial', valence: 1 },
  negativeFeedback: 'Onboarding took too long',
  focusFinding: 'Trials stall when no one owns setup',
  intros: ['Their IT admin'],
});

const fields = (problems: { field: string }[]) => problems.map((p) => p.field).sort();

describe('answerProblems', () => {
  it('accepts a complete form', () => {
    expect(answerProblems(completeAnswers(), DEFAULT_FIELDS, { complete: true, focus: 'Why do trials stall?' })).toEqual([]);
  });

  it('accepts a partial draft but checks the shape of what is there', () => {
    expect(answerProblems({ mode: 'behavior' }, DEFAULT_FIELDS, { complete: false })).toEqual([]);
    expect(fields(answerProblems({ mode: 'both', peak: { text: 'x', valence: 3 } }, DEFAULT_FIELDS, { complete: false }))).toEqual(['mode', 'peak.valence']);
  });

  it('names every required field that is missing on submit', () => {
    expect(fields(answerProblems({}, DEFAULT_FIELDS, { complete: true }))).toEqual(['empathy', 'end', 'lead', 'mode', 'peak', 'quotes', 'segment', 'themeIds']);
  });

  it('requires focusFinding only when the period has a focus', () => {
    const a = { ...completeAnswers(), focusFinding: '' };
    expect(fields(answerProblems(a, DEFAULT_FIELDS, { complete: true }))).toEqual([]);
    expect(fields(answerProblems(a, DEFAULT_FIELDS, { complete: true, focus: 'Why?' }))).toEqual(['focusFinding']);
  });

  it('names nested problems precisely', () => {
    const a = {
      ...completeAnswers(),
      empathy: { says: 'not a list', smells: [] },
      quotes: [{ text: '', speaker: 'customer' }, { text: 'ok' }],
      ideas: [{ text: 'x', category: 'sales' }],
      themeIds: ['not-an-id'],
      lead: { marketingSourced: true, followUp: '' },
      end: { text: 'Bye', valence: 1.5 },
      extra: 1,
    };
    expect(fields(answerProblems(a, DEFAULT_FIELDS, { complete: true }))).toEqual(
      ['empathy.says', 'empathy.smells', 'end.valence', 'extra', 'ideas[0].category', 'lead.followUp', 'quotes[0].text', 'quotes[1].speaker', 'themeIds[0]'].sort(),
    );
  });

  it('rejects answers that are not an object, and text that is too long', () => {
    expect(fields(answerProblems([], DEFAULT_FIELDS, { complete: false }))).toEqual(['answers']);
    expect(fields(answerProblems({ segment: 'x'.repeat(5001) }, DEFAULT_FIELDS, { complete: false }))).toEqual(['segment']);
  });

  it('validates custom questions as text and knows only the version’s own keys', () => {
    const custom = [...DEFAULT_FIELDS, { key: 'custom.competitor', label: 'Competitor named?', required: true }];
    expect(fields(answerProblems(completeAnswers(), custom, { complete: true }))).toEqual(['custom.competitor']);
    expect(fields(answerProblems({ 'custom.competitor': 7 }, custom, { complete: false }))).toEqual(['custom.competitor']);
    expect(fields(answerProblems({ 'custom.competitor': 'Globex' }, DEFAULT_FIELDS, { complete: false }))).toEqual(['custom.competitor']);
  });
});

describe('templateProblems', () => {
  it('accepts the default and relabelled or extended templates', () => {
    expect(templateProblems(DEFAULT_FIELDS)).toEqual([]);
    expect(templateProblems([...DEFAULT_FIELDS.map((f) => ({ ...f, label: f.label + '!' })), { key: 'custom.budget', label: 'Budget?', required: false }])).toEqual([]);
  });

  it('refuses unknown keys, duplicates, and dropping or relaxing the core fields', () => {
    const bad = [
      ...DEFAULT_FIELDS.filter((f) => f.key !== 'peak').map((f) => (f.key === 'mode' ? { ...f, required: false } : f)),
      { key: 'budget', label: 'x', required: false },
      { key: 'segment', label: 'again', required: false },
    ];
    expect(fields(templateProblems(bad))).toEqual(['fields', 'fields[0].required', `fields[${bad.length - 2}].key`, `fields[${bad.length - 1}].key`].sort());
  });
});
