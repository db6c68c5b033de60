/**
 * Server-rendered HTML with escaping by default: `html\`<p>${text}</p>\`` escapes every interpolated value
 * unless it is itself a `Html` (built by `html` or `raw`). Arrays are joined. No other template engine:
 * pages are functions of their data, type-checked like the rest of the code.
 */
import { escapeHtml } from '../../common/escape-html.js';

/** A piece of markup: text, or text already encoded as UTF-8. */
type Part = string | Buffer;

export class Html {
  /**
   * The markup as pieces, when some of it is already UTF-8 bytes (see `bytes`); absent for the usual markup,
   * which is one string. A page of thousands of rows is sent without copying its rows into one string first.
   */
  readonly parts?: readonly Part[];
  readonly #text?: string;

  constructor(value: string | readonly Part[]) {
    if (typeof value === 'string') this.#text = value;
    else this.parts = value;
  }

  /** The markup as one string (decoding any bytes). */
  get value(): string {
    return this.#text ?? this.parts!.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('');
  }

  toString(): string {
    return this.value;
  }

  /** The markup as UTF-8, each string piece encoded on its own. */
  utf8(): Buffer {
    return this.parts ? Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))) : Buffer.from(this.#text!, 'utf8');
  }
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

/** Markup being put together: text appended to a string, and the pieces before it when some are bytes. */
class Builder {
  text = '';
  parts: Part[] | null = null;

  add(v: Interpolation): void {
    if (v === null || v === undefined || v === false) return;
    if (v instanceof Html) {
      if (v.parts) for (const p of v.parts) this.piece(p);
      else this.text += v.value;
    } else if (Array.isArray(v)) {
      // Appended, not joined: a join copies the text of every item again, and a page of a few thousand
      // rows is then copied once per level of nesting; appended strings are copied once, when the page is sent.
      for (const item of v as readonly Interpolation[]) this.add(item);
    } else this.text += escapeHtml(String(v));
  }

  piece(p: Part): void {
    if (typeof p === 'string') this.text += p;
    else {
      (this.parts ??= []).push(this.text, p);
      this.text = '';
    }
  }

  done(): Html {
    if (!this.parts) return new Html(this.text);
    this.parts.push(this.text);
    return new Html(this.parts.filter((p) => p.length > 0));
  }
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  const b = new Builder();
  b.text = strings[0];
  for (let i = 0; i < values.length; i++) {
    b.add(values[i]);
    b.text += strings[i + 1];
  }
  return b.done();
}

/** Trusted markup, as is. Only for strings built by code, never for user input. */
export const raw = (s: string): Html => new Html(s);

/** The most `bytes` writes into one buffer. */
const CHUNK = 64 * 1024;

/**
 * Trusted markup built by code, encoded now: for a list of thousands of rows, each row's string is written
 * as UTF-8 on its own into buffers of up to 64 KiB, and the page never holds the rows as one string.
 * Encoding one long appended string (flattening it, then writing UTF-8) cost several times more.
 */
export function bytes(rows: readonly string[]): Html {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: a buffer with 3 bytes per unit left always has room.
  let left = 0;
  for (const row of rows) left += row.length * 3;
  const parts: Buffer[] = [];
  let buf = Buffer.alloc(0);
  let used = 0;
  const flush = () => {
    // A buffer mostly unused (a short list) is copied out, so the page does not keep the rest of it.
    if (used) parts.push(used < buf.length / 2 ? Buffer.from(buf.subarray(0, used)) : buf.subarray(0, used));
  };
  for (const row of rows) {
    if (buf.length - used < row.length * 3) {
      flush();
      buf = Buffer.allocUnsafe(Math.max(Math.min(CHUNK, left), row.length * 3));
      used = 0;
    }
    used += buf.write(row, used, 'utf8');
    left -= row.length * 3;
  }
  flush();
  return new Html(parts);
}

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
