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
  ideas: { category: string; group: 'info_to_sales' | 'rep_alerts' | 'campaign_notifications' | 'other'; text: string; authorId: string }[];
  leads: { marketingSourced: number; followUps: string[]; lacked: string[] };
  byMode: { behavior: number; feedback: number };
  moments: { peaks: { text: string; valence: number }[]; ends: { text: string; valence: number }[]; peakAverage: number | null; endAverage: number | null };
  negativeFeedback: string[];
  focusFindings: string[];
  intros: string[];
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
