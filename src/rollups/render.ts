/**
 * Rendering of one stored rollup: the email to the lifecycle team (HTML + plain text + the ranked themes as
 * CSV) and the web page behind `GET /rollups/:id`. Pure: no Nest, no database, no I/O.
 *
 * Both HTML parts are built from one list of sections, each producing its HTML and its plain text side by
 * side, so the text part says what the HTML says. The email HTML is what mail clients render: tables and
 * inline styles only (no <style>, classes, images, SVG or scripts); the theme chart is a bar chart of table
 * cells. Every piece of user text goes through escapeHtml; the CSV goes through csvRow.
 *
 * Size: Gmail clips messages over ~102 KB, so the email shows at most EMAIL_LIST_LIMIT items of each
 * free-text list (the page shows all of them) and quotes for the top themes only.
 */
import { DateTime, IANAZone } from 'luxon';
import { escapeHtml } from '../common/escape-html.js';
import { layout, link, list, paragraph } from '../mail/html.js';
import { csvRow } from '../observations/csv.js';
import type { RankedTheme, RollupReport } from './rollup.types.js';
import { empathySection } from '../segments/empathy-render.js';

/** Items of one free-text list shown in the email before "… and N more on the web page". */
export const EMAIL_LIST_LIMIT = 15;
/** Themes whose representative quotes are shown. */
export const QUOTED_THEMES = 5;
/** Quotes per theme in the email (the page shows all the caller chose). */
export const EMAIL_QUOTES_PER_THEME = 3;

const LOCALE = 'en-GB';
const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const MUTED = '#57606a';
const BORDER = '#d0d7de';
const BAR = '#2f6feb';
const TRACK = '#eaeef2';
const RISK = '#b42318';

const IDEA_GROUPS: { group: RollupReport['ideas'][number]['group']; heading: string }[] = [
  { group: 'info_to_sales', heading: 'Information for Sales' },
  { group: 'rep_alerts', heading: 'Alerts to reps' },
  { group: 'campaign_notifications', heading: 'Campaign notifications' },
  { group: 'other', heading: 'Other ideas' },
];

/** How "at risk" is decided (quota-pace.ts behindPace, the lifecycle health page's rule too). */
const AT_RISK_RULE =
  'At risk: sessions held plus sessions booked fall short of the quota times the share of the period that has passed, in whole sessions.';

const CATEGORY_LABEL: Record<string, string> = { content: 'Content', product: 'Product', other: 'Other' };

const VALENCE_LABEL: Record<number, string> = { [-2]: 'very negative', [-1]: 'negative', 0: 'neutral', 1: 'positive', 2: 'very positive' };

const CSV_HEADER = ['rank', 'theme', 'weight', 'mentions', 'observers', 'reps', 'accounts', 'change', 'forms without account'];

/** One piece of the report, as HTML and as plain text. */
interface Part {
  html: string;
  /** Plain text without a leading or trailing line break; '' for nothing (the chart). */
  text: string;
  /** Whether a blank line separates this text from the one before (default yes). */
  tight?: boolean;
}

function joinText(parts: Part[]): string {
  return parts
    .filter((p) => p.text !== '')
    .map((p, i) => (i === 0 ? '' : p.tight ? '\n' : '\n\n') + p.text)
    .join('');
}

interface RenderOptions {
  /** Items per free-text list; null for all (the web page). */
  limit: number | null;
  quotesPerTheme: number | null;
  /** Where the rest of a shortened list can be read. */
  moreWhere: string;
}

