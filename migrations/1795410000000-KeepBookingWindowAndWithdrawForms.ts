import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A booking keeps the label, call type and marketing-sourced flag of the window it was booked in, so editing
 * availability later does not rewrite history. Existing bookings are filled in, best effort, from the rep's
 * windows as they stand now (the override of the date, else the weekly windows of that weekday, read in the
 * availability's zone; the earliest-starting window holding the start wins, as the slot engine does).
 *
 * A form whose session is corrected from completed to a no-show is withdrawn (withdrawn_at): no longer due,
 * no more emails, out of rollups, exports and health counts; a submitted one is kept, marked.
 */
export class KeepBookingWindowAndWithdrawForms1795410000000 implements MigrationInterface {
  name = 'KeepBookingWindowAndWithdrawForms1795410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings ADD COLUMN label text, ADD COLUMN call_type text, ADD COLUMN marketing_sourced boolean`);
    await backfillBookingWindows(q);
    await q.query(`ALTER TABLE observations ADD COLUMN withdrawn_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE observations DROP COLUMN withdrawn_at`);
    await q.query(`ALTER TABLE bookings DROP COLUMN label, DROP COLUMN call_type, DROP COLUMN marketing_sourced`);
  }
}

/** Fills in label, call type and lead flag of bookings without them from the rep's windows as they stand (best effort). */
export async function backfillBookingWindows(q: { query(sql: string): Promise<unknown> }): Promise<void> {
  await q.query(`
    WITH local AS (
      SELECT b.id, b.rep_id, (b.starts_at AT TIME ZONE COALESCE(a.time_zone, u.time_zone)) AS at, a.weekly
        FROM bookings b JOIN users u ON u.id = b.rep_id LEFT JOIN availability a ON a.rep_id = b.rep_id),
    chosen AS (
      SELECT l.id, (
          SELECT w FROM jsonb_array_elements(
                   CASE WHEN ao.windows IS NOT NULL AND jsonb_typeof(ao.windows) = 'array' THEN ao.windows
                        WHEN jsonb_typeof(l.weekly) = 'array' THEN l.weekly
                        ELSE '[]'::jsonb END) w
           WHERE (ao.windows IS NOT NULL OR (w->>'weekday') = extract(isodow FROM l.at)::int::text)
             AND w->>'start' <= to_char(l.at, 'HH24:MI') AND to_char(l.at, 'HH24:MI') < w->>'end'
           ORDER BY w->>'start' LIMIT 1) AS w
        FROM local l LEFT JOIN availability_overrides ao ON ao.rep_id = l.rep_id AND ao.on_date = l.at::date)
    UPDATE bookings b
       SET label = c.w->>'label', call_type = c.w->>'callType',
           marketing_sourced = CASE WHEN jsonb_typeof(c.w->'marketingSourced') = 'boolean' THEN (c.w->>'marketingSourced')::boolean END
      FROM chosen c
     WHERE c.id = b.id AND c.w IS NOT NULL AND b.label IS NULL AND b.call_type IS NULL AND b.marketing_sourced IS NULL`);
}
