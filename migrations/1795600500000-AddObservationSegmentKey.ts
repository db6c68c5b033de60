import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The form's segment answer as its key (segment_key(), lower case, runs of punctuation and spaces one space),
 * kept on the row when the form is written: the empathy maps of a rollup join every form of the window to
 * its segment by this key, and working it out with the regular expression at read time was about 190 ms of
 * each of those statements over 100,000 forms.
 */
export class AddObservationSegmentKey1795600500000 implements MigrationInterface {
  name = 'AddObservationSegmentKey1795600500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE observations ADD COLUMN segment_key text GENERATED ALWAYS AS (segment_key(answers->>'segment')) STORED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE observations DROP COLUMN segment_key`);
  }
}
