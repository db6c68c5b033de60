import { Clock } from '../src/common/clock.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram, makeUser } from './support/fixtures.js';

/** Services take "now" from the injected Clock (one instance, app-wide), never from `new Date()` of their own. */
describe('the injected clock', () => {
  let t: TestApp;
  let at = new Date('2031-05-06T07:08:09.000Z');

  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(Clock).now = () => new Date(at);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stamps roster invitations and answers with its time', async () => {
    const programId = await makeProgram(t);
    const periodId = await makePeriod(t, programId, '2031-05-01', '2031-05-31');
    const rep = await makeUser(t, ['rep']);

    const invited = await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(201);
    expect(invited.body).toMatchObject({ status: 'invited', invitedAt: '2031-05-06T07:08:09.000Z', respondedAt: null });

    at = new Date('2031-05-07T10:00:00.000Z');
    const declined = await t.http.patch(`/api/v1/roster/${invited.body.id}`).set(bearer(rep.token)).send({ status: 'declined' }).expect(200);
    expect(declined.body).toMatchObject({ status: 'declined', respondedAt: '2031-05-07T10:00:00.000Z' });

    at = new Date('2031-05-08T12:30:00.000Z');
    const again = await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(201);
    expect(again.body).toMatchObject({ id: invited.body.id, status: 'invited', invitedAt: '2031-05-08T12:30:00.000Z', respondedAt: null });
  });
});
