/**
 * The demo's words: people, companies, and observation forms written from varied templates with a seeded
 * generator, so every run of the demo reads the same and reads like notes a marketer would take. Pure: no
 * Nest, no database.
 */

export type Random = () => number;

export const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** `n` distinct entries of `xs` (all of them when n ≥ xs.length), in a seeded order. */
export function sample<T>(r: Random, xs: readonly T[], n: number): T[] {
  const copy = [...xs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, Math.min(n, copy.length));
}

/** The demo company's domain: every person's email ends with it, so calendar events with others are customer calls. */
export const DEMO_DOMAIN = 'northwind.example';

export const emailOf = (name: string) => `${name.toLowerCase().replace(/[^a-z ]/g, '').trim().replace(/\s+/g, '.')}@${DEMO_DOMAIN}`;

export interface DemoRepSpec {
  name: string;
  timeZone: string;
  /** Local weekday windows (Monday to Friday), HH:mm. */
  windows: [string, string][];
}

/** Twelve reps in five zones, two of them with offsets that are not whole hours (Kathmandu +5:45, Adelaide +9:30/+10:30). */
export const REPS: DemoRepSpec[] = [
  { name: 'Priya Shrestha', timeZone: 'Asia/Kathmandu', windows: [['09:30', '12:30'], ['14:00', '16:00']] },
  { name: 'Bikash Thapa', timeZone: 'Asia/Kathmandu', windows: [['10:00', '13:00']] },
  { name: 'Anjali Gurung', timeZone: 'Asia/Kathmandu', windows: [['13:00', '17:00']] },
  { name: 'Liam O’Connell', timeZone: 'Australia/Adelaide', windows: [['09:00', '11:30'], ['13:30', '16:00']] },
  { name: 'Chloe Nguyen', timeZone: 'Australia/Adelaide', windows: [['10:00', '15:00']] },
  { name: 'Hannah Becker', timeZone: 'Europe/Berlin', windows: [['09:00', '12:00'], ['14:00', '17:00']] },
  { name: 'Tomás Ruiz', timeZone: 'Europe/Berlin', windows: [['10:30', '13:30']] },
  { name: 'Marcus Reed', timeZone: 'America/New_York', windows: [['09:00', '12:00'], ['13:00', '15:30']] },
  { name: 'Danielle Brooks', timeZone: 'America/New_York', windows: [['11:00', '16:00']] },
  { name: 'Kevin Park', timeZone: 'America/New_York', windows: [['08:30', '11:30']] },
  { name: 'Sofia Alvarez', timeZone: 'America/Los_Angeles', windows: [['09:00', '12:00'], ['13:00', '16:00']] },
  { name: 'Ethan Walsh', timeZone: 'America/Los_Angeles', windows: [['10:00', '14:00']] },
];

const FIRST = ['Ava', 'Noah', 'Maya', 'Leo', 'Isla', 'Omar', 'Zara', 'Felix', 'Nora', 'Ravi', 'Elena', 'Jonas', 'Amara', 'Theo', 'Lucia', 'Samir', 'Freya', 'Mateo', 'Ines', 'Kai', 'Greta', 'Yusuf', 'Clara', 'Arjun', 'Mila', 'Oscar', 'Leila', 'Hugo', 'Sana', 'Emil', 'Rosa', 'Dev', 'Alma', 'Finn', 'Naomi'];
const LAST = ['Holm', 'Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Haddad', 'Novak', 'Costa', 'Fischer', 'Mehta', 'Kowalski', 'Bauer', 'Osei', 'Laine', 'Rossi', 'Saito', 'Dubois', 'Iqbal', 'Varga', 'Keller', 'Brennan', 'Ahmadi', 'Petrov', 'Quinn', 'Sato', 'Yilmaz', 'Ferreira', 'Nilsen', 'Abbott', 'Castro', 'Hale', 'Jensen', 'Marsh', 'Pillai', 'Weber'];

export const MARKETER_ZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Chicago', 'Asia/Kathmandu', 'Australia/Adelaide'];

