import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from './support/app.js';
import { launchChromium } from './support/browser.js';
import { makePeriod, makeProgram, makeUser } from './support/fixtures.js';
import { inputValue, webSession, WebSession } from './support/web.js';

const HEADER = 'email,name,roles,timeZone,startedOn,rosterPeriodId';
const users = async (t: TestApp, like: string) => (await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE $1`, [like]))[0].n as number;

/** The table row of the preview for data row `n` (from its <tr> to the next). */
function previewRow(page: string, n: number): string {
  const start = page.indexOf(`<th scope="row">${n}</th>`);
  if (start < 0) throw new Error(`no row ${n} in the preview`);
  return page.slice(start, page.indexOf('</tr>', start));
}

describe('lifecycle page: import people from a CSV (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let s: WebSession;
  let periodId: string;

  beforeAll(async () => {
    t = await startTestApp();
    s = await webSession(t, (await makeUser(t, ['lifecycle'])).id);
    periodId = await makePeriod(t, await makeProgram(t), '2027-01-01', '2027-03-31');
  });
  afterAll(async () => t.close());

  it('is linked from the people page and works without a script (a textarea form with CSRF)', async () => {
    const people = await s.get('/lifecycle/people').expect(200);
    expect(people.text).toContain('<a href="/lifecycle/people/import">');
    const page = await s.get('/lifecycle/people/import').expect(200).expect('Content-Type', /text\/html/);
    expect(page.text).toMatch(/<form method="post" action="\/lifecycle\/people\/import"[^>]*><input type="hidden" name="_csrf" value="[^"]+">/);
    expect(page.text).toContain('<textarea id="f-csv" name="csv"');
  });

  it('previews with each row’s problems beside it and writes nothing; the apply button is offered only for a clean file', async () => {
    const csv = [HEADER, `page-a@example.com,Page A,rep,UTC,,${periodId}`, 'page-b@example.com,Page B,boss,Mars/Base,,', 'not-an-email,C,rep,UTC,,'].join('\r\n');
    const res = await s.post('/lifecycle/people/import', { mode: 'preview', csv }).expect(200);
    expect(previewRow(res.text, 1)).toContain('New');
    expect(previewRow(res.text, 2)).toMatch(/<strong>roles<\/strong>: unknown role &quot;boss&quot;/);
    expect(previewRow(res.text, 2)).toContain('<strong>timeZone</strong>');
    expect(previewRow(res.text, 3)).toContain('<strong>email</strong>');
    expect(res.text).not.toContain('Apply import');
    expect(await users(t, 'page-%')).toBe(0);
  });

  it('applies the previewed text with the Apply button, and shows a refused apply at 422 with its rows', async () => {
    const csv = [HEADER, `page-a@example.com,"Päge, A",rep,UTC,,${periodId}`, 'page-b@example.com,Page B,marketer,Europe/Oslo,2026-10-01,'].join('\r\n');
    const preview = await s.post('/lifecycle/people/import', { mode: 'preview', csv }).expect(200);
    expect(preview.text).toContain('Apply import (2 rows)');
    expect(await users(t, 'page-%')).toBe(0);
    const hidden = inputValue(preview.text, 'csv')!.replace(/&quot;/g, '"').replace(/&#13;|&#x0d;/gi, '\r').replace(/&#10;|&#x0a;/gi, '\n').replace(/&amp;/g, '&');
    expect(hidden.replace(/\r/g, '')).toBe(csv.replace(/\r/g, ''));
    const applied = await s.post('/lifecycle/people/import', { mode: 'apply', csv: hidden }).expect(200);
    expect(applied.text).toContain('Imported: 2 rows: 2 new');
    expect(await users(t, 'page-%')).toBe(2);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM roster_entries WHERE period_id = $1`, [periodId]);
    expect(n).toBe(1);

    // Applying a file with a problem directly (no preview): 422, the rows with their problems, nothing written.
    const bad = await s.post('/lifecycle/people/import', { mode: 'apply', csv: `${HEADER}\npage-c@example.com,C,rep,UTC,2026-13-01,` }).expect(422);
    expect(previewRow(bad.text, 1)).toContain('<strong>startedOn</strong>');
    expect(await users(t, 'page-c%')).toBe(0);
  });

  it('shows an unknown column as a problem of the CSV field', async () => {
    const res = await s.post('/lifecycle/people/import', { mode: 'preview', csv: 'email,name,roles,timeZone,team\nx@example.com,X,rep,UTC,a' }).expect(400);
    expect(res.text).toContain('Unknown column &quot;team&quot;');
  });

  it('refuses a post without the CSRF token, and other roles', async () => {
    const csv = `${HEADER}\ncsrf@example.com,C,rep,UTC,,`;
    const res = await s.post('/lifecycle/people/import', { _csrf: 'wrong', mode: 'apply', csv });
    expect(res.status).toBe(403);
    const marketer = await webSession(t, (await makeUser(t, ['marketer'])).id);
    expect((await marketer.post('/lifecycle/people/import', { mode: 'apply', csv })).status).toBe(403);
    expect((await marketer.get('/lifecycle/people/import')).status).toBe(403);
    expect(await users(t, 'csrf@%')).toBe(0);
  });

  it('in Chromium: a chosen file fills the textarea, the preview shows its rows, and Apply imports them', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ baseURL: t.url });
      const session = await webSession(t, (await makeUser(t, ['lifecycle'])).id);
      await context.addCookies([{ name: 'ra_session', value: session.cookie.split('=')[1]!, url: t.url, httpOnly: true, sameSite: 'Lax' }]);
      const page = await context.newPage();
      await page.goto('/lifecycle/people/import');
      const csv = '\uFEFF' + [HEADER, 'file-a@example.com,"Fïle, A",rep,UTC,,', 'file-b@example.com,File B,marketer,Asia/Tokyo,,'].join('\r\n');
      await page.locator('#f-csv-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
      await page.waitForFunction("document.getElementById('f-csv').value.includes('file-b@example.com')");
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByRole('button', { name: 'Apply import (2 rows)' }).waitFor();
      expect(await users(t, 'file-%')).toBe(0);
      await page.getByRole('button', { name: 'Apply import (2 rows)' }).click();
      await page.getByText('Imported: 2 rows: 2 new').waitFor();
      const [row] = await t.db.query(`SELECT name FROM users WHERE email = 'file-a@example.com'`);
      expect(row.name).toBe('Fïle, A');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
