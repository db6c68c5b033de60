/**
 * The marketer's forms pages: the list of forms due (with countdowns) and submitted, the observation form
 * built from its template version, and a read-only view for the lifecycle team. Functions of their data.
 */
import { EMPATHY_KEYS, IDEA_CATEGORIES, MODES, type TemplateField } from '../../observations/form-template.js';
import type { Observation } from '../../observations/observation.entity.js';
import type { User } from '../../people/user.entity.js';
import { kindOf, MAX_ROWS } from './forms-answers.js';
import type { FormSession } from './forms-pages.repository.js';
import { dateTime, iso, range } from '../kit/format.js';
import { errorId, errorSummary, fieldError, fieldId, form, html, type FieldErrors, type Html, input, select, textarea } from '../kit/html.js';
import { page } from '../kit/layout.js';

// ------------------------------------------------------------------ small parts

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The countdown's words, as the page script writes them ("due in 3 hours 5 minutes", "overdue by 2 days 1 hour"). */
export function countdownText(due: Date, now: Date): { text: string; late: boolean } {
  const mins = Math.round((due.getTime() - now.getTime()) / 60_000);
  const late = mins < 0;
  const m = Math.abs(mins);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const r = m % 60;
  const parts = d ? [plural(d, 'day'), plural(h, 'hour')] : h ? [plural(h, 'hour'), plural(r, 'minute')] : [plural(r, 'minute')];
  return { text: `${late ? 'overdue by' : 'due in'} ${parts.join(' ')}`, late };
}

/** A live countdown to `due` that reads right without the script too; late ones look late. */
export function countdown(due: Date, now: Date): Html {
  const c = countdownText(due, now);
  return html`<time class="badge${c.late ? ' late' : ''}" data-countdown datetime="${iso(due)}">${c.text}</time>`;
}

/** "Call with Dana Reyes" or "Support shift (billing)". */
export function sessionTitle(s: FormSession | undefined): string {
  if (!s) return 'Session';
  if (s.rep_name) return `Call with ${s.rep_name}`;
  return s.queue ? `Support shift (${s.queue})` : 'Support shift';
}

/** A fieldset for a question made of several controls; its own errors (e.g. "required") under the legend. */
function group(key: string, legend: string, hint: string | undefined, errors: FieldErrors | undefined, body: Html): Html {
  return html`<fieldset id="${fieldId(key)}" class="${errors?.[key]?.length ? 'has-error' : ''}"${errors?.[key]?.length ? html` aria-describedby="${errorId(key)}"` : ''}>
<legend>${legend}</legend>${hint ? html`<p class="hint muted">${hint}</p>` : ''}
${fieldError(errors, key)}${body}</fieldset>`;
}

/** Ties a group's error to the group's first control, so a screen reader hears it there too. */
function groupAttrs(errors: FieldErrors | undefined, key: string, name: string): Html {
  return errors?.[key]?.length && !errors?.[name]?.length ? html` aria-invalid="true" aria-describedby="${errorId(key)}"` : html``;
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(asText) : []);
const asObject = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const asRows = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(asObject) : []);

export const MODE_LABELS: Record<(typeof MODES)[number], string> = {
  behavior: 'Behaviour: I watched what the customer did',
  feedback: 'Feedback: I gathered what the customer told us',
};
export const CATEGORY_LABELS: Record<(typeof IDEA_CATEGORIES)[number], string> = {
  info_to_sales: 'Information for sales',
  rep_alerts: 'Alerts for reps',
  campaign_notifications: 'Campaign notifications',
  content: 'Content',
  product: 'Product',
  other: 'Other',
};
const EMPATHY_LABELS: Record<(typeof EMPATHY_KEYS)[number], string> = { says: 'Says', thinks: 'Thinks', does: 'Does', feels: 'Feels', sees: 'Sees', hears: 'Hears' };
const VALENCES = [
  { value: '-2', label: '-2: very negative' },
  { value: '-1', label: '-1: negative' },
  { value: '0', label: '0: neutral' },
  { value: '1', label: '+1: positive' },
  { value: '2', label: '+2: very positive' },
];
const MOMENT_WORDS: Record<string, { what: string; felt: string }> = {
  peak: { what: 'What happened at the most intense moment', felt: 'How the most intense moment felt' },
  end: { what: 'How the session ended', felt: 'How the end felt' },
};

