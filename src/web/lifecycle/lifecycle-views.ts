/**
 * The lifecycle team's pages as functions of their data: programs, periods, people, themes, rollups and
 * program health. No Nest, no database: the controller gathers the data and calls these.
 */
import { DateTime } from 'luxon';
import type { Enrollment, Period, Program, RosterEntry } from '../../programs/program.entity.js';
import { DEFAULT_SETTINGS, type ProgramSettings } from '../../programs/program-settings.js';
import type { User } from '../../people/user.entity.js';
import type { ThemeHistory } from '../../themes/theme.entity.js';
import type { ThemeView } from '../../themes/themes.service.js';
import type { TreeNode } from '../../themes/tree.js';
import type { Rollup } from '../../rollups/rollup.entity.js';
import { dateTime, iso } from '../kit/format.js';
import { errorSummary, fieldError, fieldId, form, buttonForm, html, input, invalidAttrs, select, textarea, type FieldErrors, type Html } from '../kit/html.js';
import { assess, lateBy, shareText } from './lifecycle-health.js';
import type { LateForm, MarketerRow, PeriodCoverage } from './lifecycle-health.repository.js';
import { zoneOptions } from '../../common/time/zones.js';

/** A form's state when it is shown again: what the user typed, and what is wrong with it. */
export interface FormState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  message?: string;
}

const v = (s: FormState | undefined, name: string, fallback = ''): string => s?.values?.[name] ?? fallback;

export const KIND_LABELS: Record<string, string> = { call_shadowing: 'Call shadowing (Rep Life)', support_rotation: 'Support rotation' };
const ROLE_LABELS: Record<string, string> = { rep: 'Rep', marketer: 'Marketer', lifecycle: 'Lifecycle team' };
const PERIOD_STATUS_LABELS: Record<string, string> = { planned: 'Planned', open: 'Open', closed: 'Closed', rolled_up: 'Rolled up' };
const ROSTER_STATUS_LABELS: Record<string, string> = { invited: 'Invited', active: 'Active', declined: 'Declined', removed: 'Removed' };

/** "1 Jan 2026" for a calendar date (no zone arithmetic: a date is a date). */
export const dateLabel = (isoDate: string): string => DateTime.fromISO(isoDate, { zone: 'UTC' }).toFormat('d LLL yyyy');
export const periodLabel = (p: Pick<Period, 'startsOn' | 'endsOn'>): string => `${dateLabel(p.startsOn)} – ${dateLabel(p.endsOn)}`;

const num = (label: string, name: string, s: FormState | undefined, fallback: number, hint?: string, min = 0) =>
  input({ label, name, type: 'number', value: v(s, name, String(fallback)), errors: s?.errors, hint, attrs: html` min="${min}" step="1" inputmode="numeric"` });

// ------------------------------------------------------------------ settings

/** The settings a person changes, grouped; values from the form state, else `current`, else the defaults. */
function settingsFields(s: FormState | undefined, current: ProgramSettings, kind: string | null): Html {
  const n = (key: keyof ProgramSettings, label: string, hint?: string, min = 0) => num(label, `settings.${key}`, s, current[key] as number, hint, min);
  const rotation = html`<fieldset><legend>Support rotation</legend>
${n('onboardingShifts', 'Onboarding shifts', 'Support shifts each new marketer works', 1)}
${n('onboardingDays', 'Onboarding days', 'Within this many days of their first day at the company', 1)}
</fieldset>`;
  return html`<fieldset><legend>Sessions</legend>
${n('quota', 'Quota', 'Sessions each marketer aims for in a period', 1)}
${n('slotMinutes', 'Slot length (minutes)', undefined, 15)}
${select({
  label: 'Slot grid (minutes)',
  name: 'settings.slotGridMinutes',
  options: [5, 10, 15, 20, 30, 60].map((m) => ({ value: String(m), label: String(m) })),
  value: v(s, 'settings.slotGridMinutes', String(current.slotGridMinutes)),
  errors: s?.errors,
})}
${n('seatsPerCall', 'Seats per call', 'Marketers who may sit in on one call', 1)}
${n('minNoticeHours', 'Minimum notice (hours)', 'How long before a call it can still be booked')}
${n('horizonDays', 'Booking horizon (days)', 'How far ahead calls can be booked', 1)}
${n('repWeeklyCap', 'Shadowed calls per rep per week', undefined, 1)}
${n('sameRepLimit', 'Sessions with the same rep per period', undefined, 1)}
${n('cancelNoticeHours', 'Cancellation notice (hours)', 'Cancelling later than this counts as a late cancellation')}
</fieldset>
<fieldset><legend>Forms, periods and rollups</legend>
${n('formDueHours', 'Form due (hours after the session)', undefined, 1)}
${select({
  label: 'Period cadence',
  name: 'settings.periodCadence',
  options: [
    { value: 'quarter', label: 'Quarterly' },
    { value: 'month', label: 'Monthly' },
    { value: 'none', label: 'None: I create periods myself' },
  ],
  value: v(s, 'settings.periodCadence', current.periodCadence),
  errors: s?.errors,
})}
${select({
  label: 'Rollup cadence',
  name: 'settings.rollupCadence',
  options: [
    { value: 'period', label: 'At the end of each period' },
    { value: 'weekly', label: 'Weekly' },
  ],
  value: v(s, 'settings.rollupCadence', current.rollupCadence),
  errors: s?.errors,
})}
${input({
  label: 'Rollup recipients',
  name: 'settings.rollupRecipients',
  value: v(s, 'settings.rollupRecipients', current.rollupRecipients.join(', ')),
  errors: s?.errors,
  hint: 'Email addresses separated by commas; leave empty to send to the whole lifecycle team',
})}
</fieldset>
${kind === 'call_shadowing' ? '' : rotation}`;
}

