import ICAL from 'ical.js';
import { reminderAt, shiftMail, type ShiftFacts } from './shift-messages.js';

const facts: ShiftFacts = {
  id: '00000000-0000-4000-8000-000000000001',
  uid: 'shift-00000000-0000-4000-8000-000000000001@ridealong',
  sequence: 2,
  startsAt: new Date('2027-03-15T14:00:00Z'),
  endsAt: new Date('2027-03-15T16:00:00Z'),
  status: 'confirmed',
  queue: 'Billing <b>',
  queueZone: 'America/New_York',
  programName: 'Support onboarding',
  marketer: { name: 'Ana', email: 'ana@example.com', timeZone: 'Asia/Kolkata' },
};
const ics = { organizer: { name: 'ridealong', email: 'ridealong@example.com' }, stamp: new Date('2027-03-01T00:00:00Z'), publicUrl: 'https://ra.example' };

describe('shiftMail', () => {
  it('writes the marketer’s zone and an invite in the queue’s zone with the same UID and SEQUENCE', () => {
    const mail = shiftMail('assigned', facts, ics);
    expect(mail.text).toContain('Monday 15 March 2027, 19:30–21:30 (Asia/Kolkata)');
    expect(mail.html).toContain('Billing &lt;b&gt;');
    const cal = new ICAL.Component(ICAL.parse(mail.calendar!.content));
    const ev = new ICAL.Event(cal.getFirstSubcomponent('vevent')!);
    expect(cal.getFirstPropertyValue('method')).toBe('REQUEST');
    expect([ev.uid, ev.sequence, ev.startDate.toJSDate().toISOString()]).toEqual([facts.uid, 2, '2027-03-15T14:00:00.000Z']);
  });

  it('cancels with METHOD:CANCEL and the same UID', () => {
    const mail = shiftMail('cancelled', { ...facts, status: 'cancelled', sequence: 3 }, ics);
    expect(mail.calendar?.method).toBe('CANCEL');
    const cal = new ICAL.Component(ICAL.parse(mail.calendar!.content));
    expect(cal.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(cal.getFirstSubcomponent('vevent')!.getFirstPropertyValue('uid')).toBe(facts.uid);
  });
});

describe('reminderAt', () => {
  it('is 18:00 the evening before in the marketer’s zone', () => {
    // 09:00 Tuesday in Kolkata → 18:00 Monday Kolkata = 12:30Z.
    expect(reminderAt(new Date('2027-03-16T03:30:00Z'), 'Asia/Kolkata').toISOString()).toBe('2027-03-15T12:30:00.000Z');
    // Across New York's spring-forward night: 18:00 EST on Saturday 13 March.
    expect(reminderAt(new Date('2027-03-14T14:00:00Z'), 'America/New_York').toISOString()).toBe('2027-03-13T23:00:00.000Z');
  });
});