export interface ThemeOption {
  id: string;
  name: string;
}

// ------------------------------------------------------------------ the form

/** Whether a template field must be answered to submit (the period's focus makes focusFinding required). */
export const isRequired = (f: TemplateField, focus: string | null) => f.required || (f.key === 'focusFinding' && !!focus);

/** One template field as its labelled control(s), filled with `answers`. */
export function fieldControl(f: TemplateField, answers: Record<string, unknown>, errors: FieldErrors | undefined, opts: { focus: string | null; themes: ThemeOption[] }): Html {
  const key = f.key;
  const label = `${f.label}${isRequired(f, opts.focus) ? ' (required)' : ''}`;
  const v = answers[key];
  const help = f.key === 'focusFinding' && opts.focus ? [f.help, `This period's focus: ${opts.focus}`].filter(Boolean).join(' ') : f.help;
  switch (kindOf(key)) {
    case 'choice':
      return select({
        label,
        name: key,
        value: asText(v),
        errors,
        blank: 'Choose one',
        options: [...MODES.map((m) => ({ value: m, label: MODE_LABELS[m] })), ...(asText(v) && !(MODES as readonly string[]).includes(asText(v)) ? [{ value: asText(v), label: asText(v) }] : [])],
      });
    case 'text':
      return input({ label, name: key, value: asText(v), errors, hint: help });
    case 'longText':
      return textarea({ label, name: key, value: asText(v), errors, hint: help, rows: 3 });
    case 'lines':
      return textarea({ label, name: key, value: asList(v).join('\n'), errors, hint: [help, 'One per line.'].filter(Boolean).join(' '), rows: 3 });
    case 'empathy': {
      const map = asObject(v);
      return group(
        key,
        label,
        [help, 'One entry per line; fill in what you noticed.'].filter(Boolean).join(' '),
        errors,
        html`${EMPATHY_KEYS.map((k, i) =>
          textarea({ label: EMPATHY_LABELS[k], name: `${key}.${k}`, value: asList(map[k]).join('\n'), errors, rows: 2, attrs: i === 0 ? groupAttrs(errors, key, `${key}.${k}`) : undefined }),
        )}`,
      );
    }
    case 'quotes': {
      const rows = asRows(v);
      const count = Math.min(MAX_ROWS, Math.max(3, rows.length + 2));
      return group(
        key,
        label,
        [help, "The customer's exact words, one quote per row. Empty rows are ignored."].filter(Boolean).join(' '),
        errors,
        html`${Array.from({ length: count }, (_, i) => {
          const q = rows[i] ?? {};
          return html`<div class="item">${textarea({ label: `Quote ${i + 1}`, name: `${key}[${i}].text`, value: asText(q.text), errors, rows: 2, attrs: i === 0 ? groupAttrs(errors, key, `${key}[${i}].text`) : undefined })}${input({
            label: `Who said quote ${i + 1}`,
            name: `${key}[${i}].speaker`,
            value: asText(q.speaker),
            errors,
            attrs: html` placeholder="customer"`,
          })}</div>`;
        })}`,
      );
    }
    case 'ideas': {
      const rows = asRows(v);
      const count = Math.min(MAX_ROWS, Math.max(2, rows.length + 1));
      return group(
        key,
        label,
        [help, 'One idea per row, each with a category. Empty rows are ignored.'].filter(Boolean).join(' '),
        errors,
        html`${Array.from({ length: count }, (_, i) => {
          const idea = rows[i] ?? {};
          const cat = asText(idea.category);
          return html`<div class="item">${input({ label: `Idea ${i + 1}`, name: `${key}[${i}].text`, value: asText(idea.text), errors, attrs: i === 0 ? groupAttrs(errors, key, `${key}[${i}].text`) : undefined })}${select({
            label: `Category of idea ${i + 1}`,
            name: `${key}[${i}].category`,
            value: cat,
            errors,
            blank: 'Choose a category',
            options: [...IDEA_CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] })), ...(cat && !(IDEA_CATEGORIES as readonly string[]).includes(cat) ? [{ value: cat, label: cat }] : [])],
          })}</div>`;
        })}`,
      );
    }
    case 'themes': {
      const chosen = asList(v);
      const known = new Set(opts.themes.map((t) => t.id));
      const extra = chosen.filter((id) => !known.has(id)).map((id) => ({ id, name: `${id} (no longer in the taxonomy)` }));
      const all = [...opts.themes, ...extra];
      return group(
        key,
        label,
        [help, 'Tick every theme the session touched. Propose missing ones below.'].filter(Boolean).join(' '),
        errors,
        all.length
          ? html`${all.map(
              (t, i) =>
                html`<div><input type="checkbox" id="${fieldId(`${key}-${t.id}`)}" name="${key}" value="${t.id}"${chosen.includes(t.id) ? html` checked` : ''}${i === 0 ? groupAttrs(errors, key, `${key}-`) : ''}> <label for="${fieldId(`${key}-${t.id}`)}">${t.name}</label></div>`,
            )}`
          : html`<p class="muted">The taxonomy has no themes yet: propose new ones.</p>`,
      );
    }
    case 'lead': {
      const lead = asObject(v);
      const sourced = lead.marketingSourced === true ? 'yes' : lead.marketingSourced === false ? 'no' : asText(lead.marketingSourced);
      return group(
        key,
        label,
        help,
        errors,
        html`${select({
          label: 'Was it a marketing-sourced lead?',
          name: `${key}.marketingSourced`,
          value: sourced,
          errors,
          blank: 'Choose one',
          options: [
            { value: 'yes', label: 'Yes, marketing-sourced' },
            { value: 'no', label: 'No' },
            ...(sourced && sourced !== 'yes' && sourced !== 'no' ? [{ value: sourced, label: sourced }] : []),
          ],
        })}${textarea({ label: 'How did the rep follow it up?', name: `${key}.followUp`, value: asText(lead.followUp), errors, hint: 'Required when the lead was marketing-sourced.', rows: 2 })}${textarea({
          label: 'What did the rep lack?',
          name: `${key}.lacked`,
          value: asText(lead.lacked),
          errors,
          rows: 2,
        })}`,
      );
    }
    case 'moment': {
      const m = asObject(v);
      const words = MOMENT_WORDS[key] ?? { what: 'What happened', felt: 'How it felt' };
      return group(
        key,
        label,
        help,
        errors,
        html`${textarea({ label: words.what, name: `${key}.text`, value: asText(m.text), errors, rows: 2, attrs: groupAttrs(errors, key, `${key}.text`) })}${select({
          label: words.felt,
          name: `${key}.valence`,
          value: asText(m.valence),
          errors,
          blank: 'Choose -2 … +2',
          options: [...VALENCES, ...(asText(m.valence) && !VALENCES.some((x) => x.value === asText(m.valence)) ? [{ value: asText(m.valence), label: asText(m.valence) }] : [])],
        })}`,
      );
    }
  }
}

