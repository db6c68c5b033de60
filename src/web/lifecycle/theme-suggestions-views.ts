/**
 * The "Suggested themes" section of the lifecycle themes page, as a function of its data: a program and
 * window picker, each suggestion with its observers, forms and redacted snippets, Accept (as a theme, name
 * editable) and Dismiss; below, what was accepted (with Undo) and dismissed (with Restore).
 */
import type { SuggestionsView } from '../../themes/theme-suggestions.service.js';
import { dateTime } from '../kit/format.js';
import { buttonForm, errorSummary, form, html, input, select, type FieldErrors, type Html } from '../kit/html.js';

export interface SuggestionsSectionInput {
  programs: { id: string; name: string; time_zone: string }[];
  programId: string | null;
  from: string;
  to: string;
  view: SuggestionsView | null;
  /** A problem with the picker (unknown program, bad dates) or with an accept that was refused. */
  problem?: { message?: string; errors?: FieldErrors; phrase?: string; name?: string };
  csrf: string;
  zone: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function suggestionsSection(o: SuggestionsSectionInput): Html {
  const picker = html`<form method="get" action="/lifecycle/themes#suggested" class="inline-fields">
${select({ label: 'Program', name: 'programId', id: 'suggest-program', options: o.programs.map((p) => ({ value: p.id, label: p.name })), value: o.programId })}
${input({ label: 'From', name: 'from', id: 'suggest-from', type: 'date', value: o.from })}
${input({ label: 'To (inclusive)', name: 'to', id: 'suggest-to', type: 'date', value: o.to })}
<button type="submit">Show suggestions</button></form>`;
  const head = html`<h2 id="suggested">Suggested themes</h2>
<p class="muted">Phrases that ${o.view?.minObservers ?? 3} or more observers wrote in their forms' free text, in forms none of whose themes cover them. Counted per observer: one marketer repeating a phrase is one observer. Accepting one creates the theme (or uses the active theme of that name) and tags every form of the program that has the phrase; Undo takes exactly those tags back.</p>`;
  if (!o.programs.length) return html`${head}<p class="muted">No programs yet.</p>`;
  const problem = o.problem ? errorSummary(o.problem.errors, o.problem.message) : html``;
  if (!o.view) return html`${head}${problem}${picker}`;
  const v = o.view;
  const pid = v.programId;
  const rows = v.suggestions.map((s, i) => {
    const again = o.problem?.phrase === s.phrase;
    return html`<tr><th scope="row">“${s.label}”<br><span class="muted">${s.phrase}</span></th>
<td>${String(s.observers)}</td><td>${String(s.forms)}</td><td>${s.weight.toFixed(2)}</td>
<td>${s.snippets.length ? html`<ul>${s.snippets.map((x) => html`<li>“${x.text}”</li>`)}</ul>` : ''}</td>
<td>${form(
      '/lifecycle/theme-suggestions/accept',
      o.csrf,
      html`<input type="hidden" name="programId" value="${pid}"><input type="hidden" name="phrase" value="${s.phrase}">
${input({ label: 'Theme name', name: 'name', id: `suggest-name-${i}`, value: again ? (o.problem?.name ?? '') : titleCase(s.label), errors: again ? o.problem?.errors : undefined })}
<button type="submit">Accept as theme</button>`,
    )} ${buttonForm('/lifecycle/theme-suggestions/dismiss', o.csrf, 'Dismiss', { programId: pid, phrase: s.phrase }, 'secondary')}</td></tr>`;
  });
  const table = rows.length
    ? html`<table><caption>Suggested themes, ranked by observers, then weight per observer</caption>
<thead><tr><th scope="col">Phrase</th><th scope="col">Observers</th><th scope="col">Forms</th><th scope="col">Weight</th><th scope="col">Snippets (redacted)</th><th scope="col">Decision</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p class="muted">No suggestions for this program and window.</p>`;
  const accepted = v.accepted.length
    ? html`<h3>Accepted suggestions</h3><ul>${v.accepted.map(
        (a) =>
          html`<li>“${a.phrase}” → <a href="/lifecycle/themes/${a.themeId}">${a.themeName}</a> (${plural(a.tagged, 'form')} tagged${a.createdTheme ? ', theme created' : ''}), ${dateTime(a.acceptedAt, o.zone)}${
            a.undoneAt
              ? html` <span class="muted">undone ${dateTime(a.undoneAt, o.zone)}</span>`
              : html` ${buttonForm(`/lifecycle/theme-suggestions/acceptances/${a.id}/undo`, o.csrf, 'Undo', { programId: pid }, 'secondary')}`
          }</li>`,
      )}</ul>`
    : '';
  const dismissed = v.dismissed.length
    ? html`<h3>Dismissed suggestions</h3><ul>${v.dismissed.map(
        (d) => html`<li>“${d.phrase}” ${buttonForm('/lifecycle/theme-suggestions/restore', o.csrf, 'Restore', { programId: pid, phrase: d.phrase }, 'secondary')}</li>`,
      )}</ul>`
    : '';
  return html`${head}${problem}${picker}${table}${accepted}${dismissed}`;
}
