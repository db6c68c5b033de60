import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram } from './support/fixtures.js';

/**
 * `GET /slots` and `POST /rollups` read `from`/`to` with one parser (common/time/window-bound.ts): the same
 * text is accepted by both or refused by both (naming the same field), and an accepted pair is the same
 * window. Before, `+0100` offsets were accepted by /slots and refused by /rollups.
 */
describe('window bounds: /slots and /rollups agree', () => {
  let t: TestApp;
  let programId: string;
  let periodId: string;
  const ZONE = 'Europe/Berlin';

  beforeAll(async () => {
    t = await startTestApp();
    programId = await makeProgram(t, {}, ZONE);
    periodId = await makePeriod(t, programId, '2027-03-01', '2027-03-31');
  });
  afterAll(async () => {
    await t?.close();
  });

  type Outcome = { ok: true; from: string; to: string } | { ok: false; fields: string[] };

  async function viaSlots(from: string, to: string): Promise<Outcome> {
    const res = await t.http.get('/api/v1/slots').query({ periodId, from, to, timeZone: ZONE }).set(bearer(t.adminToken));
    if (res.status === 200) return { ok: true, from: res.body.from, to: res.body.to };
    expect(res.status).toBe(400);
    return { ok: false, fields: (res.body.details?.fields ?? []).map((f: { field: string }) => f.field) };
  }

  async function viaRollups(from: string, to: string): Promise<Outcome> {
    const res = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from, to });
    if (res.status === 201 || res.status === 200) return { ok: true, from: res.body.windowFrom, to: res.body.windowTo };
    expect(res.status).toBe(400);
    return { ok: false, fields: (res.body.details?.fields ?? []).map((f: { field: string }) => f.field) };
  }

  const accepted: [string, string, string, string][] = [
    // from, to, the window's start and end (ISO, UTC)
    ['2027-03-01', '2027-03-07', '2027-02-28T23:00:00.000Z', '2027-03-07T23:00:00.000Z'],
    ['2027-03-05', '2027-03-05', '2027-03-04T23:00:00.000Z', '2027-03-05T23:00:00.000Z'],
    ['2027-03-01T09:00:00Z', '2027-03-02T09:00:00Z', '2027-03-01T09:00:00.000Z', '2027-03-02T09:00:00.000Z'],
    ['2027-03-01T09:00:00+01:00', '2027-03-02T09:00:00+01:00', '2027-03-01T08:00:00.000Z', '2027-03-02T08:00:00.000Z'],
    ['2027-03-01T09:00:00+0100', '2027-03-02T09:00+0100', '2027-03-01T08:00:00.000Z', '2027-03-02T08:00:00.000Z'],
    ['2027-03-03', '2027-03-04T09:00:00.500-0500', '2027-03-02T23:00:00.000Z', '2027-03-04T14:00:00.500Z'],
    ['2200-12-01', '2200-12-31', '2200-11-30T23:00:00.000Z', '2200-12-31T23:00:00.000Z'],
  ];

  it.each(accepted)('accepts from=%s to=%s on both as the same window', async (from, to, start, end) => {
    const slots = await viaSlots(from, to);
    const rollups = await viaRollups(from, to);
    expect(slots).toEqual({ ok: true, from: start, to: end });
    expect(rollups).toEqual(slots);
  });

  const refused: [string, string, string][] = [
    // from, to, the field named
    ['2027-03-01T09:00', '2027-03-02', 'from'],
    ['2027-03-01', '2027-03-02T09:00:00', 'to'],
    ['2027-03-01T09:00:00+1', '2027-03-02', 'from'],
    ['2027-02-30', '2027-03-02', 'from'],
    ['1999-12-31', '2000-01-02', 'from'],
    ['2027-03-01', '2201-01-01', 'to'],
    ['2200-12-31T23:00:00-05:00', '2200-12-31', 'from'],
    ['2027-03-05', '2027-03-04', 'to'],
    ['2027-03-05T10:00:00+0100', '2027-03-05T09:00:00Z', 'to'],
  ];

  it.each(refused)('refuses from=%s to=%s on both, naming %s', async (from, to, field) => {
    const slots = await viaSlots(from, to);
    const rollups = await viaRollups(from, to);
    expect(slots).toEqual({ ok: false, fields: [field] });
    expect(rollups).toEqual(slots);
  });
});