export interface FormPageData {
  user: User;
  csrf: string;
  observation: Observation;
  template: TemplateField[];
  focus: string | null;
  session: FormSession | undefined;
  themes: ThemeOption[];
  /** What to show in the controls: the saved answers, or the posted ones after an error. */
  answers: Record<string, unknown>;
  markedNames: string[];
  errors?: FieldErrors;
  message?: string;
  notice?: string;
  now: Date;
}

function sessionLine(d: { session: FormSession | undefined; user: User }): Html {
  const s = d.session;
  return html`<p><strong>${sessionTitle(s)}</strong>${s ? html` · ${range(s.starts_at, s.ends_at, d.user.timeZone)} · <span class="muted">${s.program_name}</span>` : ''}</p>`;
}

/** The observation form of its author: every template field, names to keep out, drafts saved as they type. */
export function formPage(d: FormPageData): Html {
  const o = d.observation;
  const id = o.id;
  const submitted = o.status === 'submitted';
  const status = submitted
    ? html`<p>Submitted on ${dateTime(o.submittedAt ?? o.updatedAt, d.user.timeZone)}${o.late ? html` <span class="badge late">late</span>` : ''}; changes are kept in the history.</p>`
    : html`<p>${o.status === 'draft' ? 'Draft' : 'Not started'}, ${countdown(o.dueAt, d.now)} <span class="muted">(by ${dateTime(o.dueAt, d.user.timeZone)})</span></p>`;
  const body = html`${sessionLine(d)}${status}
${errorSummary(d.errors, d.message)}
${form(
  `/marketer/forms/${id}`,
  d.csrf,
  html`
${d.template.map((f) => fieldControl(f, d.answers, d.errors, { focus: d.focus, themes: d.themes }))}
${textarea({
  label: 'Customer names to keep out of rollups',
  name: 'markedNames',
  value: d.markedNames.join('\n'),
  errors: d.errors,
  hint: 'One name per line. They are blanked out wherever the words of this form travel (rollups, exports, emails).',
  rows: 3,
})}
<p class="muted" data-save-status aria-live="polite">${submitted ? 'Changes are saved when you press "Save changes".' : 'Your draft is saved as you type.'}</p>
<div class="row">${submitted
    ? html`<button type="submit" name="action" value="save">Save changes</button>`
    : html`<button type="submit" name="action" value="save" class="secondary">Save draft</button><button type="submit" name="action" value="submit">Submit form</button>`}</div>`,
  submitted ? html` novalidate` : html` novalidate data-autosave="/marketer/forms/${id}/draft"`,
)}
<p><a href="/marketer/forms">Back to forms</a></p>`;
  return page({ title: submitted ? 'Observation form (submitted)' : 'Observation form', body, user: d.user, csrf: d.csrf, current: '/marketer/forms', notice: d.notice });
}