/** The email for one recipient zone: subject, HTML (table layout, inline styles, bar chart of table cells with widths proportional to weight), plain text saying the same, and the ranked themes as CSV. */
export function rollupEmail(r: RollupReport, zone: string, pageUrl: string): { subject: string; html: string; text: string; csv: string } {
  const z = resolveZone(zone, r);
  const range = windowLabel(r.window, z);
  const title = `Rollup: ${r.program.name}`;
  const subject = oneLine(`${title}, ${range}${r.empty ? ' — no sessions held' : ''}`);
  const opts: RenderOptions = { limit: EMAIL_LIST_LIMIT, quotesPerTheme: EMAIL_QUOTES_PER_THEME, moreWhere: 'on the web page' };
  const parts = [intro(r, range), webLink(pageUrl), ...(r.empty ? [...emptyNote(r, range), ...loopSections(r, opts, z)] : sections(r, opts, z))];
  const footer = `Generated ${formatInstant(r.generatedAt, z)} (${z}). Confidential: observations are for the lifecycle team; quotes are redacted.${r.empty ? '' : ' The ranked themes are attached as CSV.'}`;
  const html = layout({ title, body: parts.map((p) => p.html).join(''), footer, preheader: preheader(r, range) });
  const text = `${title}\n${'='.repeat(title.length)}\n\n${joinText(parts)}\n\n-- \n${footer}\n`;
  return { subject, html, text, csv: themesCsv(r) };
}

/** The web page (`GET /rollups/:id`): a full HTML document, same content, accessible (headings, table captions/scope, lang, readable on a phone width), no scripts. */
export function rollupPage(r: RollupReport, zone: string, page: { rollupId?: string } = {}): string {
  const z = resolveZone(zone, r);
  const range = windowLabel(r.window, z);
  const title = `Rollup: ${r.program.name}`;
  const opts: RenderOptions = { limit: null, quotesPerTheme: null, moreWhere: '' };
  const parts = [intro(r, range), ...(r.empty ? [...emptyNote(r, range), ...loopSections(r, opts, z)] : sections(r, opts, z))];
  const act = page.rollupId
    ? `<p style="margin:0 0 16px 0"><a href="/lifecycle/actions/new?rollupId=${encodeURIComponent(page.rollupId)}" style="color:#0a58ca">Turn themes and ideas into an action</a></p>`
    : '';
  const footer = `Generated ${formatInstant(r.generatedAt, z)} (${z}). Confidential: observations are for the lifecycle team; quotes are redacted.`;
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(`${title}, ${range}`)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f6f8fa;color:#1f2328;${FONT};font-size:16px;line-height:1.5">` +
    `<main style="box-sizing:border-box;max-width:760px;margin:0 auto;padding:16px;background:#ffffff">` +
    `<p style="margin:0 0 8px 0"><a href="/lifecycle/rollups" style="color:#0a58ca">← All rollups</a></p>` +
    `<h1 style="margin:0 0 16px 0;font-size:22px;line-height:1.3">${escapeHtml(title)}</h1>` +
    act +
    parts.map((p) => p.html).join('') +
    `</main><footer style="box-sizing:border-box;max-width:760px;margin:0 auto;padding:16px;font-size:13px;color:${MUTED}">${escapeHtml(footer)}</footer>` +
    `</body></html>`
  );
}

/** The ranked-themes CSV: rank, theme, weight (3 decimals), mentions, observers, reps, accounts (named ones), change, forms that named no account. */
export function themesCsv(r: RollupReport): string {
  const change = new Map(r.changes.map((c) => [c.themeId, c.change]));
  const rows = r.empty ? [] : r.themes;
  return (
    csvRow(CSV_HEADER) +
    rows.map((t, i) => csvRow([i + 1, t.name, t.weight.toFixed(3), t.mentions, t.observers, t.reps, t.accounts, change.get(t.themeId) ?? '', noAccount(t)])).join('')
  );
}

/** The window in a zone: "1 October – 31 December 2026"; `to` is exclusive, so midnight shows the day before. */
export function windowLabel(window: RollupReport['window'], zone: string): string {
  const from = DateTime.fromISO(window.from, { zone }).setLocale(LOCALE);
  const to = DateTime.fromISO(window.to, { zone }).setLocale(LOCALE);
  let last = +to === +to.startOf('day') ? to.minus({ days: 1 }) : to;
  if (last < from) last = from;
  let text: string;
  if (from.hasSame(last, 'day')) text = from.toFormat('d LLLL yyyy');
  else if (from.hasSame(last, 'month')) text = `${from.toFormat('d')} – ${last.toFormat('d LLLL yyyy')}`;
  else if (from.hasSame(last, 'year')) text = `${from.toFormat('d LLLL')} – ${last.toFormat('d LLLL yyyy')}`;
  else text = `${from.toFormat('d LLLL yyyy')} – ${last.toFormat('d LLLL yyyy')}`;
  return `${text} (${zone})`;
}

