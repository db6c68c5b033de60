/**
 * The lifecycle team's action pages as functions of their data: open actions by program (the lifecycle
 * home), all actions (filtered by program) with their status buttons, the form that turns a rollup's themes
 * and ideas into an action, and one action with its history.
 */
import { ACTION_KIND_LABELS, ACTION_KINDS, ACTION_STATUS_LABELS, nextStatuses, type ActionKind, type ActionStatus } from '../../actions/action-status.js';
import type { ActionHistoryOut, ActionOut } from '../../actions/actions.service.js';
import type { User } from '../../people/user.entity.js';
import { dateTime } from '../kit/format.js';
import { buttonForm, errorSummary, fieldError, form, html, input, select, textarea, type Html } from '../kit/html.js';
import { dateLabel } from './lifecycle-views.js';

type FieldErrors = Record<string, string[]>;

/** The create or edit form shown again: what was typed and chosen, and what is wrong. */
export interface ActionFormState {
  values?: Record<string, string>;
  themeIds?: string[];
  ideaRefs?: string[];
  errors?: FieldErrors;
  message?: string;
}

const kindLabel = (k: string) => ACTION_KIND_LABELS[k as ActionKind] ?? k;
const statusLabel = (s: string) => ACTION_STATUS_LABELS[s as ActionStatus] ?? s;
/** What the button that moves an action to a status says. */
const MOVE_LABELS: Record<ActionStatus, string> = { open: 'Reopen', in_progress: 'Start', done: 'Mark done', dropped: 'Drop' };

function due(a: Pick<ActionOut, 'dueOn' | 'overdue'>): Html {
  if (!a.dueOn) return html`<span class="muted">none</span>`;
  return html`${dateLabel(a.dueOn)}${a.overdue ? html` <span class="badge late">overdue</span>` : ''}`;
}

/** The buttons that move an action on (one small form each); the page returns to `back`. */
export function statusButtons(a: Pick<ActionOut, 'id' | 'status' | 'title'>, csrf: string, back: string): Html {
  return html`${nextStatuses(a.status).map((s) => buttonForm(`/lifecycle/actions/${a.id}/status`, csrf, MOVE_LABELS[s], { status: s, back }, s === 'done' ? '' : 'secondary'))}`;
}

function actionRows(actions: ActionOut[], o: { csrf: string; back: string; program: boolean }): Html {
  const cols = o.program ? 6 : 5;
  if (!actions.length) return html`<tr><td colspan="${cols}" class="muted">No actions.</td></tr>`;
  return html`${actions.map(
    (a) => html`<tr${a.overdue ? html` class="overdue"` : ''}><th scope="row"><a href="/lifecycle/actions/${a.id}">${a.title}</a><br><span class="muted">${kindLabel(a.kind)}</span></th>
${o.program ? html`<td><a href="/lifecycle/actions?programId=${a.programId}">${a.programName}</a></td>` : ''}<td>${a.ownerName}</td><td>${due(a)}</td><td>${statusLabel(a.status)}</td>
<td>${statusButtons(a, o.csrf, o.back)}</td></tr>`,
  )}`;
}

const HEAD = (program: boolean) =>
  html`<thead><tr><th scope="col">Action</th>${program ? html`<th scope="col">Program</th>` : ''}<th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Move to</th></tr></thead>`;

