import { describe, expect, it } from '@jest/globals';
import { busyItems, busyOn, connectionStatus } from './rep-calendar.js';

const NY = 'America/New_York';
const at = (iso: string) => new Date(iso);

describe('busyOn', () => {
  it('keeps the events that overlap the local date, in that zone, by start', () => {
    const busy = [
      { startsAt: at('2027-03-02T20:00:00Z'), endsAt: at('2027-03-02T21:00:00Z'), title: 'Late one' }, // 15:00–16:00 New York
      { startsAt: at('2027-03-02T14:00:00Z'), endsAt: at('2027-03-02T14:30:00Z'), title: 'Stand-up' }, // 09:00–09:30
      { startsAt: at('2027-03-03T14:00:00Z'), endsAt: at('2027-03-03T15:00:00Z'), title: 'Next day' },
      { startsAt: at('2027-03-02T04:00:00Z'), endsAt: at('2027-03-02T05:00:00Z'), title: 'Day before in New York' }, // 23:00 on 1 March
    ];
    expect(busyOn('2027-03-02', NY, busy)).toEqual([
      { start: '09:00', end: '09:30', wholeDay: false, title: 'Stand-up' },
      { start: '15:00', end: '16:00', wholeDay: false, title: 'Late one' },
    ]);
  });

  it('cuts an event that crosses midnight to each day, and marks a day it covers whole', () => {
    const busy = [{ startsAt: at('2027-03-02T03:00:00Z'), endsAt: at('2027-03-04T08:00:00Z'), title: 'Offsite' }]; // 22:00 on 1 March to 03:00 on 4 March, New York
    expect(busyOn('2027-03-01', NY, busy)).toEqual([{ start: '22:00', end: '24:00', wholeDay: false, title: 'Offsite' }]);
    expect(busyOn('2027-03-02', NY, busy)).toEqual([{ start: '00:00', end: '24:00', wholeDay: true, title: 'Offsite' }]);
    expect(busyOn('2027-03-04', NY, busy)).toEqual([{ start: '00:00', end: '03:00', wholeDay: false, title: 'Offsite' }]);
  });

  it('reads a 23-hour day (clocks spring forward) as whole', () => {
    // New York springs forward on 14 March 2027: the day is 05:00Z to 04:00Z next day.
    const busy = [{ startsAt: at('2027-03-14T05:00:00Z'), endsAt: at('2027-03-15T04:00:00Z'), title: '' }];
    expect(busyOn('2027-03-14', NY, busy)).toEqual([{ start: '00:00', end: '24:00', wholeDay: true, title: '' }]);
  });

  it('escapes titles when shown', () => {
    const shown = busyItems([{ start: '09:00', end: '10:00', wholeDay: false, title: '<img src=x onerror=alert(1)>' }]).value;
    expect(shown).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(shown).not.toContain('<img');
    expect(busyItems([]).value).toBe('');
  });
});

describe('connectionStatus', () => {
  it('names the state in words', () => {
    expect(connectionStatus({ lastSyncedAt: null, lastError: null }).label).toBe('Not synced yet');
    expect(connectionStatus({ lastSyncedAt: new Date(), lastError: null }).label).toBe('Up to date');
    expect(connectionStatus({ lastSyncedAt: new Date(), lastError: 'The calendar answered 503' }).label).toBe('Failing: showing the last good copy');
    expect(connectionStatus({ lastSyncedAt: null, lastError: 'x' }).label).toBe('Failing');
  });
});
