import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateThemeSuggestions1795570000000 implements MigrationInterface {
  name = 'CreateThemeSuggestions1795570000000';

  async up(q: QueryRunner): Promise<void> {
    // A suggested phrase (english lexemes joined by spaces, e.g. 'dark mode') the lifecycle team hid for a program.
    await q.query(`
      CREATE TABLE theme_suggestion_dismissals (
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        phrase text NOT NULL CHECK (length(phrase) BETWEEN 1 AND 200),
        dismissed_by uuid REFERENCES users(id),
        dismissed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (program_id, phrase)
      )`);
    // A suggestion accepted as a theme: which theme (created by it or an existing active one) and exactly which
    // forms it tagged, so undoing it removes those tags and nothing else.
    await q.query(`
      CREATE TABLE theme_suggestion_acceptances (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        phrase text NOT NULL CHECK (length(phrase) BETWEEN 1 AND 200),
        theme_id uuid NOT NULL REFERENCES themes(id),
        created_theme boolean NOT NULL,
        tagged uuid[] NOT NULL DEFAULT '{}',
        accepted_by uuid REFERENCES users(id),
        accepted_at timestamptz NOT NULL DEFAULT now(),
        undone_by uuid REFERENCES users(id),
        undone_at timestamptz
      )`);
    await q.query(`CREATE INDEX theme_suggestion_acceptances_program_idx ON theme_suggestion_acceptances (program_id, accepted_at DESC)`);
    await q.query(`CREATE UNIQUE INDEX theme_suggestion_acceptances_live_key ON theme_suggestion_acceptances (program_id, phrase) WHERE undone_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE theme_suggestion_acceptances`);
    await q.query(`DROP TABLE theme_suggestion_dismissals`);
  }
}
