import type { EmpathySummary } from '../segments/empathy.js';

/** The stored content of one rollup: everything the JSON, the page and the email show. */
export interface RollupReport {
  program: { id: string; name: string; timeZone: string };
  window: { from: string; to: string }; // ISO instants, [from, to)
  period: { id: string; focus: string | null } | null;
  generatedAt: string;
  empty: boolean;
  coverage: {
    booked: number;
    held: number;
    cancelled: number;
    lateCancelled: number;
    noShows: { rep: number; marketer: number; customer: number };
    forms: { onTime: number; late: number; missing: number; open: number };
    /** sessions: held; booked: still booked (absent in rollups stored before it was counted); atRisk: quota-pace.ts behindPace. */
    marketers: { id: string; name: string; quota: number | null; sessions: number; booked?: number; submitted: number; atRisk: boolean }[];
    reps: { id: string; name: string; sessions: number }[];
  };
  themes: RankedTheme[];
  emerging: RankedTheme[];
  changes: { themeId: string; name: string; change: 'new' | 'rising' | 'falling' | 'steady'; weight: number; previousWeight: number }[];
  /**
   * Phrases in the free text of three or more distinct observers that no theme of those forms covers
   * (theme-suggestions.service.ts), ranked by observers then weight per observer; snippets redacted.
   * Absent in rollups stored before suggestions existed.
   */
  suggestedThemes?: { phrase: string; label: string; observers: number; forms: number; weight: number; snippets: { text: string; authorId: string }[] }[];
  /**
   * One entry per group of near-duplicate ideas (same category, english lexemes; idea-groups.ts), ranked within
   * each heading by distinct observers, then weight per observer. `text` is the group's representative wording
   * (redacted) and `authorId` its author. `observers`, `count` (ideas in the group), `weight` and `variants`
   * are absent in rollups stored before grouping, whose entries are single ideas as written.
   */
  ideas: {
    category: string;
    group: 'info_to_sales' | 'rep_alerts' | 'campaign_notifications' | 'other';
    text: string;
    authorId: string;
    observers?: number;
    count?: number;
    weight?: number;
    variants?: { text: string; authorId: string }[];
  }[];
  leads: { marketingSourced: number; followUps: string[]; lacked: string[] };
  byMode: { behavior: number; feedback: number };
  moments: { peaks: { text: string; valence: number }[]; ends: { text: string; valence: number }[]; peakAverage: number | null; endAverage: number | null };
  negativeFeedback: string[];
  focusFindings: string[];
  intros: string[];
  /** "What became of earlier actions" (absent in rollups stored before actions existed). */
  earlierActions?: EarlierActions;
  /** Notices sent to reps in the window, with acknowledgements (absent in older rollups). */
  notices?: NoticesSummary;
  /** "From the reps": their own notes after shadowed calls (absent in older rollups). */
  fromReps?: FromReps;
  /** Compact empathy maps of the top segments, observed and told apart (segments/empathy.ts; absent in older rollups). */
  empathy?: EmpathySummary;
}

export interface ActionLine {
  id: string;
  title: string;
  kind: 'info_for_sales' | 'rep_alert' | 'campaign_notification' | 'other';
  status: 'open' | 'in_progress' | 'done' | 'dropped';
  ownerName: string;
  dueOn: string | null;
  doneAt: string | null;
  themes: string[];
}

export interface EarlierActions {
  /** Actions done at or after this instant count as "done since the last rollup" (the previous rollup's generation, else the window's start). */
  since: string;
  doneSinceLast: ActionLine[];
  overdue: ActionLine[];
  open: ActionLine[];
  /** How many of each there were (the lists are capped). */
  counts: { doneSinceLast: number; overdue: number; open: number };
  /**
   * For each theme of an action done in this window or the one before: its weight (per observer, as in the
   * ranking) in the stretch before the action was done and after it; `flagged` when it still rose.
   */
  themes: { themeId: string; name: string; actionId: string; actionTitle: string; doneAt: string; before: number; after: number; trend: 'fell' | 'held' | 'rose'; flagged: boolean }[];
}

export interface NoticesSummary {
  count: number;
  /** Distinct reps the notices went to. */
  recipients: number;
  /** Of them, those who acknowledged every notice they got. */
  acknowledged: number;
  items: { id: string; kind: 'rep_alert' | 'campaign_notification'; subject: string; sentAt: string; recipients: number; acknowledged: number }[];
}

export interface FromReps {
  /** Submitted rep notes of sessions that ended in the window, and the distinct reps who wrote them. */
  notes: number;
  reps: number;
  /** What reps wish Marketing knew: one redacted quote per rep (their latest), so a rep who wrote ten notes is one voice. */
  wishes: { text: string; repId: string }[];
  /** The mean of each rep's own mean (1 to 5), against the previous window of the same length. */
  usefulness: { average: number | null; reps: number; previousAverage: number | null; trend: 'up' | 'down' | 'steady' | null };
}

export interface RankedTheme {
  themeId: string;
  name: string;
  /** Each observer's forms share one unit of weight: sum over observers of (their forms naming the theme / their forms). */
  weight: number;
  mentions: number;
  observers: number;
  reps: number;
  /** Distinct customer accounts the forms named (a form without an `account` answer is not one). */
  accounts: number;
  /** Forms naming the theme that named no account. Absent in rollups stored before it existed. */
  formsWithoutAccount?: number;
  quotes: { text: string; speaker: string; authorId: string; account: string | null }[];
}
