import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { EntityManager } from 'typeorm';
import { Theme, ThemeAction, ThemeHistory, ThemeStatus } from './theme.entity.js';

export interface HistoryRow {
  themeId: string;
  action: ThemeAction;
  details: Record<string, unknown>;
  actorId: string | null;
}

const LIVE = `status IN ('active', 'proposed')`;

/** Queries about themes and their history; no decisions. */
@Injectable()
export class ThemesRepository {
  /**
   * Serialises changes to the taxonomy's shape (create, move, merge, accept, reject) for the rest of the
   * transaction, so two concurrent moves cannot build a cycle and nothing lands under a theme being merged.
   */
  async lockTaxonomy(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('ridealong:themes'))`);
  }

  insert(m: EntityManager, theme: Partial<Theme>): Promise<Theme> {
    return m.save(Theme, m.create(Theme, theme));
  }

  save(m: EntityManager, theme: Theme): Promise<Theme> {
    return m.save(Theme, theme);
  }

  find(m: EntityManager, id: string): Promise<Theme | null> {
    return m.findOneBy(Theme, { id });
  }

  list(m: EntityManager, status?: ThemeStatus): Promise<Theme[]> {
    const qb = m.getRepository(Theme).createQueryBuilder('t').orderBy('lower(t.name)', 'ASC').addOrderBy('t.id', 'ASC');
    if (status) qb.where('t.status = :status', { status });
    return qb.getMany();
  }

  /** The active or proposed theme with this name ignoring case, other than `exceptId`. */
  findLiveByName(m: EntityManager, name: string, exceptId?: string): Promise<Theme | null> {
    const qb = m.getRepository(Theme).createQueryBuilder('t').where('lower(t.name) = lower(:name)', { name }).andWhere(`t.${LIVE}`);
    if (exceptId) qb.andWhere('t.id <> :exceptId', { exceptId });
    return qb.getOne();
  }

  /** The theme with this name ignoring case: an active or proposed one first, then the newest merged, then the newest rejected. */
  findByName(m: EntityManager, name: string): Promise<Theme | null> {
    return m
      .getRepository(Theme)
      .createQueryBuilder('t')
      .where('lower(t.name) = lower(:name)', { name })
      .orderBy(`CASE WHEN t.${LIVE} THEN 0 WHEN t.status = 'merged' THEN 1 ELSE 2 END`, 'ASC')
      .addOrderBy('t.updated_at', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .getOne();
  }

  /** Whether `ancestorId` is `themeId` itself or one of its ancestors (walking up parent links). */
  async isSelfOrAncestor(m: EntityManager, ancestorId: string, themeId: string): Promise<boolean> {
    const [row]: { hit: boolean }[] = await m.query(
      `WITH RECURSIVE up(id, parent_id) AS (
         SELECT id, parent_id FROM themes WHERE id = $1
         UNION
         SELECT t.id, t.parent_id FROM themes t JOIN up ON t.id = up.parent_id
       )
       SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS hit`,
      [themeId, ancestorId],
    );
    return row.hit;
  }

  /** Inserts a proposed theme unless a live one already has the name (ignoring case); null when one did. */
  async insertProposedIfFree(m: EntityManager, name: string, actorId: string): Promise<Theme | null> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO themes (name, status, created_by, proposed_by) VALUES ($1, 'proposed', $2, $2)
       ON CONFLICT (lower(name)) WHERE ${LIVE} DO NOTHING RETURNING id`,
      [name, actorId],
    );
    return rows.length ? m.findOneByOrFail(Theme, { id: rows[0].id }) : null;
  }

  /** Moves every live child of `fromId` under `toId`; the ids moved. */
  async moveLiveChildren(m: EntityManager, fromId: string, toId: string): Promise<string[]> {
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE themes SET parent_id = $2, updated_at = now() WHERE parent_id = $1 AND ${LIVE} AND id <> $2 RETURNING id`,
      [fromId, toId],
    );
    return rows.map((r) => r.id).sort();
  }

  /** Points every theme merged into `fromId` at `toId` instead; the ids re-pointed. */
  async repointMerged(m: EntityManager, fromId: string, toId: string): Promise<string[]> {
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE themes SET merged_into = $2, updated_at = now() WHERE merged_into = $1 AND status = 'merged' RETURNING id`,
      [fromId, toId],
    );
    return rows.map((r) => r.id).sort();
  }

  async addHistory(m: EntityManager, rows: HistoryRow[]): Promise<void> {
    if (!rows.length) return;
    await m.insert(
      ThemeHistory,
      rows.map((r) => ({ themeId: r.themeId, action: r.action, details: r.details as never, actorId: r.actorId })),
    );
  }

  history(m: EntityManager, themeId: string): Promise<ThemeHistory[]> {
    return m.find(ThemeHistory, { where: { themeId }, order: { id: 'ASC' } });
  }

  /**
   * Every given id resolved to its canonical active theme id (merged → mergedInto; active → itself);
   * unknown, proposed or rejected ids (and strings that are not UUIDs) map to null. One query.
   */
  async canonicalIds(m: EntityManager, ids: string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>(ids.map((id) => [id, null]));
    const wanted = [...new Set(ids.filter((id) => isUUID(id)).map((id) => id.toLowerCase()))];
    if (!wanted.length) return out;
    const rows: { theme_id: string; canonical_id: string }[] = await m.query(
      `SELECT theme_id, canonical_id FROM theme_canonical WHERE theme_id = ANY($1::uuid[])`,
      [wanted],
    );
    const found = new Map(rows.map((r) => [r.theme_id, r.canonical_id]));
    for (const id of ids) out.set(id, found.get(id.toLowerCase()) ?? null);
    return out;
  }
}
