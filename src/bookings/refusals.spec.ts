import { QueryFailedError } from 'typeorm';
import { DomainError } from '../common/errors.js';
import { fromConstraint, refusal, REFUSAL_CODES } from './refusals.js';

const violation = (code: string, constraint: string) => new QueryFailedError('INSERT INTO bookings ...', [], Object.assign(new Error('violates'), { code, constraint }));

describe('booking refusals', () => {
  it.each([
    ['outside_period', 'slot_unavailable'],
    ['outside_notice', 'outside_notice'],
    ['outside_horizon', 'outside_horizon'],
    ['not_available', 'slot_unavailable'],
    ['off_grid', 'slot_unavailable'],
    ['slot_full', 'slot_unavailable'],
    ['rep_busy', 'slot_unavailable'],
    ['rep_weekly_cap', 'rep_weekly_cap'],
    ['same_rep_limit', 'same_rep_limit'],
    ['marketer_conflict', 'marketer_conflict'],
    ['not_on_roster', 'not_on_roster'],
    ['not_enrolled', 'not_enrolled'],
    ['quota_reached', 'quota_reached'],
  ])('%s is the contract code %s, with the engine word in details.reason and a sentence', (reason, code) => {
    const e = refusal(reason);
    expect(e).toBeInstanceOf(DomainError);
    expect({ code: e.code, details: e.details }).toEqual({ code, details: { reason } });
    expect(e.message).not.toBe('The slot cannot be booked');
  });

  it('every engine refusal has a code (no reason falls through to the default)', () => {
    expect(Object.keys(REFUSAL_CODES).sort()).toEqual(
      ['marketer_conflict', 'not_available', 'not_enrolled', 'not_on_roster', 'off_grid', 'outside_horizon', 'outside_notice', 'outside_period', 'quota_reached', 'rep_busy', 'rep_weekly_cap', 'same_rep_limit', 'slot_full'].sort(),
    );
  });

  it('an unknown reason is slot_unavailable', () => {
    expect({ code: refusal('moon_phase').code, reason: refusal('moon_phase').details.reason }).toEqual({ code: 'slot_unavailable', reason: 'moon_phase' });
  });

  it('the exclusion constraints name the refusal: marketer in two places, seat taken, rep busy', () => {
    expect(fromConstraint(violation('23P01', 'bookings_marketer_one_place'))?.details.reason).toBe('marketer_conflict');
    expect(fromConstraint(violation('23P01', 'bookings_rep_seat_free'))?.details.reason).toBe('slot_full');
    expect(fromConstraint(violation('23P01', 'bookings_rep_one_call'))?.details.reason).toBe('rep_busy');
  });

  it('other database errors and plain errors are not refusals', () => {
    expect(fromConstraint(violation('23505', 'idempotency_keys_pkey'))).toBeUndefined();
    expect(fromConstraint(new Error('boom'))).toBeUndefined();
  });
});
