import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, notFound } from '../common/errors.js';
import { validationError, windowBound } from '../common/validation.js';
import { redact } from '../observations/redact.js';
import type { User } from '../people/user.entity.js';
import { MIN_SUGGESTION_OBSERVERS, plainSnippet, prunePhrases, SNIPPETS_PER_SUGGESTION, SUGGESTION_LIMIT, surfaceForm } from './suggestions.js';
import { AcceptanceRow, ThemeSuggestionsRepository } from './theme-suggestions.repository.js';
import { ThemesRepository } from './themes.repository.js';

/** A phrase no theme covers yet, as the API, the themes page and the rollup show it. Every text is redacted. */
export interface SuggestedTheme {
  /** The key to accept or dismiss it by: english lexemes joined by a space ("export csv"). */
  phrase: string;
  /** The phrase as observers wrote it ("export to CSV", lower-cased); the key when no snippet shows it. */
  label: string;
  /** Distinct observers who wrote it in forms none of whose themes cover it. */
  observers: number;
  forms: number;
  /** Each observer's forms in the window share one unit, as in the theme ranking. */
  weight: number;
  /** Redacted snippets, each from a different observer. */
  snippets: { text: string; authorId: string }[];
}

export interface SuggestionsView {
  programId: string;
  window: { from: string; to: string };
  minObservers: number;
  suggestions: SuggestedTheme[];
  accepted: { id: string; phrase: string; themeId: string; themeName: string; createdTheme: boolean; tagged: number; acceptedAt: Date; undoneAt: Date | null }[];
  dismissed: { phrase: string; dismissedAt: Date }[];
}

const DEFAULT_DAYS = 90;
const round = (n: number) => Math.round(n * 1000) / 1000;

const toAccepted = (a: AcceptanceRow) => ({
  id: a.id,
  phrase: a.phrase,
  themeId: a.theme_id,
  themeName: a.theme_name,
  createdTheme: a.created_theme,
  tagged: a.tagged,
  acceptedAt: a.accepted_at,
  undoneAt: a.undone_at,
});

/**
 * Themes nobody tagged yet: phrases that recur in the free text of at least three distinct observers and
 * that no theme those forms carry covers (a theme covers a phrase when every english lexeme of the phrase
 * is among the lexemes of the theme's name and description). Accepting one creates the theme (or uses an
 * active theme of that name) and tags the forms that have the phrase; undoing removes exactly those tags.
 */
@Injectable()
export class ThemeSuggestionsService {
  private readonly logger = new Logger('ThemeSuggestions');

