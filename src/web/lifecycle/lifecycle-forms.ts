/**
 * What the lifecycle pages share: the form classes the API has no DTO for, the program settings fields as
 * the API's settings object, the `?notice=` texts, the page frame, and how a refusal reads on a form.
 */
import { IsIn, IsUUID } from 'class-validator';
import { IsIsoDate } from '../../common/time/dates.js';
import { DomainError } from '../../common/errors.js';
import type { User } from '../../people/user.entity.js';
import { formProblem, numberOr, text, type FormBody, type FormProblem } from '../kit/forms.js';
import type { Html } from '../kit/html.js';
import { page } from '../kit/layout.js';

/** The window of an on-demand rollup as the page offers it: two dates in the program's zone. */
export class RollupWindowForm {
  @IsIsoDate({ message: 'From must be a date like 2026-10-01' })
  from: string;

  @IsIsoDate({ message: 'To must be a date like 2026-12-31' })
  to: string;
}

/** The theme to merge (the API takes it from the path; the page's form names it). */
export class MergeWhichForm {
  @IsUUID('all', { message: 'Choose the theme to merge' })
  id: string;
}

export class ThemeDecisionForm {
  @IsIn(['accept', 'reject'])
  decision: 'accept' | 'reject';
}

/** Fixed texts for `?notice=` keys (the query text itself is never shown). */
const NOTICES: Record<string, string> = {
  'program-created': 'Program created.',
  'program-saved': 'Settings saved.',
  'period-created': 'Period created.',
  'period-saved': 'Focus saved.',
  invited: 'Invitation sent to the rep.',
  enrolled: 'Marketer enrolled.',
  'quota-saved': 'Quota saved.',
  'person-added': 'Person added. They can sign in with their email address.',
  'theme-created': 'Theme created.',
  'theme-accepted': 'Theme accepted into the taxonomy.',
  'theme-rejected': 'Theme rejected.',
  merged: 'Themes merged.',
  building: 'The rollup is being built; it appears here when it is ready.',
  'notice-sent': 'Notice sent. Each rep gets an email and sees it on their page until they press "Got it".',
  'action-created': 'Action created. Its owner is emailed (unless it is you) and reminded on its due date.',
  'action-saved': 'Action saved.',
};
const noticeText = (key: unknown): string | undefined => (typeof key === 'string' ? NOTICES[key] : undefined);

/** A lifecycle page: the layout with the lifecycle navigation (`current`) and the notice of a `?notice=` key. */
export function lifecycleDoc(user: User, csrf: string, title: string, body: Html, current: string, notice?: unknown): Html {
  return page({ title, body, user, csrf, current, notice: noticeText(notice) });
}

/** The settings fields of the program forms, as the API's settings object (numbers as numbers, recipients as a list). */
const NUMBER_SETTINGS = [
  'quota',
  'slotMinutes',
  'slotGridMinutes',
  'seatsPerCall',
  'minNoticeHours',
  'horizonDays',
  'repWeeklyCap',
  'sameRepLimit',
  'cancelNoticeHours',
  'formDueHours',
  'onboardingShifts',
  'onboardingDays',
] as const;

export function settingsFrom(body: FormBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of NUMBER_SETTINGS) {
    const n = numberOr(body, `settings.${k}`);
    if (n !== undefined) out[k] = n;
  }
  for (const k of ['periodCadence', 'rollupCadence'] as const) {
    const s = text(body, `settings.${k}`);
    if (s) out[k] = s;
  }
  if (body['settings.rollupRecipients'] !== undefined) {
    out.rollupRecipients = text(body, 'settings.rollupRecipients')
      .split(/[,;\s]+/)
      .filter(Boolean);
  }
  return out;
}

export const SETTINGS_FIELDS = [...NUMBER_SETTINGS, 'periodCadence', 'rollupCadence', 'rollupRecipients'].map((k) => `settings.${k}`);

/** What the user typed, to show the form again. */
export function valuesOf(body: FormBody, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, text(body, n)]));
}

/** Like formProblem, but a missing thing chosen in a form (a rep, a theme) is a problem of that field, not a 404 page. */
export function problem(e: unknown): FormProblem {
  if (e instanceof DomainError && e.code === 'not_found' && typeof e.details.field === 'string') {
    return { errors: { [e.details.field]: [e.message] }, status: e.status };
  }
  return formProblem(e);
}