// ---------------------------------------------------------------------------------------------------------
// Sections

function intro(r: RollupReport, range: string): Part {
  const lines = [`Program: ${r.program.name}`, `Window: ${range}`];
  if (r.period?.focus) lines.push(`This period's focus: ${r.period.focus}`);
  return { html: paragraph(lines.join('\n')), text: lines.join('\n') };
}

function webLink(pageUrl: string): Part {
  return {
    html: `<p style="margin:0 0 16px 0">${link(pageUrl, 'Read this rollup on the web')}</p>`,
    text: `Read this rollup on the web: ${pageUrl}`,
  };
}

function emptyNote(r: RollupReport, range: string): Part[] {
  const c = r.coverage;
  const lines = [`No sessions were held in this window, ${range}, so there are no themes or findings to report.`];
  const noShows = c.noShows.rep + c.noShows.marketer + c.noShows.customer;
  if (c.booked + c.cancelled + noShows > 0) {
    lines.push(
      `Bookings: ${c.booked} booked, ${c.cancelled} cancelled (${c.lateCancelled} late), ` +
        `${plural(noShows, 'no-show')} (${c.noShows.rep} by a rep, ${c.noShows.marketer} by a marketer, ${c.noShows.customer} by the customer).`,
    );
  }
  return lines.map((l) => para(l));
}

function sections(r: RollupReport, o: RenderOptions, zone: string): Part[] {
  return [
    ...coverage(r),
    ...themeSection(r),
    ...emerging(r),
    ...suggestedThemes(r, o),
    ...changeSection(r, o),
    ...ideas(r, o),
    ...loopSections(r, o, zone),
    ...leads(r, o),
    ...modes(r),
    ...empathySection(r.empathy),
    ...moments(r, o),
    ...textList('Negative feedback heard', r.negativeFeedback, 'None recorded.', o),
    ...focus(r, o),
    ...textList('Intros offered', r.intros, 'None offered.', o),
    ...quotes(r, o),
  ];
}

function coverage(r: RollupReport): Part[] {
  const c = r.coverage;
  const sessions =
    `Sessions: ${c.booked} booked, ${c.held} held, ${c.cancelled} cancelled (${c.lateCancelled} late). ` +
    `No-shows: ${c.noShows.rep} by a rep, ${c.noShows.marketer} by a marketer, ${c.noShows.customer} by the customer.`;
  const forms = `Observation forms: ${c.forms.onTime} on time, ${c.forms.late} late, ${c.forms.missing} missing, ${c.forms.open} still open.`;
  const atRisk = c.marketers.filter((m) => m.atRisk);
  const riskLine = atRisk.length
    ? `At risk of missing the quota: ${atRisk.map((m) => `${m.name} (${progress(m)})`).join(', ')}.`
    : 'No marketer is at risk of missing the quota.';

  const out: Part[] = [heading('Coverage'), para(sessions), para(forms)];
  out.push({
    html: table(
      'Marketers: progress to the quota',
      ['Marketer', 'Sessions', 'Booked', 'Quota', 'Progress', 'Forms submitted', 'At risk'],
      c.marketers.map((m) => [
        m.name,
        String(m.sessions),
        m.booked === undefined ? '–' : String(m.booked),
        m.quota === null ? 'none' : String(m.quota),
        m.quota ? `${percent(m.sessions, m.quota)}%` : '–',
        String(m.submitted),
        m.atRisk ? 'At risk' : '',
      ]),
      c.marketers.map((m) => (m.atRisk ? `color:${RISK};font-weight:600` : '')),
      'No marketers enrolled.',
    ),
    text:
      'Marketers: progress to the quota\n' +
      (c.marketers.length
        ? c.marketers
            .map((m) => `- ${m.name}: ${progress(m)}${m.booked === undefined ? '' : `, ${m.booked} booked`}, ${plural(m.submitted, 'form')} submitted${m.atRisk ? ' (AT RISK)' : ''}`)
            .join('\n')
        : 'No marketers enrolled.'),
  });
  out.push(para(AT_RISK_RULE, `color:${MUTED}`));
  out.push(para(riskLine, atRisk.length ? `color:${RISK};font-weight:600` : ''));
  out.push({
    html: table(
      "Reps: each rep's load",
      ['Rep', 'Sessions'],
      c.reps.map((p) => [p.name, String(p.sessions)]),
      [],
      'No reps on the roster.',
    ),
    text: "Reps: each rep's load\n" + (c.reps.length ? c.reps.map((p) => `- ${p.name}: ${plural(p.sessions, 'session')}`).join('\n') : 'No reps on the roster.'),
  });
  return out;
}

