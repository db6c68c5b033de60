import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateThemes1795350000000 implements MigrationInterface {
  name = 'CreateThemes1795350000000';

  async up(q: QueryRunner): Promise<void> {
    // The taxonomy the lifecycle team curates. A merged theme keeps its row (observations still point at
    // it) and names the active theme it now counts as: one hop, because merges re-point earlier merges.
    await q.query(`
      CREATE TABLE themes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120 AND name = btrim(name)),
        description text CHECK (description IS NULL OR length(description) BETWEEN 1 AND 2000),
        parent_id uuid REFERENCES themes(id),
        status text NOT NULL CHECK (status IN ('active', 'proposed', 'rejected', 'merged')),
        merged_into uuid REFERENCES themes(id),
        created_by uuid REFERENCES users(id),
        proposed_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT themes_not_own_parent CHECK (parent_id <> id),
        CONSTRAINT themes_merged_has_target CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
        CONSTRAINT themes_not_merged_into_self CHECK (merged_into <> id)
      )`);
    // One live (active or proposed) theme per name, ignoring case.
    await q.query(`CREATE UNIQUE INDEX themes_live_name_key ON themes (lower(name)) WHERE status IN ('active', 'proposed')`);
    await q.query(`CREATE INDEX themes_name_lower_idx ON themes (lower(name))`);
    await q.query(`CREATE INDEX themes_parent_idx ON themes (parent_id)`);
    await q.query(`CREATE INDEX themes_merged_into_idx ON themes (merged_into)`);
    await q.query(`
      CREATE TABLE theme_history (
        id bigserial PRIMARY KEY,
        theme_id uuid NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
        action text NOT NULL CHECK (action IN ('create', 'rename', 'move', 'merge', 'propose', 'accept', 'reject', 'describe')),
        details jsonb NOT NULL DEFAULT '{}',
        actor_id uuid REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX theme_history_theme_idx ON theme_history (theme_id, id)`);
    // What aggregation joins through: every active or merged theme and the active theme it counts as.
    await q.query(`
      CREATE VIEW theme_canonical AS
        SELECT id AS theme_id, COALESCE(merged_into, id) AS canonical_id
          FROM themes
         WHERE status IN ('active', 'merged')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW theme_canonical`);
    await q.query(`DROP TABLE theme_history`);
    await q.query(`DROP TABLE themes`);
  }
}