// ------------------------------------------------------------------ programs

export function programsBody(o: { programs: Program[]; user: User; csrf: string; create?: FormState }): Html {
  const s = o.create;
  return html`<div class="table-wrap"><table>
<caption class="muted">All programs</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Time zone</th><th scope="col">Quota</th></tr></thead>
<tbody>${o.programs.length
    ? o.programs.map(
        (p) => html`<tr><th scope="row"><a href="/lifecycle/programs/${p.id}">${p.name}</a></th><td>${KIND_LABELS[p.kind] ?? p.kind}</td><td>${p.timeZone}</td><td>${p.settings.quota}</td></tr>`,
      )
    : html`<tr><td colspan="4" class="muted">No programs yet: create the first one below.</td></tr>`}</tbody>
</table></div>
<h2 id="new-program">New program</h2>
${errorSummary(s?.errors, s?.message)}
${form(
  '/lifecycle/programs',
  o.csrf,
  html`${input({ label: 'Name', name: 'name', value: v(s, 'name'), errors: s?.errors, required: true, attrs: html` maxlength="200"` })}
${select({
  label: 'Kind',
  name: 'kind',
  options: Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label })),
  value: v(s, 'kind', 'call_shadowing'),
  errors: s?.errors,
})}
${select({ label: 'Time zone', name: 'timeZone', options: zoneOptions(v(s, 'timeZone', o.user.timeZone)), value: v(s, 'timeZone', o.user.timeZone), errors: s?.errors })}
<p class="muted">Period dates are read in this zone. The defaults below suit most programs; the support rotation settings only matter for support rotations.</p>
${settingsFields(s, { ...DEFAULT_SETTINGS }, null)}
<button type="submit">Create program</button>`,
  html` novalidate`,
)}`;
}

export interface ProgramPageForms {
  settings?: FormState;
  period?: FormState;
  rollup?: FormState;
}

