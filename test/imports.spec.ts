import { MailService } from '../src/mail/mail.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { signInLinkIn } from './support/web.js';

/** Row counts of every table an import could write. */
async function counts(t: TestApp) {
  const [row] = await t.db.query(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM roster_entries)::int AS roster,
            (SELECT count(*) FROM enrollments)::int AS enrolments, (SELECT count(*) FROM sign_in_links)::int AS links,
            (SELECT count(*) FROM mail_outbox)::int AS mail,
            (SELECT md5(string_agg(email || name || time_zone || array_to_string(roles, ';') || coalesce(started_on::text, ''), ',' ORDER BY email)) FROM users) AS digest`,
  );
  return row as Record<string, number | string>;
}

const HEADER = 'email,name,roles,timeZone,startedOn';

describe('CSV import of people (HTTP, real PostgreSQL, real SMTP)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let rep: Person;
  let marketer: Person;
  let periodId: string;

  const post = (csv: string, query: string, token = t.adminToken, type = 'text/csv') =>
    t.http.post(`/api/v1/imports/people?${query}`).set(bearer(token)).set('Content-Type', type).send(csv);

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '1' });
    rep = await makeUser(t, ['rep']);
    marketer = await makeUser(t, ['marketer']);
    const programId = await makeProgram(t, { quota: 12 });
    periodId = await makePeriod(t, programId, '2027-01-01', '2027-03-31');
  });

  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('reads awkward CSV: a BOM, CRLF, quoted fields with commas and line breaks, non-ASCII names', async () => {
    const csv =
      '\uFEFF' +
      [HEADER, '"zoë@example.com","Zoë O\'Brien, Jr.",rep;marketer,Europe/Berlin,2026-11-02', 'lin@example.com,"Lín\r\nMǎ",marketer,Asia/Kathmandu,', '', '"Ünal@Example.com","Ünal ""Uli"" Şahin",lifecycle,America/St_Johns,'].join('\r\n') +
      '\r\n';
    const dry = await post(csv, 'dryRun=true').expect(200);
    expect(dry.body).toMatchObject({ dryRun: true, applied: false, totals: { rows: 3, create: 3, error: 0 } });
    expect(dry.body.rows.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([[1, 'create'], [2, 'create'], [3, 'create']]);

    const res = await post(csv, 'dryRun=false').expect(200);
    expect(res.body).toMatchObject({ applied: true, totals: { create: 3 } });
    const rows: { email: string; name: string; roles: string[]; time_zone: string; started_on: string | null }[] = await t.db.query(
      `SELECT email, name, roles, time_zone, to_char(started_on, 'YYYY-MM-DD') AS started_on FROM users WHERE email IN ('zoë@example.com', 'lin@example.com', 'Ünal@Example.com') ORDER BY email`,
    );
    expect(rows).toEqual([
      { email: 'lin@example.com', name: 'Lín\r\nMǎ', roles: ['marketer'], time_zone: 'Asia/Kathmandu', started_on: null },
      { email: 'zoë@example.com', name: "Zoë O'Brien, Jr.", roles: ['rep', 'marketer'], time_zone: 'Europe/Berlin', started_on: '2026-11-02' },
      { email: 'Ünal@Example.com', name: 'Ünal "Uli" Şahin', roles: ['lifecycle'], time_zone: 'America/St_Johns', started_on: null },
    ]);
    // The same file again (and the emails in another letter case): nothing to do.
    const again = await post(csv.replace('"Ünal@Example.com"', 'ünal@example.COM'), 'dryRun=false').expect(200);
    expect(again.body.totals).toMatchObject({ rows: 3, create: 0, update: 0, unchanged: 3, error: 0 });
  });

  it('names the column of each bad value, and a dry run writes nothing', async () => {
    const csv = [
      `${HEADER},rosterPeriodId,enrolPeriodId,quota`,
      `not-an-email,A,rep,UTC,,,,`,
      `b@example.com,B,rep;boss,UTC,,,,`,
      `c@example.com,C,rep,Mars/Olympus,,,,`,
      `d@example.com,D,rep,UTC,2026-02-30,,,`,
      `e@example.com,E,marketer,UTC,,,${periodId},lots`,
      `f@example.com,F,rep,UTC,,00000000-0000-4000-8000-000000000000,,`,
      `g@example.com,G,marketer,UTC,,,,5`,
      `h@example.com,,rep,UTC,,,,`,
      `dup@example.com,Dup,rep,UTC,,,,`,
      `DUP@example.com,Dup,rep,UTC,,,,`,
      `ok@example.com,Ok,rep,UTC,,,,`,
    ].join('\n');
    const before = await counts(t);
    const res = await post(csv, 'dryRun=true').expect(200);
    const cols = (n: number) => res.body.rows[n - 1].errors.map((e: { column: string }) => e.column);
    expect(cols(1)).toEqual(['email']);
    expect(cols(2)).toEqual(['roles']);
    expect(res.body.rows[1].errors[0].message).toContain('boss');
    expect(cols(3)).toEqual(['timeZone']);
    expect(cols(4)).toEqual(['startedOn']);
    expect(cols(5)).toEqual(['quota']);
    expect(cols(6)).toEqual(['rosterPeriodId']);
    expect(res.body.rows[5].errors[0].message).toContain('no period');
    expect(cols(7)).toEqual(['quota']); // a quota needs an enrolPeriodId
    expect(cols(8)).toEqual(['name']);
    expect(cols(9)).toEqual(['email']);
    expect(cols(10)).toEqual(['email']);
    expect(res.body.rows[10]).toMatchObject({ row: 11, email: 'ok@example.com', outcome: 'create', errors: [] });
    expect(res.body.totals).toMatchObject({ rows: 11, create: 1, error: 10 });
    expect(await counts(t)).toEqual(before);

    // Applying is all or nothing: 422 with the same rows, and nothing written.
    const applied = await post(csv, 'dryRun=false').expect(422);
    expect(applied.body).toMatchObject({ statusCode: 422, code: 'unprocessable' });
    expect(applied.body.details.rows).toEqual(res.body.rows);
    expect(await counts(t)).toEqual(before);
  });

  it('refuses a file it cannot read as a whole with a 400 naming the problem', async () => {
    const unknown = await post(`${HEADER},department,team\nx@example.com,X,rep,UTC,,a,b\n`, 'dryRun=true').expect(400);
    expect(unknown.body.message).toContain('"department"');
    expect(unknown.body.message).toContain('"team"');
    expect(unknown.body.details.unknown).toEqual(['department', 'team']);
    const missing = await post(`email,name\nx@example.com,X\n`, 'dryRun=true').expect(400);
    expect(missing.body.details.missing).toEqual(['roles', 'timeZone']);
    await post(`${HEADER}\n"unterminated,X,rep,UTC,\n`, 'dryRun=true').expect(400);
    await post('', 'dryRun=true').expect(400);
    const noFlag = await post(`${HEADER}\n`, '').expect(400);
    expect(noFlag.body.message).toContain('dryRun');
    await post(`${HEADER}\nx@example.com,X,rep,UTC,\n`, 'dryRun=true', t.adminToken, 'application/json').expect(400);
    await post(`${HEADER}\nx@example.com,X,rep,UTC,\n`, 'dryRun=true', t.adminToken, 'text/plain').expect(415);
    const big = `${HEADER}\n` + `x@example.com,${'X'.repeat(1000)},rep,UTC,\n`.repeat(6000);
    await post(big, 'dryRun=true').expect(413);
  });

  it('is for the lifecycle team only (reps and marketers get 403)', async () => {
    const csv = `${HEADER}\nnobody@example.com,N,rep,UTC,\n`;
    await post(csv, 'dryRun=true', rep.token).expect(403);
    await post(csv, 'dryRun=true', marketer.token).expect(403);
    await t.http.post('/api/v1/imports/people?dryRun=true').set('Content-Type', 'text/csv').send(csv).expect(401);
  });

  it('updates people matched by email ignoring case, and invites to rosters and enrols by column', async () => {
    const declined = await makeUser(t, ['rep']);
    const inv = await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: declined.id }).expect(201);
    await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(declined.token)).send({ status: 'declined' }).expect(200);
    const csv = [
      `${HEADER},rosterPeriodId,enrolPeriodId,quota`,
      `${rep.email.toUpperCase()},Renamed Rep,rep,Europe/Lisbon,,${periodId},,`,
      `${marketer.email},marketer 2,marketer,UTC,,,${periodId},`,
      `${declined.email},Declined,rep,UTC,,${periodId},,`,
      `new-rep@example.com,New Rep,rep,UTC,,${periodId},,`,
      `new-mkt@example.com,New Marketer,marketer,UTC,,,${periodId},7`,
    ].join('\r\n');
    const res = await post(csv, 'dryRun=false').expect(200);
    expect(res.body.rows.map((r: { outcome: string }) => r.outcome)).toEqual(['update', 'update', 'update', 'create', 'create']);
    expect(res.body.rows[0].roster).toEqual({ periodId, outcome: 'invite', status: 'invited' });
    expect(res.body.rows[1].enrolment).toEqual({ periodId, outcome: 'create', quota: 12 }); // the program's quota
    expect(res.body.rows[2].roster).toEqual({ periodId, outcome: 'reinvite', status: 'invited' });
    expect(res.body.rows[4].enrolment).toEqual({ periodId, outcome: 'create', quota: 7 });
    const roster = await t.http.get(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).expect(200);
    const entries = roster.body.entries ?? roster.body;
    expect(entries.filter((e: { status: string }) => e.status === 'invited')).toHaveLength(3);
    const me = await t.http.get('/api/v1/me').set(bearer(rep.token)).expect(200);
    expect(me.body).toMatchObject({ email: rep.email, name: 'Renamed Rep', timeZone: 'Europe/Lisbon' });

    // The same file again: all unchanged, roster and enrolments included.
    const again = await post(csv, 'dryRun=false').expect(200);
    expect(again.body.totals).toMatchObject({ rows: 5, unchanged: 5, create: 0, update: 0, rosterInvites: 0, enrolments: 0 });
    expect(again.body.rows[4].enrolment).toEqual({ periodId, outcome: 'unchanged', quota: 7 });
    // A new quota updates the enrolment.
    const quota = await post(csv.replace(`${periodId},7`, `${periodId},9`), 'dryRun=false').expect(200);
    expect(quota.body.rows[4]).toMatchObject({ outcome: 'update', enrolment: { outcome: 'update', quota: 9 } });
    // An ended enrolment (a deactivation ends them) is enrolled again.
    await t.db.query(`UPDATE enrollments SET ended_at = now() WHERE marketer_id = $1`, [marketer.id]);
    const reenrol = await post(csv, 'dryRun=false').expect(200);
    expect(reenrol.body.rows[1]).toMatchObject({ outcome: 'update', enrolment: { outcome: 'update', quota: 12 } });
    const [{ ended }] = await t.db.query(`SELECT count(*)::int AS ended FROM enrollments WHERE ended_at IS NOT NULL`);
    expect(ended).toBe(0);

    const audit: { details: { totals: { create: number }; created: string[] } }[] = await t.db.query(
      `SELECT details FROM audit_log WHERE action = 'people.import' ORDER BY id`,
    );
    expect(audit.length).toBeGreaterThanOrEqual(3);
    expect(audit.some((a) => a.details.created.includes('new-mkt@example.com'))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('New Marketer'); // emails and counts only
  });

  it('refuses roster and enrolment columns for the wrong role or a deactivated person', async () => {
    const gone = await makeUser(t, ['rep']);
    await t.http.patch(`/api/v1/users/${gone.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
    const csv = [
      `${HEADER},rosterPeriodId,enrolPeriodId`,
      `m-only@example.com,M,marketer,UTC,,${periodId},`,
      `r-only@example.com,R,rep,UTC,,,${periodId}`,
      `${gone.email},Gone,rep,UTC,,${periodId},`,
    ].join('\n');
    const res = await post(csv, 'dryRun=true').expect(200);
    expect(res.body.rows.map((r: { errors: { column: string }[] }) => r.errors.map((e) => e.column))).toEqual([['rosterPeriodId'], ['enrolPeriodId'], ['rosterPeriodId']]);
  });

  it('sends welcome emails with a working sign-in link only when asked, only to people it creates', async () => {
    const before = sink.messages.length;
    await post(`${HEADER}\nquiet@example.com,Quiet,rep,UTC,\n`, 'dryRun=false').expect(200);
    const res = await post(`${HEADER}\nquiet@example.com,Quiet Renamed,rep,UTC,\nwelcome@example.com,Wēlcome,marketer,Europe/Paris,\n`, 'dryRun=false&welcome=true').expect(200);
    expect(res.body.welcomeEmails).toBe(1);
    await sink.waitFor((m) => m.some((x) => x.parsed.to && JSON.stringify(x.parsed.to).includes('welcome@example.com')));
    await t.app.get(MailService).drain(20_000);
    const mine = sink.messages.slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.parsed.subject).toBe('Welcome to ridealong');
    const link = signInLinkIn(mine[0]!.parsed.text ?? '');
    const page = await t.http.get(new URL(link).pathname).expect(200);
    expect(page.text).toContain('Wēlcome');
  });
});