/** `n` distinct full names, none equal to a rep's. */
export function marketerNames(r: Random, n: number): string[] {
  const seen = new Set(REPS.map((x) => x.name));
  const out: string[] = [];
  while (out.length < n) {
    const name = `${pick(r, FIRST)} ${pick(r, LAST)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

export const COMPANIES = [
  'Bluewater Logistics', 'Kestrel Health', 'Oakline Foods', 'Parcelly', 'Harbor & Finch Legal', 'Nimbus Dental Group', 'Lumen Schools',
  'Corvid Analytics', 'Tidewell Energy', 'Brightpath Staffing', 'Meridian Freight', 'Sproutly', 'Granite Ridge Construction',
  'Atlas Clinics', 'Fernhill Retail', 'Quayside Hotels', 'Vantage Insurance', 'Pinecrest Property', 'Solace Care Homes', 'Riverbend Brewing',
  'Halcyon Travel', 'Copperleaf Accounting', 'Northgate Manufacturing', 'Silverline Couriers', 'Maple & Stone Interiors',
];
export const COMPETITORS = ['Stackwise', 'Planfold', 'Orbitly'];
export const SEGMENTS = ['Operations lead, mid-market', 'IT admin, enterprise', 'Owner, small business', 'Finance controller', 'Agency project manager', 'Customer success lead'];

export const THEMES = [
  'Onboarding friction',
  'Pricing confusion',
  'Missing integrations',
  'Security review delays',
  'Reporting gaps',
  'Slow support response',
  'Mobile experience',
  'Competitor comparison',
  'Data migration worries',
] as const;
export type ThemeName = (typeof THEMES)[number];

interface ThemeWords {
  says: string[];
  thinks: string[];
  does: string[];
  feels: string[];
  sees: string[];
  hears: string[];
  pains: string[];
  quotes: string[];
  peaks: string[];
}

/** Per theme, what a customer worried about it says, thinks, does, feels, sees and hears; {company}, {competitor}, {n} are filled in. */
const WORDS: Record<ThemeName, ThemeWords> = {
  'Onboarding friction': {
    says: ['We stalled after the first week of the trial', 'Nobody on our side owns the setup', 'We invited the team but only two people logged in'],
    thinks: ['This will take more of my time than the sales deck suggested', 'If setup is this hard, rollout to {n} sites will be worse'],
    does: ['Shared their screen to show a half-finished workspace', 'Scrolled through the setup checklist looking for the next step'],
    feels: ['Overwhelmed by the number of settings', 'Embarrassed that the trial had stalled'],
    sees: ['An empty dashboard on day three', 'A checklist with eleven unticked items'],
    hears: ['Their manager asking when it will be live', 'Colleagues saying the old spreadsheet was faster'],
    pains: ['Trial stalls after the first week', 'No clear owner for setup on the customer side', 'Invited users never activate'],
    quotes: ['Honestly, we got lost somewhere between importing contacts and setting up the workflows.', 'I need someone to tell me the three things to do first.', 'We have {n} people waiting on this and I can’t show them anything yet.'],
    peaks: ['Customer admitted the trial had stalled for ten days', 'The rep walked them through setup live and it clicked'],
  },
  'Pricing confusion': {
    says: ['Which plan do we actually need?', 'The price page and the quote don’t match', 'Is the annual discount still on?'],
    thinks: ['There will be hidden costs later', 'Per-seat pricing punishes us for growing'],
    does: ['Opened the pricing page during the call and compared tiers', 'Asked the rep to send the quote again with seats broken out'],
    feels: ['Wary of being upsold', 'Frustrated that finance will ask questions they can’t answer'],
    sees: ['Three plans with overlapping features', 'A quote with a line item nobody explained'],
    hears: ['Finance asking for a per-site cost', 'A peer saying they paid less through a reseller'],
    pains: ['Cannot tell which plan fits', 'Quote does not match the website', 'Seat-based price unclear for seasonal staff'],
    quotes: ['I just need one number I can take to my CFO.', 'Why is the premium add-on separate when the webinar said it was included?', 'We have seasonal staff, do I pay for {n} seats all year?'],
    peaks: ['The customer found a price mismatch between the website and the quote', 'The rep offered a simpler two-line quote and the mood lifted'],
  },
  'Missing integrations': {
    says: ['Does it talk to our ERP?', 'We live in Teams, not Slack', 'Our data sits in a warehouse you don’t connect to'],
    thinks: ['Without the integration this is another tab nobody opens', 'IT will block anything that needs a custom connector'],
    does: ['Listed the five tools they use every day', 'Asked for the API documentation link twice'],
    feels: ['Sceptical that the roadmap item will ship', 'Tired of copy-pasting between systems'],
    sees: ['A marketplace page without their ERP', 'A competitor’s integration list that is longer'],
    hears: ['IT saying every new tool must sync with the ERP', 'The rep saying “it’s on the roadmap”'],
    pains: ['No native connector for their ERP', 'Manual exports every Friday', 'Webhook setup needs a developer they don’t have'],
    quotes: ['If it doesn’t sync with our ERP it is a non-starter for IT.', 'We export a CSV every Friday and somebody always forgets.', '{competitor} had the connector out of the box.'],
    peaks: ['The customer said the missing ERP connector could kill the deal', 'The rep showed the Zapier workaround and the customer was relieved'],
  },
  'Security review delays': {
    says: ['Security needs the questionnaire before anything else', 'Where is our data hosted?', 'Do you have SOC 2 Type II?'],
    thinks: ['This will sit in the security queue for a month', 'Legal will want a DPA redline'],
    does: ['Forwarded the security questionnaire while we were on the call', 'Asked for the trust page URL'],
    feels: ['Anxious about the timeline slipping into next quarter', 'Caught between procurement and the business'],
    sees: ['A 240-question security spreadsheet', 'A procurement portal asking for certificates'],
    hears: ['The CISO asking about sub-processors', 'Procurement saying reviews take six weeks'],
    pains: ['Security questionnaire takes weeks', 'Data residency unclear', 'DPA needs legal review'],
    quotes: ['Nothing moves until security signs off, and they have a six-week queue.', 'Can you just send me whatever you sent the last bank you sold to?', 'My CISO will ask where the backups live.'],
    peaks: ['The customer learnt the review could take six weeks', 'The rep had the completed questionnaire ready and the buyer was visibly relieved'],
  },
  'Reporting gaps': {
    says: ['I can’t get the report my board asks for', 'Can we schedule the export?', 'The dashboard doesn’t filter by region'],
    thinks: ['I will end up rebuilding this in Excel', 'The data is in there somewhere'],
    does: ['Showed a hand-built spreadsheet that merges three exports', 'Asked whether reports can be emailed on Mondays'],
    feels: ['Exposed in front of leadership', 'Impatient with clicking through filters'],
    sees: ['A dashboard with the wrong date range', 'A board deck with numbers pasted from screenshots'],
    hears: ['The board asking for monthly trends', 'Regional managers asking for their own view'],
    pains: ['No scheduled reports', 'Cannot filter by region', 'Board reporting built by hand'],
    quotes: ['Every month I spend a day building the board report by hand.', 'If I could filter by region I’d stop exporting to Excel.', 'Can it just email me this on Monday morning?'],
    peaks: ['The customer showed a three-tab spreadsheet they rebuild monthly', 'The rep showed scheduled exports and the customer asked for it in writing'],
  },
  'Slow support response': {
    says: ['We waited two days for an answer last time', 'Is there a phone line?', 'Support closed our ticket without fixing it'],
    thinks: ['If this breaks during peak season we are on our own', 'Premium support should not be an add-on'],
    does: ['Read out an old support ticket', 'Asked who their named contact would be'],
    feels: ['Let down by the last vendor', 'Worried about the go-live weekend'],
    sees: ['A ticket marked “waiting on customer” that wasn’t', 'An auto-reply promising 48 hours'],
    hears: ['Colleagues complaining about the old vendor’s support', 'The rep promising a named CSM'],
    pains: ['Slow first response', 'No phone support', 'Tickets closed before resolution'],
    quotes: ['Two days for a reply is two days my team can’t invoice.', 'I want a human I can call when it breaks.', 'The last vendor closed our tickets to hit their targets.'],
    peaks: ['The customer read out a support ticket from another vendor, angry', 'The rep introduced the CSM by name and the tension dropped'],
  },
  'Mobile experience': {
    says: ['My field team only has phones', 'Does the app work offline?', 'The mobile site cuts off the table'],
    thinks: ['Drivers will never open a laptop', 'An app nobody installs is no app'],
    does: ['Opened the product on a phone during the call', 'Asked whether the app is in both stores'],
    feels: ['Doubtful the team will adopt it', 'Hopeful when the offline mode came up'],
    sees: ['A table that scrolls sideways on a phone', 'Technicians with rugged Android phones'],
    hears: ['Field staff asking for a simple checklist', 'The ops manager saying paper still works'],
    pains: ['Mobile view cramped', 'No offline mode for field staff', 'App login expires too often'],
    quotes: ['My technicians are in basements with no signal half the day.', 'If it doesn’t work on a phone, it doesn’t work for us.', 'They log out every morning and then just don’t log in again.'],
    peaks: ['The customer tried the app live and hit a login loop', 'Offline mode was demoed and the customer said “that’s the one”'],
  },
  'Competitor comparison': {
    says: ['{competitor} quoted us less', 'What do you do that {competitor} doesn’t?', 'We are also talking to {competitor}'],
    thinks: ['They all look the same from the outside', 'The cheaper one might be good enough'],
    does: ['Shared a comparison spreadsheet with three vendors', 'Asked for references in their industry'],
    feels: ['Unsure how to justify the higher price', 'Curious about the roadmap'],
    sees: ['A {competitor} battle-card someone forwarded', 'Review-site scores side by side'],
    hears: ['A peer recommending {competitor}', 'Procurement asking for three quotes'],
    pains: ['Cannot articulate the difference with {competitor}', 'Price gap without a clear reason'],
    quotes: ['On paper you and {competitor} do the same thing.', 'Give me one reason to pay more that I can repeat to my boss.', 'Their sales guy said you don’t support multi-site.'],
    peaks: ['The customer said {competitor} was twenty percent cheaper', 'The rep used a customer story from the same industry and it landed'],
  },
  'Data migration worries': {
    says: ['How do we get ten years of history in?', 'Who does the import?', 'Will our custom fields survive?'],
    thinks: ['Migration is where these projects die', 'We will lose data in the move'],
    does: ['Described their current spreadsheet-and-database setup', 'Asked whether there is a migration service'],
    feels: ['Nervous about a weekend cut-over', 'Relieved when a sandbox was mentioned'],
    sees: ['A legacy system with forty custom fields', 'Duplicates in their own customer list'],
    hears: ['IT warning about the last failed migration', 'The rep mentioning an import template'],
    pains: ['Fear of losing historical data', 'Custom fields do not map', 'No one to run the import'],
    quotes: ['The last migration took us six months and we still find gaps.', 'I need to know the custom fields come across before I sign.', 'Can you do the import for us? We don’t have the people.'],
    peaks: ['The customer described a failed migration with the last vendor', 'The rep offered a sandbox import of one year of data'],
  },
};

const ENDS = [
  { text: 'Agreed to a follow-up demo with their IT lead next week', valence: 1 },
  { text: 'Asked for a written proposal by Friday', valence: 1 },
  { text: 'Said they would think about it; no next step booked', valence: -1 },
  { text: 'Booked a technical deep-dive and thanked the rep warmly', valence: 2 },
  { text: 'Ended abruptly when their next meeting started', valence: -1 },
  { text: 'Signed the order form on the call', valence: 2 },
  { text: 'Agreed to extend the trial by two weeks', valence: 0 },
  { text: 'Said they are pausing the evaluation until next quarter', valence: -2 },
];

const FOLLOW_UPS = [
  'The rep mentioned the webinar they attended and offered the recording',
  'The rep asked how they found us but did not connect it to the campaign',
  'The rep referred to the whitepaper they downloaded and built on it',
  'No reference to the campaign at all; the rep started from scratch',
  'The rep used the case study from the ad they clicked',
];
const LACKED = [
  'Which campaign the lead came from',
  'What the customer read before the call',
  'A short summary of the webinar content',
  'The pages the customer visited on the website',
  'The customer’s answers on the sign-up form',
];

/** Ideas per category, so every category of the rollup has something to show. */
export const IDEAS: Record<string, string[]> = {
  info_to_sales: [
    'Send reps the campaign a lead came from before the first call',
    'Give reps the webinar questions the customer asked',
    'Share the pages a lead read on the website with the rep',
    'A one-page summary of each campaign’s promise for reps',
  ],
  rep_alerts: [
    'Alert reps when the price page changes',
    'Warn reps about the ERP connector delay before customers ask',
    'Tell reps when a competitor changes its pricing',
    'Alert reps when a security certification is renewed',
  ],
  campaign_notifications: [
    'Tell reps a week ahead when a new campaign launches',
    'Notify reps which accounts received the security webinar invite',
    'Send reps the list of leads from the trade show on the day',
  ],
  content: [
    'A setup guide for the first week of a trial',
    'A pricing FAQ for finance teams',
    'An industry case study on data migration',
    'A security one-pager with hosting and sub-processors',
    'A short video on the mobile app’s offline mode',
  ],
  product: [
    'A guided setup checklist inside the trial',
    'Scheduled report emails',
    'A native ERP connector',
    'Offline mode for the mobile app',
    'Region filters on the dashboard',
  ],
  other: [
    'Invite a customer to the next sales kick-off',
    'Pair each new marketer with a rep for a month',
    'Ask support to share the top ten ticket reasons monthly',
  ],
};

/** The planted loud marketer's one idea, written on every form they file. */
export const LOUD_IDEA = { text: 'Reps need a battle-card comparing us with Stackwise', category: 'info_to_sales' };

const NEGATIVE = [
  'The customer said our emails feel generic',
  'They found the demo too long and too scripted',
  'They complained that nobody followed up after the webinar',
  'They said the free trial was too short to evaluate anything',
  '',
  '',
];

const INTROS = ['Their IT lead', 'The finance controller', 'A peer at a partner agency', 'The regional ops manager', 'Their head of procurement'];
const SPEAKERS = ['customer', 'customer', 'customer', 'rep', 'customer’s IT lead'];

export interface FormContext {
  /** Theme ids of the taxonomy by name. */
  themeIds: Record<string, string>;
  /** The period's focus question, when it has one. */
  focus?: string | null;
  /** The loud marketer writes the same idea every time. */
  loud?: boolean;
  repName: string;
}

const fill = (r: Random, s: string, company: string) =>
  s.replace(/\{company\}/g, company).replace(/\{competitor\}/g, pick(r, COMPETITORS)).replace(/\{n\}/g, String(pick(r, [12, 25, 40, 80, 150])));

/** Answers of one observation form (the default template's keys), from one or two themes' words. */
export function formAnswers(r: Random, ctx: FormContext): Record<string, unknown> {
  // Some themes come up far more often than others, so the rollup has a ranking worth reading.
  const weighted: ThemeName[] = ['Onboarding friction', 'Onboarding friction', 'Onboarding friction', 'Pricing confusion', 'Pricing confusion', 'Missing integrations', 'Missing integrations', 'Security review delays', 'Reporting gaps', 'Slow support response', 'Mobile experience', 'Competitor comparison', 'Data migration worries'];
  const first = pick(r, weighted);
  const names = r() < 0.45 ? [first, pick(r, THEMES.filter((t) => t !== first))] : [first];
  const company = pick(r, COMPANIES);
  const w = names.map((n) => WORDS[n]);
  const from = (key: keyof ThemeWords, n: number) => sample(r, w.flatMap((x) => x[key]), n).map((s) => fill(r, s, company));
  const mode = r() < 0.55 ? 'feedback' : 'behavior';
  const marketingSourced = r() < 0.5;
  const ideas: { text: string; category: string }[] = [];
  if (ctx.loud) ideas.push(LOUD_IDEA);
  else for (const category of sample(r, Object.keys(IDEAS), 1 + Math.floor(r() * 3))) ideas.push({ text: pick(r, IDEAS[category]), category });
  const peak = pick(r, w[0].peaks);
  const end = pick(r, ENDS);
  const answers: Record<string, unknown> = {
    mode,
    segment: pick(r, SEGMENTS),
    account: company,
    empathy: {
      says: from('says', 2),
      thinks: from('thinks', 1),
      does: from('does', 1 + Math.floor(r() * 2)),
      feels: from('feels', 1),
      sees: mode === 'behavior' ? from('sees', 1) : [],
      hears: r() < 0.6 ? from('hears', 1) : [],
    },
    painPoints: from('pains', 1 + Math.floor(r() * 2)),
    quotes: from('quotes', 1 + Math.floor(r() * 2)).map((text) => ({ text, speaker: pick(r, SPEAKERS) })),
    themeIds: names.map((n) => ctx.themeIds[n]),
    lead: marketingSourced ? { marketingSourced, followUp: pick(r, FOLLOW_UPS), lacked: pick(r, LACKED) } : { marketingSourced },
    ideas,
    peak: { text: fill(r, peak, company), valence: peak.includes('relieved') || peak.includes('clicked') || peak.includes('landed') || peak.includes('lifted') || peak.includes('“') || peak.includes('dropped') || peak.includes('asked for it') ? 2 : -2 },
    end,
  };
  const negative = pick(r, NEGATIVE);
  if (negative) answers.negativeFeedback = negative;
  if (ctx.focus) answers.focusFinding = `${company}: ${pick(r, w[0].pains).toLowerCase()}; ${ctx.repName.split(' ')[0]} ${pick(r, ['handled it by booking a follow-up', 'did not address it', 'promised to send material afterwards', 'asked a good open question about it'])}.`;
  if (r() < 0.3) answers.intros = [pick(r, INTROS)];
  if (r() < 0.08) answers.proposedThemes = [pick(r, ['Procurement portal friction', 'Multi-site rollout', 'Training for new staff'])];
  return answers;
}
