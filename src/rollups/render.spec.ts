import { EMAIL_LIST_LIMIT, barWidth, rollupEmail, rollupPage, themesCsv, windowLabel } from './render.js';
import type { RankedTheme, RollupReport } from './rollup.types.js';

const HOSTILE_NAME = '<script>alert(1)</script>';
const HOSTILE_QUOTE = 'We tried "><b>bold</b> & it broke';

function theme(id: string, name: string, weight: number, mentions: number, observers: number, reps: number, accounts: number, quotes: RankedTheme['quotes'] = []): RankedTheme {
  return { themeId: id, name, weight, mentions, observers, reps, accounts, quotes };
}

function fixture(over: Partial<RollupReport> = {}): RollupReport {
  return {
    program: { id: 'p1', name: 'Rep Life', timeZone: 'Europe/Berlin' },
    // 1 October 2026 00:00 to 1 January 2027 00:00 in Berlin (CEST then CET).
    window: { from: '2026-09-30T22:00:00.000Z', to: '2026-12-31T23:00:00.000Z' },
    period: { id: 'per1', focus: 'Why do trial users stall after week one?' },
    generatedAt: '2027-01-01T05:00:00.000Z',
    empty: false,
    coverage: {
      booked: 41,
      held: 33,
      cancelled: 6,
      lateCancelled: 2,
      noShows: { rep: 1, marketer: 0, customer: 1 },
      forms: { onTime: 27, late: 4, missing: 2, open: 0 },
      marketers: [
        { id: 'm1', name: 'Ana Ortiz', quota: 20, sessions: 18, submitted: 17, atRisk: false },
        { id: 'm2', name: 'Bo Becker', quota: 20, sessions: 4, submitted: 3, atRisk: true },
        { id: 'm3', name: 'Chen Wu', quota: 20, sessions: 11, submitted: 11, atRisk: false },
      ],
      reps: [
        { id: 'r1', name: 'Dana Reyes', sessions: 14 },
        { id: 'r2', name: 'Eli Novak', sessions: 19 },
      ],
    },
    themes: [
      theme('t1', 'Pricing page confusion', 2.4, 11, 3, 2, 7, [
        { text: 'I could not tell which plan had SSO.', speaker: 'customer', authorId: 'm1', account: 'Acme' },
        { text: HOSTILE_QUOTE, speaker: 'customer', authorId: 'm2', account: null },
      ]),
      theme('t2', HOSTILE_NAME, 1.2, 5, 2, 2, 3, [{ text: 'Setup took a week.', speaker: 'admin', authorId: 'm3', account: 'Globex' }]),
      theme('t3', 'Slow onboarding "><b>', 0.6, 4, 2, 1, 2),
    ],
    emerging: [theme('t4', 'Mobile app crashes', 0.5, 2, 1, 1, 1)],
    changes: [
      { themeId: 't1', name: 'Pricing page confusion', change: 'rising', weight: 2.4, previousWeight: 1.1 },
      { themeId: 't2', name: HOSTILE_NAME, change: 'new', weight: 1.2, previousWeight: 0 },
      { themeId: 't3', name: 'Slow onboarding "><b>', change: 'steady', weight: 0.6, previousWeight: 0.55 },
      { themeId: 't9', name: 'Invoice errors', change: 'falling', weight: 0, previousWeight: 1.5 },
    ],
    ideas: [
      { category: 'info_to_sales', group: 'info_to_sales', text: 'Send reps the SSO plan matrix', authorId: 'm1' },
      { category: 'rep_alerts', group: 'rep_alerts', text: 'Alert the rep when a lead reads the pricing page twice', authorId: 'm2' },
      { category: 'campaign_notifications', group: 'campaign_notifications', text: 'Tell reps before the webinar invite goes out', authorId: 'm3' },
      { category: 'content', group: 'other', text: 'A setup checklist <for admins>', authorId: 'm1' },
      { category: 'product', group: 'other', text: 'Show SSO on the plan cards', authorId: 'm2' },
    ],
    leads: { marketingSourced: 9, followUps: ['Called within the hour'], lacked: ['Which ad the lead clicked'] },
    byMode: { behavior: 19, feedback: 12 },
    moments: {
      peaks: [
        { text: 'Customer found the export button', valence: 2 },
        { text: 'Price shock at renewal', valence: -2 },
      ],
      ends: [{ text: 'Agreed to a second call', valence: 1 }],
      peakAverage: 0,
      endAverage: 1,
    },
    negativeFeedback: ['Your docs are out of date'],
    focusFindings: ['Trial users stall when the admin invite email lands in spam'],
    intros: ['Their head of IT wants to talk about SSO'],
    ...over,
  };
}

