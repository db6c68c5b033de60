import { describe, expect, it } from '@jest/globals';
import { answerProblems, DEFAULT_FIELDS, type TemplateField } from '../../observations/form-template.js';
import { answersFromForm, errorsByInput, inputFor, kindOf } from './forms-answers.js';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const fields: TemplateField[] = [...DEFAULT_FIELDS, { key: 'custom.competitor', label: 'Which competitor did they name?', required: false }];

describe('answersFromForm', () => {
  it('turns each kind of control into the answer shape of the contract, leaving empty answers out', () => {
    const { answers, markedNames } = answersFromForm(fields, {
      _csrf: 'x',
      action: 'submit',
      mode: 'behavior',
      segment: '  SMB  ',
      account: '',
      'empathy.says': 'one\r\n\r\n two ',
      'empathy.hears': '',
      painPoints: 'a\nb',
      'quotes[0].text': 'First',
      'quotes[0].speaker': 'customer',
      'quotes[1].text': '',
      'quotes[1].speaker': '',
      'quotes[2].text': 'Third',
      'quotes[2].speaker': '',
      themeIds: [A, B, A],
      proposedThemes: '',
      'lead.marketingSourced': 'no',
      'lead.followUp': '',
      'lead.lacked': 'Context',
      'ideas[0].text': 'Idea',
      'ideas[0].category': 'content',
      'ideas[1].text': '',
      'ideas[1].category': 'product',
      'peak.text': 'Peak',
      'peak.valence': '-1',
      'end.text': '',
      'end.valence': '',
      negativeFeedback: 'Bad',
      'custom.competitor': 'Globex',
      markedNames: 'Jane Doe\n\nJohn Roe',
    });
    expect(answers).toEqual({
      mode: 'behavior',
      segment: 'SMB',
      empathy: { says: ['one', 'two'] },
      painPoints: ['a', 'b'],
      quotes: [
        { text: 'First', speaker: 'customer' },
        { text: 'Third', speaker: '' },
      ],
      themeIds: [A, B],
      lead: { marketingSourced: false, lacked: 'Context' },
      ideas: [{ text: 'Idea', category: 'content' }],
      peak: { text: 'Peak', valence: -1 },
      negativeFeedback: 'Bad',
      'custom.competitor': 'Globex',
    });
    expect(markedNames).toEqual(['Jane Doe', 'John Roe']);
    // What the page builds, the service accepts as a draft.
    expect(answerProblems(answers, fields, { complete: false })).toEqual([]);
  });

  it('passes values no control offers on as they are, so the service names the field', () => {
    const { answers } = answersFromForm(fields, { mode: 'both', 'lead.marketingSourced': 'maybe', 'peak.text': 'x', 'peak.valence': 'high', 'end.text': 'y' });
    expect(answers).toEqual({ mode: 'both', lead: { marketingSourced: 'maybe' }, peak: { text: 'x', valence: 'high' }, end: { text: 'y' } });
    const fieldsWithProblems = answerProblems(answers, fields, { complete: false }).map((p) => p.field);
    expect(fieldsWithProblems.sort()).toEqual(['end.valence', 'lead.marketingSourced', 'mode', 'peak.valence']);
  });

  it('keeps only the questions of the template version, and ignores rows past the limit', () => {
    const only: TemplateField[] = [{ key: 'mode', label: 'Mode', required: true }];
    expect(answersFromForm(only, { mode: 'feedback', segment: 'SMB' }).answers).toEqual({ mode: 'feedback' });
    const many = answersFromForm(fields, { 'quotes[0].text': 'a', 'quotes[50].text': 'too far', 'quotes[999].text': 'far' });
    expect(many.answers.quotes).toEqual([{ text: 'a', speaker: '' }]);
  });
});

describe('errors by input', () => {
  it.each([
    ['segment', 'segment'],
    ['answers.segment', 'segment'],
    ['empathy', 'empathy'],
    ['empathy.says[3]', 'empathy.says'],
    ['painPoints[2]', 'painPoints'],
    ['quotes', 'quotes'],
    ['quotes[1]', 'quotes[1].text'],
    ['quotes[1].text', 'quotes[1].text'],
    ['quotes[0].speaker', 'quotes[0].speaker'],
    ['themeIds[0]', 'themeIds'],
    ['lead', 'lead'],
    ['lead.followUp', 'lead.followUp'],
    ['ideas[2].category', 'ideas[2].category'],
    ['peak.valence', 'peak.valence'],
    ['end', 'end'],
    ['custom.competitor', 'custom.competitor'],
    ['markedNames[4]', 'markedNames'],
  ])('%s belongs to input %s', (path, name) => {
    expect(inputFor(path, fields)).toBe(name);
  });

  it('puts problems of no input at the top and rewords "required" with the question', () => {
    const { errors, unplaced } = errorsByInput({ segment: ['segment is required'], answers: ['answers must be an object'], bogus: ['bogus is not a question on this form'] }, fields);
    expect(errors).toEqual({ segment: ["Answer this before submitting: The customer's segment or persona"] });
    expect(unplaced).toEqual(['answers must be an object', 'bogus is not a question on this form']);
  });

  it('gives custom questions a long-text control', () => {
    expect(kindOf('custom.competitor')).toBe('longText');
    expect(kindOf('quotes')).toBe('quotes');
  });
});
