import { CsvFileError, parsePeopleCsv } from './people-csv.js';

const columns = (text: string) => parsePeopleCsv(text).map((r) => r.errors.map((e) => e.column));

describe('parsePeopleCsv', () => {
  it('reads a BOM, CRLF, quoted commas and line breaks, and keeps non-ASCII as given', () => {
    const rows = parsePeopleCsv('\uFEFFemail,name,roles,timeZone,startedOn\r\n"a@example.com","Ça, ""va""\r\nbien",Rep; Marketer,Europe/Paris,2026-01-31\r\n\r\n');
    expect(rows).toEqual([
      { row: 1, email: 'a@example.com', name: 'Ça, "va"\r\nbien', roles: ['rep', 'marketer'], timeZone: 'Europe/Paris', startedOn: '2026-01-31', rosterPeriodId: null, enrolPeriodId: null, quota: null, errors: [] },
    ]);
  });

  it('matches header names ignoring case and spaces; startedOn and the period columns are optional', () => {
    const [row] = parsePeopleCsv(' Email ,NAME,roles,timezone\nb@example.com,B,lifecycle,UTC\n');
    expect(row).toMatchObject({ email: 'b@example.com', roles: ['lifecycle'], startedOn: null, errors: [] });
  });

  it('names the column of each bad value', () => {
    const id = '7c1b8c3e-2a53-4a4e-9f0e-3d2f1f6b9a10';
    expect(
      columns(
        [
          'email,name,roles,timeZone,startedOn,rosterPeriodId,enrolPeriodId,quota',
          'nope,A,rep,UTC,,,,',
          'a@example.com,A,,UTC,,,,',
          'b@example.com,B,rep,+02:00,,,,',
          'c@example.com,C,rep,UTC,02/11/2026,,,',
          'd@example.com,D,rep,UTC,,not-a-uuid,,',
          `e@example.com,E,rep,UTC,,,${id},`,
          `f@example.com,F,marketer,UTC,,,${id},-1`,
          'g@example.com,G,marketer,UTC,,,,3',
          'h@example.com,H,rep,UTC,,,,,extra',
        ].join('\n'),
      ),
    ).toEqual([['email'], ['roles'], ['timeZone'], ['startedOn'], ['rosterPeriodId'], ['enrolPeriodId'], ['quota'], ['quota'], ['row']]);
  });

  it('marks every row of an email that appears twice (ignoring case)', () => {
    const rows = parsePeopleCsv('email,name,roles,timeZone\nx@example.com,X,rep,UTC\ny@example.com,Y,rep,UTC\nX@Example.com,X,rep,UTC\n');
    expect(rows.map((r) => r.errors.map((e) => e.message))).toEqual([
      ['x@example.com appears more than once in the file (also row 3)'],
      [],
      ['X@Example.com appears more than once in the file (also row 1)'],
    ]);
  });

  it('refuses unknown and missing columns, naming them, and unreadable CSV', () => {
    expect(() => parsePeopleCsv('email,name,roles,timeZone,team\n')).toThrow(/Unknown column "team"/);
    expect(() => parsePeopleCsv('email,name\n')).toThrow(/Missing column roles, timeZone/);
    expect(() => parsePeopleCsv('email,email,name,roles,timeZone\n')).toThrow(/twice/);
    expect(() => parsePeopleCsv('')).toThrow(CsvFileError);
    expect(() => parsePeopleCsv('email,name,roles,timeZone\n"open,A,rep,UTC\n')).toThrow(/could not be read/);
  });
});
