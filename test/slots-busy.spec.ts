import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';

interface SlotOut {
  repId: string;
  startsAt: string;
  endsAt: string;
  capacityLeft: number;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
  customerCallId?: string;
}

const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));

/**
 * Calendar rows straight into the tables the sync fills (the slot search's seam): a connection of the rep and
 * its event instances. `opened` marks a customer call the rep opened, with its label, call type and lead flag.
 */
async function connectCalendar(t: TestApp, repId: string): Promise<string> {
  const [row] = await t.db.query(`INSERT INTO calendar_connections (rep_id, kind, host, secret) VALUES ($1, 'ics', 'calendar.example.net', 'v1:test') RETURNING id`, [repId]);
  return row.id;
}

async function calendarEvent(
  t: TestApp,
  connectionId: string,
  repId: string,
  e: { startsAt: string; endsAt: string; busy?: boolean; title?: string; opened?: { label?: string; callType?: string; marketingSourced?: boolean } },
): Promise<string> {
  const [row] = await t.db.query(
    `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, busy, title, attendees, opened_at, label, call_type, marketing_sourced)
     VALUES ($1, $2, gen_random_uuid() || '@calendar.example.net', $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      connectionId,
      repId,
      e.startsAt,
      e.endsAt,
      e.busy ?? true,
      e.title ?? 'Busy',
      e.opened ? ['buyer@customer.example.org'] : [],
      e.opened ? new Date().toISOString() : null,
      e.opened?.label ?? null,
      e.opened?.callType ?? null,
      e.opened?.marketingSourced ?? null,
    ],
  );
  return row.id;
}

describe('slots and bookings with the reps’ calendars (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let periodId: string;
  let rep: Person; // windows every day 09:00-17:00 UTC, and a connected calendar
  let calendarOnly: Person; // a connected calendar, no availability at all
  let connection: string;
  let marketers: Person[];
  let day: string; // ten days ahead
  const at = (hm: string, d = day) => `${d}T${hm}:00.000Z`;
  const book = (who: Person, body: Record<string, unknown>) => t.http.post('/api/v1/bookings').set(bearer(who.token)).send({ periodId, ...body });

  async function slots(params: Record<string, string>, token = t.adminToken): Promise<SlotOut[]> {
    const res = await t.http
      .get('/api/v1/slots')
      .query({ periodId, limit: '5000', ...params })
      .set(bearer(token))
      .expect(200);
    return res.body.slots as SlotOut[];
  }
  const hhmm = (list: SlotOut[]) => list.map((s) => s.startsAt.slice(11, 16));

  beforeAll(async () => {
    t = await startTestApp();
    const programId = await makeProgram(t, { minNoticeHours: 1, horizonDays: 60, seatsPerCall: 2, slotMinutes: 45, slotGridMinutes: 15, repWeeklyCap: 50, sameRepLimit: 50, quota: 50 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(80));
    rep = await makeUser(t, ['rep'], 'UTC');
    await rosterRep(t, periodId, rep);
    await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '17:00') }).expect(200);
    calendarOnly = await makeUser(t, ['rep'], 'Asia/Tokyo');
    await rosterRep(t, periodId, calendarOnly);
    marketers = [];
    for (let i = 0; i < 12; i++) {
      const m = await makeUser(t, ['marketer'], 'Europe/Berlin');
      await enrol(t, periodId, m);
      marketers.push(m);
    }
    day = DateTime.utc().plus({ days: 10 }).toISODate()!;
    connection = await connectCalendar(t, rep.id);
  });
  afterAll(() => t.close());

  it('omits every slot a busy event overlaps, partly or wholly; free and transparent events take nothing', async () => {
    const d = DateTime.fromISO(day).plus({ days: 1 }).toISODate()!;
    const before = await slots({ repId: rep.id, from: d, to: d });
    expect(before).toHaveLength(30); // 09:00 … 16:15, 45 minutes each on the 15-minute grid
    await calendarEvent(t, connection, rep.id, { startsAt: at('10:10', d), endsAt: at('11:00', d) });
    await calendarEvent(t, connection, rep.id, { startsAt: at('13:00', d), endsAt: at('14:00', d), busy: false, title: 'Lunch (free)' });
    await calendarEvent(t, connection, rep.id, { startsAt: at('16:50', d), endsAt: at('18:00', d) });
    const after = hhmm(await slots({ repId: rep.id, from: d, to: d }));
    // 09:30-10:15 … 10:45-11:30 overlap 10:10-11:00; 16:15-17:00 overlaps 16:50.
    expect(after).toEqual(hhmm(before).filter((s) => !['09:30', '09:45', '10:00', '10:15', '10:30', '10:45', '16:15'].includes(s)));
    expect(after).toContain('09:15');
    expect(after).toContain('11:00');
    expect(after).toContain('13:00');
  });

  it('a booking into busy time is refused: 409 slot_unavailable, reason rep_busy, nothing stored', async () => {
    const d = DateTime.fromISO(day).plus({ days: 2 }).toISODate()!;
    await calendarEvent(t, connection, rep.id, { startsAt: at('12:05', d), endsAt: at('12:20', d) });
    const res = await book(marketers[0], { repId: rep.id, startsAt: at('12:00', d) });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'slot_unavailable', details: { reason: 'rep_busy' } });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM bookings WHERE rep_id = $1 AND starts_at = $2`, [rep.id, at('12:00', d)]);
    expect(n).toBe(0);
    // Outside the busy time, the same rep books as before.
    expect((await book(marketers[0], { repId: rep.id, startsAt: at('12:30', d) })).status).toBe(201);
  });

  it('a rescheduled booking cannot move into busy time either', async () => {
    const d = DateTime.fromISO(day).plus({ days: 3 }).toISODate()!;
    await calendarEvent(t, connection, rep.id, { startsAt: at('15:00', d), endsAt: at('15:30', d) });
    const created = await book(marketers[1], { repId: rep.id, startsAt: at('09:00', d) });
    expect(created.status).toBe(201);
    const moved = await t.http.post(`/api/v1/bookings/${created.body.id}/reschedule`).set(bearer(marketers[1].token)).send({ startsAt: at('15:00', d) });
    expect(moved.status).toBe(409);
    expect(moved.body.details).toEqual({ reason: 'rep_busy' });
  });

  it('lists an opened customer call with its exact times and metadata (outside the windows), and books it with its end and id', async () => {
    const d = DateTime.fromISO(day).plus({ days: 4 }).toISODate()!;
    const callId = await calendarEvent(t, connection, rep.id, {
      startsAt: at('18:07', d),
      endsAt: at('19:02', d),
      title: 'Acme — pricing (Jane Buyer)',
      opened: { label: 'Pricing call', callType: 'demo', marketingSourced: true },
    });
    // A customer call that is not opened is busy time like any other event.
    await calendarEvent(t, connection, rep.id, { startsAt: at('09:00', d), endsAt: at('09:40', d), title: 'Closed customer call' });
    const list = await slots({ repId: rep.id, from: d, to: d, timeZone: 'UTC' }, marketers[2].token);
    expect(hhmm(list).slice(0, 2)).toEqual(['09:45', '10:00']);
    const call = list.filter((s) => s.customerCallId);
    expect(call).toEqual([
      {
        repId: rep.id,
        startsAt: at('18:07', d),
        endsAt: at('19:02', d),
        localStart: `${d}T18:07:00Z`,
        capacityLeft: 2,
        label: 'Pricing call',
        callType: 'demo',
        marketingSourced: true,
        customerCallId: callId,
      },
    ]);
    // The marketer never sees the title or the attendees.
    expect(JSON.stringify(list)).not.toContain('Acme');
    expect(JSON.stringify(list)).not.toContain('customer.example.org');

    const res = await book(marketers[2], { repId: rep.id, startsAt: at('18:07', d) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ startsAt: at('18:07', d), endsAt: at('19:02', d), customerCallId: callId, label: 'Pricing call', callType: 'demo', marketingSourced: true });
    const again = (await slots({ repId: rep.id, from: d, to: d })).filter((s) => s.customerCallId);
    expect(again.map((s) => s.capacityLeft)).toEqual([1]);
    expect((await book(marketers[3], { repId: rep.id, startsAt: at('18:07', d) })).status).toBe(201);
    const full = await book(marketers[4], { repId: rep.id, startsAt: at('18:07', d) });
    expect(full.status).toBe(409);
    expect(full.body.details).toEqual({ reason: 'slot_full' });
    expect((await slots({ repId: rep.id, from: d, to: d })).filter((s) => s.customerCallId)).toEqual([]);
  });

  it('moving a booking onto an opened call sets customerCallId, and moving it to a grid slot clears it', async () => {
    const d = DateTime.fromISO(day).plus({ days: 5 }).toISODate()!;
    const callId = await calendarEvent(t, connection, rep.id, { startsAt: at('07:20', d), endsAt: at('07:50', d), opened: { label: 'Early customer call' } });
    const created = await book(marketers[5], { repId: rep.id, startsAt: at('11:00', d) });
    expect(created.body.customerCallId).toBeNull();
    const onCall = await t.http.post(`/api/v1/bookings/${created.body.id}/reschedule`).set(bearer(marketers[5].token)).send({ startsAt: at('07:20', d) });
    expect(onCall.status).toBe(200);
    expect(onCall.body).toMatchObject({ startsAt: at('07:20', d), endsAt: at('07:50', d), customerCallId: callId, label: 'Early customer call' });
    const back = await t.http.post(`/api/v1/bookings/${created.body.id}/reschedule`).set(bearer(marketers[5].token)).send({ startsAt: at('14:00', d) });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ startsAt: at('14:00', d), endsAt: at('14:45', d), customerCallId: null, label: null });
  });

  it('a rep with only a connected calendar (no availability) offers their opened calls, in their own zone', async () => {
    const cc = await connectCalendar(t, calendarOnly.id);
    const d = DateTime.fromISO(day).plus({ days: 6 }).toISODate()!;
    const callId = await calendarEvent(t, cc, calendarOnly.id, { startsAt: at('01:13', d), endsAt: at('01:58', d), opened: {} });
    await calendarEvent(t, cc, calendarOnly.id, { startsAt: at('03:00', d), endsAt: at('04:00', d) });
    const list = await slots({ repId: calendarOnly.id, from: d, to: d, timeZone: 'UTC' });
    expect(list).toEqual([{ repId: calendarOnly.id, startsAt: at('01:13', d), endsAt: at('01:58', d), localStart: `${d}T01:13:00Z`, capacityLeft: 2, customerCallId: callId }]);
    const res = await book(marketers[6], { repId: calendarOnly.id, startsAt: at('01:13', d) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ endsAt: at('01:58', d), customerCallId: callId });
    // Off the call, the calendar-only rep has nothing to book.
    const off = await book(marketers[6], { repId: calendarOnly.id, startsAt: at('02:00', d) });
    expect(off.status).toBe(409);
    expect(off.body.details).toEqual({ reason: 'not_available' });
  });

  it('concurrent bookings of an opened call never take more than seatsPerCall seats', async () => {
    const d = DateTime.fromISO(day).plus({ days: 7 }).toISODate()!;
    const callId = await calendarEvent(t, connection, rep.id, { startsAt: at('20:11', d), endsAt: at('20:41', d), opened: { label: 'Race' } });
    const contenders = marketers.slice(0, 10);
    const results = await Promise.all(contenders.map((m) => book(m, { repId: rep.id, startsAt: at('20:11', d) })));
    const codes = results.map((r) => r.status).sort();
    expect(codes).toEqual([201, 201, ...Array(8).fill(409)]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'slot_unavailable')).toBe(true);
    const rows = await t.db.query(`SELECT seat, customer_call_id, ends_at FROM bookings WHERE customer_call_id = $1 AND status <> 'cancelled' ORDER BY seat`, [callId]);
    expect(rows.map((r: { seat: number }) => r.seat)).toEqual([1, 2]);
    expect(rows.every((r: { ends_at: Date }) => r.ends_at.toISOString() === at('20:41', d))).toBe(true);
  });
});
