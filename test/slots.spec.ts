import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, nextDstChange, Person, rosterRep } from './support/fixtures.js';

interface SlotOut {
  repId: string;
  startsAt: string;
  endsAt: string;
  localStart: string;
  capacityLeft: number;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
}

const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));
const plusDays = (date: string, n: number) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: n }).toISODate()!;

describe('availability and slot search (HTTP, time zones, DST)', () => {
  let t: TestApp;
  let programId: string;
  let periodId: string;
  let marketer: Person;

  async function rep(zone: string, weekly: { weekday: number; start: string; end: string }[], period = periodId): Promise<Person> {
    const r = await makeUser(t, ['rep'], zone);
    await rosterRep(t, period, r);
    await t.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(r.token)).send({ timeZone: zone, weekly }).expect(200);
    return r;
  }

  /** Every slot of the search, following nextCursor page after page. */
  async function slots(params: Record<string, string>, token = t.adminToken, status = 200): Promise<SlotOut[]> {
    const all: SlotOut[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.http.get('/api/v1/slots').query(cursor ? { ...params, cursor } : params).set(bearer(token));
      if (res.status !== status) throw new Error(`GET /slots ${JSON.stringify(params)}: ${res.status} ${JSON.stringify(res.body)}`);
      if (status !== 200) return [];
      all.push(...(res.body.slots as SlotOut[]));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    return all;
  }

  const byLocalDate = (list: SlotOut[]) => {
    const out: Record<string, SlotOut[]> = {};
    for (const s of list) (out[s.localStart.slice(0, 10)] ??= []).push(s);
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp();
    programId = await makeProgram(t, { minNoticeHours: 0, horizonDays: 420, repWeeklyCap: 100, sameRepLimit: 100, quota: 500 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(400));
    marketer = await makeUser(t, ['marketer'], 'Europe/Berlin');
    await enrol(t, periodId, marketer);
  });
  afterAll(() => t.close());

  describe.each([
    ['America/New_York', 'forward', -5, -4],
    ['America/New_York', 'back', -4, -5],
    ['Europe/London', 'forward', 0, 1],
    ['Europe/London', 'back', 1, 0],
  ] as const)('%s on the day clocks go %s', (zone, direction, offsetBefore, offsetAfter) => {
    it('keeps a 09:00-17:00 window at 09:00-17:00 local, so its UTC instants move by the hour', async () => {
      const r = await rep(zone, ALL_DAYS('09:00', '17:00'));
      const d = nextDstChange(zone, direction);
      const list = await slots({ periodId, repId: r.id, from: plusDays(d, -1), to: plusDays(d, 1), timeZone: zone });
      const days = byLocalDate(list);
      expect(Object.keys(days)).toEqual([plusDays(d, -1), d, plusDays(d, 1)]);
      for (const [date, daySlots] of Object.entries(days)) {
        expect(daySlots).toHaveLength(30); // 09:00 … 16:15, 45 minutes each, on the 15-minute grid
        expect(daySlots[0].localStart.slice(11, 19)).toBe('09:00:00');
        expect(daySlots.at(-1)!.localStart.slice(11, 19)).toBe('16:15:00');
        const offset = date < d ? offsetBefore : offsetAfter;
        const expectedUtcHour = String(9 - offset).padStart(2, '0');
        expect(daySlots[0].startsAt).toBe(`${date}T${expectedUtcHour}:00:00.000Z`);
        expect(daySlots.at(-1)!.endsAt).toBe(`${date}T${String(17 - offset).padStart(2, '0')}:00:00.000Z`);
      }
    });
  });

  it('offers only real local times in a 01:30-03:30 window on a spring-forward day', async () => {
    const zone = 'America/New_York';
    const r = await rep(zone, []);
    const d = nextDstChange(zone, 'forward');
    await t.http.put(`/api/v1/reps/${r.id}/overrides/${d}`).set(bearer(r.token)).send({ windows: [{ start: '01:30', end: '03:30' }] }).expect(200);
    const list = await slots({ periodId, repId: r.id, from: d, to: d, timeZone: zone });
    // 01:30 EST (06:30Z) to 03:30 EDT (07:30Z) is one real hour: two 45-minute slots fit.
    expect(list.map((s) => s.startsAt)).toEqual([`${d}T06:30:00.000Z`, `${d}T06:45:00.000Z`]);
    expect(list.map((s) => s.localStart)).toEqual([`${d}T01:30:00-05:00`, `${d}T01:45:00-05:00`]);
    expect(list.every((s) => !/T02:/.test(s.localStart))).toBe(true);
  });

  it('offers the repeated hour of a fall-back day at distinct instants, never the same instant twice', async () => {
    const zone = 'America/New_York';
    const r = await rep(zone, []);
    const d = nextDstChange(zone, 'back');
    await t.http.put(`/api/v1/reps/${r.id}/overrides/${d}`).set(bearer(r.token)).send({ windows: [{ start: '00:30', end: '02:30' }] }).expect(200);
    const list = await slots({ periodId, repId: r.id, from: d, to: d, timeZone: zone });
    // 00:30 EDT (04:30Z) to 02:30 EST (07:30Z) is three real hours.
    const starts = list.map((s) => s.startsAt);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts[0]).toBe(`${d}T04:30:00.000Z`);
    expect(starts.at(-1)).toBe(`${d}T06:45:00.000Z`);
    expect(starts).toHaveLength(10);
    const locals = list.map((s) => s.localStart);
    expect(locals).toEqual(expect.arrayContaining([`${d}T01:15:00-04:00`, `${d}T01:15:00-05:00`]));
  });

  it('follows Australia/Sydney’s southern-hemisphere change, shown in the viewer’s zone', async () => {
    const zone = 'Australia/Sydney';
    const r = await rep(zone, ALL_DAYS('09:00', '12:00'));
    const d = nextDstChange(zone, 'forward'); // October: +10:00 → +11:00
    const list = await slots({ periodId, repId: r.id, from: plusDays(d, -1), to: plusDays(d, 1), timeZone: zone });
    const days = byLocalDate(list);
    expect(days[plusDays(d, -1)][0]).toMatchObject({ startsAt: `${plusDays(d, -2)}T23:00:00.000Z`, localStart: `${plusDays(d, -1)}T09:00:00+10:00` });
    expect(days[d][0]).toMatchObject({ startsAt: `${plusDays(d, -1)}T22:00:00.000Z`, localStart: `${d}T09:00:00+11:00` });
    // The marketer in Berlin sees the same instants in their own zone (the default): midnight, CEST.
    const seen = await slots({ periodId, repId: r.id, from: plusDays(d, -2), to: plusDays(d, 1) }, marketer.token);
    const same = seen.find((s) => s.startsAt === `${plusDays(d, -1)}T22:00:00.000Z`)!;
    expect(same.localStart).toBe(DateTime.fromISO(`${plusDays(d, -1)}T22:00:00Z`).setZone('Europe/Berlin').toISO({ suppressMilliseconds: true }));
    expect(same.localStart).toBe(`${d}T00:00:00+02:00`);
  });

  it.each([
    ['Asia/Kolkata', '+05:30', ['03:30', '03:45']],
    ['Asia/Kathmandu', '+05:45', ['03:15', '03:30']],
  ])('aligns %s slots to its own wall clock', async (zone, offset, utcTimes) => {
    const r = await rep(zone, ALL_DAYS('09:00', '10:00'));
    const day = daysFromNow(10, zone);
    const list = await slots({ periodId, repId: r.id, from: day, to: day, timeZone: zone });
    expect(list.map((s) => s.startsAt)).toEqual(utcTimes.map((hm) => `${day}T${hm}:00.000Z`));
    expect(list.map((s) => s.localStart)).toEqual([`${day}T09:00:00${offset}`, `${day}T09:15:00${offset}`]);
  });

  it('answers a from/to given as instants that span a DST change', async () => {
    const zone = 'America/New_York';
    const r = await rep(zone, ALL_DAYS('09:00', '17:00'));
    const d = nextDstChange(zone, 'forward');
    const list = await slots({ periodId, repId: r.id, from: `${plusDays(d, -2)}T00:00:00-05:00`, to: `${plusDays(d, 2)}T00:00:00-04:00`, timeZone: zone });
    const days = byLocalDate(list);
    expect(Object.keys(days)).toEqual([plusDays(d, -2), plusDays(d, -1), d, plusDays(d, 1)]);
    expect(Object.values(days).map((x) => x.length)).toEqual([30, 30, 30, 30]);
    expect(days[plusDays(d, -1)][0].startsAt.slice(11, 16)).toBe('14:00');
    expect(days[plusDays(d, 1)][0].startsAt.slice(11, 16)).toBe('13:00');
  });

  it('offers slots across local midnight when windows meet there (22:00-24:00 and 00:00-02:00)', async () => {
    const zone = 'America/Chicago';
    const r = await rep(zone, [
      { weekday: 5, start: '22:00', end: '24:00' },
      { weekday: 6, start: '00:00', end: '02:00' },
    ]);
    let friday = DateTime.now().setZone(zone).plus({ days: 3 });
    while (friday.weekday !== 5) friday = friday.plus({ days: 1 });
    const f = friday.toISODate()!;
    const list = await slots({ periodId, repId: r.id, from: f, to: plusDays(f, 1), timeZone: zone });
    const locals = list.map((s) => s.localStart.slice(0, 16));
    expect(locals[0]).toBe(`${f}T22:00`);
    expect(locals.at(-1)).toBe(`${plusDays(f, 1)}T01:15`);
    expect(locals).toContain(`${f}T23:30`); // 23:30-00:15 crosses midnight
    expect(list).toHaveLength(14);
  });

  it('uses per-date overrides that replace or block a day, with their labels', async () => {
    const zone = 'Europe/Madrid';
    const r = await rep(zone, ALL_DAYS('09:00', '11:00'));
    const day = daysFromNow(12, zone);
    const blocked = plusDays(day, 1);
    await t.http
      .put(`/api/v1/reps/${r.id}/overrides/${day}`)
      .set(bearer(r.token))
      .send({ windows: [{ start: '14:00', end: '15:00', label: 'Renewals', callType: 'renewal', marketingSourced: true }] })
      .expect(200);
    await t.http.put(`/api/v1/reps/${r.id}/overrides/${blocked}`).set(bearer(r.token)).send({ windows: [] }).expect(200);
    const days = byLocalDate(await slots({ periodId, repId: r.id, from: day, to: plusDays(day, 2), timeZone: zone }));
    expect(days[day].map((s) => s.localStart.slice(11, 16))).toEqual(['14:00', '14:15']);
    expect(days[day][0]).toMatchObject({ label: 'Renewals', callType: 'renewal', marketingSourced: true });
    expect(days[blocked]).toBeUndefined();
    expect(days[plusDays(day, 2)]).toHaveLength(6);
    const filtered = await slots({ periodId, repId: r.id, from: day, to: plusDays(day, 2), timeZone: zone, marketingSourced: 'true' });
    expect(filtered).toHaveLength(2);
    expect(await slots({ periodId, repId: r.id, from: day, to: plusDays(day, 2), callType: 'renewal' })).toHaveLength(2);
    // Removing the override brings the weekly windows back.
    await t.http.delete(`/api/v1/reps/${r.id}/overrides/${blocked}`).set(bearer(r.token)).expect(204);
    expect(byLocalDate(await slots({ periodId, repId: r.id, from: blocked, to: blocked, timeZone: zone }))[blocked]).toHaveLength(6);
  });

  it('lists only reps whose roster entry is active', async () => {
    const invited = await makeUser(t, ['rep'], 'UTC');
    await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: invited.id }).expect(201);
    await t.http.put(`/api/v1/reps/${invited.id}/availability`).set(bearer(invited.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '17:00') }).expect(200);
    const day = daysFromNow(5);
    expect(await slots({ periodId, repId: invited.id, from: day, to: day })).toEqual([]);
    const removed = await rep('UTC', ALL_DAYS('09:00', '17:00'));
    expect((await slots({ periodId, repId: removed.id, from: day, to: day })).length).toBe(30);
    const [entry] = (await t.http.get(`/api/v1/roster?mine=true&periodId=${periodId}`).set(bearer(removed.token))).body.entries;
    await t.http.patch(`/api/v1/roster/${entry.id}`).set(bearer(t.adminToken)).send({ status: 'removed' }).expect(200);
    expect(await slots({ periodId, repId: removed.id, from: day, to: day })).toEqual([]);
  });

  describe('busy time, caps and the marketer’s own commitments', () => {
    let p2: string;
    let day: string;
    let a: Person;
    let b: Person;
    let m2: Person;
    const at = (hm: string, d = day) => `${d}T${hm}:00.000Z`;

    beforeAll(async () => {
      const prog = await makeProgram(t, { minNoticeHours: 0, horizonDays: 60, seatsPerCall: 2, repWeeklyCap: 3, sameRepLimit: 2, quota: 3 });
      p2 = await makePeriod(t, prog, daysFromNow(0), daysFromNow(60));
      a = await rep('UTC', ALL_DAYS('09:00', '12:00'), p2);
      b = await rep('UTC', ALL_DAYS('09:00', '12:00'), p2);
      m2 = await makeUser(t, ['marketer'], 'UTC');
      await enrol(t, p2, m2);
      // A Monday two weeks out, so the whole rep week is in the future.
      let d = DateTime.utc().plus({ days: 14 });
      while (d.weekday !== 1) d = d.plus({ days: 1 });
      day = d.toISODate()!;
    });

    it('subtracts calls: joins the same call while seats last, blocks overlapping starts, ignores cancelled ones', async () => {
      const other = await makeUser(t, ['marketer']);
      await insertBooking(t, { periodId: p2, repId: a.id, marketerId: other.id, startsAt: at('09:00'), endsAt: at('09:45') });
      await insertBooking(t, { periodId: p2, repId: a.id, marketerId: other.id, startsAt: at('11:00'), endsAt: at('11:45'), status: 'cancelled' });
      const list = await slots({ periodId: p2, repId: a.id, from: day, to: day });
      expect(list.map((s) => [s.startsAt.slice(11, 16), s.capacityLeft])).toEqual([
        ['09:00', 1],
        ['09:45', 2],
        ['10:00', 2],
        ['10:15', 2],
        ['10:30', 2],
        ['10:45', 2],
        ['11:00', 2],
        ['11:15', 2],
      ]);
    });

    it('stops new calls once the rep’s week holds repWeeklyCap calls, but lets people join them', async () => {
      const other = await makeUser(t, ['marketer']);
      const nextWeek = plusDays(day, 7);
      for (const d of [nextWeek, plusDays(nextWeek, 1), plusDays(nextWeek, 2)]) {
        await insertBooking(t, { periodId: p2, repId: b.id, marketerId: other.id, startsAt: at('09:00', d), endsAt: at('09:45', d) });
      }
      const week = await slots({ periodId: p2, repId: b.id, from: nextWeek, to: plusDays(nextWeek, 6) });
      expect(week.map((s) => s.startsAt)).toEqual([at('09:00', nextWeek), at('09:00', plusDays(nextWeek, 1)), at('09:00', plusDays(nextWeek, 2))]);
      expect(week.every((s) => s.capacityLeft === 1)).toBe(true);
      const following = await slots({ periodId: p2, repId: b.id, from: plusDays(nextWeek, 7), to: plusDays(nextWeek, 7) });
      expect(following).toHaveLength(10); // 09:00 … 11:15
    });

    it('hides times the marketer is busy, the rep they reached the same-rep limit with, and everything at the quota', async () => {
      const d = plusDays(day, 21);
      const before = await slots({ periodId: p2, from: d, to: d }, m2.token);
      expect(before.filter((s) => s.repId === a.id)).toHaveLength(10);
      await insertBooking(t, { periodId: p2, repId: b.id, marketerId: m2.id, startsAt: at('10:00', d), endsAt: at('10:45', d) });
      const busy = await slots({ periodId: p2, from: d, to: d }, m2.token);
      const aTimes = busy.filter((s) => s.repId === a.id).map((s) => s.startsAt.slice(11, 16));
      expect(aTimes).toEqual(['09:00', '09:15', '10:45', '11:00', '11:15']);
      // The lifecycle team without marketerId sees the rep's own view; with it, the marketer's.
      expect((await slots({ periodId: p2, repId: a.id, from: d, to: d })).length).toBe(10);
      expect((await slots({ periodId: p2, repId: a.id, from: d, to: d, marketerId: m2.id })).length).toBe(5);

      await insertBooking(t, { periodId: p2, repId: b.id, marketerId: m2.id, startsAt: at('09:00', plusDays(d, 1)), endsAt: at('09:45', plusDays(d, 1)) });
      const limited = await slots({ periodId: p2, from: plusDays(d, 2), to: plusDays(d, 2) }, m2.token);
      expect(limited.some((s) => s.repId === b.id)).toBe(false); // sameRepLimit 2 reached with b
      expect(limited.some((s) => s.repId === a.id)).toBe(true);

      await insertBooking(t, { periodId: p2, repId: a.id, marketerId: m2.id, startsAt: at('09:00', plusDays(d, 3)), endsAt: at('09:45', plusDays(d, 3)) });
      const res = await t.http.get('/api/v1/slots').query({ periodId: p2, from: plusDays(d, 4), to: plusDays(d, 4) }).set(bearer(m2.token)).expect(200);
      expect(res.body.marketer).toEqual({ marketerId: m2.id, enrolled: true, quota: 3, booked: 3, quotaReached: true });
      expect(res.body.slots).toEqual([]);
    });

    it('shows a marketer who is not enrolled why there is nothing to book', async () => {
      const stranger = await makeUser(t, ['marketer']);
      const res = await t.http.get('/api/v1/slots').query({ periodId: p2, from: day, to: day }).set(bearer(stranger.token)).expect(200);
      expect(res.body.marketer).toMatchObject({ enrolled: false });
      expect(res.body.slots).toEqual([]);
    });

    it('applies the notice and the horizon to the clock', async () => {
      const prog = await makeProgram(t, { minNoticeHours: 48, horizonDays: 4 });
      const p = await makePeriod(t, prog, daysFromNow(-1), daysFromNow(30));
      const r = await rep('UTC', ALL_DAYS('00:00', '24:00'), p);
      const list = await slots({ periodId: p, repId: r.id, from: daysFromNow(0), to: daysFromNow(8) });
      const now = Date.now();
      const first = Date.parse(list[0].startsAt);
      const last = Date.parse(list.at(-1)!.startsAt);
      expect(first).toBeGreaterThanOrEqual(now + 48 * 3600_000 - 60_000);
      expect(first).toBeLessThan(now + 48 * 3600_000 + 16 * 60_000);
      expect(last).toBeLessThan(now + 4 * 86_400_000);
      expect(last).toBeGreaterThan(now + 4 * 86_400_000 - 16 * 60_000);
    });

    it('stays inside the period’s dates, read in the program’s zone', async () => {
      const prog = await makeProgram(t, { minNoticeHours: 0, horizonDays: 60 }, 'Asia/Tokyo');
      const start = daysFromNow(10, 'Asia/Tokyo');
      const p = await makePeriod(t, prog, start, start);
      const r = await rep('UTC', ALL_DAYS('00:00', '24:00'), p);
      const list = await slots({ periodId: p, repId: r.id, from: plusDays(start, -2), to: plusDays(start, 2) });
      // Tokyo's day runs 15:00Z the day before to 15:00Z.
      expect(list[0].startsAt).toBe(`${plusDays(start, -1)}T15:00:00.000Z`);
      expect(list.at(-1)!.endsAt).toBe(`${start}T15:00:00.000Z`);
    });
  });

  describe('who may search, and bad queries', () => {
    it('lets any user search; only the lifecycle team may name another marketer', async () => {
      const r = await makeUser(t, ['rep']);
      const day = daysFromNow(5);
      await slots({ periodId, from: day, to: day }, r.token);
      const other = await makeUser(t, ['marketer']);
      const res = await t.http.get('/api/v1/slots').query({ periodId, from: day, to: day, marketerId: other.id }).set(bearer(marketer.token)).expect(403);
      expect(res.body.code).toBe('forbidden');
      await slots({ periodId, from: day, to: day, marketerId: other.id });
      await t.http.get('/api/v1/slots').query({ periodId, from: day, to: day }).expect(401);
    });

    it.each([
      [{ from: 'd0', to: 'd1' }, 'periodId'],
      [{ periodId: 'P', from: 'yesterday', to: 'd1' }, 'from'],
      [{ periodId: 'P', from: 'd0', to: '2027-13-40' }, 'to'],
      [{ periodId: 'P', from: 'd1', to: 'd0x' }, 'to'],
      [{ periodId: 'P', from: 'd0', to: 'd200' }, 'to'],
      [{ periodId: 'P', from: 'd0', to: 'd1', timeZone: 'Moon/Base' }, 'timeZone'],
      [{ periodId: 'P', from: 'd0', to: 'd1', repId: 'abc' }, 'repId'],
      [{ periodId: 'P', from: 'd0', to: 'd1', marketingSourced: 'maybe' }, 'marketingSourced'],
      [{ periodId: 'P', from: 'd0', to: 'd1', extra: '1' }, 'extra'],
    ])('answers 400 naming the field for %j', async (raw, field) => {
      const map: Record<string, string> = { P: periodId, d0: daysFromNow(2), d1: daysFromNow(3), d0x: daysFromNow(1), d200: daysFromNow(200) };
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, map[v] ?? v]));
      const res = await t.http.get('/api/v1/slots').query(params).set(bearer(t.adminToken)).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it('answers 404 for an unknown period', async () => {
      await t.http.get('/api/v1/slots').query({ periodId: '00000000-0000-4000-8000-000000000000', from: daysFromNow(2), to: daysFromNow(3) }).set(bearer(t.adminToken)).expect(404);
    });
  });

  describe('publishing availability', () => {
    let r: Person;
    const stored = async () => (await t.db.query(`SELECT time_zone, weekly FROM availability WHERE rep_id = $1`, [r.id]))[0];
    const storedOverrides = async () => t.db.query(`SELECT on_date, windows FROM availability_overrides WHERE rep_id = $1 ORDER BY on_date`, [r.id]);

    beforeAll(async () => {
      r = await rep('Europe/London', [{ weekday: 2, start: '09:00', end: '12:00' }]);
    });

    it('lets the rep and the lifecycle team replace the weekly windows; not other users', async () => {
      const res = await t.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(t.adminToken)).send({ timeZone: 'Europe/Dublin', weekly: [{ weekday: 3, start: '13:00', end: '15:00', callType: 'demo' }] }).expect(200);
      expect(res.body).toMatchObject({ repId: r.id, timeZone: 'Europe/Dublin', weekly: [{ weekday: 3, start: '13:00', end: '15:00', callType: 'demo' }] });
      const before = await stored();
      const otherRep = await makeUser(t, ['rep']);
      await t.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(otherRep.token)).send({ timeZone: 'UTC', weekly: [] }).expect(403);
      await t.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(marketer.token)).send({ timeZone: 'UTC', weekly: [] }).expect(403);
      await t.http.put(`/api/v1/reps/${marketer.id}/availability`).set(bearer(t.adminToken)).send({ timeZone: 'UTC', weekly: [] }).expect(400);
      expect(await stored()).toEqual(before);
      const read = await t.http.get(`/api/v1/reps/${r.id}/availability`).set(bearer(r.token)).expect(200);
      expect(read.body.timeZone).toBe('Europe/Dublin');
    });

    it.each([
      [{ timeZone: 'Europe/London', weekly: [{ weekday: 1, start: '24:30', end: '25:00' }] }, 'weekly[0].start'],
      [{ timeZone: 'Europe/London', weekly: [{ weekday: 1, start: '09:00', end: '24:30' }] }, 'weekly[0].end'],
      [{ timeZone: 'Europe/London', weekly: [{ weekday: 1, start: '9:00', end: '10:00' }] }, 'weekly[0].start'],
      [{ timeZone: 'Europe/London', weekly: [{ weekday: 1, start: '12:00', end: '09:00' }] }, 'weekly[0].end'],
      [{ timeZone: 'Europe/London', weekly: [{ weekday: 1, start: '09:00', end: '12:00' }, { weekday: 1, start: '11:00', end: '13:00' }] }, 'weekly[1]'],
      [{ timeZone: 'Europe/London', weekly: [{ weekday: 8, start: '09:00', end: '12:00' }] }, 'weekly[0].weekday'],
      [{ timeZone: 'London', weekly: [] }, 'timeZone'],
      [{ timeZone: 'Europe/London', weekly: [{ weekday: 1, start: '09:00', end: '12:00', colour: 'red' }] }, 'weekly[0].colour'],
      [{ timeZone: 'Europe/London' }, 'weekly'],
    ])('answers 400 naming the field for %j, and changes nothing', async (body, field) => {
      const before = await stored();
      const res = await t.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(r.token)).send(body).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await stored()).toEqual(before);
    });

    it.each([
      ['a date outside every period of the rep', () => daysFromNow(500), { windows: [] }, 'date'],
      ['an impossible date', () => '2027-02-30', { windows: [] }, 'date'],
      ['a date in another format', () => '14-03-2027', { windows: [] }, 'date'],
      ['overlapping windows', () => daysFromNow(9), { windows: [{ start: '09:00', end: '10:00' }, { start: '09:30', end: '11:00' }] }, 'windows[1]'],
      ['an inverted window', () => daysFromNow(9), { windows: [{ start: '10:00', end: '09:00' }] }, 'windows[0].end'],
      ['no windows list', () => daysFromNow(9), {}, 'windows'],
    ])('refuses an override with %s (400 naming the field), changing nothing', async (_, date, body, field) => {
      const before = await storedOverrides();
      const res = await t.http.put(`/api/v1/reps/${r.id}/overrides/${date()}`).set(bearer(r.token)).send(body).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await storedOverrides()).toEqual(before);
    });
  });
});
