/**
 * The observation form on a page: which control each template field gets (its kind, from its answer key),
 * the ONE conversion from the posted urlencoded fields to the `answers` object the service stores (used by
 * the draft autosave, "Save draft" and "Submit form"), and the way back from the service's error paths
 * (`quotes[1].text`, `empathy.says[0]`, `answers.peak`) to the names of the inputs.
 *
 * Input names: simple fields use the answer key (`segment`, `custom.competitor`); lists of text are one
 * textarea with one entry per line (`painPoints`, `empathy.says`); rows use the answer's own path
 * (`quotes[0].text`, `ideas[2].category`); objects use dotted paths (`lead.followUp`, `peak.valence`).
 * Pure: no Nest, no database.
 */
import { EMPATHY_KEYS, type TemplateField } from '../../observations/form-template.js';
import { numberOr, text, texts, type FormBody } from '../kit/forms.js';
import type { FieldErrors } from '../kit/html.js';

export type FieldKind = 'choice' | 'text' | 'longText' | 'lines' | 'empathy' | 'quotes' | 'themes' | 'lead' | 'ideas' | 'moment';

const KINDS: Record<string, FieldKind> = {
  mode: 'choice',
  segment: 'text',
  account: 'text',
  empathy: 'empathy',
  painPoints: 'lines',
  quotes: 'quotes',
  themeIds: 'themes',
  proposedThemes: 'lines',
  lead: 'lead',
  ideas: 'ideas',
  peak: 'moment',
  end: 'moment',
  negativeFeedback: 'longText',
  focusFinding: 'longText',
  intros: 'lines',
};

/** The control a template field gets; `custom.*` questions are free text. */
export const kindOf = (key: string): FieldKind => KINDS[key] ?? 'longText';

/** Most rows a repeating group (quotes, ideas) accepts from a form: the service's own list limit. */
export const MAX_ROWS = 50;

/** The non-empty lines of a textarea. */
export function lines(body: FormBody, name: string): string[] {
  return text(body, name)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The row numbers a repeating group was posted with (`quotes[3].text` → 3), in order. */
function rowIndexes(body: FormBody, group: string): number[] {
  const re = new RegExp(`^${group}\\[(\\d{1,3})\\]\\.[a-z]+$`);
  const found = new Set<number>();
  for (const k of Object.keys(body)) {
    const m = re.exec(k);
    if (m && Number(m[1]) < MAX_ROWS) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

export interface FormAnswers {
  answers: Record<string, unknown>;
  markedNames: string[];
}

/**
 * The posted form as the service's answers, field by field of the template. Empty answers are left out
 * (so "required" is checked by the service, which names the field); blank rows are dropped, so the rows
 * of the answers are the rows shown again after an error. Values that are not what a control offers
 * (a tampered select) are passed on as they are, for the service to refuse by name.
 */
export function answersFromForm(fields: readonly TemplateField[], body: FormBody): FormAnswers {
  const answers: Record<string, unknown> = {};
  for (const f of fields) {
    const key = f.key;
    switch (kindOf(key)) {
      case 'choice':
      case 'text':
      case 'longText': {
        const v = text(body, key);
        if (v) answers[key] = v;
        break;
      }
      case 'lines': {
        const v = lines(body, key);
        if (v.length) answers[key] = v;
        break;
      }
      case 'empathy': {
        const map: Record<string, string[]> = {};
        for (const k of EMPATHY_KEYS) {
          const v = lines(body, `${key}.${k}`);
          if (v.length) map[k] = v;
        }
        if (Object.keys(map).length) answers[key] = map;
        break;
      }
      case 'quotes': {
        const rows = rowIndexes(body, key)
          .map((i) => ({ text: text(body, `${key}[${i}].text`), speaker: text(body, `${key}[${i}].speaker`) }))
          .filter((q) => q.text || q.speaker);
        if (rows.length) answers[key] = rows;
        break;
      }
      case 'ideas': {
        const rows = rowIndexes(body, key)
          .map((i) => ({ text: text(body, `${key}[${i}].text`), category: text(body, `${key}[${i}].category`) }))
          .filter((idea) => idea.text);
        if (rows.length) answers[key] = rows;
        break;
      }
      case 'themes': {
        const ids = [...new Set(texts(body, key).map((s) => s.trim()).filter(Boolean))];
        if (ids.length) answers[key] = ids;
        break;
      }
      case 'lead': {
        const sourced = text(body, `${key}.marketingSourced`);
        const followUp = text(body, `${key}.followUp`);
        const lacked = text(body, `${key}.lacked`);
        if (!sourced && !followUp && !lacked) break;
        const lead: Record<string, unknown> = {};
        if (sourced) lead.marketingSourced = sourced === 'yes' ? true : sourced === 'no' ? false : sourced;
        if (followUp) lead.followUp = followUp;
        if (lacked) lead.lacked = lacked;
        answers[key] = lead;
        break;
      }
      case 'moment': {
        const t = text(body, `${key}.text`);
        const valence = numberOr(body, `${key}.valence`);
        if (!t && valence === undefined) break;
        answers[key] = { text: t, ...(valence !== undefined ? { valence } : {}) };
        break;
      }
    }
  }
  return { answers, markedNames: lines(body, 'markedNames') };
}

/** The input (or group) an error path of the service or of the DTO belongs to, or undefined for the form as a whole. */
export function inputFor(path: string, fields: readonly TemplateField[]): string | undefined {
  const p = path.startsWith('answers.') ? path.slice('answers.'.length) : path;
  if (p === 'markedNames' || p.startsWith('markedNames[')) return 'markedNames';
  const field = fields.find((f) => p === f.key || p.startsWith(`${f.key}.`) || p.startsWith(`${f.key}[`));
  if (!field) return undefined;
  const key = field.key;
  const rest = p.slice(key.length);
  switch (kindOf(key)) {
    case 'lines':
    case 'themes':
      return key;
    case 'empathy': {
      const m = /^\.([a-z]+)/.exec(rest);
      return m && (EMPATHY_KEYS as readonly string[]).includes(m[1]) ? `${key}.${m[1]}` : key;
    }
    case 'quotes':
    case 'ideas': {
      const m = /^\[(\d+)\](?:\.([a-z]+))?/.exec(rest);
      if (!m) return key;
      const part = m[2] === 'speaker' || m[2] === 'category' ? m[2] : 'text';
      return `${key}[${m[1]}].${part}`;
    }
    case 'lead':
    case 'moment': {
      const m = /^\.([A-Za-z]+)$/.exec(rest);
      return m ? `${key}.${m[1]}` : key;
    }
    default:
      return key;
  }
}

/** Friendlier words for the service's "x is required" (it names keys; the page names questions). */
function reword(message: string, fields: readonly TemplateField[]): string {
  const m = /^([A-Za-z0-9_.]+) is required$/.exec(message);
  const f = m && fields.find((x) => x.key === m[1]);
  return f ? `Answer this before submitting: ${f.label}` : message;
}

/** Field problems by input name, and the ones that belong to no input (shown at the top). */
export function errorsByInput(problems: FieldErrors, fields: readonly TemplateField[]): { errors: FieldErrors; unplaced: string[] } {
  const errors: FieldErrors = {};
  const unplaced: string[] = [];
  for (const [path, messages] of Object.entries(problems)) {
    const name = inputFor(path, fields);
    const words = messages.map((msg) => reword(msg, fields));
    if (name) (errors[name] ??= []).push(...words);
    else unplaced.push(...words);
  }
  return { errors, unplaced };
}