// ------------------------------------------------------------------ read-only (lifecycle team)

function answerView(f: TemplateField, v: unknown, themeNames: Map<string, string>): Html {
  if (v === undefined || v === null || v === '') return html`<span class="muted">Not answered</span>`;
  switch (kindOf(f.key)) {
    case 'choice':
      return html`${MODE_LABELS[v as (typeof MODES)[number]] ?? asText(v)}`;
    case 'lines':
      return html`<ul>${asList(v).map((x) => html`<li>${x}</li>`)}</ul>`;
    case 'empathy': {
      const map = asObject(v);
      return html`<dl>${EMPATHY_KEYS.filter((k) => asList(map[k]).length).map((k) => html`<dt>${EMPATHY_LABELS[k]}</dt><dd>${asList(map[k]).join('; ')}</dd>`)}</dl>`;
    }
    case 'quotes':
      return html`<ul>${asRows(v).map((q) => html`<li>“${asText(q.text)}”${asText(q.speaker) ? html` (${asText(q.speaker)})` : ''}</li>`)}</ul>`;
    case 'ideas':
      return html`<ul>${asRows(v).map((i) => html`<li>${asText(i.text)} <span class="badge">${CATEGORY_LABELS[asText(i.category) as (typeof IDEA_CATEGORIES)[number]] ?? asText(i.category)}</span></li>`)}</ul>`;
    case 'themes':
      return html`<ul>${asList(v).map((id) => html`<li>${themeNames.get(id) ?? id}</li>`)}</ul>`;
    case 'lead': {
      const l = asObject(v);
      return html`<p>${l.marketingSourced === true ? 'Marketing-sourced' : l.marketingSourced === false ? 'Not marketing-sourced' : 'Not said'}</p>${asText(l.followUp) ? html`<p>Follow-up: ${asText(l.followUp)}</p>` : ''}${asText(l.lacked) ? html`<p>Lacked: ${asText(l.lacked)}</p>` : ''}`;
    }
    case 'moment': {
      const m = asObject(v);
      const n = typeof m.valence === 'number' ? m.valence : undefined;
      return html`${asText(m.text)}${n !== undefined ? html` <span class="badge">${n > 0 ? `+${n}` : String(n)}</span>` : ''}`;
    }
    default:
      return html`${asText(v)}`;
  }
}