function themeSection(r: RollupReport): Part[] {
  const explain =
    "Each observer's forms share one unit of weight, so a theme's weight counts how many observers raised it, not how many forms one person wrote. Raw mentions are shown beside it. " +
    'Accounts are the distinct customer companies the forms named; forms that named none are counted apart, never as accounts.';
  const out: Part[] = [heading('Themes, ranked by weight'), para(explain)];
  if (r.themes.length === 0) return [...out, para('No theme was backed by two or more observers.')];
  const change = new Map(r.changes.map((c) => [c.themeId, c.change]));
  out.push({ html: chart(r.themes), text: '' });
  out.push({
    html: themeTable('Ranked themes', r.themes, change),
    text: r.themes.map((t, i) => `${i + 1}. ${themeLine(t)}${change.has(t.themeId) ? `; ${change.get(t.themeId)}` : ''}`).join('\n'),
  });
  return out;
}

function emerging(r: RollupReport): Part[] {
  const out: Part[] = [heading('Emerging themes'), para('Backed by fewer than two observers: worth watching, not yet a pattern.')];
  if (r.emerging.length === 0) return [...out, para('None.')];
  const change = new Map(r.changes.map((c) => [c.themeId, c.change]));
  out.push({
    html: themeTable('Emerging themes', r.emerging, change),
    text: r.emerging.map((t) => `- ${themeLine(t)}`).join('\n'),
  });
  return out;
}

/** Phrases no theme covers yet (absent in rollups stored before suggestions existed: no section then). */
function suggestedThemes(r: RollupReport, o: RenderOptions): Part[] {
  if (!r.suggestedThemes) return [];
  const explain =
    'Phrases that three or more observers wrote in forms none of whose themes cover them, counted per observer (one marketer repeating a phrase is one observer). ' +
    'Accept one as a theme, or dismiss it, on the themes page.';
  const items = r.suggestedThemes.map(
    (s) =>
      `"${s.label}": ${plural(s.observers, 'observer')}, ${plural(s.forms, 'form')}, weight ${w(s.weight)}` +
      s.snippets
        .slice(0, o.quotesPerTheme ?? undefined)
        .map((x) => `\n“${x.text}”`)
        .join(''),
  );
  return [heading('Suggested themes'), para(explain), ...textList(`Suggested themes (${items.length})`, items, 'None this time.', o, 3)];
}

function changeSection(r: RollupReport, o: RenderOptions): Part[] {
  const out: Part[] = [heading('Change against the previous window')];
  const groups: { kind: 'new' | 'rising' | 'falling'; title: string; describe: (c: RollupReport['changes'][number]) => string }[] = [
    { kind: 'new', title: 'New', describe: (c) => `${c.name}: weight ${w(c.weight)} (not mentioned before)` },
    { kind: 'rising', title: 'Rising', describe: (c) => `${c.name}: weight ${w(c.previousWeight)} → ${w(c.weight)} (${signed(c.weight - c.previousWeight, 2)})` },
    {
      kind: 'falling',
      title: 'Falling',
      describe: (c) =>
        `${c.name}: weight ${w(c.previousWeight)} → ${w(c.weight)} (${signed(c.weight - c.previousWeight, 2)})${c.weight === 0 ? ', no longer mentioned' : ''}`,
    },
  ];
  for (const g of groups) {
    const items = r.changes.filter((c) => c.change === g.kind).map(g.describe);
    out.push(...textList(`${g.title} (${items.length})`, items, 'None.', o, 3));
  }
  const steady = r.changes.filter((c) => c.change === 'steady').length;
  out.push(para(`${plural(steady, 'theme')} steady.`));
  return out;
}

