import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { SlotColumns } from '../../availability/engine/slot-engine.js';
import { pageOf, slotObjects, type SlotList } from '../../availability/slot-page.js';
import type { User } from '../../people/user.entity.js';
import { localClock } from '../kit/format.js';
import { weekPage, weekSlotsOf, type WeekSlot, type WeekView } from './marketer-week.js';

describe('localClock', () => {
  // Zones with DST both ways, a 30-minute DST shift (Lord Howe), a half-hour offset, and none.
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];

  it.each(zones)('writes the same local date and time as Luxon, across the year and its transitions: %s', (zone) => {
    const clock = localClock(zone);
    // Every 15 minutes of the days around each 2026 transition, and every 7 hours of the year.
    const instants: number[] = [];
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 7 * 3_600_000) instants.push(t);
    for (const day of ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01']) {
      const start = Date.parse(`${day}T00:00:00Z`) - 36 * 3_600_000;
      for (let t = start; t < start + 72 * 3_600_000; t += 15 * 60_000) instants.push(t);
    }
    for (const t of instants) {
      const luxon = DateTime.fromMillis(t, { zone });
      const want = { date: luxon.toISODate(), hhmm: luxon.toFormat('HH:mm') };
      expect(clock(new Date(t).toISOString())).toEqual(want);
      expect(clock(new Date(t))).toEqual(want);
      expect(clock(new Date(t + 59_999))).toEqual(want); // seconds are not shown, as Luxon's HH:mm
    }
  });

  it('reads ISO instants with an offset, and falls back to Luxon for a zone it does not know', () => {
    expect(localClock('Europe/Berlin')('2026-12-07T08:00:00+01:00')).toEqual({ date: '2026-12-07', hhmm: '08:00' });
    expect(localClock('Not/AZone')('2026-12-07T08:00:00Z')).toEqual({ date: '', hhmm: 'Invalid DateTime' });
  });
});

/** Columns of three slots of two reps; the second has window metadata. */
function list(): SlotList {
  const minute = (iso: string) => Date.parse(iso) / 60_000;
  const cols: SlotColumns = {
    count: 3,
    start: Float64Array.from([minute('2026-12-07T09:00:00Z'), minute('2026-12-07T09:00:00Z'), minute('2026-12-08T10:15:00Z')]),
    end: Float64Array.from([minute('2026-12-07T09:45:00Z'), minute('2026-12-07T09:45:00Z'), minute('2026-12-08T11:00:00Z')]),
    repIndex: Int32Array.from([0, 1, 0]),
    capacityLeft: Int32Array.from([1, 3, 1]),
    windowMeta: Int32Array.from([-1, 0, 1]),
    meta: [{ label: 'Demo & <b>', callType: 'demo', marketingSourced: true }, { callType: 'renewal', customerCallId: 'cc-1' }],
  };
  return pageOf(cols, ['rep-a', 'rep-b'], 'UTC').list;
}

describe('weekSlotsOf', () => {
  const names = new Map([
    ['rep-a', 'Ann'],
    ['rep-b', 'Bob'],
  ]);

  it('reads the same slots as slotObjects, with their reps’ names, and every call type', () => {
    const out: WeekSlot[] = [];
    const types = new Set<string>();
    weekSlotsOf(list(), names, { callType: '', marketingSourced: false }, out, types);
    const drop = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    expect(out.map(drop)).toEqual(slotObjects(list()).map(({ localStart: _, ...s }) => ({ ...s, repName: names.get(s.repId) })));
    expect([...types]).toEqual(['demo', 'renewal']);
  });

  it('keeps only the call type, the marketing-sourced leads, and never the booking being moved', () => {
    const kept = (filter: Parameters<typeof weekSlotsOf>[2]) => {
      const out: WeekSlot[] = [];
      const types = new Set<string>();
      weekSlotsOf(list(), names, filter, out, types);
      expect([...types]).toEqual(['demo', 'renewal']); // whatever is kept
      return out.map((s) => `${s.repId} ${s.startsAt}`);
    };
    expect(kept({ callType: 'renewal', marketingSourced: false })).toEqual(['rep-a 2026-12-08T10:15:00.000Z']);
    expect(kept({ callType: '', marketingSourced: true })).toEqual(['rep-b 2026-12-07T09:00:00.000Z']);
    expect(kept({ callType: '', marketingSourced: false, except: 'rep-a 2026-12-07T09:00:00.000Z' })).toEqual(['rep-b 2026-12-07T09:00:00.000Z', 'rep-a 2026-12-08T10:15:00.000Z']);
  });
});

