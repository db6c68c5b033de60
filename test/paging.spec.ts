import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { webSession } from './support/web.js';

interface SlotOut {
  repId: string;
  startsAt: string;
  endsAt: string;
  localStart: string;
  capacityLeft: number;
}

const ALL_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The field names a 400 names (details.fields[].field). */
const fieldsOf = (body: { details?: { fields?: { field: string }[] } }) => (body.details?.fields ?? []).map((f) => f.field);

/** The items of every page of `path` (following nextCursor), with how many pages it took. */
async function allPages<T>(t: TestApp, path: string, key: string, params: Record<string, string>, token: string): Promise<{ items: T[]; pages: number; cursors: string[] }> {
  const items: T[] = [];
  const cursors: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await t.http.get(path).query(cursor ? { ...params, cursor } : params).set(bearer(token));
    if (res.status !== 200) throw new Error(`GET ${path} ${JSON.stringify(params)}: ${res.status} ${JSON.stringify(res.body)}`);
    expect(Object.keys(res.body)).toContain('nextCursor');
    items.push(...(res.body[key] as T[]));
    pages++;
    cursor = res.body.nextCursor as string | null;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  return { items, pages, cursors };
}

describe('paging: GET /slots, the lists, the week view and the search for a move', () => {
  let t: TestApp;
  let periodId: string;
  let reps: Person[];
  let marketer: Person;
  /** A Monday (UTC) at least two days ahead: the weeks the tests list. */
  let monday: DateTime;

  beforeAll(async () => {
    t = await startTestApp();
    // 15-minute slots on a 5-minute grid, all day every day: 288 slots per rep and day.
    const programId = await makeProgram(t, { slotMinutes: 15, slotGridMinutes: 5, minNoticeHours: 0, horizonDays: 60, repWeeklyCap: 100, sameRepLimit: 500, quota: 500 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(50));
    reps = [];
    for (let i = 0; i < 3; i++) {
      const r = await makeUser(t, ['rep'], 'UTC');
      await rosterRep(t, periodId, r);
      await t.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(r.token)).send({ timeZone: 'UTC', weekly: ALL_DAY }).expect(200);
      reps.push(r);
    }
    marketer = await makeUser(t, ['marketer'], 'UTC');
    await enrol(t, periodId, marketer);
    monday = DateTime.utc().plus({ days: 2 }).startOf('week').plus({ weeks: 1 });
  });
  afterAll(() => t.close());

  describe('GET /api/v1/slots', () => {
    const range = () => ({ periodId, from: monday.toISODate()!, to: monday.plus({ days: 1 }).toISODate()!, timeZone: 'Europe/Berlin' });

    it('pages a listing: the pages joined are exactly the whole listing, in order, with no slot twice', async () => {
      const whole = await t.http.get('/api/v1/slots').query({ ...range(), limit: '5000' }).set(bearer(marketer.token)).expect(200);
      expect(whole.body.nextCursor).toBeNull();
      const all = whole.body.slots as SlotOut[];
      expect(all.length).toBe(3 * 2 * 288); // two days (from a date to a date is both days), three reps

      const paged = await allPages<SlotOut>(t, '/api/v1/slots', 'slots', { ...range(), limit: '100' }, marketer.token);
      expect(paged.pages).toBe(Math.ceil(all.length / 100));
      expect(paged.items).toEqual(all);
      expect(new Set(paged.items.map((s) => `${s.repId} ${s.startsAt}`)).size).toBe(all.length);
      // Three reps share every start: pages end between reps of one start, and continue with the next rep.
      expect(all[99].startsAt).toBe(all[100].startsAt);
      // The other fields of the response stay as they were.
      const first = await t.http.get('/api/v1/slots').query({ ...range(), limit: '7' }).set(bearer(marketer.token)).expect(200);
      expect(first.body).toMatchObject({ periodId, timeZone: 'Europe/Berlin', marketer: { marketerId: marketer.id, enrolled: true } });
      expect(first.body.slots).toEqual(all.slice(0, 7));
      expect(typeof first.body.nextCursor).toBe('string');
    });

    it('lets the page size change from page to page and still joins up exactly', async () => {
      const whole = (await t.http.get('/api/v1/slots').query({ ...range(), limit: '5000' }).set(bearer(t.adminToken)).expect(200)).body.slots as SlotOut[];
      const got: SlotOut[] = [];
      let cursor: string | null = null;
      const sizes = [1, 2, 3, 500, 999, 5000];
      for (let i = 0; ; i++) {
        const res: { body: { slots: SlotOut[]; nextCursor: string | null } } = await t.http
          .get('/api/v1/slots')
          .query({ ...range(), limit: String(sizes[i % sizes.length]), ...(cursor ? { cursor } : {}) })
          .set(bearer(t.adminToken))
          .expect(200);
        got.push(...res.body.slots);
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      expect(got).toEqual(whole);
    });

    it('caps a page at 1,000 slots by default', async () => {
      const res = await t.http.get('/api/v1/slots').query(range()).set(bearer(marketer.token)).expect(200);
      expect(res.body.slots).toHaveLength(1000);
      expect(typeof res.body.nextCursor).toBe('string');
    });

    it('refuses a garbage, altered or foreign cursor with a 400 naming cursor', async () => {
      const first = await t.http.get('/api/v1/slots').query({ ...range(), limit: '10' }).set(bearer(marketer.token)).expect(200);
      const cursor = first.body.nextCursor as string;
      const flip = (c: string, at: number) => c.slice(0, at) + (c[at] === 'A' ? 'B' : 'A') + c.slice(at + 1);
      const bookingsCursor = (await t.http.get('/api/v1/bookings').query({ mine: 'false', limit: '1' }).set(bearer(t.adminToken))).body.nextCursor;
      const bad: [string, Record<string, string>][] = [
        ['garbage', { ...range(), cursor: 'not-a-cursor' }],
        ['empty', { ...range(), cursor: '' }],
        ['altered position', { ...range(), cursor: flip(cursor, 5) }],
        ['altered check', { ...range(), cursor: flip(cursor, cursor.length - 2) }],
        ['cut', { ...range(), cursor: cursor.slice(0, -3) }],
        ['other range', { ...range(), to: monday.plus({ days: 2 }).toISODate()!, cursor }],
        ['other rep', { ...range(), repId: reps[0].id, cursor }],
        ['other zone', { ...range(), timeZone: 'UTC', cursor }],
        ['moved from', { ...range(), from: `${monday.toISODate()}T00:05:00+01:00`, cursor }],
      ];
      if (bookingsCursor) bad.push(['another list', { ...range(), cursor: bookingsCursor }]);
      for (const [what, query] of bad) {
        const res = await t.http.get('/api/v1/slots').query(query).set(bearer(marketer.token));
        expect([what, res.status, fieldsOf(res.body)]).toEqual([what, 400, ['cursor']]);
      }
      // Another caller's cursor is refused too (a marketer's listing applies their own commitments).
      const other = await makeUser(t, ['marketer'], 'UTC');
      await enrol(t, periodId, other);
      const theirs = await t.http.get('/api/v1/slots').query({ ...range(), cursor }).set(bearer(other.token));
      expect([theirs.status, fieldsOf(theirs.body)]).toEqual([400, ['cursor']]);
      // The cursor still works with the parameters it was made for.
      await t.http.get('/api/v1/slots').query({ ...range(), cursor }).set(bearer(marketer.token)).expect(200);
    });

    it('refuses a limit out of bounds with a 400 naming limit', async () => {
      for (const limit of ['0', '-1', '5001', 'abc', '1.5', '']) {
        const res = await t.http.get('/api/v1/slots').query({ ...range(), limit }).set(bearer(marketer.token));
        expect([limit, res.status, fieldsOf(res.body)]).toEqual([limit, 400, ['limit']]);
      }
      await t.http.get('/api/v1/slots').query({ ...range(), limit: '1' }).set(bearer(marketer.token)).expect(200);
    });

    it('documents limit, cursor and nextCursor in the OpenAPI document', async () => {
      const doc = (await t.http.get('/docs-json').expect(200)).body;
      const op = doc.paths['/api/v1/slots'].get;
      const params = op.parameters.map((p: { name: string }) => p.name);
      expect(params).toEqual(expect.arrayContaining(['limit', 'cursor', 'excludeBookingId', 'periodId', 'from', 'to']));
      const limit = op.parameters.find((p: { name: string }) => p.name === 'limit');
      expect(limit.schema).toMatchObject({ minimum: 1, maximum: 5000, default: 1000 });
      const ref = op.responses['200'].content['application/json'].schema.$ref.split('/').pop();
      expect(Object.keys(doc.components.schemas[ref].properties)).toEqual(expect.arrayContaining(['slots', 'nextCursor', 'periodId', 'timeZone', 'from', 'to', 'marketer']));
      for (const path of ['/api/v1/bookings', '/api/v1/observations', '/api/v1/audit']) {
        const list = doc.paths[path].get;
        expect([path, list.parameters.map((p: { name: string }) => p.name)]).toEqual([path, expect.arrayContaining(['limit', 'cursor'])]);
        expect([path, Object.keys(list.responses['200'].content['application/json'].schema.properties)]).toEqual([path, expect.arrayContaining(['nextCursor'])]);
      }
    });
  });

  describe('lists', () => {
    let listPeriod: string;
    let pairs: { rep: Person; marketer: Person }[];

    beforeAll(async () => {
      const programId = await makeProgram(t, {});
      listPeriod = await makePeriod(t, programId, daysFromNow(0), daysFromNow(30));
      pairs = [];
      for (let i = 0; i < 5; i++) pairs.push({ rep: await makeUser(t, ['rep'], 'UTC'), marketer: await makeUser(t, ['marketer'], 'UTC') });
      // 5 starts × 5 pairs: every start is shared by five bookings (the id decides among them), and one
      // start has microseconds, which a cursor kept to the millisecond would get wrong.
      const starts = ['10:00:00.000000', '10:30:00.000400', '11:00:00', '12:00:00', '13:00:00'];
      for (const s of starts) {
        for (const p of pairs) {
          const at = DateTime.fromISO(`${daysFromNow(3)}T${s}Z`);
          await insertBooking(t, { periodId: listPeriod, repId: p.rep.id, marketerId: p.marketer.id, startsAt: `${daysFromNow(3)}T${s}Z`, endsAt: at.plus({ seconds: 10 }).toISO()! });
        }
      }
    });

    it('GET /api/v1/bookings pages with no gap and no booking twice, in start then id order', async () => {
      const whole = (await t.http.get('/api/v1/bookings').query({ mine: 'false', periodId: listPeriod }).set(bearer(t.adminToken)).expect(200)).body;
      expect(whole.bookings).toHaveLength(25);
      expect(whole.nextCursor).toBeNull();
      const paged = await allPages<{ id: string; startsAt: string }>(t, '/api/v1/bookings', 'bookings', { mine: 'false', periodId: listPeriod, limit: '4' }, t.adminToken);
      expect(paged.pages).toBe(7);
      expect(paged.items).toEqual(whole.bookings);
      expect(new Set(paged.items.map((b) => b.id)).size).toBe(25);
      const order = [...whole.bookings].sort((a: { startsAt: string; id: string }, b: { startsAt: string; id: string }) => (a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.id < b.id ? -1 : 1));
      expect(whole.bookings.map((b: { id: string }) => b.id)).toEqual(order.map((b: { id: string }) => b.id));
      // A marketer's own list pages too, and their cursor is theirs.
      const mine = await t.http.get('/api/v1/bookings').query({ limit: '2' }).set(bearer(pairs[0].marketer.token)).expect(200);
      expect(mine.body.bookings).toHaveLength(2);
      const next = await t.http.get('/api/v1/bookings').query({ limit: '2', cursor: mine.body.nextCursor }).set(bearer(pairs[1].marketer.token));
      expect([next.status, fieldsOf(next.body)]).toEqual([400, ['cursor']]);
      const other = await t.http.get('/api/v1/bookings').query({ mine: 'false', periodId: listPeriod, status: 'cancelled', cursor: paged.cursors[0] }).set(bearer(t.adminToken));
      expect([other.status, fieldsOf(other.body)]).toEqual([400, ['cursor']]);
      for (const limit of ['0', '1001', 'x']) {
        const res = await t.http.get('/api/v1/bookings').query({ limit }).set(bearer(t.adminToken));
        expect([limit, res.status, fieldsOf(res.body)]).toEqual([limit, 400, ['limit']]);
      }
    });

    it('GET /api/v1/observations pages with no gap and no form twice, due instants kept to the microsecond', async () => {
      const [program] = await t.db.query(`SELECT program_id FROM periods WHERE id = $1`, [listPeriod]);
      const author = pairs[0].marketer;
      const dues = ['2030-01-01T10:00:00.123456Z', '2030-01-01T10:00:00.123456Z', '2030-01-01T10:00:00.123457Z', '2030-01-01T10:00:00.123Z', '2030-01-02T00:00:00Z'];
      for (let i = 0; i < 14; i++) {
        await t.db.query(
          `INSERT INTO observations (program_id, period_id, author_id, template_version, session_ended_at, due_at) VALUES ($1, $2, $3, 1, now(), $4)`,
          [program.program_id, listPeriod, author.id, dues[i % dues.length]],
        );
      }
      const whole = (await t.http.get('/api/v1/observations').query({ periodId: listPeriod }).set(bearer(author.token)).expect(200)).body;
      expect(whole.observations).toHaveLength(14);
      expect(whole.nextCursor).toBeNull();
      for (const limit of ['1', '3', '5']) {
        const paged = await allPages<{ id: string }>(t, '/api/v1/observations', 'observations', { periodId: listPeriod, limit }, author.token);
        expect(paged.pages).toBe(Math.ceil(14 / Number(limit)));
        expect(paged.items.map((o) => o.id)).toEqual(whole.observations.map((o: { id: string }) => o.id));
      }
      const garbage = await t.http.get('/api/v1/observations').query({ cursor: 'abc.def' }).set(bearer(author.token));
      expect([garbage.status, fieldsOf(garbage.body)]).toEqual([400, ['cursor']]);
    });

    it('GET /api/v1/audit pages newest first with no gap and no row twice', async () => {
      await t.db.query(`INSERT INTO audit_log (action, entity, entity_id) SELECT 'test.paging', 'user', 'paging-' || i FROM generate_series(1, 23) i`);
      const whole = (await t.http.get('/api/v1/audit').query({ limit: '1000' }).set(bearer(t.adminToken)).expect(200)).body;
      expect(whole.entries.length).toBeGreaterThan(23);
      const paged = await allPages<{ id: string }>(t, '/api/v1/audit', 'entries', { limit: '5' }, t.adminToken);
      expect(paged.pages).toBe(Math.ceil(whole.entries.length / 5));
      expect(paged.items.map((e) => e.id)).toEqual(whole.entries.map((e: { id: string }) => e.id));
      expect(new Set(paged.items.map((e) => e.id)).size).toBe(paged.items.length);
      // The default page holds 100 rows, as the list did.
      const first = (await t.http.get('/api/v1/audit').set(bearer(t.adminToken)).expect(200)).body;
      expect(first.entries).toHaveLength(Math.min(100, whole.entries.length));
      const filtered = await t.http.get('/api/v1/audit').query({ entity: 'token', cursor: paged.cursors[0] }).set(bearer(t.adminToken));
      expect([filtered.status, fieldsOf(filtered.body)]).toEqual([400, ['cursor']]);
      const tooMany = await t.http.get('/api/v1/audit').query({ limit: '1001' }).set(bearer(t.adminToken));
      expect([tooMany.status, fieldsOf(tooMany.body)]).toEqual([400, ['limit']]);
    });
  });

  it('the week view shows every slot of the week, also those past the first page of the search', async () => {
    // Three reps all week: 6,048 slots, more than one page (5,000) of the search the page makes.
    const api = await allPages<SlotOut>(
      t,
      '/api/v1/slots',
      'slots',
      { periodId, from: monday.toISO()!, to: monday.plus({ weeks: 1 }).toISO()!, timeZone: 'UTC', limit: '5000' },
      marketer.token,
    );
    expect(api.items.length).toBe(3 * 7 * 288);
    expect(api.pages).toBe(2);
    const s = await webSession(t, marketer.id);
    const res = await s.get(`/marketer/slots?${new URLSearchParams({ periodId, week: monday.toISODate()! })}`).expect(200);
    const buttons = [...res.text.matchAll(/<button type="submit" name="slot" value="([^"]+)"/g)].map((m) => decode(m[1]));
    expect(buttons).toHaveLength(api.items.length);
    // The last slot of the week (Sunday 23:55, running into Monday, with the last rep) lies on the second page of the search.
    const last = api.items.at(-1)!;
    expect(last.startsAt).toBe(monday.plus({ days: 6, hours: 23, minutes: 55 }).toISO());
    expect(buttons).toContain(`${last.repId} ${last.startsAt}`);
  });

  describe('the search for a move leaves the booking being moved out', () => {
    let movePeriod: string;
    let rep: Person;
    let mover: Person;
    let day: string;
    const at = (hm: string) => DateTime.fromISO(`${day}T${hm}`, { zone: 'UTC' }).toISO()!;

    beforeAll(async () => {
      // 45-minute calls on a 15-minute grid, one seat; the marketer's quota is one session.
      const programId = await makeProgram(t, { minNoticeHours: 0, horizonDays: 60, seatsPerCall: 1, repWeeklyCap: 10, sameRepLimit: 10, quota: 1, cancelNoticeHours: 0 });
      movePeriod = await makePeriod(t, programId, daysFromNow(0), daysFromNow(50));
      rep = await makeUser(t, ['rep'], 'UTC');
      await rosterRep(t, movePeriod, rep);
      day = monday.plus({ days: 2 }).toISODate()!;
      const weekday = monday.plus({ days: 2 }).weekday;
      await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: [{ weekday, start: '09:00', end: '12:00' }] }).expect(200);
      mover = await makeUser(t, ['marketer'], 'UTC');
      await enrol(t, movePeriod, mover, 1);
    });

    it('lists the times overlapping the booking for its marketer and the lifecycle team, and the move to one succeeds from the page', async () => {
      const booked = await t.http.post('/api/v1/bookings').set(bearer(mover.token)).send({ periodId: movePeriod, repId: rep.id, startsAt: at('10:00') }).expect(201);
      const id = booked.body.id as string;
      const q = { periodId: movePeriod, from: day, to: day, timeZone: 'UTC' };
      const starts = (body: { slots: SlotOut[] }) => body.slots.map((s) => s.startsAt);

      // Without the exclusion the quota of one is reached: nothing is listed.
      const plain = (await t.http.get('/api/v1/slots').query(q).set(bearer(mover.token)).expect(200)).body;
      expect(plain.marketer.quotaReached).toBe(true);
      expect(plain.slots).toEqual([]);
      // Leaving the booking out: every time of the window, 10:15 (which overlaps 10:00-10:45) too.
      const moving = (await t.http.get('/api/v1/slots').query({ ...q, excludeBookingId: id }).set(bearer(mover.token)).expect(200)).body;
      expect(moving.marketer).toMatchObject({ marketerId: mover.id, quotaReached: false, booked: 0 });
      expect(starts(moving)).toEqual(['09:00', '09:15', '09:30', '09:45', '10:00', '10:15', '10:30', '10:45', '11:00', '11:15'].map(at));
      // The lifecycle team searches for the booking's marketer by default.
      const forTeam = (await t.http.get('/api/v1/slots').query({ ...q, excludeBookingId: id }).set(bearer(t.adminToken)).expect(200)).body;
      expect(forTeam.marketer.marketerId).toBe(mover.id);
      expect(starts(forTeam)).toEqual(starts(moving));
      const mismatch = await t.http.get('/api/v1/slots').query({ ...q, excludeBookingId: id, marketerId: marketer.id }).set(bearer(t.adminToken));
      expect([mismatch.status, fieldsOf(mismatch.body)]).toEqual([400, ['marketerId']]);
      // Anyone else, the rep included, is told there is no such booking; so is an unknown id.
      for (const who of [marketer.token, rep.token]) await t.http.get('/api/v1/slots').query({ ...q, excludeBookingId: id }).set(bearer(who)).expect(404);
      await t.http.get('/api/v1/slots').query({ ...q, excludeBookingId: '00000000-0000-4000-8000-000000000000' }).set(bearer(t.adminToken)).expect(404);
      const notUuid = await t.http.get('/api/v1/slots').query({ ...q, excludeBookingId: 'x' }).set(bearer(mover.token));
      expect([notUuid.status, fieldsOf(notUuid.body)]).toEqual([400, ['excludeBookingId']]);

      // The page's move mode shows 10:15 and moves the booking there.
      const s = await webSession(t, mover.id);
      const page = await s.get(`/marketer/bookings/${id}/reschedule?${new URLSearchParams({ week: day })}`).expect(200);
      const value = `${rep.id} ${at('10:15')}`;
      expect(page.text).toContain(`value="${value}"`);
      expect(page.text).toContain('Move to 10:15–11:00');
      expect(page.text).not.toContain(`value="${rep.id} ${at('10:00')}"`); // its own time: "Keep it as it is"
      expect(page.text).toContain('Move to 09:15–10:00');
      const view = decode(/<input type="hidden" name="view" value="([^"]*)">/.exec(page.text)![1]);
      const moved = await s.post(`/marketer/bookings/${id}/reschedule`, { slot: value, view }).expect(303);
      expect(moved.headers.location).toBe('/marketer?notice=moved');
      const [row] = await t.db.query(`SELECT starts_at, status FROM bookings WHERE id = $1`, [id]);
      expect([row.starts_at.toISOString(), row.status]).toEqual([at('10:15'), 'confirmed']);
    });

    it('lists exactly the times the move accepts (the same rules when listing and when moving)', async () => {
      // Another day, with a window 09:00-12:00 of its own (an override).
      const day2 = monday.plus({ days: 3 }).toISODate()!;
      const at2 = (hm: string) => DateTime.fromISO(`${day2}T${hm}`, { zone: 'UTC' }).toISO()!;
      await t.http.put(`/api/v1/reps/${rep.id}/overrides/${day2}`).set(bearer(rep.token)).send({ windows: [{ start: '09:00', end: '12:00' }] }).expect(200);
      const who = await makeUser(t, ['marketer'], 'UTC');
      await enrol(t, movePeriod, who, 1);
      const id = (await t.http.post('/api/v1/bookings').set(bearer(who.token)).send({ periodId: movePeriod, repId: rep.id, startsAt: at2('09:00') }).expect(201)).body.id as string;
      // The rep's call with someone else at 11:15-12:00, and the marketer's own call elsewhere at 10:00-10:30.
      await insertBooking(t, { periodId: movePeriod, repId: rep.id, marketerId: marketer.id, startsAt: at2('11:15'), endsAt: at2('12:00') });
      await insertBooking(t, { periodId, repId: reps[0].id, marketerId: who.id, startsAt: at2('10:00'), endsAt: at2('10:30') });
      const listed = (await t.http.get('/api/v1/slots').query({ periodId: movePeriod, from: day2, to: day2, excludeBookingId: id }).set(bearer(who.token)).expect(200)).body.slots.map(
        (s: SlotOut) => s.startsAt,
      );
      expect(listed).toEqual(['09:00', '09:15', '10:30'].map(at2));
      // Every start of the window on the grid: the move succeeds exactly for the listed ones, wherever the booking is by then.
      const candidates = ['09:00', '09:15', '09:30', '09:45', '10:00', '10:15', '10:30', '10:45', '11:00', '11:15'].map(at2);
      for (const startsAt of [...candidates].reverse()) {
        const res = await t.http.post(`/api/v1/bookings/${id}/reschedule`).set(bearer(who.token)).send({ startsAt });
        expect([startsAt, res.status]).toEqual([startsAt, listed.includes(startsAt) ? 200 : 409]);
      }
      const [row] = await t.db.query(`SELECT starts_at FROM bookings WHERE id = $1`, [id]);
      expect(row.starts_at.toISOString()).toBe(at2('09:00'));
    });
  });
});
