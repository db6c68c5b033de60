import { Injectable } from '@nestjs/common';
import { cursorScope, encodeCursor } from '../common/cursor.js';
import { readCursor } from '../common/paging.js';
import { validationError } from '../common/validation.js';
import { redact } from '../observations/redact.js';
import { mendPlaceholders, oneLine, positionOf, searchPosition } from './search-text.js';
import { SEARCH_PAGE, type SearchQuery } from './search.dto.js';
import { SearchRepository } from './search.repository.js';

/** One match: a submitted form or a submitted rep note. The snippet is redacted; matched words between « and ». */
export interface SearchResult {
  kind: 'form' | 'rep_note';
  id: string;
  programId: string;
  periodId: string;
  /** The form's author, or the rep who wrote the note. */
  authorId: string;
  /** When the session ended. */
  at: string;
  /** ts_rank x 1,000,000 (higher is a better match). */
  score: number;
  mode: string | null;
  segment: string | null;
  snippet: string;
}

export interface SearchPage {
  results: SearchResult[];
  nextCursor: string | null;
}

/** Full-text search across every submitted form and rep note, for the lifecycle team. */
@Injectable()
export class SearchService {
  constructor(private readonly repo: SearchRepository) {}

  async search(query: SearchQuery): Promise<SearchPage> {
    const q = query.q.trim();
    if (!q) throw validationError([{ field: 'q', problems: ['q must contain a word to search for'] }]);
    const filters = { q, programId: query.programId, periodId: query.periodId, themeId: query.themeId, segment: query.segment?.trim() || undefined, mode: query.mode };
    const limit = query.limit ?? SEARCH_PAGE;
    const scope = cursorScope({ ...filters, limit });
    const after = readCursor('search', scope, query.cursor, searchPosition);
    const rows = await this.repo.page(filters, after, limit + 1);
    if (rows.length === 0 && !after && !(await this.repo.searchable(q))) {
      throw validationError([{ field: 'q', problems: ['q has no word to search for (common words such as "the" or "and" are not searched)'] }]);
    }
    const page = rows.slice(0, limit);
    // Redact the whole text before cutting snippets, so no fragment boundary can split a phone number or an address.
    const redacted = page.map((r) => redact(r.text, { marked: r.marked_names ?? [] }).text);
    const heads = await this.repo.headlines(redacted, q);
    const results = page.map((r, i): SearchResult => ({
      kind: r.kind,
      id: r.id,
      programId: r.program_id,
      periodId: r.period_id,
      authorId: r.author_id,
      at: new Date(r.at).toISOString(),
      score: Number(r.score),
      mode: r.mode,
      segment: r.segment === null ? null : redact(r.segment, { marked: r.marked_names ?? [] }).text,
      snippet: redact(mendPlaceholders(oneLine(heads[i] ?? '')), { marked: r.marked_names ?? [] }).text,
    }));
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor('search', scope, positionOf(last)) : null;
    return { results, nextCursor };
  }
}
