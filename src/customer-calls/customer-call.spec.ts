import { callState, CallEvent, defaultLabel, goneReason, isListedCall, LABEL_MAX, movedClashReason, openRefusal, ruleOpens } from './customer-call.js';

const company = ['example.com'];
const now = new Date('2027-03-01T12:00:00Z');
const event = (over: Partial<CallEvent> = {}): CallEvent => ({
  startsAt: new Date('2027-03-02T15:00:00Z'),
  endsAt: new Date('2027-03-02T16:00:00Z'),
  allDay: false,
  busy: true,
  title: 'ACME renewal',
  attendees: ['cfo@acme.test', 'bob@example.com'],
  openedAt: null,
  ...over,
});

describe('callState', () => {
  it('is booked with a confirmed booking, open when opened, closed otherwise', () => {
    expect(callState(null, 0)).toBe('closed');
    expect(callState(now, 0)).toBe('open');
    expect(callState(now, 2)).toBe('booked');
  });
});

describe('isListedCall', () => {
  it('lists timed busy events with an outside attendee', () => {
    expect(isListedCall(event(), company)).toBe(true);
    expect(isListedCall(event({ attendees: ['CFO@ACME.TEST'] }), company)).toBe(true);
  });
  it('leaves out internal meetings, declined or free events, and all-day events', () => {
    expect(isListedCall(event({ attendees: ['amy@example.com'] }), company)).toBe(false);
    expect(isListedCall(event({ busy: false }), company)).toBe(false);
    expect(isListedCall(event({ allDay: true }), company)).toBe(false);
  });
  it('keeps an opened call listed even when it no longer counts (so it can be closed)', () => {
    expect(isListedCall(event({ attendees: ['amy@example.com'], openedAt: now }), company)).toBe(true);
  });
});

describe('openRefusal', () => {
  it('opens an upcoming customer call', () => expect(openRefusal(event(), company, now)).toBeNull());
  it.each<[Partial<CallEvent>, string]>([
    [{ attendees: ['amy@EXAMPLE.com'] }, 'not_customer_call'],
    [{ busy: false }, 'not_attending'],
    [{ allDay: true }, 'all_day'],
    [{ startsAt: now }, 'started'],
    [{ startsAt: new Date('2027-03-01T11:00:00Z') }, 'started'],
  ])('refuses %j: %s', (over, reason) => expect(openRefusal(event(over), company, now)?.reason).toBe(reason));
});

describe('defaultLabel', () => {
  it('is the title, tidied, cut to the label length', () => {
    expect(defaultLabel('  ACME   renewal ')).toBe('ACME renewal');
    expect(defaultLabel('')).toBeNull();
    const long = defaultLabel('x'.repeat(300))!;
    expect(long).toHaveLength(LABEL_MAX);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('ruleOpens', () => {
  it('opens every call when enabled without a keyword', () => expect(ruleOpens({ enabled: true, keyword: null }, 'Anything')).toBe(true));
  it('needs the keyword in the title, ignoring case', () => {
    expect(ruleOpens({ enabled: true, keyword: 'demo' }, 'ACME DEMO call')).toBe(true);
    expect(ruleOpens({ enabled: true, keyword: 'demo' }, 'ACME renewal')).toBe(false);
  });
  it('opens nothing when disabled or absent', () => {
    expect(ruleOpens({ enabled: false, keyword: null }, 'ACME')).toBe(false);
    expect(ruleOpens(null, 'ACME')).toBe(false);
  });
});

describe('reasons', () => {
  const to = { startsAt: new Date('2027-03-09T14:00:00Z'), endsAt: new Date('2027-03-09T15:00:00Z') };
  it('names the rep, the new time in the marketer’s zone and the clash', () => {
    const r = movedClashReason({ kind: 'marketer_booking', repName: 'Rita' }, { repName: 'Sam', to, zone: 'Europe/Berlin' });
    expect(r).toBe("Sam moved this customer call in their calendar to Tue 9 Mar 2027, 15:00–16:00 (Europe/Berlin), when you are booked to shadow Rita's call");
    expect(movedClashReason({ kind: 'marketer_shift', queue: 'billing' }, { repName: 'Sam', to, zone: 'UTC' })).toMatch(/during your support shift \(billing\)$/);
    expect(movedClashReason({ kind: 'rep_booking' }, { repName: 'Sam', to, zone: 'UTC' })).toMatch(/another shadowed call is booked with them$/);
    expect(movedClashReason({ kind: 'started' }, { repName: 'Sam', to, zone: 'UTC' })).toMatch(/already begun$/);
  });
  it('says why a call is gone', () => {
    expect(goneReason('Sam', 'removed')).toMatch(/cancelled or removed from their calendar/);
    expect(goneReason('Sam', 'not_attending')).toMatch(/no longer attends/);
  });
});
