import type { ImportResult } from '../../imports/imports.service.js';
import { checkbox, errorSummary, form, html, textarea, type FieldErrors, type Html } from '../kit/html.js';

const OUTCOME_LABELS: Record<string, string> = { create: 'New', update: 'Update', unchanged: 'Unchanged', error: 'Error' };

export interface ImportPageState {
  csv: string;
  welcome: boolean;
  errors?: FieldErrors;
  message?: string;
  /** The dry run (a preview) or the applied import. */
  result?: ImportResult;
}

function totalsText(r: ImportResult): string {
  const t = r.totals;
  return `${t.rows} rows: ${t.create} new, ${t.update} to update, ${t.unchanged} unchanged, ${t.error} with errors; ${t.rosterInvites} roster invitations, ${t.enrolments} enrolments`;
}

function resultTable(r: ImportResult): Html {
  return html`<div class="table-wrap"><table>
<caption>${r.applied ? 'Imported' : 'Preview (nothing written yet)'}: ${totalsText(r)}</caption>
<thead><tr><th scope="col">Row</th><th scope="col">Email</th><th scope="col">Outcome</th><th scope="col">Problems</th><th scope="col">Roster</th><th scope="col">Enrolment</th></tr></thead>
<tbody>${r.rows.map(
    (row) => html`<tr${row.outcome === 'error' ? html` class="has-error"` : ''}><th scope="row">${row.row}</th><td>${row.email}</td><td>${
      row.outcome === 'error' ? html`<span class="badge late">Error</span>` : OUTCOME_LABELS[row.outcome]
    }</td><td>${row.errors.length ? html`<ul class="row-errors">${row.errors.map((e) => html`<li><strong>${e.column}</strong>: ${e.message}</li>`)}</ul>` : ''}</td><td>${
      row.roster ? `${row.roster.outcome} (${row.roster.status})` : ''
    }</td><td>${row.enrolment ? `${row.enrolment.outcome} (quota ${row.enrolment.quota})` : ''}</td></tr>`,
  )}</tbody>
</table></div>`;
}

/** The import page: paste a CSV, preview (a dry run) with each row's problems beside it, then apply the same text. */
export function importBody(o: { csrf: string; state: ImportPageState }): Html {
  const s = o.state;
  const r = s.result;
  const canApply = r && !r.applied && r.totals.error === 0 && r.totals.rows > 0;
  return html`<p>Columns: <code>email,name,roles,timeZone</code>, and optionally <code>startedOn</code>, <code>rosterPeriodId</code>,
<code>enrolPeriodId</code>, <code>quota</code>. Roles are <code>rep</code>, <code>marketer</code>, <code>lifecycle</code> separated by <code>;</code>.
People are matched by email (ignoring case). Nothing is written until you apply, and an import with any problem writes nothing.</p>
${errorSummary(s.errors, s.message)}
${r ? resultTable(r) : ''}
${canApply
  ? form(
      '/lifecycle/people/import',
      o.csrf,
      html`<input type="hidden" name="mode" value="apply"><input type="hidden" name="csv" value="${s.csv}">${s.welcome ? html`<input type="hidden" name="welcome" value="1">` : ''}
<button type="submit">Apply import (${r.totals.rows} rows)</button>`,
    )
  : ''}
<h2 id="paste">${r ? 'Change the CSV' : 'Paste a CSV'}</h2>
${form(
  '/lifecycle/people/import',
  o.csrf,
  html`<input type="hidden" name="mode" value="preview">
<div class="field" hidden><label for="f-csv-file">CSV file</label><input id="f-csv-file" type="file" accept=".csv,text/csv" data-read-into="f-csv" hidden></div>
${textarea({ label: 'CSV (with its header row)', name: 'csv', value: s.csv, errors: s.errors, rows: 12, hint: 'Choose a file above, or paste the CSV here (for example from a spreadsheet saved as CSV)' })}
${checkbox({ label: 'Email each new person a welcome with a sign-in link', name: 'welcome', checked: s.welcome })}
<button type="submit">Preview</button>`,
  html` novalidate`,
)}`;
}
