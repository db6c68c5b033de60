import fc from 'fast-check';
import { CursorError, cursorScope, decodeCursor, encodeCursor, positions } from './cursor.js';

const ID = '0b7e4c2a-1d3f-4e5a-9b8c-7d6e5f4a3b2c';

describe('cursorScope', () => {
  it('ignores property order and absent values', () => {
    expect(cursorScope({ a: 1, b: 'x', c: undefined })).toBe(cursorScope({ b: 'x', a: 1 }));
    expect(cursorScope({ a: 1, b: '' })).toBe(cursorScope({ a: 1 }));
  });

  it('differs when a value differs', () => {
    expect(cursorScope({ a: 1 })).not.toBe(cursorScope({ a: 2 }));
    expect(cursorScope({ a: 1 })).not.toBe(cursorScope({ a: '1' }));
    expect(cursorScope({ a: 1 })).not.toBe(cursorScope({ b: 1 }));
  });
});

describe('encodeCursor / decodeCursor', () => {
  const scope = cursorScope({ periodId: 'p', from: '2027-03-08' });

  it('gives back the position it was made with', () => {
    const c = encodeCursor('slots', scope, [28_000_000, ID]);
    expect(decodeCursor('slots', scope, c, positions.minuteAndId)).toEqual({ minute: 28_000_000, id: ID });
    expect(c).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
  });

  it('round-trips any instant-and-id position', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2200-12-31'), noInvalidDate: true }), fc.uuid(), (d, id) => {
        const at = d.toISOString().replace('Z', '000Z');
        expect(decodeCursor('bookings', scope, encodeCursor('bookings', scope, [at, id]), positions.instantAndId)).toEqual({ at, id });
      }),
    );
  });

  it('refuses a cursor of another list or of other query parameters', () => {
    const c = encodeCursor('slots', scope, [1, ID]);
    expect(() => decodeCursor('bookings', scope, c, positions.minuteAndId)).toThrow(/does not belong to this list/);
    expect(() => decodeCursor('slots', cursorScope({ periodId: 'p', from: '2027-03-09' }), c, positions.minuteAndId)).toThrow(/other query parameters/);
  });

  it('refuses any altered character', () => {
    const c = encodeCursor('slots', scope, [28_000_000, ID]);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.nat({ max: c.length - 1 }), fc.constantFrom(...alphabet), (i, ch) => {
        fc.pre(c[i] !== '.' && c[i] !== ch);
        const altered = c.slice(0, i) + ch + c.slice(i + 1);
        expect(() => decodeCursor('slots', scope, altered, positions.minuteAndId)).toThrow(CursorError);
      }),
    );
  });

  it('refuses garbage, cut cursors and positions of the wrong shape', () => {
    const c = encodeCursor('slots', scope, [28_000_000, ID]);
    for (const bad of ['', 'x', 'abc.def', c.slice(0, -1), `${c}A`, c.replace('.', ''), 'a'.repeat(2000), '\u0000', 'é.é']) {
      expect(() => decodeCursor('slots', scope, bad, positions.minuteAndId)).toThrow(CursorError);
    }
    // Intact, but the position does not fit the list's shape.
    expect(() => decodeCursor('slots', scope, encodeCursor('slots', scope, ['x', ID]), positions.minuteAndId)).toThrow(CursorError);
    expect(() => decodeCursor('slots', scope, encodeCursor('slots', scope, [1.5, ID]), positions.minuteAndId)).toThrow(CursorError);
    expect(() => decodeCursor('slots', scope, encodeCursor('slots', scope, [1, 'not-a-uuid']), positions.minuteAndId)).toThrow(CursorError);
    expect(() => decodeCursor('a', scope, encodeCursor('a', scope, ['2027-03-08T09:00:00Z', ID]), positions.instantAndId)).toThrow(CursorError);
    expect(() => decodeCursor('a', scope, encodeCursor('a', scope, ['0']), positions.serial)).toThrow(CursorError);
    expect(decodeCursor('a', scope, encodeCursor('a', scope, ['42']), positions.serial)).toEqual({ id: '42' });
  });
});
