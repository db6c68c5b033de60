import { DateTime } from 'luxon';
import pg from 'pg';
import { EntityManager } from 'typeorm';
import { AvailabilityRepository } from '../src/availability/availability.repository.js';
import { BusyCache } from '../src/availability/busy-cache.js';
import { SupplyCache } from '../src/availability/supply-cache.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';

const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));

/**
 * The instance's busy cache (BusyCache, by rep_calendar_busy.version) never serves an array the database has
 * moved past: calendar changes written by another connection, straight into calendar_events, are seen by the
 * very next search and booking while the cache is warm.
 */
describe('the busy cache stays exact (HTTP, real PostgreSQL, another connection writing)', () => {
  let t: TestApp;
  let other: pg.Client;
  let periodId: string;
  let rep: Person;
  let marketer: Person;
  let connection: string;
  let d: string;
  const at = (hm: string) => `${d}T${hm}:00.000Z`;

  async function starts(): Promise<string[]> {
    const res = await t.http.get('/api/v1/slots').query({ periodId, repId: rep.id, from: d, to: d, timeZone: 'UTC', limit: '5000' }).set(bearer(t.adminToken)).expect(200);
    return (res.body.slots as { startsAt: string }[]).map((s) => s.startsAt.slice(11, 16));
  }
  const book = (startsAt: string) => t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt });
  const version = async (): Promise<string | null> => {
    const { rows } = await other.query(`SELECT version::text AS v FROM rep_calendar_busy WHERE rep_id = $1`, [rep.id]);
    return rows[0]?.v ?? null;
  };

  beforeAll(async () => {
    t = await startTestApp();
    other = new pg.Client({ connectionString: t.database.url });
    await other.connect();
    const programId = await makeProgram(t, { minNoticeHours: 1, horizonDays: 60, seatsPerCall: 1, slotMinutes: 30, slotGridMinutes: 30, repWeeklyCap: 50, sameRepLimit: 50, quota: 50 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(40));
    rep = await makeUser(t, ['rep'], 'UTC');
    await rosterRep(t, periodId, rep);
    await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '17:00') }).expect(200);
    marketer = await makeUser(t, ['marketer'], 'UTC');
    await enrol(t, periodId, marketer);
    d = DateTime.utc().plus({ days: 10 }).toISODate()!;
    const { rows } = await other.query(`INSERT INTO calendar_connections (rep_id, kind, host, secret) VALUES ($1, 'ics', 'calendar.example.net', 'v1:test') RETURNING id`, [rep.id]);
    connection = rows[0].id;
  });
  afterAll(async () => {
    await other.end();
    await t.close();
  });

  it('sees an insert, an update and a delete of calendar_events by the next search and booking, the cache warm', async () => {
    const [{ id: eventId }] = (
      await other.query(
        `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, busy, title, attendees)
         VALUES ($1, $2, 'e1@calendar.example.net', $3, $4, true, 'Busy', '{}') RETURNING id`,
        [connection, rep.id, at('14:00'), at('15:00')],
      )
    ).rows;
    const v1 = await version();
    expect(v1).not.toBeNull();
    const first = await starts();
    expect(first).not.toContain('14:00');
    expect(first).toContain('12:00');
    const cache = t.app.get(BusyCache);
    expect(cache.get(rep.id, v1!)).toEqual(Int32Array.from([Date.parse(at('14:00')) / 60_000, Date.parse(at('15:00')) / 60_000]));
    expect(await starts()).toEqual(first); // warm: the same answer from the cached array

    // Another connection moves the event onto 12:00 (autocommit): a new version, seen at once.
    await other.query(`UPDATE calendar_events SET starts_at = $2, ends_at = $3 WHERE id = $1`, [eventId, at('12:00'), at('12:30')]);
    const v2 = await version();
    expect(v2).not.toBe(v1);
    const moved = await starts();
    expect(moved).not.toContain('12:00');
    expect(moved).toContain('14:00');
    const refused = await book(at('12:00'));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'slot_unavailable', details: { reason: 'rep_busy' } });
    expect(cache.get(rep.id, v2!)).toBeDefined();

    // An update that changes nothing the copy holds keeps the version (and the cache entry).
    await other.query(`UPDATE calendar_events SET title = 'Still busy' WHERE id = $1`, [eventId]);
    expect(await version()).toBe(v2);

    // A second event by another connection, committed in its own transaction: the booking sees it too.
    await other.query('BEGIN');
    await other.query(
      `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, busy, title, attendees)
       VALUES ($1, $2, 'e2@calendar.example.net', $3, $4, true, 'Busy', '{}')`,
      [connection, rep.id, at('16:00'), at('16:10')],
    );
    expect(await starts()).toContain('16:00'); // not committed yet
    await other.query('COMMIT');
    expect((await book(at('16:00'))).body.details).toEqual({ reason: 'rep_busy' });
    expect(await starts()).not.toContain('16:00');

    // The events go: the rep's row goes, and the slots and a booking are back.
    await other.query(`DELETE FROM calendar_events WHERE rep_id = $1`, [rep.id]);
    expect(await version()).toBeNull();
    const cleared = await starts();
    expect(cleared).toContain('12:00');
    expect(cleared).toContain('16:00');
    expect((await book(at('12:00'))).status).toBe(201);

    // Busy again with the same times as before: a fresh version (never one a cache entry could still hold).
    await other.query(
      `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, busy, title, attendees)
       VALUES ($1, $2, 'e3@calendar.example.net', $3, $4, true, 'Busy', '{}')`,
      [connection, rep.id, at('14:00'), at('15:00')],
    );
    const v3 = await version();
    expect([v1, v2]).not.toContain(v3);
    expect(await starts()).not.toContain('14:00');
    expect((await book(at('14:00'))).body.details).toEqual({ reason: 'rep_busy' });
  });

  it('a stale entry (an older version in the cache) is never used: the array is read again', async () => {
    const cache = t.app.get(BusyCache);
    const v = await version();
    // Poison the cache under an old version: it must not match the current one.
    cache.set(rep.id, '0', Int32Array.from([])); // sequences start at 1
    // The listing's supply cache (by supply version) would answer without the busy array: drop the rep's entry.
    t.app.get(SupplyCache).delete(rep.id);
    expect(await starts()).not.toContain('14:00');
    expect(cache.get(rep.id, v!)).toBeDefined();
  });
});

