import { SchedulerRegistry } from '@nestjs/schedule';
import { DateTime } from 'luxon';
import pg from 'pg';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { type FeedEventSpec, googleFeed } from './support/feed-server.js';
import { daysFromNow, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { IcsServer } from './support/ics-server.js';

/**
 * `rep_calendar_busy`, the per-rep copy of calendar busy time the slot search reads, is kept by triggers on
 * calendar_events: after every kind of change (a real sync over HTTP, direct updates of times and flags, a
 * customer call opened and closed through the API, deletes, a connection removed, a rep deactivated or
 * deleted, two transactions at once) the copy equals a recomputation from calendar_events.
 */

type Copy = Record<string, number[]>;

describe('rep_calendar_busy follows calendar_events (real PostgreSQL triggers)', () => {
  let t: TestApp;
  const feeds = new IcsServer();
  let periodId: string;
  const base = DateTime.utc().plus({ days: 3 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  const ev = (uid: string, startHours: number, extra: Partial<FeedEventSpec> = {}): FeedEventSpec => ({
    uid,
    start: base.plus({ hours: startHours }),
    end: base.plus({ hours: startHours + 1 }),
    summary: uid,
    ...extra,
  });

  /** The copy as stored. */
  const copy = async (): Promise<Copy> =>
    Object.fromEntries(((await t.db.query(`SELECT rep_id, minutes FROM rep_calendar_busy ORDER BY rep_id`)) as { rep_id: string; minutes: number[] }[]).map((r) => [r.rep_id, r.minutes]));

  /** The copy as it should be, computed here from calendar_events (sorted by start, then end). */
  async function expected(): Promise<Copy> {
    const rows: { rep_id: string; starts_at: Date; ends_at: Date }[] = await t.db.query(`SELECT rep_id, starts_at, ends_at FROM calendar_events WHERE busy AND opened_at IS NULL`);
    const by: Record<string, [number, number][]> = {};
    for (const r of rows) (by[r.rep_id] ??= []).push([Math.floor(r.starts_at.getTime() / 60_000), Math.ceil(r.ends_at.getTime() / 60_000)]);
    return Object.fromEntries(
      Object.entries(by)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([rep, list]) => [rep, list.sort((x, y) => x[0] - y[0] || x[1] - y[1]).flat()]),
    );
  }
  async function expectInStep(): Promise<Copy> {
    const want = await expected();
    expect(await copy()).toEqual(want);
    return want;
  }
  const minutesOf = (iso: DateTime) => Math.floor(iso.toMillis() / 60_000);

  async function newRep(): Promise<Person> {
    const rep = await makeUser(t, ['rep']);
    await rosterRep(t, periodId, rep);
    return rep;
  }
  async function connect(rep: Person, path: string, events: FeedEventSpec[]): Promise<string> {
    feeds.set(path, googleFeed(rep.email, events));
    const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(rep.token)).send({ kind: 'ics', url: feeds.url + path });
    if (res.status !== 201) throw new Error(`connect: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }
  const resync = async (rep: Person, id: string, path: string, events: FeedEventSpec[]) => {
    feeds.set(path, googleFeed(rep.email, events));
    await t.http.post(`/api/v1/calendar-connections/${id}/sync`).set(bearer(rep.token)).expect(200);
  };
  const eventId = async (connectionId: string, uid: string): Promise<string> =>
    (await t.db.query(`SELECT id FROM calendar_events WHERE connection_id = $1 AND uid = $2`, [connectionId, uid]))[0].id;

  beforeAll(async () => {
    await feeds.start();
    t = await startTestApp();
    t.app.get(SchedulerRegistry).getCronJob('calendar-sync').stop();
    const programId = await makeProgram(t, { minNoticeHours: 0, horizonDays: 28 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(60));
  });
  afterAll(async () => {
    await t?.close();
    await feeds.stop();
  });

  it('holds nothing for a rep without busy events, and the sorted minutes of a synced calendar', async () => {
    const rep = await newRep();
    const empty = await connect(rep, '/busy-copy/empty.ics', [ev('free', 0, { transparent: true })]);
    expect((await expectInStep())[rep.id]).toBeUndefined();
    await t.http.delete(`/api/v1/calendar-connections/${empty}`).set(bearer(rep.token)).expect(204);

    const path = '/busy-copy/first.ics';
    await connect(rep, path, [ev('c', 5), ev('a', 0), ev('b', 2), ev('free', 3, { transparent: true })]);
    const want = await expectInStep();
    // Sorted by start, start/end pairs in epoch minutes.
    expect(want[rep.id]).toEqual([0, 1, 2, 3, 5, 6].map((h) => minutesOf(base.plus({ hours: h }))));
  });

  it('follows a sync that moves, adds, frees and drops events, and one that changes nothing', async () => {
    const rep = await newRep();
    const other = await newRep();
    const path = '/busy-copy/sync.ics';
    const id = await connect(rep, path, [ev('a', 0), ev('b', 2), ev('c', 4)]);
    await connect(other, '/busy-copy/other.ics', [ev('x', 1)]);
    const before = await expectInStep();

    await resync(rep, id, path, [ev('a', 1), ev('b', 2, { transparent: true }), ev('d', 7)]);
    const after = await expectInStep();
    expect(after[rep.id]).toEqual([1, 2, 7, 8].map((h) => minutesOf(base.plus({ hours: h }))));
    expect(after[other.id]).toEqual(before[other.id]);

    // The same feed again: the upsert rewrites rows, the copy stays what it was.
    await resync(rep, id, path, [ev('a', 1), ev('b', 2, { transparent: true }), ev('d', 7)]);
    expect(await expectInStep()).toEqual(after);

    // Everything gone from the feed (a feed that really became empty keeps a calendar with no events).
    await resync(rep, id, path, []);
    expect((await expectInStep())[rep.id]).toBeUndefined();
  });

  it('follows direct updates of times, busy flips, several reps in one statement, odd seconds, and deletes', async () => {
    const rep = await newRep();
    const rep2 = await newRep();
    const id = await connect(rep, '/busy-copy/direct.ics', [ev('a', 0), ev('b', 2), ev('c', 4)]);
    const id2 = await connect(rep2, '/busy-copy/direct2.ics', [ev('p', 0), ev('q', 3)]);
    await expectInStep();

    await t.db.query(`UPDATE calendar_events SET starts_at = starts_at + interval '30 minutes 10 seconds', ends_at = ends_at + interval '50 minutes 1 second' WHERE connection_id = $1 AND uid = 'a'`, [id]);
    const moved = await expectInStep();
    // Start rounded down, end rounded up.
    expect(moved[rep.id].slice(0, 2)).toEqual([minutesOf(base.plus({ minutes: 30 })), minutesOf(base.plus({ minutes: 111 }))]);

    await t.db.query(`UPDATE calendar_events SET busy = false WHERE connection_id = $1 AND uid = 'b'`, [id]);
    await expectInStep();
    await t.db.query(`UPDATE calendar_events SET busy = true WHERE connection_id = $1 AND uid = 'b'`, [id]);
    await expectInStep();
    // One statement over both reps.
    await t.db.query(`UPDATE calendar_events SET starts_at = starts_at - interval '1 hour' WHERE connection_id = ANY($1::uuid[]) AND uid IN ('c', 'q')`, [[id, id2]]);
    await expectInStep();
    await t.db.query(`UPDATE calendar_events SET busy = NOT busy WHERE connection_id = ANY($1::uuid[])`, [[id, id2]]);
    expect((await expectInStep())[rep.id]).toBeUndefined();
    await t.db.query(`UPDATE calendar_events SET busy = true WHERE connection_id = ANY($1::uuid[])`, [[id, id2]]);
    await expectInStep();
    await t.db.query(`DELETE FROM calendar_events WHERE connection_id = $1 AND uid IN ('a', 'c')`, [id]);
    expect((await expectInStep())[rep.id]).toHaveLength(2);
    await t.db.query(`DELETE FROM calendar_events WHERE connection_id = ANY($1::uuid[])`, [[id, id2]]);
    const none = await expectInStep();
    expect(none[rep.id]).toBeUndefined();
    expect(none[rep2.id]).toBeUndefined();
  });

  it('leaves a customer call out while it is open and takes it back when closed (through the API)', async () => {
    const rep = await newRep();
    const id = await connect(rep, '/busy-copy/calls.ics', [ev('internal', 0), ev('call', 2, { organizer: rep.email, attendees: ['buyer@customer.example.org'] })]);
    const withCall = await expectInStep();
    expect(withCall[rep.id]).toHaveLength(4);
    const call = await eventId(id, 'call');

    await t.http.post(`/api/v1/customer-calls/${call}/open`).set(bearer(rep.token)).send({ label: 'Demo' }).expect(200);
    const opened = await expectInStep();
    expect(opened[rep.id]).toEqual([0, 1].map((h) => minutesOf(base.plus({ hours: h }))));

    await t.http.post(`/api/v1/customer-calls/${call}/close`).set(bearer(rep.token)).send({}).expect(200);
    expect(await expectInStep()).toEqual(withCall);
  });

  it('drops the rep’s busy time with a disconnected calendar, keeps another connection’s, and on deactivation and deletion', async () => {
    const rep = await newRep();
    const first = await connect(rep, '/busy-copy/one.ics', [ev('a', 0)]);
    await connect(rep, '/busy-copy/two.ics', [ev('b', 2)]);
    expect((await expectInStep())[rep.id]).toHaveLength(4);

    await t.http.delete(`/api/v1/calendar-connections/${first}`).set(bearer(rep.token)).expect(204);
    expect((await expectInStep())[rep.id]).toEqual([2, 3].map((h) => minutesOf(base.plus({ hours: h }))));

    // Deactivation deletes the connections (revokeCredentials), and with them the events.
    await t.http.patch(`/api/v1/users/${rep.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
    expect((await expectInStep())[rep.id]).toBeUndefined();

    // A user deleted outright with two calendars: the cascades to events, connections and the copy agree.
    const gone = await newRep();
    await connect(gone, '/busy-copy/gone1.ics', [ev('a', 0)]);
    await connect(gone, '/busy-copy/gone2.ics', [ev('b', 2)]);
    expect((await expectInStep())[gone.id]).toHaveLength(4);
    await t.db.query(`DELETE FROM audit_log WHERE actor_id = $1`, [gone.id]);
    await t.db.query(`DELETE FROM roster_entries WHERE rep_id = $1`, [gone.id]);
    await t.db.query(`DELETE FROM users WHERE id = $1`, [gone.id]);
    expect((await expectInStep())[gone.id]).toBeUndefined();
  });

  it('stays right when two transactions change the same rep’s events at once', async () => {
    const rep = await newRep();
    const id = await connect(rep, '/busy-copy/race.ics', [ev('a', 0), ev('b', 2)]);
    await expectInStep();
    const url = t.database.url;
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await a.connect();
    await b.connect();
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query(`UPDATE calendar_events SET starts_at = starts_at + interval '15 minutes' WHERE connection_id = $1 AND uid = 'a'`, [id]);
      // b's statement runs, then its trigger waits for a's lock on the rep; it must see a's change once a commits.
      const bDone = b.query(`UPDATE calendar_events SET busy = false WHERE connection_id = $1 AND uid = 'b'`, [id]);
      await new Promise((r) => setTimeout(r, 200));
      await a.query('COMMIT');
      await bDone;
      await b.query('COMMIT');
    } finally {
      await a.end();
      await b.end();
    }
    expect((await expectInStep())[rep.id]).toEqual([minutesOf(base.plus({ minutes: 15 })), minutesOf(base.plus({ hours: 1 }))]);
  });
});
