/**
 * The lifecycle team's notice pages as functions of their data: a program's notices (send form, and every
 * notice with "41 of 52 acknowledged"), and one notice with who acknowledged when.
 */
import { NOTICE_KIND_LABELS, NOTICE_KINDS, type NoticeKind } from '../../notices/notice-messages.js';
import type { NoticeOut } from '../../notices/notices.service.js';
import type { User } from '../../people/user.entity.js';
import type { Period, Program } from '../../programs/program.entity.js';
import { dateTime } from '../kit/format.js';
import { errorSummary, form, html, input, select, textarea, type Html } from '../kit/html.js';
import { periodLabel, type FormState } from './lifecycle-views.js';

const kindLabel = (k: string) => NOTICE_KIND_LABELS[k as NoticeKind] ?? k;

/** "41 of 52 acknowledged". */
export const ackLabel = (acknowledged: number, recipients: number): string => `${acknowledged} of ${recipients} acknowledged`;

export function noticesBody(o: {
  program: Program;
  periods: Period[];
  notices: NoticeOut[];
  defaultPeriodId: string | null;
  actions: { id: string; title: string }[];
  user: User;
  csrf: string;
  send?: FormState;
}): Html {
  const p = o.program;
  const s = o.send;
  const val = (name: string, fallback = '') => s?.values?.[name] ?? fallback;
  const periodsById = new Map(o.periods.map((pe) => [pe.id, pe]));
  const sendForm = o.periods.length
    ? html`${errorSummary(s?.errors, s?.message)}
${form(
  `/lifecycle/programs/${p.id}/notices`,
  o.csrf,
  html`${select({ label: 'Roster of the period', name: 'periodId', options: o.periods.map((pe) => ({ value: pe.id, label: periodLabel(pe) })), value: val('periodId', o.defaultPeriodId ?? ''), errors: s?.errors })}
${select({ label: 'Kind', name: 'kind', options: NOTICE_KINDS.map((k) => ({ value: k, label: kindLabel(k) })), value: val('kind', 'rep_alert'), errors: s?.errors })}
${input({ label: 'Subject', name: 'subject', value: val('subject'), errors: s?.errors, required: true, attrs: html` maxlength="200"` })}
${textarea({
  label: 'Message',
  name: 'body',
  value: val('body'),
  errors: s?.errors,
  rows: 6,
  hint: 'Plain text. Web addresses (https://…) become links that show where they go. Each rep who accepted the roster gets an email, in their own time zone, and sees it on their page until they press "Got it".',
})}
${o.actions.length
  ? select({ label: 'Carries out the action (optional)', name: 'actionId', options: o.actions.map((a) => ({ value: a.id, label: a.title })), value: val('actionId'), errors: s?.errors, blank: 'None' })
  : ''}
<button type="submit">Send notice</button>`,
  html` novalidate`,
)}`
    : html`<p class="muted">The program has no period yet, so no roster to send to.</p>`;

  const rows = o.notices.length
    ? o.notices.map((n) => {
        const pe = n.periodId ? periodsById.get(n.periodId) : undefined;
        return html`<tr><th scope="row"><a href="/lifecycle/notices/${n.id}">${n.subject}</a></th><td>${kindLabel(n.kind)}</td>
<td><time datetime="${new Date(n.sentAt).toISOString()}">${dateTime(n.sentAt, o.user.timeZone)}</time></td><td>${pe ? periodLabel(pe) : ''}</td>
<td>${ackLabel(n.acknowledgedCount, n.recipientCount)}</td></tr>`;
      })
    : html`<tr><td colspan="5" class="muted">No notices sent yet.</td></tr>`;

  return html`<p><a href="/lifecycle/programs/${p.id}">← ${p.name}</a></p>
<h2 id="send">Send a notice to the reps</h2>
${sendForm}
<h2 id="sent">Sent notices</h2>
<p class="muted">Times in your zone, ${o.user.timeZone}.</p>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Subject</th><th scope="col">Kind</th><th scope="col">Sent</th><th scope="col">Period</th><th scope="col">Acknowledged</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

export function noticeBody(o: { notice: NoticeOut & { recipients: { repId: string; name: string; acknowledgedAt: Date | null }[] }; programName: string; user: User }): Html {
  const n = o.notice;
  const zone = o.user.timeZone;
  return html`<p><a href="/lifecycle/programs/${n.programId}/notices">← Notices of ${o.programName}</a></p>
<dl class="facts"><dt>Kind</dt><dd>${kindLabel(n.kind)}</dd><dt>Sent</dt><dd>${dateTime(n.sentAt, zone)} (${zone})</dd>
<dt>Acknowledged</dt><dd>${ackLabel(n.acknowledgedCount, n.recipientCount)}</dd>${n.actionId ? html`<dt>Action</dt><dd>${n.actionId}</dd>` : ''}</dl>
<h2>Message</h2>
<p style="white-space:pre-wrap">${n.body}</p>
<h2>Reps</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Rep</th><th scope="col">Got it</th></tr></thead>
<tbody>${n.recipients.map(
    (r) => html`<tr><th scope="row">${r.name}</th><td>${r.acknowledgedAt ? dateTime(r.acknowledgedAt, zone) : html`<span class="muted">not yet</span>`}</td></tr>`,
  )}</tbody>
</table></div>`;
}
