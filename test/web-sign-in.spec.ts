import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from './support/app.js';
import { makeUser } from './support/fixtures.js';
import { webSession } from './support/web.js';

describe('web sign-in (smoke)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('sends a browser without a session to the sign-in page and lets a session in', async () => {
    const res = await t.http.get('/').set('Accept', 'text/html');
    expect(res.status).toBe(303);
    expect(res.header.location).toBe('/sign-in?next=%2F');
    const m = await makeUser(t, ['marketer']);
    const s = await webSession(t, m.id);
    const home = await s.get('/');
    expect(home.status).toBe(303);
    expect(home.header.location).toBe('/marketer');
  });
});
