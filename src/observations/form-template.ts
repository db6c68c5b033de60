/**
 * The observation form: its fields (versioned per program) and the validation of answers against them.
 * Pure: no Nest, no database. The answer keys are part of the HTTP contract (DESIGN.md).
 */

export const MODES = ['behavior', 'feedback'] as const;
export const IDEA_CATEGORIES = ['info_to_sales', 'rep_alerts', 'campaign_notifications', 'content', 'product', 'other'] as const;
export const EMPATHY_KEYS = ['says', 'thinks', 'does', 'feels', 'sees', 'hears'] as const;

export const KNOWN_KEYS = [
  'mode',
  'segment',
  'account',
  'empathy',
  'painPoints',
  'quotes',
  'themeIds',
  'proposedThemes',
  'lead',
  'ideas',
  'peak',
  'end',
  'negativeFeedback',
  'focusFinding',
  'intros',
] as const;
export type KnownKey = (typeof KNOWN_KEYS)[number];

/** Keys the rollups stand on: a template may relabel them but never drop them or make them optional. */
export const CORE_KEYS: KnownKey[] = ['mode', 'themeIds', 'peak', 'end'];

export interface TemplateField {
  /** A known key, or `custom.<slug>` for a free-text question the lifecycle team added. */
  key: string;
  label: string;
  help?: string;
  required: boolean;
}

export const DEFAULT_FIELDS: TemplateField[] = [
  { key: 'mode', label: 'Did you watch behaviour or gather feedback? (one, never both)', required: true },
  { key: 'segment', label: "The customer's segment or persona", required: true },
  { key: 'account', label: "The customer's company (kept inside ridealong; counts distinct accounts in rollups)", required: false },
  { key: 'empathy', label: 'Empathy map: what the customer says, thinks, does, feels, sees and hears', required: true },
  { key: 'painPoints', label: 'Pain points', required: false },
  { key: 'quotes', label: "Verbatim quotes: the customer's own words, and who said them", required: true },
  { key: 'themeIds', label: 'Themes (at least one from the taxonomy)', required: true },
  { key: 'proposedThemes', label: 'New themes to propose', required: false },
  { key: 'lead', label: 'Was it a marketing-sourced lead? How did the rep follow it up, and what did they lack?', required: true },
  { key: 'ideas', label: 'Improvement ideas, each tagged', required: false },
  { key: 'peak', label: 'The most intense moment, and how it felt (-2 … +2)', required: true },
  { key: 'end', label: 'How the call ended, and how it felt (-2 … +2)', required: true },
  { key: 'negativeFeedback', label: 'Negative feedback you heard', required: false },
  { key: 'focusFinding', label: "What the session showed about the period's focus", required: false },
  { key: 'intros', label: 'Intros offered: people worth talking to next', required: false },
];

const CUSTOM = /^custom\.[a-z][a-z0-9_]{0,39}$/;

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** Problems with a template a lifecycle user wants to save. */
export function templateProblems(fields: TemplateField[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (!(KNOWN_KEYS as readonly string[]).includes(f.key) && !CUSTOM.test(f.key)) {
      out.push({ field: `fields[${i}].key`, problems: [`${f.key} is neither a known answer key nor custom.<slug>`] });
    }
    if (seen.has(f.key)) out.push({ field: `fields[${i}].key`, problems: [`${f.key} appears twice`] });
    seen.add(f.key);
  });
  for (const key of CORE_KEYS) {
    const f = fields.find((x) => x.key === key);
    if (!f) out.push({ field: 'fields', problems: [`${key} must stay on the form`] });
    else if (!f.required) out.push({ field: `fields[${fields.indexOf(f)}].required`, problems: [`${key} must stay required`] });
  }
  return out;
}

const MAX_TEXT = 5000;
const MAX_LIST = 50;

type Check = (value: unknown, path: string, out: FieldProblem[]) => void;

const problem = (out: FieldProblem[], field: string, message: string) => out.push({ field, problems: [message] });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const text: Check = (v, path, out) => {
  if (typeof v !== 'string') return problem(out, path, `${path} must be text`);
  if (v.length > MAX_TEXT) problem(out, path, `${path} must be at most ${MAX_TEXT} characters`);
};
const textList: Check = (v, path, out) => {
  if (!Array.isArray(v)) return problem(out, path, `${path} must be a list of text`);
  if (v.length > MAX_LIST) problem(out, path, `${path} may hold at most ${MAX_LIST} entries`);
  v.forEach((x, i) => text(x, `${path}[${i}]`, out));
};
const onlyKeys = (v: Record<string, unknown>, keys: readonly string[], path: string, out: FieldProblem[]) => {
  for (const k of Object.keys(v)) if (!keys.includes(k)) problem(out, `${path}.${k}`, `${path}.${k} is not part of ${path}`);
};
const moment: Check = (v, path, out) => {
  if (!isObject(v)) return problem(out, path, `${path} must be {text, valence}`);
  onlyKeys(v, ['text', 'valence'], path, out);
  text(v.text, `${path}.text`, out);
  if (!Number.isInteger(v.valence) || (v.valence as number) < -2 || (v.valence as number) > 2) problem(out, `${path}.valence`, `${path}.valence must be a whole number from -2 to 2`);
};

