/**
 * The rollup's compact empathy map as HTML and plain text, for the email and the page. Pure.
 *
 * Each segment's halves (observed: behaviour forms; told: feedback forms) are a 2 x 3 grid of table cells,
 * Says | Does, Thinks | Feels, Sees | Hears: tables, `width`/`valign` attributes and inline styles only, so
 * Outlook's Word engine and Gmail render it as the page does. A half with no forms is left out.
 */
import { escapeHtml } from '../common/escape-html.js';
import { CompactHalf, EmpathySummary, hasEntries, Quadrant } from './empathy.js';

export const GRID: [Quadrant, Quadrant][] = [
  ['says', 'does'],
  ['thinks', 'feels'],
  ['sees', 'hears'],
];
const LABEL: Record<Quadrant, string> = { says: 'Says', thinks: 'Thinks', does: 'Does', feels: 'Feels', sees: 'Sees', hears: 'Hears' };
const BORDER = '#d0d7de';
const MUTED = '#57606a';
const CELL_BG = '#f6f8fa';

export interface EmpathyPart {
  html: string;
  text: string;
  tight?: boolean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function cell(q: Quadrant, h: CompactHalf): string {
  const items = h.quadrants[q] ?? [];
  const body = items.length
    ? items.map((e) => `<div style="margin:0 0 4px 0">${escapeHtml(e.text)} <span style="color:${MUTED}">(${e.observers})</span></div>`).join('')
    : `<div style="color:${MUTED}">–</div>`;
  return (
    `<td width="50%" valign="top" bgcolor="${CELL_BG}" style="width:50%;vertical-align:top;background:${CELL_BG};border:1px solid ${BORDER};padding:8px">` +
    `<div style="font-weight:600;margin:0 0 4px 0">${LABEL[q]}</div>${body}</td>`
  );
}

/** One half as a 2 x 3 grid: a data table with a caption (numbers in brackets are distinct observers). */
export function gridHtml(caption: string, h: CompactHalf): string {
  return (
    `<table width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;margin:0 0 16px 0;font-size:14px;line-height:1.4">` +
    `<caption style="text-align:left;font-weight:600;padding:0 0 6px 0">${escapeHtml(caption)}</caption>` +
    GRID.map((row) => `<tr>${row.map((q) => cell(q, h)).join('')}</tr>`).join('') +
    `</table>`
  );
}

export function gridText(title: string, h: CompactHalf): string {
  const lines = GRID.flat().map((q) => {
    const items = h.quadrants[q] ?? [];
    return `    ${LABEL[q]}: ${items.length ? items.map((e) => `${e.text} (${plural(e.observers, 'observer')})`).join('; ') : '–'}`;
  });
  return `  ${title}\n${lines.join('\n')}`;
}

/** The section: heading, a note, and per top segment its observed and told grids. Absent summary (older rollups): nothing. */
export function empathySection(s: EmpathySummary | undefined): EmpathyPart[] {
  if (!s) return [];
  const title = 'Empathy maps by segment';
  const out: EmpathyPart[] = [
    {
      html: `<h2 style="margin:28px 0 8px 0;font-size:18px;line-height:1.3;border-bottom:1px solid ${BORDER};padding-bottom:4px">${title}</h2>`,
      text: `\n${title.toUpperCase()}\n${'-'.repeat(title.length)}`,
    },
    {
      html: `<p style="margin:0 0 16px 0">${escapeHtml(NOTE)}</p>`,
      text: NOTE,
    },
  ];
  if (s.top.length === 0) {
    const none = 'No segment had forms from two or more observers.';
    return [...out, { html: `<p style="margin:0 0 16px 0">${none}</p>`, text: none }];
  }
  for (const seg of s.top) {
    const head = `${seg.name} (${plural(seg.observers, 'observer')}, ${plural(seg.forms, 'form')})`;
    out.push({ html: `<h3 style="margin:16px 0 6px 0;font-size:16px;line-height:1.3">${escapeHtml(head)}</h3>`, text: `${head}:` });
    const halves: [string, CompactHalf][] = [
      [`Observed (behaviour forms: ${seg.observed.forms})`, seg.observed],
      [`Told (feedback forms: ${seg.told.forms})`, seg.told],
    ];
    for (const [label, h] of halves) {
      if (h.forms === 0) continue;
      if (!hasEntries(h)) {
        const none = `${label}: nothing recurring.`;
        out.push({ html: `<p style="margin:0 0 12px 0;color:${MUTED}">${escapeHtml(none)}</p>`, text: `  ${none}`, tight: true });
        continue;
      }
      out.push({ html: gridHtml(`${seg.name}: ${label}`, h), text: gridText(label, h), tight: true });
    }
  }
  if (s.segments > s.top.length) {
    const more = `… and ${plural(s.segments - s.top.length, 'more segment')} on the empathy page.`;
    out.push({ html: `<p style="margin:0 0 16px 0;color:${MUTED}">${escapeHtml(more)}</p>`, text: more });
  }
  return out;
}

const NOTE =
  'For the segments with the most observers: what recurs in each quadrant, written by two or more observers; the number is distinct observers. ' +
  'Observed comes from behaviour forms, told from feedback forms, never mixed.';
