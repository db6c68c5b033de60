import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import { DomainError } from '../../common/errors.js';
import { flattenValidationErrors } from '../../common/validation.js';
import type { FieldErrors, Html } from './html.js';

/**
 * A parsed urlencoded form. The InputGuard gives every handler an object (`{}` for a POST without a body);
 * the readers below also take `undefined`, so a form read outside a route cannot throw a TypeError.
 */
export type FormBody = Record<string, unknown>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * Validates a built object against the API's own DTO class, with the API's rules (whitelist, forbid
 * unknown), so a page accepts exactly what the JSON API accepts. Field names in the errors are the DTO's.
 */
export async function parseDto<T extends object>(cls: ClassConstructor<T>, plain: object): Promise<Parsed<T>> {
  const value = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const problems = await validate(value, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (!problems.length) return { ok: true, value };
  const errors: FieldErrors = {};
  for (const f of flattenValidationErrors(problems)) (errors[f.field] ??= []).push(...f.problems);
  return { ok: false, errors };
}

/** A form field as a trimmed string ('' when absent); a repeated field gives its last value. */
export function text(body: FormBody | undefined, name: string): string {
  const v = body?.[name];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof s === 'string' ? s.trim() : '';
}

/** A field that may repeat (checkboxes, multi-selects), as an array of strings. */
export function texts(body: FormBody | undefined, name: string): string[] {
  const v = body?.[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
}

/** A checkbox: present and not "false"/"off". */
export function checked(body: FormBody | undefined, name: string): boolean {
  const v = text(body, name);
  return v !== '' && v !== 'false' && v !== 'off' && v !== '0';
}

/** A number field: the number, or the raw text when it is not one (so validation names the field). */
export function numberOr(body: FormBody | undefined, name: string): number | string | undefined {
  const v = text(body, name);
  if (v === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

/**
 * A domain error as something a page can show: field problems next to their fields (validation details,
 * or `details.field`), otherwise one message for the top of the form. Anything else is rethrown.
 */
export function formProblem(e: unknown, fieldFor?: (code: string) => string | undefined): FormProblem {
  if (!(e instanceof DomainError)) throw e;
  if (e.code === 'unauthenticated' || e.code === 'forbidden' || e.code === 'not_found') throw e;
  const d = e.details as { fields?: { field: string; problems: string[] }[]; field?: unknown };
  if (Array.isArray(d.fields)) {
    const errors: FieldErrors = {};
    for (const f of d.fields) (errors[f.field] ??= []).push(...f.problems);
    return { errors, status: e.status };
  }
  const field = typeof d.field === 'string' ? d.field : fieldFor?.(e.code);
  if (field) return { errors: { [field]: [e.message] }, status: e.status };
  return { errors: {}, message: e.message, status: e.status };
}

/** One message from a problem, for a page that shows it with no field: its message, else its field problems joined. */
export function messageOf(p: { errors: FieldErrors; message?: string }): string {
  return p.message ?? Object.values(p.errors).flat().join('; ');
}

/** Sends a whole page. */
export function sendHtml(res: Response, status: number, page: Html): void {
  res.status(status).type('html').send(page.parts ? page.utf8() : page.value);
}

/** Post/redirect/get: the browser loads `url` with GET. */
export function seeOther(res: Response, url: string): void {
  res.redirect(303, url);
}

/** A refusal as a page shows it: problems next to their fields, or one message at the top, and the status to answer with. */
export interface FormProblem {
  errors: FieldErrors;
  message?: string;
  status: number;
}

/**
 * The submit of a page form, in one place: input refused by validation answers 400 with the page again
 * (its problems next to their fields); then `act` runs, and its refusal (a domain error, read by `problem`,
 * formProblem unless given) shows the page again at the error's status; success redirects (post/redirect/get)
 * to the page `act` names. Errors that are not a form's problem (not found, forbidden, bugs) propagate to the
 * page error filter.
 */
export async function submitForm<T>(
  res: Response,
  form: {
    /** The validated input (parseDto); omitted for a form without fields. */
    input?: Parsed<T> | Promise<Parsed<T>>;
    /** Does what the form asks; returns the URL to load next. */
    act: (value: T) => Promise<string>;
    /** The page again, with the problem. */
    again: (problem: FormProblem) => Html | Promise<Html>;
    problem?: (e: unknown) => FormProblem;
  },
): Promise<void> {
  const parsed = form.input === undefined ? ({ ok: true, value: undefined as T } as const) : await form.input;
  if (!parsed.ok) return sendHtml(res, 400, await form.again({ errors: parsed.errors, status: 400 }));
  let next: string;
  try {
    next = await form.act(parsed.value);
  } catch (e) {
    const p = (form.problem ?? formProblem)(e);
    return sendHtml(res, p.status, await form.again(p));
  }
  seeOther(res, next);
}