function ideas(r: RollupReport, o: RenderOptions): Part[] {
  const grouped = r.ideas.some((i) => i.observers !== undefined);
  const out: Part[] = [heading('Improvement ideas')];
  // Rollups stored before grouping list ideas as written, without counts.
  if (grouped) out.push(para('Near-duplicate ideas are shown once, ranked by how many observers wrote them, then weight per observer.'));
  for (const g of IDEA_GROUPS) {
    const items = r.ideas.filter((i) => i.group === g.group).map((i) => (g.group === 'other' ? `${CATEGORY_LABEL[i.category] ?? i.category}: ` : '') + i.text + ideaCounts(i, o));
    out.push(...textList(`${g.heading} (${items.length})`, items, 'None this time.', o, 3));
  }
  return out;
}

/** " (3 observers, 5 ideas)" for a grouped idea; on the page also the group's other wordings. */
function ideaCounts(i: RollupReport['ideas'][number], o: RenderOptions): string {
  if (i.observers === undefined) return '';
  const counts = ` (${plural(i.observers, 'observer')}, ${plural(i.count ?? 1, 'idea')})`;
  const variants = o.limit === null && i.variants?.length ? `; also written as ${i.variants.map((v) => `“${v.text}”`).join(', ')}` : '';
  return counts + variants;
}

function leads(r: RollupReport, o: RenderOptions): Part[] {
  return [
    heading('Marketing-sourced leads'),
    para(`Sessions with a marketing-sourced lead: ${r.leads.marketingSourced}.`),
    ...textList('How reps followed up', r.leads.followUps, 'Nothing recorded.', o, 3),
    ...textList('What reps lacked', r.leads.lacked, 'Nothing recorded.', o, 3),
  ];
}

function modes(r: RollupReport): Part[] {
  return [
    heading('Behaviour and feedback'),
    para(
      `Behaviour watched: ${plural(r.byMode.behavior, 'form')}. Feedback gathered: ${plural(r.byMode.feedback, 'form')}. ` +
        'Each form is one or the other, and the two are never mixed.',
    ),
  ];
}

function moments(r: RollupReport, o: RenderOptions): Part[] {
  const m = r.moments;
  const avg = (a: number | null) => (a === null ? 'no average' : `average valence ${signed(a, 1)}`);
  const item = (x: { text: string; valence: number }) => `${signed(x.valence, 0)} (${VALENCE_LABEL[x.valence] ?? 'valence'}): ${x.text}`;
  return [
    heading('Peak and end moments'),
    ...textList(`Peak moments (${avg(m.peakAverage)})`, m.peaks.map(item), 'None recorded.', o, 3),
    ...textList(`End moments (${avg(m.endAverage)})`, m.ends.map(item), 'None recorded.', o, 3),
  ];
}

function focus(r: RollupReport, o: RenderOptions): Part[] {
  const f = r.period?.focus;
  const out = textList("What the sessions showed about the period's focus", r.focusFindings, 'No findings recorded.', o);
  out.splice(1, 0, para(f ? `Focus: ${f}` : 'This period has no focus set.'));
  return out;
}

function quotes(r: RollupReport, o: RenderOptions): Part[] {
  const top = r.themes.slice(0, QUOTED_THEMES).filter((t) => t.quotes.length > 0);
  if (top.length === 0) return [];
  const out: Part[] = [heading('Quotes for the top themes')];
  for (const t of top) {
    const qs = o.quotesPerTheme === null ? t.quotes : t.quotes.slice(0, o.quotesPerTheme);
    out.push(subheading(t.name));
    out.push({
      html: qs
        .map(
          (q) =>
            `<blockquote style="margin:0 0 12px 0;padding:4px 0 4px 12px;border-left:3px solid ${BORDER}">` +
            `“${escapeHtml(q.text).replace(/\r?\n/g, '<br>')}”<br><span style="color:${MUTED};font-size:14px">— ${escapeHtml(q.speaker || 'unnamed')}</span></blockquote>`,
        )
        .join(''),
      text: qs.map((q) => `  “${q.text.replace(/\r?\n/g, '\n   ')}” — ${q.speaker || 'unnamed'}`).join('\n'),
      tight: true,
    });
  }
  return out;
}

