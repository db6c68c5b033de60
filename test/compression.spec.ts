import http from 'node:http';
import zlib from 'node:zlib';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, makePeriod, makeProgram, makeUser, rosterRep } from './support/fixtures.js';

/** A GET as sent on the wire (no client that decodes for us): status, headers and the raw body. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('answers compressed by Accept-Encoding', () => {
  let t: TestApp;
  let listing: string;

  beforeAll(async () => {
    t = await startTestApp();
    const programId = await makeProgram(t, { minNoticeHours: 0, horizonDays: 60, repWeeklyCap: 100, sameRepLimit: 100, quota: 100 });
    const periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(40));
    // Three reps with all-day windows: a listing of some hundreds of slots, well over the 8 KiB threshold.
    for (let i = 0; i < 3; i++) {
      const rep = await makeUser(t, ['rep'], 'Europe/London');
      await rosterRep(t, periodId, rep);
      const weekly = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '18:00' }));
      await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'Europe/London', weekly }).expect(200);
    }
    listing = `${t.url}/api/v1/slots?periodId=${periodId}&from=${daysFromNow(2)}&to=${daysFromNow(9)}&timeZone=Europe/Berlin`;
  });
  afterAll(() => t.close());

  it('sends the slot listing as brotli or gzip when asked, and as it is when not, with the same JSON', async () => {
    const auth = bearer(t.adminToken);
    const plain = await rawGet(listing, auth);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const json = JSON.parse(plain.body.toString('utf8')) as { slots: unknown[] };
    expect(json.slots.length).toBeGreaterThan(100);
    expect(plain.body.length).toBeGreaterThan(8 * 1024);

    const br = await rawGet(listing, { ...auth, 'Accept-Encoding': 'br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.body.length).toBeLessThan(plain.body.length / 5);
    expect(JSON.parse(zlib.brotliDecompressSync(br.body).toString('utf8'))).toEqual(json);

    const gzip = await rawGet(listing, { ...auth, 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(gzip.body).toString('utf8'))).toEqual(json);

    // What browsers send: brotli is preferred.
    const both = await rawGet(listing, { ...auth, 'Accept-Encoding': 'gzip, deflate, br' });
    expect(both.headers['content-encoding']).toBe('br');
    expect(JSON.parse(zlib.brotliDecompressSync(both.body).toString('utf8'))).toEqual(json);
  });

  it('leaves small answers and errors as they are', async () => {
    const small = await rawGet(`${t.url}/api/v1/me`, { ...bearer(t.adminToken), 'Accept-Encoding': 'br, gzip' });
    expect(small.status).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    const refused = await rawGet(listing.replace(/periodId=[^&]+/, 'periodId=nope'), { ...bearer(t.adminToken), 'Accept-Encoding': 'br' });
    expect(refused.status).toBe(400);
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.body.toString('utf8'))).toMatchObject({ details: { fields: [{ field: 'periodId' }] } });
  });

  it('keeps /metrics readable as Prometheus text when the scraper asks for gzip', async () => {
    const metrics = await rawGet(`${t.url}/metrics`, { 'Accept-Encoding': 'gzip' });
    expect(metrics.status).toBe(200);
    const text = metrics.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(metrics.body).toString('utf8') : metrics.body.toString('utf8');
    expect(text).toMatch(/^# HELP /m);
  });
});