describe('weekPage', () => {
  const user = { id: 'u1', name: 'Mia <Marketer>', timeZone: 'Europe/Berlin', roles: ['marketer'] } as unknown as User;
  const view = (slots: WeekSlot[]): WeekView => ({
    user,
    csrf: 'tok',
    mode: { kind: 'book' },
    filters: { periodId: 'p1', week: '2026-12-07', repId: '', callType: '', marketingSourced: false },
    periods: [{ value: 'p1', label: 'Period' }],
    reps: [],
    callTypes: [],
    monday: DateTime.fromISO('2026-12-07', { zone: 'Europe/Berlin' }),
    slots,
    pageKey: 'k1',
    full: [
      { repId: 'rep-a', repName: 'Ann & Co', startsAt: '2026-12-08T08:00:00.000Z', endsAt: '2026-12-08T08:45:00.000Z', waiting: false },
      { repId: 'rep-b', repName: 'Bob', startsAt: '2026-12-08T08:00:00.000Z', endsAt: '2026-12-08T08:45:00.000Z', waiting: true },
    ],
    booked: [{ id: 'b1', repName: 'Cy', startsAt: new Date('2026-12-09T13:30:00Z'), endsAt: new Date('2026-12-09T14:15:00Z') }],
  });

  it('writes each slot, full call and session in its local day, escaped', () => {
    const out: WeekSlot[] = [];
    weekSlotsOf(list(), new Map([['rep-a', 'Ann & Co'], ['rep-b', '<Bob>']]), { callType: '', marketingSourced: false }, out, new Set());
    const page = weekPage(view(out)).value;
    const monday = page.slice(page.indexOf('id="day-2026-12-07"'), page.indexOf('id="day-2026-12-08"'));
    expect(monday).toContain('<li><button type="submit" name="slot" value="rep-a 2026-12-07T09:00:00.000Z" class="secondary">Book 10:00–10:45 with Ann &amp; Co</button></li>');
    expect(monday).toContain(
      '<li><button type="submit" name="slot" value="rep-b 2026-12-07T09:00:00.000Z" class="secondary">Book 10:00–10:45 with &lt;Bob&gt;</button><br><span class="muted">Demo &amp; &lt;b&gt; · demo · marketing-sourced lead · 3 seats left</span></li>',
    );
    const tuesday = page.slice(page.indexOf('id="day-2026-12-08"'), page.indexOf('id="day-2026-12-09"'));
    expect(tuesday).toContain(
      '<li class="customer-call"><button type="submit" name="slot" value="rep-a 2026-12-08T10:15:00.000Z" class="secondary">Book 11:15–12:00 with Ann &amp; Co</button><br><span class="badge">Customer call</span> <span class="muted">renewal</span></li>',
    );
    expect(tuesday).toContain(
      '<li><button type="submit" name="slot" value="rep-a 2026-12-08T08:00:00.000Z" formaction="/marketer/waitlist" class="link">Join the waitlist: 09:00–09:45 with Ann &amp; Co (full)</button></li>',
    );
    expect(tuesday).toContain('<li class="waiting"><span class="badge">Waiting</span> Full: 09:00–09:45 with Bob. You are on the waitlist.</li>');
    const wednesday = page.slice(page.indexOf('id="day-2026-12-09"'), page.indexOf('id="day-2026-12-10"'));
    expect(wednesday).toContain('Your session 14:30–15:15 with Cy');
    expect(wednesday).toContain('<p class="empty">No open slots</p>');
  });
});
