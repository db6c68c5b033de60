import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateObservations1795360000000 implements MigrationInterface {
  name = 'CreateObservations1795360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE form_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        version int NOT NULL CHECK (version >= 1),
        fields jsonb NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT form_templates_program_version_key UNIQUE (program_id, version)
      )`);
    // One form per completed booking; a form keeps the template version it was opened on.
    await q.query(`
      CREATE TABLE observations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id),
        period_id uuid NOT NULL REFERENCES periods(id),
        booking_id uuid REFERENCES bookings(id),
        author_id uuid NOT NULL REFERENCES users(id),
        rep_id uuid REFERENCES users(id),
        template_version int NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'draft', 'submitted')),
        answers jsonb NOT NULL DEFAULT '{}',
        marked_names text[] NOT NULL DEFAULT '{}',
        session_ended_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        submitted_at timestamptz,
        late boolean,
        revision int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT observations_booking_key UNIQUE (booking_id),
        CONSTRAINT observations_submitted CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX observations_author_idx ON observations (author_id, status)`);
    await q.query(`CREATE INDEX observations_period_idx ON observations (period_id, status, id)`);
    await q.query(`
      CREATE TABLE observation_revisions (
        id bigserial PRIMARY KEY,
        observation_id uuid NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
        revision int NOT NULL,
        status text NOT NULL,
        answers jsonb NOT NULL,
        edited_by uuid REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT observation_revisions_key UNIQUE (observation_id, revision)
      )`);
    // The themes a submitted form names, as written (merges are resolved through theme_canonical when counting).
    await q.query(`
      CREATE TABLE observation_themes (
        observation_id uuid NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
        theme_id uuid NOT NULL REFERENCES themes(id),
        PRIMARY KEY (observation_id, theme_id)
      )`);
    await q.query(`CREATE INDEX observation_themes_theme_idx ON observation_themes (theme_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE observation_themes`);
    await q.query(`DROP TABLE observation_revisions`);
    await q.query(`DROP TABLE observations`);
    await q.query(`DROP TABLE form_templates`);
  }
}
