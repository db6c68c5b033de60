import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSegments1795550000000 implements MigrationInterface {
  name = 'CreateSegments1795550000000';

  async up(q: QueryRunner): Promise<void> {
    // A form's `segment` answer as a key: lower case, every run of spaces and punctuation one space, trimmed
    // ("Mid-market", " mid  MARKET " -> "mid market"). One definition, used by every query.
    await q.query(`
      CREATE FUNCTION segment_key(t text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN btrim(regexp_replace(lower(COALESCE(t, '')), '[^[:alnum:]]+', ' ', 'g'))`);
    // The segments the lifecycle team curates (like themes): a merged segment keeps its row and names the
    // active segment it now counts as (one hop: merges re-point earlier merges).
    await q.query(`
      CREATE TABLE segments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120 AND name = btrim(name)),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged')),
        merged_into uuid REFERENCES segments(id),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT segments_merged_has_target CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
        CONSTRAINT segments_not_merged_into_self CHECK (merged_into <> id)
      )`);
    await q.query(`CREATE UNIQUE INDEX segments_active_name_key ON segments (lower(name)) WHERE status = 'active'`);
    await q.query(`CREATE INDEX segments_merged_into_idx ON segments (merged_into)`);
    // Every normalised key ever seen, and the segment it was first filed under (its own, until merged).
    await q.query(`
      CREATE TABLE segment_aliases (
        key text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
        segment_id uuid NOT NULL REFERENCES segments(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX segment_aliases_segment_idx ON segment_aliases (segment_id)`);
    await q.query(`
      CREATE TABLE segment_history (
        id bigserial PRIMARY KEY,
        segment_id uuid NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        action text NOT NULL CHECK (action IN ('create', 'rename', 'merge', 'unmerge')),
        details jsonb NOT NULL DEFAULT '{}',
        actor_id uuid REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX segment_history_segment_idx ON segment_history (segment_id, id)`);
    // Each empathy answer with its quadrant and its grouping key (the english text-search lexemes, or the
    // text's own key when it has none, e.g. only stop words), worked out once when a form is written rather
    // than on every read: [[quadrant, text, key], ...].
    await q.query(`
      CREATE FUNCTION empathy_entries(answers jsonb) RETURNS jsonb
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN (
          SELECT COALESCE(jsonb_agg(jsonb_build_array(q.quadrant, btrim(e.text),
                   COALESCE(NULLIF(array_to_string(tsvector_to_array(to_tsvector('english'::regconfig, e.text)), ' '), ''), segment_key(e.text)))), '[]'::jsonb)
            FROM unnest(ARRAY['says', 'thinks', 'does', 'feels', 'sees', 'hears']) AS q(quadrant)
           CROSS JOIN LATERAL jsonb_array_elements_text(
                   CASE WHEN jsonb_typeof(answers->'empathy'->q.quadrant) = 'array' THEN answers->'empathy'->q.quadrant ELSE '[]'::jsonb END) AS e(text)
           WHERE length(btrim(e.text)) > 0)`);
    await q.query(`ALTER TABLE observations ADD COLUMN empathy_entries jsonb GENERATED ALWAYS AS (empathy_entries(answers)) STORED`);
    // Forms by their segment key (the empathy map's and the segment list's join).
    await q.query(`CREATE INDEX observations_segment_key_idx ON observations (program_id, segment_key(answers->>'segment')) WHERE status = 'submitted'`);
    // Forms of one segment's keys across programs (a segment's counts after a rename or merge).
    await q.query(`CREATE INDEX observations_segment_key_all_idx ON observations (segment_key(answers->>'segment')) WHERE status = 'submitted'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX observations_segment_key_all_idx`);
    await q.query(`DROP INDEX observations_segment_key_idx`);
    await q.query(`ALTER TABLE observations DROP COLUMN empathy_entries`);
    await q.query(`DROP FUNCTION empathy_entries(jsonb)`);
    await q.query(`DROP TABLE segment_history`);
    await q.query(`DROP TABLE segment_aliases`);
    await q.query(`DROP TABLE segments`);
    await q.query(`DROP FUNCTION segment_key(text)`);
  }
}