export function programBody(o: {
  program: Program;
  periods: Period[];
  user: User;
  csrf: string;
  forms: ProgramPageForms;
  today: string;
  noticeCounts?: { notices: number; recipients: number; acknowledged: number };
}): Html {
  const p = o.program;
  const f = o.forms;
  return html`<p><a href="/lifecycle">← All programs</a></p>
<p>${KIND_LABELS[p.kind] ?? p.kind} · period dates in ${p.timeZone}</p>
<ul>
<li><a href="/lifecycle/programs/${p.id}/health">Program health</a></li>
<li><a href="/lifecycle/rollups?program=${p.id}">Rollups of this program</a></li>
<li><a href="/lifecycle/programs/${p.id}/empathy">Empathy maps by segment</a></li>
<li><a href="/lifecycle/programs/${p.id}/notices">Notices to reps</a>${o.noticeCounts?.notices ? ` (${o.noticeCounts.notices} sent, ${o.noticeCounts.acknowledged} of ${o.noticeCounts.recipients} acknowledged)` : ''}</li>
</ul>
<h2 id="periods">Periods</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Dates</th><th scope="col">Status</th><th scope="col">Focus</th><th scope="col">Links</th></tr></thead>
<tbody>${o.periods.length
    ? o.periods.map(
        (pe) => html`<tr><th scope="row"><a href="/lifecycle/periods/${pe.id}">${periodLabel(pe)}</a>${pe.startsOn <= o.today && o.today <= pe.endsOn ? html` <span class="badge">now</span>` : ''}</th>
<td>${PERIOD_STATUS_LABELS[pe.status] ?? pe.status}</td><td>${pe.focus ?? html`<span class="muted">none</span>`}</td>
<td><a href="/lifecycle/periods/${pe.id}">Roster and enrolments</a> · <a href="/lifecycle/programs/${p.id}/health?period=${pe.id}">Health</a></td></tr>`,
      )
    : html`<tr><td colspan="4" class="muted">No periods yet.</td></tr>`}</tbody>
</table></div>
<h2 id="new-period">New period</h2>
${errorSummary(f.period?.errors, f.period?.message)}
${form(
  `/lifecycle/programs/${p.id}/periods`,
  o.csrf,
  html`<div class="row">
${input({ label: 'Starts on', name: 'startsOn', type: 'date', value: v(f.period, 'startsOn'), errors: f.period?.errors, required: true })}
${input({ label: 'Ends on', name: 'endsOn', type: 'date', value: v(f.period, 'endsOn'), errors: f.period?.errors, required: true, hint: 'The last day, included' })}
</div>
${input({ label: 'Focus (optional)', name: 'focus', value: v(f.period, 'focus'), errors: f.period?.errors, hint: 'The problem the team suspects and wants to learn about' })}
<button type="submit">Create period</button>`,
  html` novalidate`,
)}
<h2 id="run-rollup">Run a rollup now</h2>
<p class="muted">Themes and health of this program between two dates (in ${p.timeZone}), stored once and emailed to the recipients.</p>
${errorSummary(f.rollup?.errors, f.rollup?.message)}
${form(
  `/lifecycle/programs/${p.id}/rollups`,
  o.csrf,
  html`<div class="row">
${input({ label: 'From', name: 'from', type: 'date', value: v(f.rollup, 'from'), errors: f.rollup?.errors, required: true })}
${input({ label: 'To', name: 'to', type: 'date', value: v(f.rollup, 'to'), errors: f.rollup?.errors, required: true, hint: 'The last day, included' })}
</div>
<button type="submit">Run rollup</button>`,
  html` novalidate`,
)}
<h2 id="settings">Settings</h2>
${errorSummary(f.settings?.errors, f.settings?.message)}
${form(
  `/lifecycle/programs/${p.id}`,
  o.csrf,
  html`${input({ label: 'Name', name: 'name', value: v(f.settings, 'name', p.name), errors: f.settings?.errors, required: true, attrs: html` maxlength="200"` })}
${select({ label: 'Time zone', name: 'timeZone', options: zoneOptions(v(f.settings, 'timeZone', p.timeZone)), value: v(f.settings, 'timeZone', p.timeZone), errors: f.settings?.errors })}
${settingsFields(f.settings, p.settings, p.kind)}
${textarea({
  label: 'Preparation note',
  name: 'preparationNote',
  value: v(f.settings, 'preparationNote', p.preparationNote ?? ''),
  errors: f.settings?.errors,
  hint: 'The guide marketers get with confirmations and reminders; empty for the default guide',
})}
<button type="submit">Save settings</button>`,
  html` novalidate`,
)}`;
}

// ------------------------------------------------------------------ periods

export interface PeriodPageForms {
  invite?: FormState;
  enrol?: FormState;
  focus?: FormState;
  /** A quota change of one enrolment that failed. */
  quota?: FormState & { enrollmentId: string };
}

