import type { Program } from '../../programs/program.entity.js';
import { snippetParts } from '../../search/search-text.js';
import type { SearchPage } from '../../search/search.service.js';
import { errorSummary, html, input, select, type FieldErrors, type Html } from '../kit/html.js';

export interface SearchValues {
  q: string;
  programId: string;
  periodId: string;
  themeId: string;
  segment: string;
  mode: string;
  limit: string;
}

/** A snippet with its matched words in <mark> (every part escaped). */
function snippetHtml(snippet: string): Html {
  return html`${snippetParts(snippet).map((p) => (p.match ? html`<mark>${p.text}</mark>` : html`${p.text}`))}`;
}

function nextHref(v: SearchValues, cursor: string): string {
  const params = new URLSearchParams();
  for (const [k, val] of Object.entries(v)) if (val) params.set(k, val);
  params.set('cursor', cursor);
  return `/lifecycle/search?${params.toString()}`;
}

/** The search page: the box with its filters (a GET form), then the results with their redacted snippets and a next-page link. */
export function searchBody(o: { values: SearchValues; programs: Program[]; page: SearchPage | null; errors?: FieldErrors; message?: string; programNames: Map<string, string> }): Html {
  const v = o.values;
  const results = o.page
    ? o.page.results.length
      ? html`<ol class="search-results">${o.page.results.map(
          (r) => html`<li class="search-result">
<p class="meta">${r.kind === 'form' ? (r.mode === 'behavior' ? 'Form (observed)' : r.mode === 'feedback' ? 'Form (told)' : 'Form') : 'Rep note'}
 · ${o.programNames.get(r.programId) ?? 'program'} · ${r.at.slice(0, 10)}${r.segment ? html` · ${r.segment}` : ''}</p>
<p class="snippet">${snippetHtml(r.snippet)}</p></li>`,
        )}</ol>${o.page.nextCursor ? html`<p><a rel="next" href="${nextHref(v, o.page.nextCursor)}">Next results</a></p>` : ''}`
      : html`<p>Nothing matches.</p>`
    : '';
  return html`<h1>Search</h1>
<p>Every submitted form and rep note. Type words as in any search box: <code>"export to csv"</code> for a phrase, <code>-excel</code> to leave a word out, <code>csv OR spreadsheet</code> for either. Contact details and marked names are redacted in the snippets.</p>
${errorSummary(o.errors, o.message)}
<form method="get" action="/lifecycle/search" role="search">
${input({ label: 'Search for', name: 'q', type: 'search', value: v.q, errors: o.errors, required: true })}
${select({ label: 'Program', name: 'programId', value: v.programId, blank: 'Every program', options: o.programs.map((p) => ({ value: p.id, label: p.name })), errors: o.errors })}
${select({ label: 'Kind of form', name: 'mode', value: v.mode, blank: 'Forms and rep notes', options: [{ value: 'behavior', label: 'Observed (behaviour forms)' }, { value: 'feedback', label: 'Told (feedback forms)' }], errors: o.errors })}
${input({ label: 'Segment', name: 'segment', value: v.segment, errors: o.errors, hint: 'A segment as written, e.g. mid market (forms only)' })}
${v.periodId ? html`<input type="hidden" name="periodId" value="${v.periodId}">` : ''}${v.themeId ? html`<input type="hidden" name="themeId" value="${v.themeId}">` : ''}${v.limit ? html`<input type="hidden" name="limit" value="${v.limit}">` : ''}
<button type="submit">Search</button>
</form>
${results}`;
}