  constructor(
    private readonly db: DataSource,
    private readonly repo: ThemeSuggestionsRepository,
    private readonly themes: ThemesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** For the API and the themes page: the window's suggestions and what was accepted or dismissed in the program. */
  async view(programId: string, q: { from?: string; to?: string }): Promise<SuggestionsView> {
    const program = await this.program(programId);
    const { from, to } = this.window(program.time_zone, q);
    const [suggestions, accepted, dismissed] = await Promise.all([
      this.suggest(this.db.manager, programId, from, to),
      this.repo.acceptances(this.db.manager, programId),
      this.repo.dismissals(this.db.manager, programId),
    ]);
    return {
      programId,
      window: { from: from.toISOString(), to: to.toISOString() },
      minObservers: MIN_SUGGESTION_OBSERVERS,
      suggestions,
      accepted: accepted.map(toAccepted),
      dismissed: dismissed.map((d) => ({ phrase: d.phrase, dismissedAt: d.dismissed_at })),
    };
  }

  /** The suggestions of one window (the rollup calls this with its window and its read manager). */
  async suggest(m: EntityManager, programId: string, from: Date, to: Date, limit = SUGGESTION_LIMIT): Promise<SuggestedTheme[]> {
    const rows = await this.repo.phrases(m, programId, from, to, MIN_SUGGESTION_OBSERVERS, limit * 4);
    const kept = prunePhrases(rows.map((r) => ({ ...r, weight: Number(r.weight) })), limit * 2);
    const picks = await this.repo.samples(m, programId, from, to, kept.map((r) => r.phrase), SNIPPETS_PER_SUGGESTION + 1);
    const snippets = await this.repo.snippets(m, picks.map((p) => ({ id: p.id, phrase: p.phrase })));
    const out: SuggestedTheme[] = [];
    for (const r of kept) {
      const mine = snippets.filter((s) => s.phrase === r.phrase);
      const marked = [...new Set(mine.flatMap((s) => s.marked_names ?? []))];
      const words = r.phrase.split(' ').length;
      const surface = mine.map((s) => surfaceForm(s.headline, words)).find((x): x is string => !!x) ?? r.phrase;
      // A phrase that is itself a contact detail or a name an author marked is never suggested.
      if (redact(r.phrase, { marked }).count > 0 || redact(surface, { marked }).count > 0) continue;
      const seen = new Set<string>();
      const texts: SuggestedTheme['snippets'] = [];
      for (const s of mine) {
        if (seen.has(s.author_id) || texts.length >= SNIPPETS_PER_SUGGESTION) continue;
        seen.add(s.author_id);
        texts.push({ text: redact(plainSnippet(s.headline), { marked: s.marked_names ?? [] }).text, authorId: s.author_id });
      }
      out.push({ phrase: r.phrase, label: surface, observers: r.observers, forms: r.forms, weight: round(r.weight), snippets: texts });
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * For a rollup: the suggestions, or undefined (the section is left out) when reading them failed, e.g. ran
   * past the rollup's statement timeout; a rollup is not held back by its suggestions.
   */
  async forRollup(m: EntityManager, programId: string, from: Date, to: Date): Promise<SuggestedTheme[] | undefined> {
    try {
      return await this.suggest(m, programId, from, to);
    } catch (err) {
      this.logger.warn({ err, programId }, 'suggested themes left out of the rollup');
      return undefined;
    }
  }

  async accept(actor: User, programId: string, dto: { phrase: string; name: string; from?: string; to?: string }): Promise<SuggestionsView['accepted'][number]> {
    const program = await this.program(programId);
    const window = dto.from || dto.to ? this.window(program.time_zone, dto, true) : null;
    const id = await this.db.transaction(async (m) => {
      await this.themes.lockTaxonomy(m);
      await this.repo.lockPhrase(m, programId, dto.phrase);
      if ((await this.repo.acceptances(m, programId)).some((a) => a.phrase === dto.phrase && !a.undone_at)) {
        throw new DomainError('conflict', `"${dto.phrase}" was already accepted as a theme in this program; undo that first`, { field: 'phrase' });
      }
      const clash = await this.themes.findLiveByName(m, dto.name);
      if (clash && clash.status !== 'active') {
        throw new DomainError('conflict', `A proposed theme is named "${clash.name}": accept or reject it first, or choose another name`, { field: 'name', themeId: clash.id });
      }
      const forms = await this.repo.formsWithPhrase(m, programId, dto.phrase, clash?.id ?? null, window);
      if (!forms.length) {
        throw new DomainError('invalid_state', `No submitted form of this program${window ? ' in that window' : ''} has "${dto.phrase}" without the theme already`, { field: 'phrase' });
      }
      let themeId: string;
      if (clash) themeId = clash.id;
      else {
        const theme = await this.themes.insert(m, { name: dto.name, description: null, parentId: null, status: 'active', createdBy: actor.id });
        themeId = theme.id;
        await this.themes.addHistory(m, [
          { themeId, action: 'create', actorId: actor.id, details: { name: theme.name, parentId: null, description: null, source: 'suggestion', phrase: dto.phrase, programId } },
        ]);
        await this.audit.record(m, { actorId: actor.id, action: 'theme.create', entity: 'theme', entityId: themeId, details: { name: theme.name, parentId: null, source: 'suggestion' } });
      }
      const tagged = await this.repo.tag(m, themeId, forms);
      const acceptanceId = await this.repo.insertAcceptance(m, { programId, phrase: dto.phrase, themeId, createdTheme: !clash, tagged, actorId: actor.id });
      await this.audit.record(m, {
        actorId: actor.id,
        action: 'theme_suggestion.accept',
        entity: 'theme',
        entityId: themeId,
        details: { programId, phrase: dto.phrase, acceptanceId, createdTheme: !clash, tagged: tagged.length },
      });
      return acceptanceId;
    });
    return (await this.repo.acceptances(this.db.manager, programId)).map(toAccepted).find((a) => a.id === id)!;
  }

  /**
   * Takes back an acceptance: removes exactly the tags it added, and retires the theme it created (status
   * rejected, with a history row) unless something else now uses it. The suggestion can appear again.
   */
  async undo(actor: User, programId: string, acceptanceId: string): Promise<SuggestionsView['accepted'][number]> {
    await this.program(programId);
    await this.db.transaction(async (m) => {
      await this.themes.lockTaxonomy(m);
      const a = await this.repo.acceptanceForUpdate(m, programId, acceptanceId);
      if (!a) throw notFound('Accepted suggestion', acceptanceId);
      if (a.undone_at) throw new DomainError('invalid_state', 'This acceptance was already undone', { field: 'acceptanceId' });
      const removed = await this.repo.untag(m, a.theme_id, a.tagged);
      let retired = false;
      if (a.created_theme) {
        const theme = await this.themes.find(m, a.theme_id);
        if (theme && theme.status === 'active' && !(await this.repo.themeUsedElsewhere(m, theme.id, a.tagged))) {
          theme.status = 'rejected';
          await this.themes.save(m, theme);
          await this.themes.addHistory(m, [{ themeId: theme.id, action: 'reject', actorId: actor.id, details: { name: theme.name, reason: 'suggestion undone', phrase: a.phrase, programId } }]);
          retired = true;
        }
      }
      await this.repo.markUndone(m, a.id, actor.id);
      await this.audit.record(m, {
        actorId: actor.id,
        action: 'theme_suggestion.undo',
        entity: 'theme',
        entityId: a.theme_id,
        details: { programId, phrase: a.phrase, acceptanceId, untagged: removed, retired },
      });
    });
    return (await this.repo.acceptances(this.db.manager, programId)).map(toAccepted).find((a) => a.id === acceptanceId)!;
  }

  /** Hides the phrase for the program (idempotent). */
  async dismiss(actor: User, programId: string, phrase: string): Promise<{ phrase: string; dismissed: boolean }> {
    await this.program(programId);
    await this.db.transaction(async (m) => {
      if (await this.repo.dismiss(m, programId, phrase, actor.id)) {
        await this.audit.record(m, { actorId: actor.id, action: 'theme_suggestion.dismiss', entity: 'program', entityId: programId, details: { phrase } });
      }
    });
    return { phrase, dismissed: true };
  }

  /** Shows a dismissed phrase again (idempotent). */
  async restore(actor: User, programId: string, phrase: string): Promise<{ phrase: string; dismissed: boolean }> {
    await this.program(programId);
    await this.db.transaction(async (m) => {
      if (await this.repo.restore(m, programId, phrase)) {
        await this.audit.record(m, { actorId: actor.id, action: 'theme_suggestion.restore', entity: 'program', entityId: programId, details: { phrase } });
      }
    });
    return { phrase, dismissed: false };
  }

  /** Every program, by name (the themes page's picker). */
  programs(): Promise<{ id: string; name: string; time_zone: string }[]> {
    return this.repo.programs(this.db.manager);
  }

  private async program(programId: string): Promise<{ id: string; time_zone: string }> {
    const p = await this.repo.programExists(this.db.manager, programId);
    if (!p) throw notFound('Program', programId);
    return p;
  }

  private window(zone: string, q: { from?: string; to?: string }, open = false): { from: Date; to: Date } {
    const to = q.to ? windowBound(q.to, zone, 'to') : open ? new Date('9999-01-01T00:00:00Z') : this.clock.now();
    const from = q.from ? windowBound(q.from, zone, 'from') : open ? new Date('1970-01-01T00:00:00Z') : new Date(to.getTime() - DEFAULT_DAYS * 86_400_000);
    if (to <= from) throw validationError([{ field: 'to', problems: ['to must be after from'] }]);
    if (!open && to.getTime() - from.getTime() > 400 * 86_400_000) throw validationError([{ field: 'to', problems: ['a window covers at most 400 days'] }]);
    return { from, to };
  }
}