/**
 * The race between supply's two reads, made to happen: another connection opens a customer call (its event
 * leaves the busy copy and joins the opened calls) after the roster query read the versions and before the
 * arrays are fetched. The supply must be one state, never the event in neither list.
 */
describe('supply read while a calendar change commits between its two queries (real PostgreSQL)', () => {
  let t: TestApp;
  let other: pg.Client;
  let periodId: string;
  let rep: Person;
  let connection: string;
  const d = DateTime.utc().plus({ days: 10 }).toISODate()!;
  const at = (hm: string) => `${d}T${hm}:00.000Z`;
  const minute = (hm: string) => Date.parse(at(hm)) / 60_000;

  class RacingRepository extends AvailabilityRepository {
    hook?: () => Promise<void>;
    fetches = 0;
    protected override async busyMinutes(m: EntityManager, repIds: string[]) {
      this.fetches++;
      const h = this.hook;
      this.hook = undefined;
      if (h) await h();
      return super.busyMinutes(m, repIds);
    }
  }

  const query = () => ({
    periodId,
    repId: rep.id,
    fromDate: d,
    toDate: d,
    from: new Date(at('00:00')),
    to: new Date(at('23:59')),
    eventsFrom: new Date(at('00:00')),
    eventsTo: new Date(at('23:59')),
  });

  beforeAll(async () => {
    t = await startTestApp();
    other = new pg.Client({ connectionString: t.database.url });
    await other.connect();
    const programId = await makeProgram(t, { minNoticeHours: 1, horizonDays: 60 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(40));
    rep = await makeUser(t, ['rep'], 'UTC');
    await rosterRep(t, periodId, rep);
    await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '17:00') }).expect(200);
    const { rows } = await other.query(`INSERT INTO calendar_connections (rep_id, kind, host, secret) VALUES ($1, 'ics', 'calendar.example.net', 'v1:test') RETURNING id`, [rep.id]);
    connection = rows[0].id;
  });
  afterAll(async () => {
    await other.end();
    await t.close();
  });

  for (const inTransaction of [false, true]) {
    it(`reads again rather than mix two states${inTransaction ? ' (inside a transaction, as the booking check)' : ''}`, async () => {
      await other.query(`DELETE FROM calendar_events WHERE rep_id = $1`, [rep.id]);
      const ins = (uid: string, s: string, e: string) =>
        other.query(
          `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, busy, title, attendees)
           VALUES ($1, $2, $3, $4, $5, true, 'Customer', '{buyer@customer.example.org}') RETURNING id`,
          [connection, rep.id, uid, at(s), at(e)],
        );
      await ins('keep@calendar.example.net', '09:00', '09:30');
      const [{ id: callId }] = (await ins('call@calendar.example.net', '11:00', '12:00')).rows;
      const repo = new RacingRepository(new BusyCache());
      repo.hook = async () => {
        await other.query(`UPDATE calendar_events SET opened_at = now() WHERE id = $1`, [callId]);
      };
      const read = (m: EntityManager) => repo.supply(m, query());
      const [supply] = inTransaction ? await t.db.transaction((m) => read(m)) : await read(t.db.manager);
      // The call is opened: in the opened calls, not in the busy time (the state after the change, read whole).
      expect(supply.openCalls?.map((c) => c.id)).toEqual([callId]);
      expect(Array.from(supply.busyPairs ?? [])).toEqual([minute('09:00'), minute('09:30')]);
      expect(repo.fetches).toBe(1); // the second round had the moved array inline
    });
  }
});