/** What became of earlier actions, the notices to reps and what the reps said: absent from rollups stored before they existed. */
function loopSections(r: RollupReport, o: RenderOptions, zone: string): Part[] {
  return [...earlierActions(r, o, zone), ...noticesSection(r, o, zone), ...fromRepsSection(r, o)];
}

const ACTION_KIND: Record<string, string> = { info_for_sales: 'information for Sales', rep_alert: 'rep alert', campaign_notification: 'campaign notification', other: 'other' };
const TREND_WORD = { fell: 'fell', held: 'held', rose: 'still rose' } as const;

function earlierActions(r: RollupReport, o: RenderOptions, zone: string): Part[] {
  const a = r.earlierActions;
  if (!a) return [];
  const day = (iso: string) => DateTime.fromISO(iso, { zone }).setLocale(LOCALE).toFormat('d LLL yyyy');
  const date = (d: string) => DateTime.fromISO(d, { zone: 'UTC' }).setLocale(LOCALE).toFormat('d LLL yyyy');
  const about = (x: { themes: string[] }) => (x.themes.length ? `; themes: ${x.themes.join(', ')}` : '');
  const out: Part[] = [
    heading('What became of earlier actions'),
    para(
      `Since the last rollup (${formatInstant(a.since, zone)}): ${a.counts.doneSinceLast} done, ${a.counts.overdue} overdue, ${a.counts.open} still open.`,
    ),
  ];
  out.push(...textList(`Done since the last rollup (${a.counts.doneSinceLast})`, a.doneSinceLast.map((x) => `${x.title} (${ACTION_KIND[x.kind]}, ${x.ownerName}, done ${x.doneAt ? day(x.doneAt) : ''}${about(x)})`), 'None.', o, 3));
  out.push(...textList(`Overdue (${a.counts.overdue})`, a.overdue.map((x) => `${x.title} (${ACTION_KIND[x.kind]}, ${x.ownerName}, due ${x.dueOn ? date(x.dueOn) : ''}, ${x.status === 'in_progress' ? 'in progress' : 'not started'}${about(x)})`), 'None.', o, 3));
  out.push(...textList(`Still open (${a.counts.open})`, a.open.map((x) => `${x.title} (${ACTION_KIND[x.kind]}, ${x.ownerName}${x.dueOn ? `, due ${date(x.dueOn)}` : ''}${x.status === 'in_progress' ? ', in progress' : ''}${about(x)})`), 'None.', o, 3));
  if (a.themes.length) {
    out.push(subheading('Themes after their action'));
    out.push(para("Each theme's weight in the stretch after the action was done, against as long a stretch before it. A theme that still rose is flagged.", `color:${MUTED}`, true));
    const line = (t: NonNullable<RollupReport['earlierActions']>['themes'][number]) =>
      `${t.flagged ? 'FLAGGED: ' : ''}${t.name}: ${w(t.before)} → ${w(t.after)}, ${TREND_WORD[t.trend]} after "${t.actionTitle}" (done ${day(t.doneAt)})`;
    out.push({
      html: `<ul style="margin:0 0 16px 0;padding-left:24px">${a.themes
        .map((t) => `<li style="margin:0 0 4px 0${t.flagged ? `;color:${RISK};font-weight:600` : ''}">${escapeHtml(line(t))}</li>`)
        .join('')}</ul>`,
      text: a.themes.map((t) => `- ${line(t)}`).join('\n'),
      tight: true,
    });
  }
  return out;
}

function noticesSection(r: RollupReport, o: RenderOptions, zone: string): Part[] {
  const n = r.notices;
  if (!n) return [];
  const summary = n.count === 0 ? 'No notices were sent to reps in this window.' : `${plural(n.count, 'notice')}, ${n.acknowledged} of ${plural(n.recipients, 'rep')} acknowledged.`;
  const kind = (k: string) => (k === 'rep_alert' ? 'rep alert' : 'campaign notification');
  return [
    heading('Notices to reps'),
    para(summary),
    ...(n.count ? textList(`Sent (${n.count})`, n.items.map((i) => `${i.subject} (${kind(i.kind)}, ${formatInstant(i.sentAt, zone)}): ${i.acknowledged} of ${i.recipients} acknowledged`), 'None.', o, 3) : []),
  ];
}

