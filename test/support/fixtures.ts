import { DateTime } from 'luxon';
import { bearer, TestApp } from './app.js';

export interface Person {
  id: string;
  token: string;
  email: string;
}

let seq = 0;

/** Creates a user through the API (as the bootstrap admin) and issues them a token. */
export async function makeUser(t: TestApp, roles: string[], timeZone = 'UTC', extra: Record<string, unknown> = {}): Promise<Person> {
  const email = `${roles.join('-')}-${++seq}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await t.http.post('/api/v1/users').set(bearer(t.adminToken)).send({ email, name: `${roles[0]} ${seq}`, timeZone, roles, ...extra });
  if (res.status !== 201) throw new Error(`makeUser: ${res.status} ${JSON.stringify(res.body)}`);
  const tok = await t.http.post(`/api/v1/users/${res.body.id}/tokens`).set(bearer(t.adminToken)).send({});
  return { id: res.body.id, token: tok.body.token, email };
}

export async function makeProgram(t: TestApp, settings: Record<string, unknown> = {}, timeZone = 'UTC', kind = 'call_shadowing'): Promise<string> {
  const res = await t.http
    .post('/api/v1/programs')
    .set(bearer(t.adminToken))
    .send({ name: `Program ${++seq}`, kind, timeZone, settings: { periodCadence: 'none', ...settings } });
  if (res.status !== 201) throw new Error(`makeProgram: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export async function makePeriod(t: TestApp, programId: string, startsOn: string, endsOn: string): Promise<string> {
  const res = await t.http.post(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).send({ startsOn, endsOn });
  if (res.status !== 201) throw new Error(`makePeriod: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Invites the rep and has them accept. */
export async function rosterRep(t: TestApp, periodId: string, rep: Person): Promise<string> {
  const inv = await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id });
  if (inv.status !== 201) throw new Error(`rosterRep: ${inv.status} ${JSON.stringify(inv.body)}`);
  const acc = await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(rep.token)).send({ status: 'active' });
  if (acc.status !== 200) throw new Error(`rosterRep accept: ${acc.status} ${JSON.stringify(acc.body)}`);
  return inv.body.id;
}

export async function enrol(t: TestApp, periodId: string, marketer: Person, quota?: number): Promise<string> {
  const res = await t.http.post(`/api/v1/periods/${periodId}/enrollments`).set(bearer(t.adminToken)).send({ marketerId: marketer.id, ...(quota !== undefined ? { quota } : {}) });
  if (res.status !== 201) throw new Error(`enrol: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A booking row straight into the table the slot search reads (the booking engine's seam). */
export async function insertBooking(t: TestApp, b: { periodId: string; repId: string; marketerId: string; startsAt: string; endsAt: string; status?: string }): Promise<string> {
  const [row] = await t.db.query(
    `INSERT INTO bookings (period_id, rep_id, marketer_id, starts_at, ends_at, status, uid)
     VALUES ($1, $2, $3, $4, $5, $6, 'booking-' || gen_random_uuid() || '@test') RETURNING id`,
    [b.periodId, b.repId, b.marketerId, b.startsAt, b.endsAt, b.status ?? 'confirmed'],
  );
  return row.id;
}

/**
 * The next local date after `after` on which `zone` changes its UTC offset in the given direction
 * (`forward`: clocks spring forward). Tests look the dates up rather than hard-coding them, so they
 * stay true whenever they run.
 */
export function nextDstChange(zone: string, direction: 'forward' | 'back', after: DateTime = DateTime.utc().plus({ days: 2 })): string {
  let day = after.setZone(zone).startOf('day');
  for (let i = 0; i < 800; i++) {
    const next = day.plus({ days: 1 });
    const delta = next.offset - day.offset;
    if ((direction === 'forward' && delta > 0) || (direction === 'back' && delta < 0)) return day.toISODate()!;
    day = next;
  }
  throw new Error(`no DST change found for ${zone}`);
}

/** The date `n` days after today in `zone`. */
export const daysFromNow = (n: number, zone = 'UTC') => DateTime.now().setZone(zone).plus({ days: n }).toISODate()!;
