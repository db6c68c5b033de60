import { ATTENDEES_MAX, type IncomingInstance, inWindow, planApply, rowsOf, type StoredInstance, TITLE_MAX } from './sync-diff.js';

const at = (s: string) => new Date(s);
const window = { from: at('2027-03-01T00:00:00Z'), to: at('2027-04-01T00:00:00Z') };

function ev(over: Partial<IncomingInstance> = {}): IncomingInstance {
  return {
    uid: 'a@example.com',
    instance: '',
    startsAt: at('2027-03-10T10:00:00Z'),
    endsAt: at('2027-03-10T11:00:00Z'),
    allDay: false,
    busy: true,
    cancelled: false,
    title: 'Call',
    attendees: [],
    ...over,
  };
}

function stored(over: Partial<StoredInstance> = {}): StoredInstance {
  const { cancelled: _c, ...rest } = ev();
  return { id: 'id-1', ...rest, ...over };
}

describe('inWindow', () => {
  it('is an overlap of half-open ranges', () => {
    expect(inWindow({ startsAt: at('2027-02-28T23:00:00Z'), endsAt: at('2027-03-01T00:00:00Z') }, window)).toBe(false);
    expect(inWindow({ startsAt: at('2027-02-28T23:00:00Z'), endsAt: at('2027-03-01T00:01:00Z') }, window)).toBe(true);
    expect(inWindow({ startsAt: at('2027-04-01T00:00:00Z'), endsAt: at('2027-04-01T01:00:00Z') }, window)).toBe(false);
  });
});

describe('rowsOf', () => {
  it('drops cancelled, zero-length and out-of-window instances', () => {
    const rows = rowsOf(
      [
        ev({ uid: 'cancelled', cancelled: true }),
        ev({ uid: 'zero', endsAt: at('2027-03-10T10:00:00Z') }),
        ev({ uid: 'past', startsAt: at('2027-02-01T10:00:00Z'), endsAt: at('2027-02-01T11:00:00Z') }),
        ev({ uid: 'kept' }),
      ],
      window,
    );
    expect(rows.map((r) => r.uid)).toEqual(['kept']);
  });

  it('keeps one row per (uid, instance), the first', () => {
    const rows = rowsOf([ev({ title: 'first' }), ev({ title: 'second' }), ev({ instance: '2027-03-10T10:00:00.000Z', title: 'instance' })], window);
    expect(rows.map((r) => r.title)).toEqual(['first', 'instance']);
  });

  it('bounds titles and attendee lists, lower-cases and dedupes addresses', () => {
    const many = Array.from({ length: ATTENDEES_MAX + 50 }, (_, i) => `p${i}@customer.example`);
    const [row] = rowsOf([ev({ title: 'x'.repeat(TITLE_MAX + 10), attendees: ['Ann@Customer.example', 'ann@customer.example', ...many] })], window);
    expect(row.title).toHaveLength(TITLE_MAX);
    expect(row.attendees[0]).toBe('ann@customer.example');
    expect(row.attendees).toHaveLength(ATTENDEES_MAX);
  });
});

describe('planApply', () => {
  it('writes new instances and nothing for unchanged ones', () => {
    const plan = planApply([stored()], rowsOf([ev(), ev({ uid: 'new' })], window), window);
    expect(plan.write.map((w) => w.uid)).toEqual(['new']);
    expect(plan.moved).toEqual([]);
    expect(plan.removed).toEqual([]);
    expect(plan.kept).toBe(2);
  });

  it('reports a moved instance with its old and new times, and writes it', () => {
    const plan = planApply([stored()], rowsOf([ev({ startsAt: at('2027-03-11T10:00:00Z'), endsAt: at('2027-03-11T11:30:00Z') })], window), window);
    expect(plan.moved).toEqual([
      {
        eventId: 'id-1',
        from: { startsAt: at('2027-03-10T10:00:00Z'), endsAt: at('2027-03-10T11:00:00Z') },
        to: { startsAt: at('2027-03-11T10:00:00Z'), endsAt: at('2027-03-11T11:30:00Z') },
      },
    ]);
    expect(plan.write).toHaveLength(1);
  });

  it('writes a changed title, busy flag or attendee list without calling it a move', () => {
    for (const change of [{ title: 'Renamed' }, { busy: false }, { attendees: ['b@customer.example'] }, { allDay: true }]) {
      const plan = planApply([stored()], rowsOf([ev(change)], window), window);
      expect(plan.write).toHaveLength(1);
      expect(plan.moved).toEqual([]);
    }
  });

  it('removes stored instances in the window that the calendar no longer lists (or cancelled)', () => {
    const plan = planApply([stored(), stored({ id: 'id-2', uid: 'b' })], rowsOf([ev({ uid: 'b', cancelled: true })], window), window);
    expect(plan.removed.map((r) => r.eventId).sort()).toEqual(['id-1', 'id-2']);
    expect(plan.kept).toBe(0);
  });

  it('leaves stored instances outside the window alone (history is not a removal)', () => {
    const past = stored({ id: 'past', uid: 'p', startsAt: at('2027-02-10T10:00:00Z'), endsAt: at('2027-02-10T11:00:00Z') });
    const plan = planApply([past], [], window);
    expect(plan.removed).toEqual([]);
  });

  it('an instance listed again inside the window after being outside it has moved into it', () => {
    const past = stored({ id: 'past', startsAt: at('2027-02-10T10:00:00Z'), endsAt: at('2027-02-10T11:00:00Z') });
    const plan = planApply([past], rowsOf([ev()], window), window);
    expect(plan.moved.map((m) => m.eventId)).toEqual(['past']);
  });
});
