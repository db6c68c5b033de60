import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { PAGE_CONTROLLERS } from '../src/web/page-controllers.js';
import { startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, rosterRep } from './support/fixtures.js';
import { webSession, type WebSession } from './support/web.js';

/** Every page route, GET and POST, with ids that do not exist or are not ids, and form fields of every wrong shape. */
const controllers = PAGE_CONTROLLERS;
const routes = controllers.flatMap((c) =>
  Object.getOwnPropertyNames(c.prototype)
    .map((name) => (c.prototype as unknown as Record<string, object>)[name])
    .filter((h) => Reflect.getMetadata(PATH_METADATA, h) !== undefined)
    .map((h) => ({ path: String(Reflect.getMetadata(PATH_METADATA, h)), method: Reflect.getMetadata(METHOD_METADATA, h) as RequestMethod })),
).filter((r) => r.path !== 'sign-out'); // it would end the session the rest runs in

const WRONG_VALUES = ['', ' ', 'x', '-1', '0', '1e309', 'NaN', 'true', '2026-02-30', '25:99', '24:00', 'not-a-uuid', '00000000-0000-4000-8000-000000000000', '\u0000', '<script>', "'; DROP TABLE users; --", 'ä'.repeat(300), 'x'.repeat(5000), 'Europe/Nowhere'];
const FIELDS = [
  'status', 'reason', 'outcome', 'startsAt', 'repId', 'periodId', 'slot', 'pageKey', 'idempotencyKey', 'timeZone', 'date', 'blocked',
  'w1_1_start', 'w1_1_end', 'w7_3_end', 'o_1_start', 'o_1_end', 'o_1_label', 'o_1_callType', 'o_1_marketingSourced', 'action', 'toShiftKey', 'shiftKey',
  'name', 'email', 'roles', 'startedOn', 'kind', 'quota', 'slotMinutes', 'slotGridMinutes', 'startsOn', 'endsOn', 'focus', 'from', 'to',
  'marketerId', 'parentId', 'intoId', 'id', 'week', 'callType', 'marketingSourced', 'markedNames', 'mode', 'segment', 'themeIds', 'quotes_1_text',
  'peak_valence', 'end_valence', 'lead_marketingSourced', 'next', 'view', 'url', 'username', 'password', 'label', 'keyword', 'enabled',
];

describe('no input makes a page answer 5xx', () => {
  let t: TestApp;
  let s: WebSession;

  beforeAll(async () => {
    t = await startTestApp();
    // One person with every role, so the role checks let every handler run.
    const all = await makeUser(t, ['rep', 'marketer', 'lifecycle']);
    const programId = await makeProgram(t);
    const periodId = await makePeriod(t, programId, daysFromNow(-5), daysFromNow(40));
    await rosterRep(t, periodId, all);
    await enrol(t, periodId, all);
    s = await webSession(t, all.id);
  });
  afterAll(async () => t.close());

  it('covers the routes', () => {
    expect(routes.filter((r) => r.method === RequestMethod.POST).length).toBeGreaterThan(30);
  });

  it('answers every route and every wrong value with less than 500', async () => {
    const failures: string[] = [];
    const statuses: Record<number, number> = {};
    const ids = ['00000000-0000-4000-8000-000000000000', 'nope'];
    let seed = 7;
    const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length];
    for (const r of routes) {
      for (const id of ids) {
        const path = '/' + r.path.replace(/^\//, '').replace(/:[A-Za-z]+/g, id);
        for (let round = 0; round < 6; round++) {
          const body: Record<string, string | string[]> = {};
          for (const f of FIELDS) if (pick([true, false, false])) body[f] = round === 5 ? [pick(WRONG_VALUES), pick(WRONG_VALUES)] : pick(WRONG_VALUES);
          // Repeated fields (what a form sends for checkboxes) as the raw body a browser would send.
          const encoded = new URLSearchParams(Object.entries(body).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string])));
          const res =
            r.method === RequestMethod.POST
              ? await t.http.post(path).set('Cookie', s.cookie).set('Accept', 'text/html').type('form').send(`_csrf=${encodeURIComponent(s.csrf)}&${encoded}`)
              : await s.get(`${path}?${new URLSearchParams([...encoded].map(([k, v]) => [k, v.slice(0, 200)] as [string, string]))}`);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status >= 500) failures.push(`${RequestMethod[r.method]} ${path} ${JSON.stringify(body).slice(0, 300)} → ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The handlers ran: most answers are refusals of the input (4xx), some pages and redirects.
    expect(Object.keys(statuses).map(Number)).toEqual(expect.arrayContaining([200, 303, 400, 404]));
    expect(statuses[413] ?? 0).toBe(0); // the bodies fit the limit, so the handlers saw them
    expect((await s.get('/')).header.location).toBe('/lifecycle'); // still signed in: the requests ran as the user
  }, 180_000);
});