/** A form as the lifecycle team reads it (they do not write it). */
export function readOnlyPage(d: { user: User; csrf: string; observation: Observation; template: TemplateField[]; session: FormSession | undefined; authorName: string; themeNames: Map<string, string> }): Html {
  const o = d.observation;
  const body = html`${sessionLine(d)}
<p>By ${d.authorName} · ${o.status === 'submitted' ? html`submitted on ${dateTime(o.submittedAt ?? o.updatedAt, d.user.timeZone)}${o.late ? html` <span class="badge late">late</span>` : ''}` : html`${o.status === 'draft' ? 'draft' : 'not started'}, due ${dateTime(o.dueAt, d.user.timeZone)}`}</p>
<p class="muted">Read only: only the author writes a form.</p>
<dl>${d.template.map((f) => html`<dt>${f.label}</dt><dd>${answerView(f, o.answers[f.key], d.themeNames)}</dd>`)}</dl>`;
  return page({ title: 'Observation form', body, user: d.user, csrf: d.csrf });
}

// ------------------------------------------------------------------ the list

export function formsListPage(d: { user: User; csrf: string; forms: Observation[]; sessions: Map<string, FormSession>; now: Date; notice?: string }): Html {
  const zone = d.user.timeZone;
  const due = d.forms.filter((o) => o.status !== 'submitted');
  const submitted = d.forms
    .filter((o) => o.status === 'submitted')
    .sort((a, b) => (b.submittedAt?.getTime() ?? 0) - (a.submittedAt?.getTime() ?? 0))
    .slice(0, 20);
  const when = (o: Observation) => {
    const s = d.sessions.get(o.id);
    return s ? range(s.starts_at, s.ends_at, zone) : dateTime(o.sessionEndedAt, zone);
  };
  const body = html`<h2>Forms due</h2>
${due.length
  ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Session</th><th scope="col">When</th><th scope="col">Status</th><th scope="col">Due</th><th scope="col"><span class="muted">Form</span></th></tr></thead>
<tbody>${due.map(
      (o) => html`<tr>
<td>${sessionTitle(d.sessions.get(o.id))}<br><span class="muted">${d.sessions.get(o.id)?.program_name ?? ''}</span></td>
<td>${when(o)}</td>
<td>${o.status === 'draft' ? 'Draft' : 'Not started'}</td>
<td>${countdown(o.dueAt, d.now)}<br><span class="muted">by ${dateTime(o.dueAt, zone)}</span></td>
<td><a href="/marketer/forms/${o.id}">${o.status === 'draft' ? 'Continue draft' : 'Write up'}</a></td>
</tr>`,
    )}</tbody></table></div>`
  : html`<p class="muted">Nothing to write up. A form opens here when a session you sat in on is marked done.</p>`}
<h2>Submitted</h2>
${submitted.length
  ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Session</th><th scope="col">When</th><th scope="col">Submitted</th><th scope="col"><span class="muted">Form</span></th></tr></thead>
<tbody>${submitted.map(
      (o) => html`<tr>
<td>${sessionTitle(d.sessions.get(o.id))}</td>
<td>${when(o)}</td>
<td>${o.submittedAt ? dateTime(o.submittedAt, zone) : ''}${o.late ? html` <span class="badge late">late</span>` : ''}</td>
<td><a href="/marketer/forms/${o.id}">View form</a></td>
</tr>`,
    )}</tbody></table></div>`
  : html`<p class="muted">No forms submitted yet.</p>`}`;
  return page({ title: 'Forms', body, user: d.user, csrf: d.csrf, current: '/marketer/forms', notice: d.notice });
}
