/**
 * The rep's own notes after shadowed calls: the list on the rep's home page (optional, never a to-do that
 * blocks anything) and the three-question form. No Nest, no database: the controllers gather the data.
 */
import { REP_NOTE_QUESTIONS, USEFULNESS_LABELS } from '../../rep-notes/rep-note-messages.js';
import type { RepNoteJson } from '../../rep-notes/rep-notes.service.js';
import { dateTime, iso, range } from '../kit/format.js';
import { errorSummary, errorId, fieldError, fieldId, form, html, input, textarea, type FieldErrors, type Html } from '../kit/html.js';
import { page } from '../kit/layout.js';
import type { User } from '../../people/user.entity.js';

/** What the form shows when it comes back with problems (what was typed, not what is saved). */
export interface RepNoteFormValues {
  wish: string;
  usefulness: string;
  followUp: string;
  markedNames: string;
}

export const formValuesOf = (n: RepNoteJson): RepNoteFormValues => ({
  wish: n.wish ?? '',
  usefulness: n.usefulness === null ? '' : String(n.usefulness),
  followUp: n.followUp ?? '',
  markedNames: n.markedNames.join(', '),
});

const session = (n: RepNoteJson, zone: string) =>
  html`<time datetime="${iso(n.session?.startsAt ?? n.sessionEndedAt)}">${n.session ? range(n.session.startsAt, n.session.endsAt, zone) : dateTime(n.sessionEndedAt, zone)}</time>`;

/** The home page's section: notes the rep may still write, each with a link to its form. */
export function repNotesSection(notes: readonly RepNoteJson[], zone: string): Html {
  const body = notes.length
    ? html`<ul class="cards">${notes.map(
        (n) => html`<li id="rep-note-${n.id}"><p>${session(n, zone)} with <strong>${n.session?.marketerName ?? ''}</strong>${n.status === 'draft' ? html` <span class="badge">draft</span>` : ''}</p>
<p><a href="/rep/notes/${n.id}">${n.status === 'draft' ? 'Finish your note' : 'Write a note'}</a></p></li>`,
      )}</ul>`
    : html`<p class="muted">No notes waiting. Thank you.</p>`;
  return html`<section aria-labelledby="h-rep-notes"><h2 id="h-rep-notes">Notes for Marketing (optional)</h2>
<p class="muted">After a shadowed call: what do you wish Marketing knew? Only the lifecycle team reads these; the marketer never sees them.</p>${body}</section>`;
}

function usefulnessField(value: string, errors: FieldErrors | undefined): Html {
  const bad = !!errors?.usefulness?.length;
  return html`<fieldset class="${bad ? 'has-error' : ''}"${bad ? html` aria-describedby="${errorId('usefulness')}"` : ''}><legend>${REP_NOTE_QUESTIONS.usefulness}</legend>
${fieldError(errors, 'usefulness')}<div class="row">${[1, 2, 3, 4, 5].map(
    (k) =>
      html`<label><input type="radio" name="usefulness" value="${k}"${k === 1 ? html` id="${fieldId('usefulness')}"` : ''}${value === String(k) ? html` checked` : ''}> ${k} <span class="muted">${USEFULNESS_LABELS[k]}</span></label> `,
  )}<label><input type="radio" name="usefulness" value=""${value === '' ? html` checked` : ''}> <span class="muted">Rather not say</span></label></div></fieldset>`;
}

export interface RepNotePageData {
  user: User;
  csrf: string;
  note: RepNoteJson;
  values?: RepNoteFormValues;
  errors?: FieldErrors;
  message?: string;
  notice?: string;
}

/** The note: the form while it is open or a draft; what was sent once sent; a short word when withdrawn. */
export function repNotePage(d: RepNotePageData): Html {
  const zone = d.user.timeZone;
  const n = d.note;
  const head = html`<p>${session(n, zone)} with <strong>${n.session?.marketerName ?? ''}</strong> · ${n.programName ?? ''}</p>
<p class="muted">Optional. Only the lifecycle team reads your note; ${n.session?.marketerName ?? 'the marketer'} never sees it. Names you list below are kept out of anything that leaves ridealong.</p>`;
  let body: Html;
  if (n.status === 'submitted') {
    body = html`${head}<p class="notice" role="status">Sent ${dateTime(n.submittedAt!, zone)}. Thank you.</p>
<dl><dt>${REP_NOTE_QUESTIONS.wish}</dt><dd>${n.wish ?? '—'}</dd>
<dt>${REP_NOTE_QUESTIONS.usefulness}</dt><dd>${n.usefulness === null ? '—' : `${n.usefulness} of 5 (${USEFULNESS_LABELS[n.usefulness]})`}</dd>
<dt>${REP_NOTE_QUESTIONS.followUp}</dt><dd>${n.followUp ?? '—'}</dd></dl>`;
  } else if (n.status === 'withdrawn') {
    body = html`${head}<p>This call was marked a no-show, so there is nothing to write.</p>`;
  } else {
    const v = d.values ?? formValuesOf(n);
    body = html`${head}
${form(
  `/rep/notes/${n.id}`,
  d.csrf,
  html`${textarea({ label: REP_NOTE_QUESTIONS.wish, name: 'wish', value: v.wish, errors: d.errors, rows: 4 })}
${usefulnessField(v.usefulness, d.errors)}
${textarea({ label: REP_NOTE_QUESTIONS.followUp, name: 'followUp', value: v.followUp, errors: d.errors, rows: 3 })}
${input({ label: 'Customer names to keep out (optional)', name: 'markedNames', value: v.markedNames, errors: d.errors, hint: 'Separate names with commas.' })}
<div class="row"><button type="submit" name="intent" value="submit">Send to the lifecycle team</button> <button type="submit" name="intent" value="save" class="secondary">Save draft</button></div>`,
)}
<p class="muted">It helps most by ${dateTime(n.dueAt, zone)} (${zone}); later is welcome too. <a href="/rep">Back to my calls</a></p>`;
  }
  return page({ title: 'Your note for Marketing', user: d.user, csrf: d.csrf, current: '/rep', notice: d.notice, body: html`${errorSummary(d.errors, d.message)}${body}` });
}