export function periodBody(o: {
  program: Program;
  period: Period;
  roster: RosterEntry[];
  enrollments: Enrollment[];
  names: Map<string, string>;
  reps: User[];
  marketers: User[];
  user: User;
  csrf: string;
  forms: PeriodPageForms;
}): Html {
  const { program, period, forms: f } = o;
  const name = (id: string) => o.names.get(id) ?? 'Unknown user';
  const onRoster = new Set(o.roster.filter((r) => r.status === 'invited' || r.status === 'active').map((r) => r.repId));
  const enrolled = new Set(o.enrollments.map((e) => e.marketerId));
  const invitable = o.reps.filter((r) => !onRoster.has(r.id));
  const enrollable = o.marketers.filter((m) => !enrolled.has(m.id));
  const roster = [...o.roster].sort((a, b) => name(a.repId).localeCompare(name(b.repId)));
  const enrollments = [...o.enrollments].sort((a, b) => name(a.marketerId).localeCompare(name(b.marketerId)));
  return html`<p><a href="/lifecycle/programs/${program.id}">← ${program.name}</a> · <a href="/lifecycle/programs/${program.id}/health?period=${period.id}">Health of this period</a></p>
<p>${PERIOD_STATUS_LABELS[period.status] ?? period.status} · dates in ${program.timeZone}</p>
${errorSummary(f.focus?.errors, f.focus?.message)}
${form(
  `/lifecycle/periods/${period.id}`,
  o.csrf,
  html`${input({ label: 'Focus', name: 'focus', value: v(f.focus, 'focus', period.focus ?? ''), errors: f.focus?.errors, hint: 'The problem the team suspects and wants to learn about; empty for none' })}
<button type="submit" class="secondary">Save focus</button>`,
  html` novalidate`,
)}
<h2 id="roster">Roster</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Rep</th><th scope="col">Status</th><th scope="col">Invited</th></tr></thead>
<tbody>${roster.length
    ? roster.map(
        (r) => html`<tr><th scope="row">${name(r.repId)}</th><td>${ROSTER_STATUS_LABELS[r.status] ?? r.status}</td><td>${dateTime(r.invitedAt, o.user.timeZone)}</td></tr>`,
      )
    : html`<tr><td colspan="3" class="muted">No reps on this roster yet.</td></tr>`}</tbody>
</table></div>
${errorSummary(f.invite?.errors, f.invite?.message)}
${invitable.length
  ? form(
      `/lifecycle/periods/${period.id}/roster`,
      o.csrf,
      html`${select({
        label: 'Invite a rep',
        name: 'repId',
        options: invitable.map((r) => ({ value: r.id, label: `${r.name} (${r.email})` })),
        value: v(f.invite, 'repId'),
        errors: f.invite?.errors,
        blank: 'Choose a rep',
      })}
<button type="submit">Invite</button>`,
      html` novalidate`,
    )
  : html`<p class="muted">No other active reps to invite.</p>`}
<h2 id="enrolments">Enrolments</h2>
${f.quota ? errorSummary(undefined, f.quota.message ?? `The quota for ${name(o.enrollments.find((e) => e.id === f.quota!.enrollmentId)?.marketerId ?? '')} was not saved.`) : ''}
<div class="table-wrap"><table>
<thead><tr><th scope="col">Marketer</th><th scope="col">Quota</th></tr></thead>
<tbody>${enrollments.length
    ? enrollments.map((e) => {
        const failed = f.quota?.enrollmentId === e.id ? f.quota : undefined;
        return html`<tr><th scope="row">${name(e.marketerId)}</th><td>${form(
          `/lifecycle/periods/${period.id}/enrollments/${e.id}`,
          o.csrf,
          html`<div class="row">${input({
            label: `Quota for ${name(e.marketerId)}`,
            name: 'quota',
            id: `f-quota-${e.id}`,
            type: 'number',
            value: failed ? v(failed, 'quota') : String(e.quota),
            errors: failed?.errors,
            attrs: html` min="0" max="1000" step="1" inputmode="numeric"`,
          })}<button type="submit" class="secondary">Save quota</button></div>`,
          html` novalidate`,
        )}</td></tr>`;
      })
    : html`<tr><td colspan="2" class="muted">No marketers enrolled yet.</td></tr>`}</tbody>
</table></div>
${errorSummary(f.enrol?.errors, f.enrol?.message)}
${enrollable.length
  ? form(
      `/lifecycle/periods/${period.id}/enrollments`,
      o.csrf,
      html`${select({
        label: 'Enrol a marketer',
        name: 'marketerId',
        options: enrollable.map((m) => ({ value: m.id, label: `${m.name} (${m.email})` })),
        value: v(f.enrol, 'marketerId'),
        errors: f.enrol?.errors,
        blank: 'Choose a marketer',
      })}
${input({
  label: 'Quota',
  name: 'quota',
  type: 'number',
  value: v(f.enrol, 'quota'),
  errors: f.enrol?.errors,
  hint: `Optional; the program's quota is ${program.settings.quota}`,
  attrs: html` min="0" max="1000" step="1" inputmode="numeric"`,
})}
<button type="submit">Enrol</button>`,
      html` novalidate`,
    )
  : html`<p class="muted">No other active marketers to enrol.</p>`}`;
}

