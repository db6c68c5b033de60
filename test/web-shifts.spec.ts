import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { escapeHtml } from '../src/common/escape-html.js';
import { range } from '../src/web/kit/format.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';
import { webSession, WebSession } from './support/web.js';

const weekdayOf = (date: string) => DateTime.fromISO(date, { zone: 'UTC' }).weekday;

describe('web: support shifts of a marketer (real app, real PostgreSQL)', () => {
  let t: TestApp;
  let periodId: string;
  let morning: Record<number, string>;
  let marketer: Person;
  let other: Person;
  let s: WebSession;
  const zone = 'America/New_York';
  /** The shift key of the 09:00–10:00 UTC shift on a date. */
  const key = (date: string) => `${morning[weekdayOf(date)]}@${date}`;

  /** Puts a marketer on a shift through the lifecycle team's API (the swap's rules apply); returns the assignment id. */
  async function assign(who: Person, shiftKey: string): Promise<string> {
    const res = await t.http.post(`/api/v1/periods/${periodId}/shift-assignments`).set(bearer(t.adminToken)).send({ marketerId: who.id, shiftKey });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  const row = async (id: string) => (await t.db.query(`SELECT shift_key, sequence, status FROM shift_assignments WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    t = await startTestApp();
    const programId = await makeProgram(t, { onboardingShifts: 2, onboardingDays: 10 }, 'UTC', 'support_rotation');
    periodId = await makePeriod(t, programId, daysFromNow(-5), daysFromNow(40));
    morning = {};
    for (let weekday = 1; weekday <= 7; weekday++) {
      const res = await t.http
        .post(`/api/v1/programs/${programId}/shift-templates`)
        .set(bearer(t.adminToken))
        .send({ weekday, start: '09:00', end: '10:00', timeZone: 'UTC', queue: 'billing', capacity: 1 });
      expect(res.status).toBe(201);
      morning[weekday] = res.body.id;
    }
    marketer = await makeUser(t, ['marketer'], zone);
    other = await makeUser(t, ['marketer'], 'Europe/Berlin');
    s = await webSession(t, marketer.id);
  });
  afterAll(async () => t.close());

  it('lists the marketer’s shifts in their zone with the invite, and offers only free shifts to move to', async () => {
    const id = await assign(marketer, key(daysFromNow(5)));
    await assign(other, key(daysFromNow(8))); // full: capacity 1
    const res = await s.get('/marketer/shifts').expect(200);
    const [a] = (await t.http.get('/api/v1/shifts?mine=true').set(bearer(marketer.token)).expect(200)).body.shifts;
    expect(a.id).toBe(id);
    const shown = range(a.startsAt, a.endsAt, zone);
    expect(shown).toMatch(/^[A-Z][a-z]{2} \d+ [A-Z][a-z]{2} \d{4}, 0[45]:00–0[56]:00 E[SD]T$/);
    expect(res.text).toContain(`<h3>${escapeHtml(shown)}</h3>`);
    expect(res.text).toContain(`<a href="/marketer/shifts/${id}/invite.ics" download>`);
    expect(res.text).toContain(`<label for="move-${id}">Move to</label>`);
    expect(res.text).toContain('<button type="submit" class="secondary">Swap shift</button>');
    expect(res.text).toContain(`<option value="${key(daysFromNow(6))}">`);
    expect(res.text).not.toContain(`<option value="${key(daysFromNow(8))}">`); // full
    expect(res.text).not.toContain(`<option value="${key(daysFromNow(5))}">`); // its own
    expect(res.text).not.toContain(`<option value="${key(daysFromNow(-1))}">`); // started
    // Someone else's shifts are not on the page.
    const theirs = await (await webSession(t, other.id)).get('/marketer/shifts').expect(200);
    expect(theirs.text).not.toContain(id);
  });

  it('swaps to a free shift and says so; a full shift is refused with 409 next to "Move to"; no CSRF token, no change', async () => {
    const id = await assign(marketer, key(daysFromNow(12)));
    await assign(other, key(daysFromNow(14)));

    const full = await s.post(`/marketer/shifts/${id}/swap`, { toShiftKey: key(daysFromNow(14)) });
    expect(full.status).toBe(409);
    expect(full.text).toMatch(/<label for="f-toShiftKey">Move to<\/label>\n<select id="f-toShiftKey" name="toShiftKey" aria-invalid="true" aria-describedby="err-toShiftKey">/);
    expect(full.text).toContain('<p class="field-error" id="err-toShiftKey">Every place on that shift is taken</p>');
    expect(full.text).toContain('class="error-summary"');
    expect(await row(id)).toMatchObject({ shift_key: key(daysFromNow(12)), sequence: 0 });

    const empty = await s.post(`/marketer/shifts/${id}/swap`, { toShiftKey: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('<p class="field-error" id="err-toShiftKey">Choose the shift to move to</p>');
    const garbage = await s.post(`/marketer/shifts/${id}/swap`, { toShiftKey: 'nope' });
    expect(garbage.status).toBe(400);
    expect(garbage.text).toContain('id="err-toShiftKey">toShiftKey must be a shift key');

    const forged = await t.http.post(`/marketer/shifts/${id}/swap`).set('Cookie', s.cookie).set('Accept', 'text/html').type('form').send({ toShiftKey: key(daysFromNow(13)) });
    expect(forged.status).toBe(403);
    expect(await row(id)).toMatchObject({ shift_key: key(daysFromNow(12)), sequence: 0 });

    const ok = await s.post(`/marketer/shifts/${id}/swap`, { toShiftKey: key(daysFromNow(13)) });
    expect(ok.status).toBe(303);
    expect(ok.header.location).toBe('/marketer/shifts?notice=moved');
    expect(await row(id)).toMatchObject({ shift_key: key(daysFromNow(13)), sequence: 1, status: 'confirmed' });
    const page = await s.get(ok.header.location).expect(200);
    expect(page.text).toContain('Shift moved.');
    expect(page.text).toContain(`<h3>${escapeHtml(range(`${daysFromNow(13)}T09:00:00Z`, `${daysFromNow(13)}T10:00:00Z`, zone))}</h3>`);
  });

  it('serves each shift’s invite as text/calendar; another marketer and a rep are kept out', async () => {
    const id = await assign(marketer, key(daysFromNow(20)));
    const res = await s.get(`/marketer/shifts/${id}/invite.ics`);
    expect(res.status).toBe(200);
    expect(res.header['content-type']).toMatch(/^text\/calendar/);
    expect(res.header['content-disposition']).toBe(`attachment; filename="shift-${id}.ics"`);
    expect(res.text).toContain('METHOD:REQUEST');
    expect(res.text).toContain(`UID:shift-${id}@ridealong`);

    const theirs = await webSession(t, other.id);
    expect((await theirs.get(`/marketer/shifts/${id}/invite.ics`)).status).toBe(404);
    expect((await theirs.post(`/marketer/shifts/${id}/swap`, { toShiftKey: key(daysFromNow(21)) })).status).toBe(404);
    expect((await theirs.post(`/marketer/shifts/${id}/swap`, { toShiftKey: '' })).status).toBe(404);
    expect(await row(id)).toMatchObject({ shift_key: key(daysFromNow(20)), sequence: 0 });
    const rep = await makeUser(t, ['rep']);
    const repSession = await webSession(t, rep.id);
    expect((await repSession.get('/marketer/shifts')).status).toBe(403);
    expect((await repSession.post(`/marketer/shifts/${id}/swap`, { toShiftKey: key(daysFromNow(21)) })).status).toBe(403);
  });

  it('marks a worked shift done, which opens its observation form', async () => {
    // A shift that has already happened (the API only assigns future ones): straight into the table.
    const date = daysFromNow(-2);
    const [a] = await t.db.query(
      `INSERT INTO shift_assignments (period_id, template_id, shift_key, shift_date, starts_at, ends_at, marketer_id, uid)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'shift-' || gen_random_uuid() || '@test') RETURNING id`,
      [periodId, morning[weekdayOf(date)], key(date), date, `${date}T09:00:00Z`, `${date}T10:00:00Z`, marketer.id],
    );
    const page = await s.get('/marketer/shifts').expect(200);
    expect(page.text).toContain('<h2>To mark done</h2>');
    expect(page.text).toContain(`<form method="post" action="/marketer/shifts/${a.id}/attendance" class="inline">`);
    // A started shift cannot be swapped.
    expect(page.text).not.toContain(`action="/marketer/shifts/${a.id}/swap"`);

    const started = await s.post(`/marketer/shifts/${a.id}/swap`, { toShiftKey: key(daysFromNow(25)) });
    expect(started.status).toBe(409);
    expect(started.text).toContain('<p class="field-error">The shift has already started</p>');
    expect(await row(a.id)).toMatchObject({ shift_key: key(date), sequence: 0 });

    const bad = await s.post(`/marketer/shifts/${a.id}/attendance`, { outcome: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('outcome must be one of the following values');
    expect((await row(a.id)).status).toBe('confirmed');

    const done = await s.post(`/marketer/shifts/${a.id}/attendance`, { outcome: 'completed' });
    expect(done.status).toBe(303);
    expect(done.header.location).toBe('/marketer/forms?notice=shift-done');
    expect((await row(a.id)).status).toBe('completed');
    const [form] = await t.db.query(`SELECT id, status FROM observations WHERE shift_assignment_id = $1`, [a.id]);
    expect(form).toMatchObject({ status: 'open' });
    const forms = await s.get(done.header.location).expect(200);
    expect(forms.text).toContain('Shift marked done. Its observation form is open below.');
    expect(forms.text).toContain('Support shift (billing)');
    expect(forms.text).toContain(`<a href="/marketer/forms/${form.id}">Write up</a>`);

    // Marked twice: refused with the reason on the page, nothing changes.
    const again = await s.post(`/marketer/shifts/${a.id}/attendance`, { outcome: 'completed' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('The assignment is completed');
  });
});