/** Parses CSV written by csvRow (RFC 4180: quoted cells, doubled quotes, CRLF rows). */
function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i];
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && csv[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

/** The widths of the filled (bar-coloured) cells, in order. */
function barWidths(html: string): number[] {
  return [...html.matchAll(/<td width="(\d+)%" bgcolor="#2f6feb"/g)].map((m) => Number(m[1]));
}

const URL = 'https://ridealong.example/rollups/r1';

describe('rollupEmail', () => {
  const mail = rollupEmail(fixture(), 'Europe/Berlin', URL);

  it('is HTML mail clients render: no images, SVG, scripts, style blocks or classes', () => {
    for (const bad of ['<img', '<svg', '<script', '<style', 'class=', '<link', 'javascript:']) expect(mail.html.toLowerCase()).not.toContain(bad);
    expect(mail.html).toContain('role="presentation"');
    expect(mail.html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
  });

  it('draws bars as table cells proportional to weight: top theme 100%, half weight 50%, quarter 25%', () => {
    expect(barWidths(mail.html)).toEqual([100, 50, 25]);
    // The empty track fills the rest of the two-cell row.
    expect(mail.html).toContain('<td width="50%" bgcolor="#eaeef2"');
    expect(mail.html).toContain('<td width="75%" bgcolor="#eaeef2"');
    expect(barWidth(1, 3)).toBe(33);
    expect(barWidth(0, 3)).toBe(0);
    expect(barWidth(1, 0)).toBe(0);
  });

  it('escapes hostile theme names, quotes and ideas in HTML and keeps them verbatim in text', () => {
    expect(mail.html).not.toContain(HOSTILE_NAME);
    expect(mail.html).not.toContain('"><b>');
    expect(mail.html).not.toContain('<for admins>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('We tried &quot;&gt;&lt;b&gt;bold&lt;/b&gt; &amp; it broke');
    expect(mail.html).toContain('Slow onboarding &quot;&gt;&lt;b&gt;');
    expect(mail.text).toContain(HOSTILE_NAME);
    expect(mail.text).toContain(HOSTILE_QUOTE);
    expect(mail.text).toContain('Slow onboarding "><b>');
    expect(mail.text).toContain('A setup checklist <for admins>');
  });

  it('says in the text part what the HTML says: every theme with its numbers', () => {
    expect(mail.text).toContain('1. Pricing page confusion: weight 2.40; 11 mentions, 3 observers, 2 reps, 7 accounts; rising');
    expect(mail.text).toContain(`2. ${HOSTILE_NAME}: weight 1.20; 5 mentions, 2 observers, 2 reps, 3 accounts; new`);
    expect(mail.text).toContain('3. Slow onboarding "><b>: weight 0.60; 4 mentions, 2 observers, 1 rep, 2 accounts; steady');
    expect(mail.text).toContain('Mobile app crashes: weight 0.50; 2 mentions, 1 observer, 1 rep, 1 account');
    for (const n of ['2.40', '11', '0.60']) expect(mail.html).toContain(`>${n}<`);
  });

  it('groups the ideas under their four headings in both parts', () => {
    for (const h of ['Information for Sales (1)', 'Alerts to reps (1)', 'Campaign notifications (1)', 'Other ideas (2)']) {
      expect(mail.text).toContain(h);
      expect(mail.html).toContain(h);
    }
    expect(mail.text).toContain('- Content: A setup checklist <for admins>');
    expect(mail.text).toContain('- Product: Show SSO on the plan cards');
    const sales = mail.text.indexOf('Information for Sales');
    expect(mail.text.indexOf('Send reps the SSO plan matrix')).toBeGreaterThan(sales);
    expect(mail.text.indexOf('Send reps the SSO plan matrix')).toBeLessThan(mail.text.indexOf('Alerts to reps'));
  });

  it('reports coverage, progress to the quota with the marketers at risk, and rep load', () => {
    expect(mail.text).toContain('Sessions: 41 booked, 33 held, 6 cancelled (2 late). No-shows: 1 by a rep, 0 by a marketer, 1 by the customer.');
    expect(mail.text).toContain('Observation forms: 27 on time, 4 late, 2 missing, 0 still open.');
    expect(mail.text).toContain('At risk of missing the quota: Bo Becker (4 of 20 sessions, 20%).');
    expect(mail.text).toContain('- Bo Becker: 4 of 20 sessions, 20%, 3 forms submitted (AT RISK)');
    expect(mail.text).not.toContain('Ana Ortiz (18 of 20');
    expect(mail.text).toContain('- Eli Novak: 19 sessions');
    expect(mail.html).toMatch(/<th scope="row"[^>]*color:#b42318[^>]*>Bo Becker<\/th>/);
    expect(mail.html).toContain('At risk');
  });

  it('says the at-risk rule (held plus booked against the pace) and shows booked sessions', () => {
    const rule = 'At risk: sessions held plus sessions booked fall short of the quota times the share of the period that has passed, in whole sessions.';
    expect(mail.text).toContain(rule);
    expect(rollupPage(fixture(), 'UTC')).toContain(rule);
    const marketers = fixture().coverage.marketers.map((m) => ({ ...m, booked: 6 }));
    const withBooked = rollupEmail(fixture({ coverage: { ...fixture().coverage, marketers } }), 'UTC', 'https://ridealong.example/rollups/r1');
    expect(withBooked.text).toContain('- Bo Becker: 4 of 20 sessions, 20%, 6 booked, 3 forms submitted (AT RISK)');
    expect(withBooked.html).toContain('>Booked<');
  });

  it('shows changes with their numbers, modes apart, moments with valence, leads, feedback, focus and intros', () => {
    expect(mail.text).toContain(`${HOSTILE_NAME}: weight 1.20 (not mentioned before)`);
    expect(mail.text).toContain('Pricing page confusion: weight 1.10 → 2.40 (+1.30)');
    expect(mail.text).toContain('Invoice errors: weight 1.50 → 0.00 (−1.50), no longer mentioned');
    expect(mail.text).toContain('1 theme steady.');
    expect(mail.text).toContain('Behaviour watched: 19 forms. Feedback gathered: 12 forms.');
    expect(mail.text).toContain('+2 (very positive): Customer found the export button');
    expect(mail.text).toContain('−2 (very negative): Price shock at renewal');
    expect(mail.text).toContain('End moments (average valence +1.0)');
    expect(mail.text).toContain('Sessions with a marketing-sourced lead: 9.');
    expect(mail.text).toContain('- Which ad the lead clicked');
    expect(mail.text).toContain('- Your docs are out of date');
    expect(mail.text).toContain("This period's focus: Why do trial users stall after week one?");
    expect(mail.text).toContain('- Trial users stall when the admin invite email lands in spam');
    expect(mail.text).toContain('- Their head of IT wants to talk about SSO');
    expect(mail.text).toContain('“I could not tell which plan had SSO.” — customer');
    expect(mail.text).toContain(URL);
    expect(mail.html).toContain(`href="${URL}"`);
  });

  it('names the program and the window in the subject', () => {
    expect(mail.subject).toBe('Rollup: Rep Life, 1 October – 31 December 2026 (Europe/Berlin)');
  });

  it('attaches the ranked themes as CSV', () => {
    expect(mail.csv).toBe(themesCsv(fixture()));
  });

  it('shortens long free-text lists in the email and says where the rest is; the page shows all', () => {
    const many = Array.from({ length: EMAIL_LIST_LIMIT + 5 }, (_, i) => `Complaint number ${i + 1}`);
    const r = fixture({ negativeFeedback: many });
    const m = rollupEmail(r, 'Europe/Berlin', URL);
    expect(m.text).toContain(`Complaint number ${EMAIL_LIST_LIMIT}`);
    expect(m.text).not.toContain(`Complaint number ${EMAIL_LIST_LIMIT + 1}`);
    expect(m.text).toContain('… and 5 more on the web page.');
    expect(m.html).toContain('… and 5 more on the web page.');
    expect(rollupPage(r, 'Europe/Berlin')).toContain(`Complaint number ${EMAIL_LIST_LIMIT + 5}`);
  });

  it('stays under 100 KB with 60 themes', () => {
    const themes = Array.from({ length: 60 }, (_, i) =>
      theme(`t${i}`, `Theme number ${i + 1} about onboarding and pricing`, 3 - i * 0.04, 40 - i, 12, 6, 20, [
        { text: 'A representative quote that is about as long as a customer sentence usually is, give or take.', speaker: 'customer', authorId: 'm1', account: 'Acme' },
        { text: 'Another quote, equally long, that the caller already redacted for contact details.', speaker: 'admin', authorId: 'm2', account: null },
      ]),
    );
    const changes = themes.map((t) => ({ themeId: t.themeId, name: t.name, change: 'rising' as const, weight: t.weight, previousWeight: t.weight / 2 }));
    const m = rollupEmail(fixture({ themes, changes }), 'Europe/Berlin', URL);
    expect(Buffer.byteLength(m.html, 'utf8')).toBeLessThan(100_000);
    expect(barWidths(m.html)).toHaveLength(60);
    expect(barWidths(m.html)[0]).toBe(100);
  });
});

describe('forms that named no account', () => {
  // One loud marketer's 15 forms without an account answer, and two forms naming Acme: 1 account, not 16.
  const loud = fixture({ themes: [{ ...theme('t1', 'Pricing page confusion', 1.5, 17, 2, 1, 1), formsWithoutAccount: 15 }], emerging: [], changes: [] });

  it('are shown beside the named accounts in the text part, the email and page HTML and the CSV', () => {
    const m = rollupEmail(loud, 'UTC', 'https://ridealong.example/rollups/r1');
    expect(m.text).toContain('1. Pricing page confusion: weight 1.50; 17 mentions, 2 observers, 1 rep, 1 account (15 forms named no account)');
    expect(m.text).toContain('forms that named none are counted apart');
    for (const html of [m.html, rollupPage(loud, 'UTC')]) {
      expect(html).toContain('>Forms without account<');
      expect(html).toMatch(/>1\. Pricing page confusion<\/th><td align="right">1\.50<\/td><td align="right">17<\/td><td align="right">2<\/td><td align="right">1<\/td><td align="right">1<\/td><td align="right">15<\/td>/);
    }
    expect(parseCsv(m.csv)[1]).toEqual(['1', 'Pricing page confusion', '1.500', '17', '2', '1', '1', '', '15']);
  });

  it('say nothing extra in text when every form named its account, and read 0 from rollups stored before', () => {
    const m = rollupEmail(fixture(), 'UTC', 'https://ridealong.example/rollups/r1');
    expect(m.text).not.toContain('named no account');
    expect(parseCsv(m.csv)[1][8]).toBe('0');
  });
});

describe('themesCsv', () => {
  it('parses back to the header and the ranked themes in order', () => {
    const rows = parseCsv(themesCsv(fixture()));
    expect(rows).toEqual([
      ['rank', 'theme', 'weight', 'mentions', 'observers', 'reps', 'accounts', 'change', 'forms without account'],
      ['1', 'Pricing page confusion', '2.400', '11', '3', '2', '7', 'rising', '0'],
      ['2', HOSTILE_NAME, '1.200', '5', '2', '2', '3', 'new', '0'],
      ['3', 'Slow onboarding "><b>', '0.600', '4', '2', '1', '2', 'steady', '0'],
    ]);
  });

  it('quotes commas and defuses formulas', () => {
    const rows = parseCsv(themesCsv(fixture({ themes: [theme('x', '=HYPERLINK("x"), y', 1 / 3, 1, 2, 1, 1)], changes: [] })));
    expect(rows[1]).toEqual(['1', `'=HYPERLINK("x"), y`, '0.333', '1', '2', '1', '1', '', '0']);
  });
});

describe('dates in the recipient zone', () => {
  it('shows the day before an exclusive end at midnight in the zone', () => {
    expect(windowLabel(fixture().window, 'Europe/Berlin')).toBe('1 October – 31 December 2026 (Europe/Berlin)');
  });

  it('shows the same window in Los Angeles with its own dates', () => {
    // 30 Sep 15:00 to 31 Dec 15:00 Pacific: the end is not midnight there, so that day is shown.
    expect(windowLabel(fixture().window, 'America/Los_Angeles')).toBe('30 September – 31 December 2026 (America/Los_Angeles)');
    const m = rollupEmail(fixture(), 'America/Los_Angeles', URL);
    expect(m.subject).toContain('30 September – 31 December 2026 (America/Los_Angeles)');
    expect(m.text).toContain('Window: 30 September – 31 December 2026 (America/Los_Angeles)');
    expect(m.html).toContain('30 September – 31 December 2026 (America/Los_Angeles)');
  });

  it('handles a week inside one month, across years, and a half-hour zone', () => {
    expect(windowLabel({ from: '2026-03-01T23:00:00Z', to: '2026-03-08T23:00:00Z' }, 'Europe/Berlin')).toBe('2 – 8 March 2026 (Europe/Berlin)');
    expect(windowLabel({ from: '2026-12-27T23:00:00Z', to: '2027-01-03T23:00:00Z' }, 'Europe/Berlin')).toBe('28 December 2026 – 3 January 2027 (Europe/Berlin)');
    expect(windowLabel({ from: '2026-10-04T18:30:00Z', to: '2026-10-05T18:30:00Z' }, 'Asia/Kolkata')).toBe('5 October 2026 (Asia/Kolkata)');
  });

  it('treats an end at midnight across a DST change correctly', () => {
    // Berlin leaves summer time on 25 October 2026; midnight on the 26th is 23:00 UTC on the 25th.
    expect(windowLabel({ from: '2026-10-18T22:00:00Z', to: '2026-10-25T23:00:00Z' }, 'Europe/Berlin')).toBe('19 – 25 October 2026 (Europe/Berlin)');
  });

  it('falls back to the program zone when the recipient zone is not a zone', () => {
    expect(rollupEmail(fixture(), 'Not/AZone', URL).subject).toContain('(Europe/Berlin)');
  });
});

describe('an empty window', () => {
  const empty = fixture({
    empty: true,
    coverage: { ...fixture().coverage, held: 0, marketers: [], reps: [] },
    themes: [],
    emerging: [],
    changes: [],
    ideas: [],
  });

  it('sends a short note instead of empty tables, in HTML and text', () => {
    const m = rollupEmail(empty, 'Europe/Berlin', URL);
    const note = 'No sessions were held in this window, 1 October – 31 December 2026 (Europe/Berlin)';
    expect(m.text).toContain(note);
    expect(m.html).toContain(note);
    expect(m.subject).toBe('Rollup: Rep Life, 1 October – 31 December 2026 (Europe/Berlin) — no sessions held');
    expect(m.html).not.toContain('<caption');
    expect(m.html).not.toContain('Improvement ideas');
    expect(m.text).not.toContain('IMPROVEMENT IDEAS');
    expect(m.html.length).toBeLessThan(5000);
  });

  it('attaches a CSV with just the header', () => {
    expect(themesCsv(empty)).toBe('rank,theme,weight,mentions,observers,reps,accounts,change,forms without account\r\n');
  });

  it('renders the note on the page too', () => {
    expect(rollupPage(empty, 'Europe/Berlin')).toContain('No sessions were held');
  });
});

describe('rollupPage', () => {
  const page = rollupPage(fixture(), 'Europe/Berlin');

  it('is a full, accessible document without scripts', () => {
    expect(page.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
    expect(page).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(page).toContain('<title>Rollup: Rep Life, 1 October – 31 December 2026 (Europe/Berlin)</title>');
    expect(page).toMatch(/<h1[^>]*>Rollup: Rep Life<\/h1>/);
    expect(page).toContain('<main');
    expect(page).toMatch(/<h2[^>]*>Themes, ranked by weight<\/h2>/);
    expect(page).toMatch(/<caption[^>]*>Ranked themes<\/caption>/);
    expect(page).toMatch(/<caption[^>]*>Marketers: progress to the quota<\/caption>/);
    expect(page).toContain('<th scope="col"');
    expect(page).toContain('<th scope="row"');
    expect(page).not.toContain('<script');
    expect(page.endsWith('</html>')).toBe(true);
  });

  it('shows the same content as the email, escaped', () => {
    expect(barWidths(page)).toEqual([100, 50, 25]);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain(HOSTILE_NAME);
    expect(page).toContain('Bo Becker');
    expect(page).toContain('Information for Sales');
  });
});

describe('closing the loop: earlier actions, notices, from the reps', () => {
  const loop: Partial<RollupReport> = {
    earlierActions: {
      since: '2026-10-01T05:00:00.000Z',
      doneSinceLast: [{ id: 'a1', title: 'Battlecard on <pricing>', kind: 'info_for_sales', status: 'done', ownerName: 'Lee', dueOn: '2026-11-01', doneAt: '2026-11-02T10:00:00.000Z', themes: ['Pricing'] }],
      overdue: [{ id: 'a2', title: 'Alert reps to the webinar', kind: 'rep_alert', status: 'in_progress', ownerName: 'Sam', dueOn: '2026-12-01', doneAt: null, themes: [] }],
      open: [],
      counts: { doneSinceLast: 1, overdue: 1, open: 0 },
      themes: [
        { themeId: 't1', name: 'Pricing', actionId: 'a1', actionTitle: 'Battlecard on <pricing>', doneAt: '2026-11-02T10:00:00.000Z', before: 1, after: 2.5, trend: 'rose', flagged: true },
        { themeId: 't2', name: 'Onboarding', actionId: 'a3', actionTitle: 'Setup guide', doneAt: '2026-11-05T10:00:00.000Z', before: 2, after: 0.5, trend: 'fell', flagged: false },
      ],
    },
    notices: { count: 3, recipients: 52, acknowledged: 41, items: [{ id: 'n1', kind: 'campaign_notification', subject: 'Spring launch', sentAt: '2026-11-10T09:00:00.000Z', recipients: 52, acknowledged: 41 }] },
    fromReps: { notes: 12, reps: 3, wishes: [{ text: 'Tell us which campaign the lead came from', repId: 'r1' }], usefulness: { average: 3.67, reps: 3, previousAverage: 2, trend: 'up' } },
  };

  it('appear in the email HTML and say the same in its plain text, escaped', () => {
    const m = rollupEmail(fixture(loop), 'Europe/Berlin', 'https://ridealong.example.com/rollups/r1');
    expect(m.html).toContain('What became of earlier actions');
    expect(m.text).toContain('WHAT BECAME OF EARLIER ACTIONS');
    expect(m.text).toContain('FROM THE REPS');
    for (const part of [m.html, m.text]) {
      expect(part).toContain('1 done, 1 overdue, 0 still open');
      expect(part).toContain('FLAGGED: Pricing: 1.00 → 2.50, still rose after');
      expect(part).toContain('Onboarding: 2.00 → 0.50, fell after');
      expect(part).toContain('3 notices, 41 of 52 reps acknowledged.');
      expect(part).toContain('Spring launch');
      expect(part).toContain('3.67 of 5');
      expect(part).toContain('up from 2.00 in the previous window');
      expect(part).toContain('Tell us which campaign the lead came from');
    }
    expect(m.html).toContain('Battlecard on &lt;pricing&gt;');
    expect(m.html).not.toContain('<pricing>');
  });

  it('appear on the page with the link that turns themes into an action', () => {
    const page = rollupPage(fixture(loop), 'Europe/Berlin', { rollupId: 'r-1' });
    expect(page).toContain('<a href="/lifecycle/actions/new?rollupId=r-1"');
    expect(page).toContain('What became of earlier actions');
    expect(page).toContain('From the reps');
  });

  it('are left out of rollups stored before they existed, and shown for a window with no sessions', () => {
    const old = rollupEmail(fixture(), 'UTC', 'https://x.example/rollups/1');
    expect(old.text).not.toContain('What became of earlier actions');
    const empty = rollupEmail(fixture({ ...loop, empty: true }), 'UTC', 'https://x.example/rollups/1');
    expect(empty.text).toContain('No sessions were held');
    expect(empty.text).toContain('3 notices, 41 of 52 reps acknowledged.');
  });
});
