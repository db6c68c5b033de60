import { DateTime } from 'luxon';
import pg from 'pg';
import { ListingCache } from '../src/availability/listing-cache.js';
import { SupplyCache } from '../src/availability/supply-cache.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';

const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));

/**
 * The listing's per-rep supply cache (SupplyCache, by supply_versions.version) is never stale: every change of a
 * rep's supply, through the API or by raw SQL as a calendar sync would write it, is seen by the very next
 * listing, on the instance that made it and on a second instance on the same database, with both caches warm.
 */
describe('the supply cache stays exact (HTTP, two instances, real PostgreSQL)', () => {
  let a: TestApp;
  let b: TestApp;
  let other: pg.Client;
  let periodId: string;
  let rep: Person;
  let rep2: Person;
  let marketer: Person;
  let d: string;
  const at = (hm: string) => `${d}T${hm}:00.000Z`;

  /** The starts (HH:MM) of the rep's slots on day `d`, from the whole roster's listing on `t`. */
  async function starts(t: TestApp, who: Person = rep): Promise<string[]> {
    const res = await t.http.get('/api/v1/slots').query({ periodId, from: d, to: d, timeZone: 'UTC', limit: '5000' }).set(bearer(t.adminToken)).expect(200);
    return (res.body.slots as { repId: string; startsAt: string }[]).filter((s) => s.repId === who.id).map((s) => s.startsAt.slice(11, 16));
  }
  /** Both instances' listings, each asked twice (the second answer from a warm cache must be the same). */
  async function both(who: Person = rep): Promise<string[]> {
    const first = await starts(a, who);
    expect(await starts(a, who)).toEqual(first);
    expect(await starts(b, who)).toEqual(first);
    expect(await starts(b, who)).toEqual(first);
    return first;
  }
  const version = async (repId: string): Promise<number> => {
    const { rows } = await other.query(`SELECT version FROM supply_versions WHERE rep_id = $1`, [repId]);
    return rows.length ? Number(rows[0].version) : 0;
  };

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({}, a.database);
    other = new pg.Client({ connectionString: a.database.url });
    await other.connect();
    const programId = await makeProgram(a, { minNoticeHours: 1, horizonDays: 60, seatsPerCall: 1, slotMinutes: 30, slotGridMinutes: 30, repWeeklyCap: 50, sameRepLimit: 50, quota: 50 });
    periodId = await makePeriod(a, programId, daysFromNow(0), daysFromNow(40));
    rep = await makeUser(a, ['rep'], 'UTC');
    rep2 = await makeUser(a, ['rep'], 'UTC');
    for (const r of [rep, rep2]) {
      await rosterRep(a, periodId, r);
      await a.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(r.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '17:00') }).expect(200);
    }
    marketer = await makeUser(a, ['marketer'], 'UTC');
    await enrol(a, periodId, marketer);
    d = DateTime.utc().plus({ days: 10 }).toISODate()!;
  });
  afterAll(async () => {
    await other.end();
    await b.close();
    await a.close();
  });

  it('a booking made through one instance is gone from the next listing on both; its cancellation brings it back', async () => {
    expect(await both()).toContain('10:00');
    expect(a.app.get(SupplyCache).size).toBeGreaterThanOrEqual(2);
    const booked = await a.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: at('10:00') }).expect(201);
    const after = await both();
    expect(after).not.toContain('10:00');
    expect(after).toContain('10:30');
    expect(await both(rep2)).toContain('10:00'); // the other rep's supply is untouched

    await b.http.post(`/api/v1/bookings/${booked.body.id}/cancel`).set(bearer(marketer.token)).send({ reason: 'test' }).expect(200);
    expect(await both()).toContain('10:00');
  });

  it('weekly windows and date overrides changed through the API are reflected at once on both instances', async () => {
    expect(await both()).toContain('15:00');
    await a.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '12:00') }).expect(200);
    let now = await both();
    expect(now).toContain('11:30');
    expect(now).not.toContain('15:00');

    await b.http.put(`/api/v1/reps/${rep.id}/overrides/${d}`).set(bearer(rep.token)).send({ windows: [{ start: '15:00', end: '16:00' }] }).expect(200);
    expect(await both()).toEqual(['15:00', '15:30']);

    await a.http.delete(`/api/v1/reps/${rep.id}/overrides/${d}`).set(bearer(rep.token)).expect(204);
    now = await both();
    expect(now).toContain('11:30');
    expect(now).not.toContain('15:00');
    await a.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '17:00') }).expect(200);
    expect(await both()).toContain('15:00');
  });

  it('changes written by raw SQL (a calendar sync, a booking from another service) are reflected at once on both instances', async () => {
    expect(await both()).toEqual(expect.arrayContaining(['11:00', '13:00']));
    const { rows } = await other.query(`INSERT INTO calendar_connections (rep_id, kind, host, secret) VALUES ($1, 'ics', 'calendar.example.net', 'v1:test') RETURNING id`, [rep.id]);
    const [{ id: eventId }] = (
      await other.query(
        `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, busy, title, attendees)
         VALUES ($1, $2, 'e1@calendar.example.net', $3, $4, true, 'Busy', '{}') RETURNING id`,
        [rows[0].id, rep.id, at('11:00'), at('12:00')],
      )
    ).rows;
    let now = await both();
    expect(now).not.toContain('11:00');
    expect(now).toContain('13:00');
    await other.query(`UPDATE calendar_events SET starts_at = $2, ends_at = $3 WHERE id = $1`, [eventId, at('13:00'), at('13:30')]);
    now = await both();
    expect(now).toContain('11:00');
    expect(now).not.toContain('13:00');
    await other.query(`DELETE FROM calendar_events WHERE id = $1`, [eventId]);
    expect(await both()).toEqual(expect.arrayContaining(['11:00', '13:00']));

    const id = await insertBooking(a, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: at('14:00'), endsAt: at('14:30') });
    expect(await both()).not.toContain('14:00');
    await other.query(`UPDATE bookings SET status = 'cancelled' WHERE id = $1`, [id]);
    expect(await both()).toContain('14:00');
    await other.query(`INSERT INTO availability_overrides (rep_id, on_date, windows, updated_at) VALUES ($1, $2, '[]', now())`, [rep.id, d]);
    expect(await both()).toEqual([]);
    await other.query(`DELETE FROM availability_overrides WHERE rep_id = $1`, [rep.id]);
    expect(await both()).toContain('14:00');
  });

  it('a listing read page by page (the engine stopping early for each page) is the whole listing in one page', async () => {
    const query = { periodId, from: daysFromNow(2), to: daysFromNow(20), timeZone: 'Europe/Berlin' };
    const whole = await a.http.get('/api/v1/slots').query({ ...query, limit: '5000' }).set(bearer(a.adminToken)).expect(200);
    expect(whole.body.nextCursor).toBeNull();
    expect(whole.body.slots.length).toBeGreaterThan(300);
    for (const limit of [7, 150, whole.body.slots.length - 1, whole.body.slots.length]) {
      const pages: unknown[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { slots: unknown[]; nextCursor: string | null } } = await b.http
          .get('/api/v1/slots')
          .query({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) })
          .set(bearer(a.adminToken))
          .expect(200);
        pages.push(...res.body.slots);
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(pages).toEqual(whole.body.slots);
    }
  });

  it("a later page comes from the instance's whole listing, and what the listing's key holds (roster, rules, a marketer's own bookings) is never served stale", async () => {
    const listings = b.app.get(ListingCache);
    const query = { periodId, from: daysFromNow(2), to: daysFromNow(20), timeZone: 'UTC', limit: '40' };
    const read = async (extra: Record<string, string> = {}, token = a.adminToken) => {
      const slots: { repId: string; startsAt: string }[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { slots: { repId: string; startsAt: string }[]; nextCursor: string | null } } = await b.http
          .get('/api/v1/slots')
          .query({ ...query, ...extra, ...(cursor ? { cursor } : {}) })
          .set(bearer(token))
          .expect(200);
        slots.push(...res.body.slots);
        cursor = res.body.nextCursor;
      } while (cursor);
      return slots;
    };
    const hits = listings.hits;
    const first = await read();
    expect(first.length).toBeGreaterThan(200);
    // The first page runs the engine over part of the range; the second runs it over all and keeps it; the rest page through it.
    expect(listings.hits - hits).toBeGreaterThanOrEqual(Math.ceil(first.length / 40) - 2);
    const hits2 = listings.hits;
    expect(await read()).toEqual(first);
    expect(listings.hits - hits2).toBe(Math.ceil(first.length / 40)); // every page, the first too
    const ofRep2 = first.filter((s) => s.repId === rep2.id).length;
    expect(ofRep2).toBeGreaterThan(0);

    // The roster: a rep removed (through the other instance) is gone from the very next listing.
    const { rows } = await other.query(`SELECT id FROM roster_entries WHERE period_id = $1 AND rep_id = $2`, [periodId, rep2.id]);
    await a.http.patch(`/api/v1/roster/${rows[0].id}`).set(bearer(a.adminToken)).send({ status: 'removed' }).expect(200);
    const without = await read();
    expect(without.filter((s) => s.repId === rep2.id)).toEqual([]);
    expect(without.length).toBe(first.length - ofRep2);
    await other.query(`UPDATE roster_entries SET status = 'active' WHERE id = $1`, [rows[0].id]);
    expect(await read()).toEqual(first);

    // The program's rules: hour-long slots on a grid of an hour, at once.
    const { rows: prog } = await other.query(`SELECT program_id FROM periods WHERE id = $1`, [periodId]);
    await a.http.patch(`/api/v1/programs/${prog[0].program_id}`).set(bearer(a.adminToken)).send({ settings: { slotMinutes: 60, slotGridMinutes: 60 } }).expect(200);
    const hourly = await read();
    expect(hourly.length).toBeLessThan(first.length);
    expect(hourly.every((s) => s.startsAt.slice(14, 16) === '00')).toBe(true);
    await a.http.patch(`/api/v1/programs/${prog[0].program_id}`).set(bearer(a.adminToken)).send({ settings: { slotMinutes: 30, slotGridMinutes: 30 } }).expect(200);
    expect(await read()).toEqual(first);

    // A marketer's own commitments: their booking in another program, with a rep not on this roster (so no
    // version here moves), takes that time off every rep of their listing at once.
    const mine = { marketerId: marketer.id };
    const before = await read(mine, marketer.token);
    const slot = before.find((s) => s.repId === rep.id)!;
    expect(before.filter((s) => s.startsAt === slot.startsAt).length).toBe(2);
    const otherProgram = await makeProgram(a, { minNoticeHours: 1, horizonDays: 60, seatsPerCall: 1, slotMinutes: 30, slotGridMinutes: 30, repWeeklyCap: 50, sameRepLimit: 50, quota: 50 });
    const otherPeriod = await makePeriod(a, otherProgram, daysFromNow(0), daysFromNow(40));
    const elsewhere = await makeUser(a, ['rep'], 'UTC');
    await rosterRep(a, otherPeriod, elsewhere);
    await a.http.put(`/api/v1/reps/${elsewhere.id}/availability`).set(bearer(elsewhere.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '17:00') }).expect(200);
    await enrol(a, otherPeriod, marketer);
    const booked = await a.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId: otherPeriod, repId: elsewhere.id, startsAt: slot.startsAt }).expect(201);
    const after = await read(mine, marketer.token);
    expect(after.filter((s) => s.startsAt === slot.startsAt)).toEqual([]);
    expect(after.length).toBe(before.length - 2);
    expect(await read()).toEqual(first); // the listing without the marketer is unchanged
    await a.http.post(`/api/v1/bookings/${booked.body.id}/cancel`).set(bearer(marketer.token)).send({ reason: 'test' }).expect(200);
    expect(await read(mine, marketer.token)).toEqual(before);
  });

  it("each table's trigger bumps the rep's supply version (both reps on a booking's move; not for changes the supply does not read)", async () => {
    const bumps = async (repId: string, sql: string, params: unknown[]): Promise<number> => {
      const before = await version(repId);
      await other.query(sql, params);
      return (await version(repId)) - before;
    };
    const r = await makeUser(a, ['rep'], 'UTC');
    const r2 = await makeUser(a, ['rep'], 'UTC');
    expect(await version(r.id)).toBe(0);

    expect(await bumps(r.id, `INSERT INTO availability (rep_id, time_zone, weekly, updated_at) VALUES ($1, 'UTC', '[]', now())`, [r.id])).toBe(1);
    expect(await bumps(r.id, `UPDATE availability SET weekly = $2 WHERE rep_id = $1`, [r.id, JSON.stringify(ALL_DAYS('09:00', '10:00'))])).toBe(1);
    expect(await bumps(r.id, `DELETE FROM availability WHERE rep_id = $1`, [r.id])).toBe(1);

    expect(await bumps(r.id, `INSERT INTO availability_overrides (rep_id, on_date, windows, updated_at) VALUES ($1, $2, '[]', now())`, [r.id, d])).toBe(1);
    expect(await bumps(r.id, `UPDATE availability_overrides SET windows = '[{"start":"09:00","end":"10:00"}]' WHERE rep_id = $1`, [r.id])).toBe(1);
    expect(await bumps(r.id, `DELETE FROM availability_overrides WHERE rep_id = $1`, [r.id])).toBe(1);

    const id = await insertBooking(a, { periodId, repId: r.id, marketerId: marketer.id, startsAt: at('09:00'), endsAt: at('09:30') });
    expect(await version(r.id)).toBeGreaterThan(0);
    expect(await bumps(r.id, `UPDATE bookings SET starts_at = starts_at + interval '30 minutes', ends_at = ends_at + interval '30 minutes' WHERE id = $1`, [id])).toBe(1);
    expect(await bumps(r.id, `UPDATE bookings SET status = 'completed' WHERE id = $1`, [id])).toBe(1);
    expect(await bumps(r.id, `UPDATE bookings SET created_at = created_at - interval '1 minute' WHERE id = $1`, [id])).toBe(0);
    const before2 = await version(r2.id);
    expect(await bumps(r.id, `UPDATE bookings SET rep_id = $2 WHERE id = $1`, [id, r2.id])).toBe(1);
    expect((await version(r2.id)) - before2).toBe(1);
    expect(await bumps(r2.id, `DELETE FROM bookings WHERE id = $1`, [id])).toBe(1);

    const { rows } = await other.query(`INSERT INTO calendar_connections (rep_id, kind, host, secret) VALUES ($1, 'ics', 'calendar.example.net', 'v1:test') RETURNING id`, [r.id]);
    const conn = rows[0].id as string;
    // Many events in one statement: one bump (statement trigger) for the events, one for the busy copy's row.
    const inserted = await bumps(
      r.id,
      `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, busy, title, attendees)
       SELECT $1, $2, 'e' || k || '@calendar.example.net', $3::timestamptz + k * interval '1 hour', $3::timestamptz + k * interval '1 hour' + interval '30 minutes', true, 'Busy', '{}'
         FROM generate_series(1, 5) k`,
      [conn, r.id, at('00:00')],
    );
    expect(inserted).toBeGreaterThanOrEqual(1);
    expect(inserted).toBeLessThanOrEqual(2);
    expect(await bumps(r.id, `UPDATE calendar_events SET title = 'Still busy' WHERE rep_id = $1`, [r.id])).toBeGreaterThanOrEqual(1);
    expect(await bumps(r.id, `UPDATE rep_calendar_busy SET minutes = minutes WHERE rep_id = $1`, [r.id])).toBe(1);
    expect(await bumps(r.id, `DELETE FROM calendar_events WHERE rep_id = $1`, [r.id])).toBeGreaterThanOrEqual(1);
  });
});
