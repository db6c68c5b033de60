import { Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { notFound } from '../common/errors.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { csvRow } from './csv.js';
import { ExportRow, ObservationsRepository } from './observations.repository.js';
import { redact } from './redact.js';

const HEADER = [
  'observation_id', 'submitted_at', 'late', 'author', 'rep', 'mode', 'segment', 'themes', 'pain_points', 'quotes',
  'says', 'thinks', 'does', 'feels', 'sees', 'hears', 'marketing_sourced', 'lead_follow_up', 'lead_lacked', 'ideas',
  'peak_valence', 'peak', 'end_valence', 'end', 'negative_feedback', 'focus_finding', 'intros',
];

type A = Record<string, unknown>;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const obj = (v: unknown): A => (v && typeof v === 'object' && !Array.isArray(v) ? (v as A) : {});

/** One export line: every free-text answer goes through the one redaction function with the form's marked names. */
export function exportLine(r: ExportRow): string {
  const marked = r.marked_names ?? [];
  const red = (s: unknown) => (typeof s === 'string' && s ? redact(s, { marked }).text : '');
  const reds = (v: unknown) => list(v).map(red).join(' | ');
  const a = r.answers;
  const empathy = obj(a.empathy);
  const lead = obj(a.lead);
  const peak = obj(a.peak);
  const end = obj(a.end);
  const quotes = (Array.isArray(a.quotes) ? a.quotes : []).map((q) => `${red(obj(q).text)} (${red(obj(q).speaker)})`).join(' | ');
  const ideas = (Array.isArray(a.ideas) ? a.ideas : []).map((i) => `${obj(i).category}: ${red(obj(i).text)}`).join(' | ');
  return csvRow([
    r.id, new Date(r.submitted_at).toISOString(), r.late, r.author_name, r.rep_name ?? '', a.mode ?? '', red(a.segment), (r.theme_names ?? []).join(' | '),
    reds(a.painPoints), quotes, reds(empathy.says), reds(empathy.thinks), reds(empathy.does), reds(empathy.feels), reds(empathy.sees), reds(empathy.hears),
    lead.marketingSourced ?? '', red(lead.followUp), red(lead.lacked), ideas, peak.valence ?? '', red(peak.text), end.valence ?? '', red(end.text),
    red(a.negativeFeedback), red(a.focusFinding), reds(a.intros),
  ]);
}

/** The lifecycle team's CSV of a period's submitted forms, redacted, streamed page by page (memory stays flat). */
@Injectable()
export class ExportService {
  static readonly PAGE = 1000;

  constructor(
    private readonly db: DataSource,
    private readonly repo: ObservationsRepository,
    private readonly programs: ProgramsRepository,
  ) {}

  async assertPeriod(periodId: string): Promise<void> {
    if (!(await this.programs.findPeriod(this.db.manager, periodId))) throw notFound('Period', periodId);
  }

  async write(periodId: string, out: Writable): Promise<number> {
    const send = (chunk: string) => (out.write(chunk) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
    await send('\ufeff' + csvRow(HEADER));
    let after = '00000000-0000-0000-0000-000000000000';
    let total = 0;
    for (;;) {
      const page = await this.repo.exportPage(this.db.manager, periodId, after, ExportService.PAGE);
      if (!page.length) break;
      await send(page.map(exportLine).join(''));
      total += page.length;
      after = page[page.length - 1].id;
    }
    return total;
  }
}