function fromRepsSection(r: RollupReport, o: RenderOptions): Part[] {
  const f = r.fromReps;
  if (!f) return [];
  const u = f.usefulness;
  const trend = u.trend === null ? '' : u.trend === 'steady' ? ', steady against the previous window' : `, ${u.trend} from ${u.previousAverage!.toFixed(2)} in the previous window`;
  const useful =
    u.average === null
      ? 'No rep rated how useful a session was.'
      : `How useful the sessions were to reps: ${u.average.toFixed(2)} of 5 (the mean of each rep's own mean, ${plural(u.reps, 'rep')})${trend}.`;
  return [
    heading('From the reps'),
    para(`${plural(f.notes, 'note')} from ${plural(f.reps, 'rep')} after shadowed calls. ${useful}`),
    ...textList(`What reps wish Marketing knew (${f.wishes.length}, one per rep)`, f.wishes.map((x) => x.text), 'Nothing written.', o, 3),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks

function heading(title: string): Part {
  return {
    html: `<h2 style="margin:28px 0 8px 0;font-size:18px;line-height:1.3;border-bottom:1px solid ${BORDER};padding-bottom:4px">${escapeHtml(title)}</h2>`,
    text: `\n${title.toUpperCase()}\n${'-'.repeat(title.length)}`,
  };
}

function subheading(title: string, level = 3): Part {
  return {
    html: `<h${level} style="margin:16px 0 6px 0;font-size:16px;line-height:1.3">${escapeHtml(title)}</h${level}>`,
    text: `${title}:`,
  };
}

function para(text: string, style = '', tight = false): Part {
  return {
    html: style ? `<p style="margin:0 0 16px 0;${style}">${escapeHtml(text).replace(/\r?\n/g, '<br>')}</p>` : paragraph(text),
    text,
    tight,
  };
}

/** A titled bullet list, shortened to the limit with a note saying where the rest is. */
function textList(title: string, items: string[], none: string, o: RenderOptions, level = 2): Part[] {
  const head = level === 2 ? heading(title) : subheading(title, level);
  if (items.length === 0) return [head, para(none, '', level !== 2)];
  const shown = o.limit === null ? items : items.slice(0, o.limit);
  const rest = items.length - shown.length;
  const out: Part[] = [head, { html: list(shown), text: shown.map((i) => `- ${i.replace(/\r?\n/g, '\n  ')}`).join('\n'), tight: level !== 2 }];
  if (rest > 0) out.push(para(`… and ${rest} more ${o.moreWhere}.`, `color:${MUTED}`, true));
  return out;
}

const TH = `border-bottom:2px solid ${BORDER};vertical-align:bottom`;
const ROW = `border-top:1px solid ${BORDER}`;

/**
 * A data table: caption, column headers (scope="col"), the first cell of each row a row header; text cells
 * escaped. Kept lean (cellpadding and align attributes, one style per row) because the email has a size budget.
 */
function table(caption: string, headers: string[], rows: string[][], rowStyles: string[], none: string): string {
  if (rows.length === 0) return paragraph(none);
  const head = headers.map((h, i) => `<th scope="col" align="${i > 0 ? 'right' : 'left'}" style="${TH};text-align:${i > 0 ? 'right' : 'left'}">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((cells, r) => {
      const extra = rowStyles[r] ? `;${rowStyles[r]}` : '';
      const [first, ...rest] = cells;
      return (
        `<tr style="${ROW}${extra}"><th scope="row" align="left" style="text-align:left;font-weight:400${extra}">${escapeHtml(first)}</th>` +
        rest.map((c) => `<td align="right"${extra ? ` style="${extra.slice(1)}"` : ''}>${escapeHtml(c)}</td>`).join('') +
        '</tr>'
      );
    })
    .join('');
  return (
    `<div style="overflow-x:auto;margin:0 0 16px 0">` +
    `<table cellpadding="4" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;font-size:14px;line-height:1.4">` +
    `<caption style="text-align:left;font-weight:600;padding:0 0 6px 0">${escapeHtml(caption)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
  );
}

function themeTable(caption: string, themes: RankedTheme[], change: Map<string, string>): string {
  const rows = themes.map((t, i) => [
    `${i + 1}. ${t.name}`,
    w(t.weight),
    String(t.mentions),
    String(t.observers),
    String(t.reps),
    String(t.accounts),
    String(noAccount(t)),
    change.get(t.themeId) ?? '',
  ]);
  return table(caption, ['Theme', 'Weight', 'Mentions', 'Observers', 'Reps', 'Accounts', 'Forms without account', 'Change'], rows, [], 'None.');
}

/** Bar width in percent of the heaviest theme. */
export function barWidth(weight: number, maxWeight: number): number {
  if (!(maxWeight > 0) || !(weight > 0)) return 0;
  return Math.min(100, Math.max(0, Math.round((100 * weight) / maxWeight)));
}

/**
 * The bar chart: one row per theme with the label, a bar and the weight. The bar is a two-cell row: the
 * filled cell's width is proportional to the weight (heaviest = 100%), the other cell is the empty track.
 * Purely visual (the ranked-themes table below carries the same numbers), hence role="presentation" and
 * aria-hidden, so screen readers read the numbers once.
 */
function chart(themes: RankedTheme[]): string {
  const max = Math.max(0, ...themes.map((t) => t.weight));
  const cell = (pct: number, colour: string) =>
    `<td width="${pct}%" bgcolor="${colour}" height="12" style="background:${colour};font-size:1px;line-height:1px">&nbsp;</td>`;
  const rows = themes
    .map((t, i) => {
      const pct = barWidth(t.weight, max);
      const bar = (pct > 0 ? cell(pct, BAR) : '') + (pct < 100 ? cell(100 - pct, TRACK) : '');
      return (
        `<tr><td width="40%">${i + 1}. ${escapeHtml(t.name)}</td>` +
        `<td><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>${bar}</tr></table></td>` +
        `<td align="right" style="white-space:nowrap">${w(t.weight)}</td></tr>`
      );
    })
    .join('');
  return `<table role="presentation" aria-hidden="true" width="100%" cellpadding="3" cellspacing="0" border="0" style="width:100%;margin:0 0 16px 0;font-size:14px;line-height:1.3">${rows}</table>`;
}

function themeLine(t: RankedTheme): string {
  const none = noAccount(t);
  return (
    `${t.name}: weight ${w(t.weight)}; ${plural(t.mentions, 'mention')}, ${plural(t.observers, 'observer')}, ${plural(t.reps, 'rep')}, ${plural(t.accounts, 'account')}` +
    (none > 0 ? ` (${plural(none, 'form')} named no account)` : '')
  );
}

/** Forms of a theme that named no account (0 in rollups stored before this was counted). */
function noAccount(t: RankedTheme): number {
  return t.formsWithoutAccount ?? 0;
}

function preheader(r: RollupReport, range: string): string {
  if (r.empty) return `No sessions were held: ${range}.`;
  const top = r.themes[0] ? `; top theme: ${r.themes[0].name}` : '';
  return `${plural(r.coverage.held, 'session')} held, ${plural(r.themes.length, 'ranked theme')}${top}.`;
}

// ---------------------------------------------------------------------------------------------------------
// Small formatting helpers

function resolveZone(zone: string, r: RollupReport): string {
  for (const z of [zone, r.program.timeZone]) if (z && IANAZone.isValidZone(z)) return z;
  return 'UTC';
}

function formatInstant(iso: string, zone: string): string {
  const d = DateTime.fromISO(iso, { zone }).setLocale(LOCALE);
  return d.isValid ? d.toFormat('d LLLL yyyy, HH:mm') : iso;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').trim();
}

/** A weight as shown to people: two decimals (the CSV keeps three). */
function w(n: number): string {
  return n.toFixed(2);
}

function signed(n: number, digits: number): string {
  const s = Math.abs(n).toFixed(digits);
  return Number(s) === 0 ? s : `${n > 0 ? '+' : '−'}${s}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function percent(n: number, of: number): number {
  return Math.round((100 * n) / of);
}

function progress(m: { sessions: number; quota: number | null }): string {
  return m.quota ? `${m.sessions} of ${m.quota} sessions, ${percent(m.sessions, m.quota)}%` : `${plural(m.sessions, 'session')}, no quota`;
}
