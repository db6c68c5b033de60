import { caldavTime, sameState, statusProblem } from './caldav.js';

describe('sameState', () => {
  it('is unchanged only when every marker matches', () => {
    expect(sameState({ ctag: 'a', syncToken: 's1' }, { ctag: 'a', syncToken: 's1' })).toBe(true);
    expect(sameState({ ctag: 'a', syncToken: 's1' }, { ctag: 'b', syncToken: 's1' })).toBe(false);
    expect(sameState({ ctag: 'a', syncToken: 's1' }, { ctag: 'a', syncToken: 's2' })).toBe(false);
    expect(sameState({ ctag: 'a', syncToken: null }, { ctag: 'a', syncToken: null })).toBe(true);
    expect(sameState({ ctag: null, syncToken: 's1' }, { ctag: 'a', syncToken: 's1' })).toBe(false);
  });

  it('a server that gives neither a ctag nor a sync-token is always read', () => {
    expect(sameState({ ctag: null, syncToken: null }, { ctag: null, syncToken: null })).toBe(false);
  });
});

describe('caldavTime', () => {
  it('writes UTC in the basic form time-range wants', () => {
    expect(caldavTime(new Date('2027-03-01T15:04:05.678Z'))).toBe('20270301T150405Z');
  });
});

describe('statusProblem', () => {
  it('puts HTTP statuses in plain words', () => {
    expect(statusProblem(207)).toBeNull();
    expect(statusProblem(401)).toBe('the username or password was refused');
    expect(statusProblem(403)).toBe('the username or password was refused');
    expect(statusProblem(404)).toBe('no calendar at this address');
    expect(statusProblem(405)).toBe('this address is not a CalDAV server');
    expect(statusProblem(503)).toMatch(/failed \(HTTP 503\)/);
    expect(statusProblem(429)).toMatch(/refused the request \(HTTP 429\)/);
  });
});