// ------------------------------------------------------------------ people

export function peopleBody(o: { people: User[]; user: User; csrf: string; create?: FormState & { roles?: string[] } }): Html {
  const s = o.create;
  const roles = new Set(s?.roles ?? []);
  const rolesError = s?.errors?.roles?.length;
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Roles</th><th scope="col">Time zone</th><th scope="col">Active</th><th scope="col">First day</th></tr></thead>
<tbody>${o.people.map(
    (u) => html`<tr><th scope="row">${u.name}</th><td>${u.email}</td><td>${u.roles.map((r) => ROLE_LABELS[r] ?? r).join(', ')}</td><td>${u.timeZone}</td><td>${u.active ? 'Yes' : html`<span class="badge late">No</span>`}</td><td>${u.startedOn ? dateLabel(u.startedOn) : ''}</td></tr>`,
  )}</tbody>
</table></div>
<p><a href="/lifecycle/people/import">Import people from a CSV</a> (many at once, with roster invitations and enrolments)</p>
<h2 id="add-person">Add a person</h2>
${errorSummary(s?.errors, s?.message)}
${form(
  '/lifecycle/people',
  o.csrf,
  html`${input({ label: 'Name', name: 'name', value: v(s, 'name'), errors: s?.errors, required: true, attrs: html` autocomplete="off" maxlength="200"` })}
${input({ label: 'Email', name: 'email', type: 'email', value: v(s, 'email'), errors: s?.errors, required: true, attrs: html` autocomplete="off"` })}
${select({ label: 'Time zone', name: 'timeZone', options: zoneOptions(v(s, 'timeZone', o.user.timeZone)), value: v(s, 'timeZone', o.user.timeZone), errors: s?.errors })}
<fieldset class="field${rolesError ? ' has-error' : ''}"${invalidAttrs(s?.errors, 'roles')}><legend>Roles</legend>
${(['rep', 'marketer', 'lifecycle'] as const).map(
  (r, i) => html`<div><input type="checkbox" id="${i === 0 ? fieldId('roles') : `f-roles-${r}`}" name="roles" value="${r}"${roles.has(r) ? html` checked` : ''}> <label for="${i === 0 ? fieldId('roles') : `f-roles-${r}`}">${ROLE_LABELS[r]}</label></div>`,
)}
${fieldError(s?.errors, 'roles')}</fieldset>
${input({ label: 'First day at the company', name: 'startedOn', type: 'date', value: v(s, 'startedOn'), errors: s?.errors, hint: 'Optional; support rotations assign onboarding shifts from this day' })}
<button type="submit">Add person</button>`,
  html` novalidate`,
)}`;
}

// ------------------------------------------------------------------ themes

export interface ThemesPageForms {
  create?: FormState;
  merge?: FormState;
  decide?: FormState;
}

function treeList(nodes: TreeNode<ThemeView>[]): Html {
  return html`<ul>${nodes.map(
    (n) => html`<li><a href="/lifecycle/themes/${n.id}">${n.name}</a>${n.description ? html` <span class="muted">· ${n.description}</span>` : ''}${n.children.length ? treeList(n.children) : ''}</li>`,
  )}</ul>`;
}

function flatten(nodes: TreeNode<ThemeView>[], depth = 0): { theme: ThemeView; depth: number }[] {
  return nodes.flatMap((n) => [{ theme: n, depth }, ...flatten(n.children, depth + 1)]);
}

export function themesBody(o: { tree: TreeNode<ThemeView>[]; proposed: ThemeView[]; retired: ThemeView[]; names: Map<string, string>; user: User; csrf: string; forms: ThemesPageForms }): Html {
  const f = o.forms;
  const options = flatten(o.tree).map(({ theme, depth }) => ({ value: theme.id, label: `${'— '.repeat(depth)}${theme.name}` }));
  const themeName = (id: string | null) => (id ? (o.names.get(id) ?? 'an unknown theme') : '');
  return html`<h2 id="taxonomy">Taxonomy</h2>
${o.tree.length ? treeList(o.tree) : html`<p class="muted">No themes yet.</p>`}
<h2 id="proposed">Proposed themes</h2>
${errorSummary(f.decide?.errors, f.decide?.message)}
${o.proposed.length
  ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Theme</th><th scope="col">Proposed by</th><th scope="col">Proposed</th><th scope="col">Decision</th></tr></thead>
<tbody>${o.proposed.map(
      (t) => html`<tr><th scope="row"><a href="/lifecycle/themes/${t.id}">${t.name}</a></th><td>${t.proposedBy ? (o.names.get(t.proposedBy) ?? '') : ''}</td>
<td>${dateTime(t.createdAt, o.user.timeZone)}</td>
<td>${buttonForm(`/lifecycle/themes/${t.id}/accept`, o.csrf, 'Accept')} ${buttonForm(`/lifecycle/themes/${t.id}/reject`, o.csrf, 'Reject', {}, 'danger')}</td></tr>`,
    )}</tbody></table></div>`
  : html`<p class="muted">No themes are waiting for a decision.</p>`}
<h2 id="new-theme">New theme</h2>
${errorSummary(f.create?.errors, f.create?.message)}
${form(
  '/lifecycle/themes',
  o.csrf,
  html`${input({ label: 'Name', name: 'name', value: v(f.create, 'name'), errors: f.create?.errors, required: true, attrs: html` maxlength="120"` })}
${select({ label: 'Parent', name: 'parentId', options, value: v(f.create, 'parentId'), errors: f.create?.errors, blank: 'None (top level)' })}
${input({ label: 'Description (optional)', name: 'description', value: v(f.create, 'description'), errors: f.create?.errors })}
<button type="submit">Create theme</button>`,
  html` novalidate`,
)}
<h2 id="merge">Merge themes</h2>
<p class="muted">The first theme becomes part of the second: its sub-themes move under it, and forms that named it count for it. The history keeps every step.</p>
${errorSummary(f.merge?.errors, f.merge?.message)}
${options.length >= 2
  ? form(
      '/lifecycle/themes/merge',
      o.csrf,
      html`<div class="row">
${select({ label: 'Merge theme', name: 'id', options, value: v(f.merge, 'id'), errors: f.merge?.errors, blank: 'Choose a theme' })}
${select({ label: 'into', name: 'intoId', options, value: v(f.merge, 'intoId'), errors: f.merge?.errors, blank: 'Choose a theme' })}
</div>
<button type="submit">Merge</button>`,
      html` novalidate`,
    )
  : html`<p class="muted">Merging needs at least two active themes.</p>`}
${o.retired.length
  ? html`<h2 id="retired">Merged and rejected themes</h2>
<ul>${o.retired.map(
      (t) => html`<li><a href="/lifecycle/themes/${t.id}">${t.name}</a> <span class="muted">${t.status === 'merged' ? `merged into ${themeName(t.mergedInto)}` : 'rejected'}</span></li>`,
    )}</ul>`
  : ''}`;
}

const STATUS_WORDS: Record<string, string> = { active: 'Active', proposed: 'Proposed', rejected: 'Rejected', merged: 'Merged' };

/** One history row in words; theme ids become names. */
export function historyText(h: ThemeHistory, themeName: (id: unknown) => string): string {
  const d = h.details ?? {};
  const where = (id: unknown) => (id ? `"${themeName(id)}"` : 'the top level');
  switch (h.action) {
    case 'create':
      return d.parentId ? `Created under ${where(d.parentId)}` : 'Created';
    case 'rename':
      return `Renamed from "${String(d.oldName ?? '')}" to "${String(d.newName ?? '')}"`;
    case 'move':
      return `Moved from ${where(d.oldParentId)} to ${where(d.newParentId)}${d.reason === 'merge' ? ` (merge of "${themeName(d.mergedId)}")` : ''}`;
    case 'merge':
      if (d.reason === 'repoint') return `Re-pointed to "${themeName(d.intoId)}" (the theme it was merged into was merged)`;
      if (d.mergedId) return `Absorbed "${String(d.mergedName ?? themeName(d.mergedId))}"`;
      return `Merged into "${String(d.intoName ?? themeName(d.intoId))}"`;
    case 'propose':
      return 'Proposed on a form';
    case 'accept':
      return 'Accepted';
    case 'reject':
      return 'Rejected';
    case 'describe':
      return d.newDescription ? `Description set to "${String(d.newDescription)}"` : 'Description cleared';
    default:
      return String(h.action);
  }
}

export function themeBody(o: { theme: ThemeView; history: ThemeHistory[]; names: Map<string, string>; user: User }): Html {
  const t = o.theme;
  const themeName = (id: unknown) => (typeof id === 'string' ? (o.names.get(id) ?? 'an unknown theme') : '');
  const link = (id: string | null) => (id ? html`<a href="/lifecycle/themes/${id}">${themeName(id)}</a>` : html`<span class="muted">none (top level)</span>`);
  return html`<p><a href="/lifecycle/themes">← All themes</a></p>
<dl>
<dt>Status</dt><dd>${STATUS_WORDS[t.status] ?? t.status}</dd>
<dt>Parent</dt><dd>${link(t.parentId)}</dd>
${t.mergedInto ? html`<dt>Merged into</dt><dd>${link(t.mergedInto)}</dd>` : ''}
${t.description ? html`<dt>Description</dt><dd>${t.description}</dd>` : ''}
</dl>
<h2 id="history">History</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">By</th></tr></thead>
<tbody>${o.history.map(
    (h) => html`<tr><td><time datetime="${iso(h.at)}">${dateTime(h.at, o.user.timeZone)}</time></td><td>${historyText(h, themeName)}</td><td>${h.actorId ? (o.names.get(h.actorId) ?? '') : 'the system'}</td></tr>`,
  )}</tbody>
</table></div>`;
}

// ------------------------------------------------------------------ rollups

/** The window of a rollup as dates in the program's zone; `to` is exclusive, so a midnight end shows the day before. */
export function rollupWindow(r: Pick<Rollup, 'windowFrom' | 'windowTo'>, zone: string): { from: string; to: string } {
  const from = DateTime.fromJSDate(r.windowFrom, { zone });
  let to = DateTime.fromJSDate(r.windowTo, { zone });
  if (+to === +to.startOf('day')) to = to.minus({ days: 1 });
  if (to < from) to = from;
  return { from: from.toISODate()!, to: to.toISODate()! };
}

const ROLLUP_KINDS: Record<string, string> = { period: 'Period', weekly: 'Weekly', custom: 'On demand' };

export function rollupsBody(o: { rollups: Rollup[]; programs: Map<string, { name: string; timeZone: string }>; programId?: string; user: User; errors?: FieldErrors }): Html {
  const programOptions = [...o.programs.entries()].map(([value, p]) => ({ value, label: p.name })).sort((a, b) => a.label.localeCompare(b.label));
  return html`${errorSummary(o.errors)}
<form method="get" action="/lifecycle/rollups" class="filters">
${select({ label: 'Program', name: 'program', options: programOptions, value: o.programId ?? '', blank: 'All programs', errors: o.errors })}
<div class="field"><button type="submit" class="secondary">Show</button></div>
</form>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Program</th><th scope="col">Window</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Rollup</th></tr></thead>
<tbody>${o.rollups.length
    ? o.rollups.map((r) => {
        const p = o.programs.get(r.programId) ?? { name: 'Unknown program', timeZone: 'UTC' };
        const w = rollupWindow(r, p.timeZone);
        return html`<tr><th scope="row">${p.name}</th><td>${dateLabel(w.from)} – ${dateLabel(w.to)} <span class="muted">(${p.timeZone})</span></td>
<td>${ROLLUP_KINDS[r.kind] ?? r.kind}</td><td>${r.status === 'ready' ? 'Ready' : html`<span class="badge">Being built</span>`}</td>
<td>${dateTime(r.createdAt, o.user.timeZone)}</td>
<td>${r.status === 'ready' ? html`<a href="/rollups/${r.id}">Open rollup ${p.name} ${w.from}–${w.to}</a>` : html`<span class="muted">Not ready yet</span>`}</td></tr>`;
      })
    : html`<tr><td colspan="6" class="muted">No rollups yet. Run one from a program's page.</td></tr>`}</tbody>
</table></div>`;
}

// ------------------------------------------------------------------ health

export function healthBody(o: {
  program: Program;
  periods: Period[];
  period: Period | null;
  coverage: PeriodCoverage | null;
  lateForms: LateForm[];
  marketers: MarketerRow[];
  elapsed: number;
  now: Date;
  user: User;
  errors?: FieldErrors;
}): Html {
  const p = o.program;
  const zone = o.user.timeZone;
  const picker = html`${errorSummary(o.errors)}<form method="get" action="/lifecycle/programs/${p.id}/health" class="filters">
${select({ label: 'Period', name: 'period', options: o.periods.map((pe) => ({ value: pe.id, label: `${periodLabel(pe)} (${PERIOD_STATUS_LABELS[pe.status] ?? pe.status})` })), value: o.period?.id ?? '', errors: o.errors })}
<div class="field"><button type="submit" class="secondary">Show</button></div>
</form>`;
  const back = html`<p><a href="/lifecycle/programs/${p.id}">← ${p.name}</a></p>`;
  if (!o.period || !o.coverage) return html`${back}<p class="muted">This program has no periods yet.</p>`;
  const c = o.coverage;
  const planned = c.completed + c.booked;
  const assessed = o.marketers.map((m) => ({ m, a: assess(m, o.elapsed) }));
  const atRisk = assessed.filter((x) => x.a.atRisk);
  return html`${back}${picker}
<p>${periodLabel(o.period)} · ${Math.round(o.elapsed * 100)}% of the period has passed${o.period.focus ? html` · focus: ${o.period.focus}` : ''} · <a href="/lifecycle/periods/${o.period.id}">Roster and enrolments</a></p>
<h2 id="coverage">Coverage</h2>
<div class="table-wrap"><table>
<tbody>
<tr><th scope="row">Sessions completed</th><td>${c.completed}</td></tr>
<tr><th scope="row">Sessions booked, not yet held</th><td>${c.booked}</td></tr>
<tr><th scope="row">Completed and booked against the sum of quotas</th><td>${shareText(planned, c.quotaTotal)} <span class="muted">(${c.enrolled} ${c.enrolled === 1 ? 'marketer' : 'marketers'} enrolled)</span>${c.quotaTotal > 0 ? html`<br><progress class="progress" max="${c.quotaTotal}" value="${Math.min(planned, c.quotaTotal)}" aria-label="Sessions against the sum of quotas">${shareText(planned, c.quotaTotal)}</progress>` : ''}</td></tr>
<tr><th scope="row">No-shows · cancelled</th><td>${c.noShows} · ${c.cancelled}</td></tr>
<tr><th scope="row">Reps on the roster</th><td>${c.rosterActive} active${c.rosterInvited ? `, ${c.rosterInvited} invited` : ''}</td></tr>
<tr><th scope="row">Roster reps with availability published</th><td>${shareText(c.repsWithAvailability, c.rosterActive)}</td></tr>
<tr><th scope="row">Completed sessions with a submitted form</th><td>${shareText(c.completedWithForm, c.completed)}</td></tr>
</tbody></table></div>
<h2 id="forms-late">Forms late</h2>
${o.lateForms.length
  ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Marketer</th><th scope="col">Session</th><th scope="col">Was due</th><th scope="col">Late by</th><th scope="col">Form</th></tr></thead>
<tbody>${o.lateForms.map(
      (l) => html`<tr><th scope="row">${l.marketerName}</th>
<td>${l.kind === 'shift' ? 'Support shift' : `Call with ${l.repName ?? 'a rep'}`}, ${dateTime(l.sessionStartsAt ?? l.sessionEndedAt, zone)}</td>
<td><time datetime="${iso(l.dueAt)}">${dateTime(l.dueAt, zone)}</time></td><td><span class="badge late">${lateBy(l.dueAt, o.now)}</span></td>
<td>${l.status === 'draft' ? 'Draft started' : 'Not started'}</td></tr>`,
    )}</tbody></table></div>`
  : html`<p>No forms are late.</p>`}
<h2 id="at-risk">Marketers at risk</h2>
<p class="muted">Expected by now: the quota times the share of the period that has passed, in whole sessions. A marketer is at risk when completed and booked sessions fall short of it, or when forms are overdue.</p>
${atRisk.length
  ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Marketer</th><th scope="col">Quota</th><th scope="col">Completed</th><th scope="col">Booked</th><th scope="col">Expected by now</th><th scope="col">Why</th></tr></thead>
<tbody>${atRisk.map(
      ({ m, a }) => html`<tr><th scope="row">${m.name}</th><td>${m.quota}</td><td>${m.completed}</td><td>${m.booked}</td><td>${a.pace}</td><td>${a.reasons.join('; ')}</td></tr>`,
    )}</tbody></table></div>`
  : html`<p>No marketer is at risk.</p>`}
<p>${assessed.length - atRisk.length} of ${assessed.length} enrolled marketers are on pace with no forms overdue.</p>`;
}
