import { realMoves } from './reconcile.js';

const t = (iso: string) => new Date(iso);
const times = (s: string, e: string) => ({ startsAt: t(s), endsAt: t(e) });

describe('realMoves', () => {
  it('keeps moves that change the times, the last one per event, and drops removed events', () => {
    const a = times('2027-03-01T10:00:00Z', '2027-03-01T11:00:00Z');
    const b = times('2027-03-01T12:00:00Z', '2027-03-01T13:00:00Z');
    const c = times('2027-03-01T14:00:00Z', '2027-03-01T15:00:00Z');
    const moves = realMoves({
      moved: [
        { eventId: 'same', from: a, to: times('2027-03-01T10:00:00Z', '2027-03-01T11:00:00Z') },
        { eventId: 'x', from: a, to: b },
        { eventId: 'x', from: a, to: c },
        { eventId: 'gone', from: a, to: b },
        { eventId: 'longer', from: a, to: times('2027-03-01T10:00:00Z', '2027-03-01T11:30:00Z') },
      ],
      removed: [{ eventId: 'gone', ...b }],
      added: [],
    });
    expect(moves.map((m) => [m.eventId, m.to.startsAt.toISOString()])).toEqual([
      ['x', '2027-03-01T14:00:00.000Z'],
      ['longer', '2027-03-01T10:00:00.000Z'],
    ]);
  });
});
