/**
 * Server-rendered HTML with escaping by default: `html\`<p>${text}</p>\`` escapes every interpolated value
 * unless it is itself a `Html` (built by `html` or `raw`). Arrays are joined. No other template engine:
 * pages are functions of their data, type-checked like the rest of the code.
 */
import { escapeHtml } from '../../common/escape-html.js';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function render(v: Interpolation): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) {
    // Appended, not joined: a join copies the text of every item again, and a page of a few thousand
    // rows is then copied once per level of nesting; appended strings are copied once, when the page is sent.
    let out = '';
    for (const item of v as readonly Interpolation[]) out += render(item);
    return out;
  }
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Trusted markup, as is. Only for strings built by code, never for user input. */
export const raw = (s: string): Html => new Html(s);

/** Field problems by field name (`answers.summary`, `weekly[2].start`), shown next to each field. */
export type FieldErrors = Record<string, string[]>;

/** The id of the element holding a field's errors, for aria-describedby. */
export const errorId = (name: string): string => `err-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
export const fieldId = (name: string): string => `f-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The errors of one field, or nothing; `role="alert"` is left to the summary at the top of the form. */
export function fieldError(errors: FieldErrors | undefined, name: string): Html {
  const list = errors?.[name];
  if (!list?.length) return html``;
  return html`<p class="field-error" id="${errorId(name)}">${list.join('; ')}</p>`;
}

export const hintId = (name: string): string => `hint-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** Attributes tying an input to its hint and error text, and marking it invalid. */
export function invalidAttrs(errors: FieldErrors | undefined, name: string, hasHint = false): Html {
  const invalid = !!errors?.[name]?.length;
  const described = [hasHint ? hintId(name) : '', invalid ? errorId(name) : ''].filter(Boolean).join(' ');
  return html`${invalid ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}`;
}

export interface InputOptions {
  label: string;
  name: string;
  type?: string;
  value?: string | number | null;
  errors?: FieldErrors;
  required?: boolean;
  hint?: string;
  attrs?: Html;
  id?: string;
}

/** A labelled input with its hint and errors. */
export function input(o: InputOptions): Html {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field${o.errors?.[o.name]?.length ? ' has-error' : ''}">
<label for="${id}">${o.label}</label>${o.hint ? html`<span class="hint" id="${hintId(o.name)}">${o.hint}</span>` : ''}
<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.required ? html` required` : ''}${invalidAttrs(o.errors, o.name, !!o.hint)}${o.attrs ?? ''}>
${fieldError(o.errors, o.name)}</div>`;
}

export interface TextareaOptions {
  label: string;
  name: string;
  value?: string;
  errors?: FieldErrors;
  hint?: string;
  rows?: number;
  /** Extra attributes (e.g. a group's error tied to its first control). */
  attrs?: Html;
}

/** A labelled textarea with its hint and errors, like `input()`. */
export function textarea(o: TextareaOptions): Html {
  const id = fieldId(o.name);
  return html`<div class="field${o.errors?.[o.name]?.length ? ' has-error' : ''}">
<label for="${id}">${o.label}</label>${o.hint ? html`<span class="hint" id="${hintId(o.name)}">${o.hint}</span>` : ''}
<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 3}"${invalidAttrs(o.errors, o.name, !!o.hint)}${o.attrs ?? ''}>${o.value ?? ''}</textarea>
${fieldError(o.errors, o.name)}</div>`;
}

/** A checkbox with its label beside it (value "1"), errors below. */
export function checkbox(o: { label: string; name: string; checked: boolean; errors?: FieldErrors }): Html {
  const id = fieldId(o.name);
  return html`<div class="field${o.errors?.[o.name]?.length ? ' has-error' : ''}">
<label for="${id}"><input id="${id}" name="${o.name}" type="checkbox" value="1"${o.checked ? html` checked` : ''}${invalidAttrs(o.errors, o.name)}> ${o.label}</label>
${fieldError(o.errors, o.name)}</div>`;
}

export interface SelectOptions {
  label: string;
  name: string;
  options: readonly { value: string; label: string }[];
  value?: string | null;
  errors?: FieldErrors;
  required?: boolean;
  id?: string;
  blank?: string;
}

export function select(o: SelectOptions): Html {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field${o.errors?.[o.name]?.length ? ' has-error' : ''}">
<label for="${id}">${o.label}</label>
<select id="${id}" name="${o.name}"${o.required ? html` required` : ''}${invalidAttrs(o.errors, o.name)}>
${o.blank !== undefined ? html`<option value="">${o.blank}</option>` : ''}${o.options.map(
    (opt) => html`<option value="${opt.value}"${opt.value === o.value ? html` selected` : ''}>${opt.label}</option>`,
  )}
</select>
${fieldError(o.errors, o.name)}</div>`;
}

/** A form that posts with the CSRF token; `body` holds its fields and buttons. */
export function form(action: string, csrf: string, body: Html, attrs: Html = html``): Html {
  return html`<form method="post" action="${action}"${attrs}><input type="hidden" name="_csrf" value="${csrf}">${body}</form>`;
}

/** A one-button form (accept, cancel, sign out …). */
export function buttonForm(action: string, csrf: string, label: string, fields: Record<string, string> = {}, cls = ''): Html {
  return form(
    action,
    csrf,
    html`${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button>`,
    html` class="inline"`,
  );
}

/** A summary of the form's problems at its top, announced to screen readers, linking to each field. */
export function errorSummary(errors: FieldErrors | undefined, message?: string): Html {
  const entries = Object.entries(errors ?? {}).filter(([, v]) => v.length);
  if (!entries.length && !message) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1">
<h2>There is a problem</h2>${message ? html`<p>${message}</p>` : ''}
${entries.length ? html`<ul>${entries.map(([k, v]) => html`<li><a href="#${fieldId(k)}">${v.join('; ')}</a></li>`)}</ul>` : ''}
</div>`;
}

/** A flash notice after a redirect (`?notice=`), spoken politely. */
export function notice(text: string | undefined): Html {
  return text ? html`<div class="notice" role="status">${text}</div>` : html``;
}