const SHAPES: Record<KnownKey, Check> = {
  mode: (v, p, out) => {
    if (!(MODES as readonly unknown[]).includes(v)) problem(out, p, `${p} must be behavior or feedback (one per form, never mixed)`);
  },
  segment: text,
  account: text,
  empathy: (v, p, out) => {
    if (!isObject(v)) return problem(out, p, `${p} must be {says, thinks, does, feels, sees, hears}, each a list of text`);
    onlyKeys(v, EMPATHY_KEYS, p, out);
    for (const k of EMPATHY_KEYS) if (v[k] !== undefined) textList(v[k], `${p}.${k}`, out);
  },
  painPoints: textList,
  quotes: (v, p, out) => {
    if (!Array.isArray(v)) return problem(out, p, `${p} must be a list of {text, speaker}`);
    v.forEach((q, i) => {
      if (!isObject(q)) return problem(out, `${p}[${i}]`, `${p}[${i}] must be {text, speaker}`);
      onlyKeys(q, ['text', 'speaker'], `${p}[${i}]`, out);
      text(q.text, `${p}[${i}].text`, out);
      if (typeof q.text === 'string' && !q.text.trim()) problem(out, `${p}[${i}].text`, `${p}[${i}].text must not be empty`);
      text(q.speaker, `${p}[${i}].speaker`, out);
    });
  },
  themeIds: (v, p, out) => {
    if (!Array.isArray(v)) return problem(out, p, `${p} must be a list of theme ids`);
    v.forEach((x, i) => {
      if (typeof x !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(x)) problem(out, `${p}[${i}]`, `${p}[${i}] must be a theme id`);
    });
  },
  proposedThemes: textList,
  lead: (v, p, out) => {
    if (!isObject(v)) return problem(out, p, `${p} must be {marketingSourced, followUp, lacked}`);
    onlyKeys(v, ['marketingSourced', 'followUp', 'lacked'], p, out);
    if (typeof v.marketingSourced !== 'boolean') problem(out, `${p}.marketingSourced`, `${p}.marketingSourced must be true or false`);
    if (v.followUp !== undefined) text(v.followUp, `${p}.followUp`, out);
    if (v.lacked !== undefined) text(v.lacked, `${p}.lacked`, out);
  },
  ideas: (v, p, out) => {
    if (!Array.isArray(v)) return problem(out, p, `${p} must be a list of {text, category}`);
    v.forEach((idea, i) => {
      if (!isObject(idea)) return problem(out, `${p}[${i}]`, `${p}[${i}] must be {text, category}`);
      onlyKeys(idea, ['text', 'category'], `${p}[${i}]`, out);
      text(idea.text, `${p}[${i}].text`, out);
      if (!(IDEA_CATEGORIES as readonly unknown[]).includes(idea.category)) problem(out, `${p}[${i}].category`, `${p}[${i}].category must be one of ${IDEA_CATEGORIES.join(', ')}`);
    });
  },
  peak: moment,
  end: moment,
  negativeFeedback: text,
  focusFinding: text,
  intros: textList,
};

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (typeof v === 'string' && !v.trim()) || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

export interface ValidateOptions {
  /** Submit checks required answers; a draft only checks the shape of what is there. */
  complete: boolean;
  /** The period's focus: when set, focusFinding is required on submit. */
  focus?: string | null;
}

/** Every problem with a form's answers, each naming its field (`quotes[1].text`, `peak.valence`). */
export function answerProblems(answers: unknown, fields: TemplateField[], options: ValidateOptions): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!isObject(answers)) return [{ field: 'answers', problems: ['answers must be an object'] }];
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const [key, value] of Object.entries(answers)) {
    if (!byKey.has(key)) {
      problem(out, key, `${key} is not a question on this form (version has: ${fields.map((f) => f.key).join(', ')})`);
      continue;
    }
    if (value === null) continue;
    if (key.startsWith('custom.')) text(value, key, out);
    else SHAPES[key as KnownKey](value, key, out);
  }
  if (options.complete) {
    for (const f of fields) {
      const required = f.required || (f.key === 'focusFinding' && !!options.focus);
      if (required && isEmpty(answers[f.key])) problem(out, f.key, `${f.key} is required`);
    }
    const lead = answers.lead;
    if (isObject(lead) && lead.marketingSourced === true && isEmpty(lead.followUp)) {
      problem(out, 'lead.followUp', 'lead.followUp is required for a marketing-sourced lead: how did the rep follow it up?');
    }
  }
  return out;
}