/** The lifecycle home's section: open and in-progress actions grouped by program (by name), overdue first in each. */
export function openActionsSection(actions: ActionOut[], csrf: string): Html {
  const byProgram = new Map<string, { name: string; actions: ActionOut[] }>();
  for (const a of actions) {
    const g = byProgram.get(a.programId) ?? { name: a.programName, actions: [] };
    g.actions.push(a);
    byProgram.set(a.programId, g);
  }
  const groups = [...byProgram.entries()].sort(([, x], [, y]) => x.name.localeCompare(y.name));
  return html`<section id="open-actions" aria-labelledby="open-actions-h">
<h2 id="open-actions-h">Open actions</h2>
${groups.length
  ? groups.map(
      ([id, g]) => html`<div class="table-wrap"><table>
<caption><a href="/lifecycle/actions?programId=${id}">${g.name}</a>: ${g.actions.length} open${g.actions.some((a) => a.overdue) ? html`, <span class="badge late">${g.actions.filter((a) => a.overdue).length} overdue</span>` : ''}</caption>
${HEAD(false)}
<tbody>${actionRows(g.actions, { csrf, back: '/lifecycle', program: false })}</tbody>
</table></div>`,
    )
  : html`<p class="muted">No open actions. Turn a rollup's themes and ideas into actions from its page.</p>`}
<p><a href="/lifecycle/actions">All actions</a></p>
</section>`;
}

/** All actions (of one program when filtered), overdue first, with their status buttons. */
export function actionsBody(o: { actions: ActionOut[]; programs: { id: string; name: string }[]; programId?: string; user: User; csrf: string }): Html {
  const back = o.programId ? `/lifecycle/actions?programId=${o.programId}` : '/lifecycle/actions';
  return html`<form method="get" action="/lifecycle/actions" class="inline">
${select({ label: 'Program', name: 'programId', options: o.programs.map((p) => ({ value: p.id, label: p.name })), value: o.programId ?? '', blank: 'All programs' })}
<button type="submit" class="secondary">Show</button></form>
<p><a href="/lifecycle/actions/new${o.programId ? `?programId=${o.programId}` : ''}">New action</a></p>
<div class="table-wrap"><table>
<caption class="muted">Overdue first (in each owner's zone), then by due date</caption>
${HEAD(!o.programId)}
<tbody>${actionRows(o.actions, { csrf: o.csrf, back, program: !o.programId })}</tbody>
</table></div>`;
}

/** "; 3 observers, 5 ideas" for a grouped rollup idea; nothing for one stored before grouping. */
function ideaCounts(i: { observers?: number; count?: number }): string {
  if (typeof i.observers !== 'number') return '';
  const n = i.count ?? 1;
  return `; ${i.observers} observer${i.observers === 1 ? '' : 's'}, ${n} idea${n === 1 ? '' : 's'}`;
}

/** The form that turns a rollup's themes and ideas (or a program's themes) into an action. */
export function newActionBody(o: {
  rollup: { id: string; programId: string; windowFrom: Date; windowTo: Date; status: string } | null;
  programId: string | null;
  programs: { id: string; name: string }[];
  themes: { themeId: string; name: string }[];
  /** A rollup's ideas; grouped ones (rollups since issue 17) carry their distinct observers and idea count. */
  ideas: { category: string; text: string; observers?: number; count?: number }[];
  owners: { id: string; name: string }[];
  user: User;
  csrf: string;
  state?: ActionFormState;
}): Html {
  const s = o.state;
  const val = (name: string, fallback = '') => s?.values?.[name] ?? fallback;
  const chosenThemes = new Set(s?.themeIds ?? []);
  const chosenIdeas = new Set(s?.ideaRefs ?? []);
  const programName = o.programs.find((p) => p.id === o.programId)?.name;
  const from = o.rollup
    ? html`<p>From the rollup of ${programName ?? ''}, ${dateTime(o.rollup.windowFrom, o.user.timeZone)} to ${dateTime(o.rollup.windowTo, o.user.timeZone)}. <a href="/rollups/${o.rollup.id}">Back to the rollup</a></p>
<input type="hidden" name="rollupId" value="${o.rollup.id}"><input type="hidden" name="programId" value="${o.rollup.programId}">`
    : select({ label: 'Program', name: 'programId', options: o.programs.map((p) => ({ value: p.id, label: p.name })), value: val('programId', o.programId ?? ''), errors: s?.errors, blank: 'Choose a program' });
  const themes = html`<fieldset id="f-themeIds"><legend>Themes it answers</legend>${fieldError(s?.errors, 'themeIds')}
${o.themes.length
  ? o.themes.map(
      (t, i) => html`<div class="field"><label for="theme-${i}"><input id="theme-${i}" type="checkbox" name="themeIds" value="${t.themeId}"${chosenThemes.has(t.themeId) ? html` checked` : ''}> ${t.name}</label></div>`,
    )
  : html`<p class="muted">No themes to choose.</p>`}</fieldset>`;
  const ideas = o.rollup
    ? html`<fieldset id="f-ideaRefs"><legend>Ideas it takes up</legend>${fieldError(s?.errors, 'ideaRefs')}
${o.ideas.length
  ? o.ideas.map(
      (idea, i) => html`<div class="field"><label for="idea-${i}"><input id="idea-${i}" type="checkbox" name="ideaRefs" value="${String(i)}"${chosenIdeas.has(String(i)) ? html` checked` : ''}> ${idea.text} <span class="muted">(${idea.category}${ideaCounts(idea)})</span></label></div>`,
    )
  : html`<p class="muted">The rollup has no ideas.</p>`}</fieldset>`
    : '';
  return html`${errorSummary(s?.errors, s?.message)}
${form(
  '/lifecycle/actions',
  o.csrf,
  html`${from}
${themes}
${ideas}
${select({ label: 'Kind', name: 'kind', options: ACTION_KINDS.map((k) => ({ value: k, label: kindLabel(k) })), value: val('kind', 'info_for_sales'), errors: s?.errors })}
${input({ label: 'Title', name: 'title', value: val('title'), errors: s?.errors, required: true, attrs: html` maxlength="200"` })}
${textarea({ label: 'Detail (optional)', name: 'detail', value: val('detail'), errors: s?.errors, rows: 4, hint: 'Stays on this page: the owner’s email and webhooks carry the title only.' })}
${select({ label: 'Owner', name: 'ownerId', options: o.owners.map((u) => ({ value: u.id, label: u.name })), value: val('ownerId', o.user.id), errors: s?.errors })}
${input({ label: 'Due date (optional)', name: 'dueOn', type: 'date', value: val('dueOn'), errors: s?.errors, hint: 'The owner is emailed now (unless it is you) and reminded once on this date.' })}
<button type="submit">Create action</button>`,
  html` novalidate`,
)}`;
}

const FIELD_ORDER = ['status', 'kind', 'title', 'ownerId', 'dueOn', 'themeIds', 'detail'];

function historyText(h: ActionHistoryOut, names: { theme: Map<string, string>; user: Map<string, string> }): string {
  const parts: string[] = [];
  // In a fixed order (the database keeps no key order).
  const fields = Object.keys(h.changes).sort((x, y) => FIELD_ORDER.indexOf(x) - FIELD_ORDER.indexOf(y));
  for (const field of fields) {
    const c = h.changes[field];
    const show = (x: unknown): string => {
      if (x === null || x === undefined) return 'none';
      if (Array.isArray(x)) return x.length ? x.map((t) => names.theme.get(String(t)) ?? String(t)).join(', ') : 'none';
      if (field === 'status') return statusLabel(String(x));
      if (field === 'kind') return kindLabel(String(x));
      if (field === 'ownerId') return names.user.get(String(x)) ?? String(x);
      if (field === 'dueOn') return dateLabel(String(x));
      return String(x);
    };
    const label = { status: 'status', kind: 'kind', title: 'title', ownerId: 'owner', dueOn: 'due date', themeIds: 'themes', detail: 'detail' }[field] ?? field;
    const unset = c.from === null || c.from === undefined || (Array.isArray(c.from) && c.from.length === 0);
    if (unset && c.to !== null) parts.push(`${label}: ${show(c.to)}`);
    else parts.push(`${label}: ${show(c.from)} → ${show(c.to)}`);
  }
  return parts.join('; ');
}

/** One action: its facts, ideas, themes, status buttons, the edit form and its history. */
export function actionBody(o: {
  action: ActionOut & { history: ActionHistoryOut[] };
  themeNames: Map<string, string>;
  owners: { id: string; name: string }[];
  user: User;
  csrf: string;
  edit?: ActionFormState;
  /** Why a status button was refused (shown above the buttons). */
  moveProblem?: string;
}): Html {
  const a = o.action;
  const zone = o.user.timeZone;
  const s = o.edit;
  const val = (name: string, fallback: string) => s?.values?.[name] ?? fallback;
  const users = new Map(o.owners.map((u) => [u.id, u.name]));
  users.set(a.ownerId, a.ownerName);
  for (const h of a.history) if (h.actorId && h.actorName) users.set(h.actorId, h.actorName);
  return html`<p><a href="/lifecycle/actions?programId=${a.programId}">← Actions of ${a.programName}</a>${a.rollupId ? html` · <a href="/rollups/${a.rollupId}">the rollup it came from</a>` : ''}</p>
<dl class="facts"><dt>Status</dt><dd>${statusLabel(a.status)}${a.doneAt ? html` (${dateTime(a.doneAt, zone)})` : ''}</dd>
<dt>Kind</dt><dd>${kindLabel(a.kind)}</dd><dt>Owner</dt><dd>${a.ownerName}</dd><dt>Due</dt><dd>${due(a)}</dd>
<dt>Themes</dt><dd>${a.themeIds.length ? a.themeIds.map((t) => o.themeNames.get(t) ?? t).join(', ') : html`<span class="muted">none</span>`}</dd></dl>
${o.moveProblem ? errorSummary(undefined, o.moveProblem) : ''}<div class="actions">${statusButtons(a, o.csrf, `/lifecycle/actions/${a.id}`)}</div>
${a.detail ? html`<h2>Detail</h2><p style="white-space:pre-wrap">${a.detail}</p>` : ''}
${a.ideas.length ? html`<h2>Ideas it takes up</h2><ul>${a.ideas.map((i) => html`<li>${i.text} <span class="muted">(${i.category})</span></li>`)}</ul>` : ''}
<h2 id="edit">Change</h2>
${errorSummary(s?.errors, s?.message)}
${form(
  `/lifecycle/actions/${a.id}`,
  o.csrf,
  html`${input({ label: 'Title', name: 'title', value: val('title', a.title), errors: s?.errors, required: true, attrs: html` maxlength="200"` })}
${textarea({ label: 'Detail', name: 'detail', value: val('detail', a.detail ?? ''), errors: s?.errors, rows: 4 })}
${select({ label: 'Owner', name: 'ownerId', options: o.owners.map((u) => ({ value: u.id, label: u.name })), value: val('ownerId', a.ownerId), errors: s?.errors })}
${input({ label: 'Due date', name: 'dueOn', type: 'date', value: val('dueOn', a.dueOn ?? ''), errors: s?.errors, hint: 'Empty: no due date. A new owner is emailed.' })}
<button type="submit">Save</button>`,
  html` novalidate`,
)}
<h2 id="history">History</h2>
<p class="muted">Times in your zone, ${zone}.</p>
<ol class="history">${a.history.map(
    (h) => html`<li><time datetime="${new Date(h.at).toISOString()}">${dateTime(h.at, zone)}</time>, ${h.actorName ?? 'someone'}: ${historyText(h, { theme: o.themeNames, user: users })}</li>`,
  )}</ol>`;
}
