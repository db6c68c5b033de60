/** The empathy maps page of one program: the window picker, a map per segment (observed and told apart), and the segments to curate. */
import { DateTime } from 'luxon';
import type { Program } from '../../programs/program.entity.js';
import { EmpathyEntry, EmpathyHalf, Quadrant } from '../../segments/empathy.js';
import type { EmpathyMapView, SegmentView } from '../../segments/segments.service.js';
import { errorSummary, FieldErrors, form, html, Html, input, select } from '../kit/html.js';

/** The grid: what they say against what they do, think against feel, see against hear. */
export const GRID: [Quadrant, Quadrant][] = [
  ['says', 'does'],
  ['thinks', 'feels'],
  ['sees', 'hears'],
];
export const QUADRANT_LABEL: Record<Quadrant, string> = { says: 'Says', thinks: 'Thinks', does: 'Does', feels: 'Feels', sees: 'Sees', hears: 'Hears' };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function entry(e: EmpathyEntry): Html {
  return html`<li>${e.text} <span class="muted">(${plural(e.observers, 'observer')}, ${plural(e.forms, 'form')})</span>${
    e.examples.length > 1
      ? html`<details><summary>Examples</summary><ul>${e.examples.map((x) => html`<li>“${x.text}”</li>`)}</ul></details>`
      : ''
  }</li>`;
}

function quadrant(q: Quadrant, h: EmpathyHalf): Html {
  const entries = h.quadrants[q];
  return html`<td><strong>${QUADRANT_LABEL[q]}</strong>${entries.length ? html`<ul>${entries.map(entry)}</ul>` : html`<p class="muted">Nothing recurring.</p>`}</td>`;
}

function half(title: string, note: string, h: EmpathyHalf, caption: string): Html {
  return html`<h3>${title}</h3>
<p class="muted">${note} ${plural(h.forms, 'form')} from ${plural(h.observers, 'observer')}.</p>
${h.forms === 0
  ? html``
  : html`<div class="table-wrap"><table class="empathy-grid"><caption>${caption}</caption><tbody>${GRID.map((row) => html`<tr>${row.map((q) => quadrant(q, h))}</tr>`)}</tbody></table></div>`}`;
}

export interface EmpathyPageValues {
  from: string;
  to: string;
}

export function empathyBody(o: {
  program: Program;
  map: EmpathyMapView | null;
  values: EmpathyPageValues;
  segments: SegmentView[];
  csrf: string;
  errors?: FieldErrors;
  message?: string;
  /** The segment whose form the errors belong to. */
  segmentId?: string;
}): Html {
  const p = o.program;
  const pickErrors = o.segmentId ? undefined : o.errors;
  const picker = html`<form method="get" action="/lifecycle/programs/${p.id}/empathy" class="filters" aria-label="Window">
${input({ label: 'From', name: 'from', type: 'date', value: o.values.from, errors: pickErrors })}
${input({ label: 'To (inclusive)', name: 'to', type: 'date', value: o.values.to, errors: pickErrors })}
<div class="field"><button type="submit" class="secondary">Show</button></div>
</form>`;
  const maps = o.map
    ? o.map.segments.length
      ? o.map.segments.map(
          (s) => html`<section aria-labelledby="seg-${s.segmentId}"><h2 id="seg-${s.segmentId}">${s.name}</h2>
<p>${plural(s.observers, 'observer')}, ${plural(s.forms, 'form')}. Entries recur when two or more observers wrote them; ranked by observers, then weight per observer.</p>
${half('Observed (behaviour forms)', 'What marketers watched customers do.', s.observed, `${s.name}: observed`)}
${half('Told (feedback forms)', 'What customers told marketers.', s.told, `${s.name}: told`)}</section>`,
        )
      : html`<p>No segment has forms from two or more observers in this window.</p>`
    : html``;
  const active = o.segments.filter((s) => s.status === 'active');
  // The window the page shows, kept across a curation's redirect.
  const keep = html`<input type="hidden" name="from" value="${o.values.from}"><input type="hidden" name="to" value="${o.values.to}">`;
  const rows = o.segments.map((s) => {
    const errs = o.segmentId === s.id ? o.errors : undefined;
    const others = active.filter((x) => x.id !== s.id).map((x) => ({ value: x.id, label: x.name }));
    return html`<tr><th scope="row">${s.name}${s.status === 'merged' ? html` <span class="muted">(merged into ${o.segments.find((x) => x.id === s.mergedInto)?.name ?? 'another segment'})</span>` : ''}</th>
<td>${s.keys.join(', ')}</td><td>${s.forms}</td><td>${s.observers}</td>
<td>${s.status === 'active'
      ? html`${form(`/lifecycle/programs/${p.id}/segments/${s.id}/rename`, o.csrf, html`${keep}${input({ label: 'New name', name: 'name', value: o.segmentId === s.id ? undefined : s.name, errors: errs, id: `rename-${s.id}` })}<button type="submit" class="secondary">Rename</button>`)}
${others.length ? form(`/lifecycle/programs/${p.id}/segments/${s.id}/merge`, o.csrf, html`${keep}${select({ label: 'Merge into', name: 'intoId', options: others, blank: 'Choose a segment', errors: errs, id: `merge-${s.id}` })}<button type="submit" class="secondary">Merge</button>`) : ''}`
      : form(`/lifecycle/programs/${p.id}/segments/${s.id}/unmerge`, o.csrf, html`${keep}<button type="submit" class="secondary">Undo merge</button>`)}</td></tr>`;
  });
  return html`<p><a href="/lifecycle/programs/${p.id}">← ${p.name}</a></p>
${errorSummary(o.errors, o.message)}${picker}
${maps}
<h2 id="segments">Segments</h2>
<p class="muted">The forms' segment answers, ignoring case, spacing and punctuation. Rename a segment, or merge one into another (e.g. "MM" into "Mid-market") so their maps combine; merges can be undone.</p>
${o.segments.length
  ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Segment</th><th scope="col">Answers</th><th scope="col">Forms</th><th scope="col">Observers</th><th scope="col">Curate</th></tr></thead><tbody>${rows}</tbody></table></div>`
  : html`<p>No form of this program names a segment yet.</p>`}`;
}

/** The window's dates as the picker shows them: the first day, and the last day (the exclusive end's day before at midnight). */
export function pickerValues(window: { from: string; to: string }, zone: string): EmpathyPageValues {
  const from = DateTime.fromISO(window.from, { zone });
  const to = DateTime.fromISO(window.to, { zone });
  const last = +to === +to.startOf('day') ? to.minus({ days: 1 }) : to;
  return { from: from.toISODate() ?? '', to: last.toISODate() ?? '' };
}
