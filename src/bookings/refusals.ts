import { QueryFailedError } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors.js';

/** Why a slot cannot be booked, as the 409 code the contract names (details.reason keeps the engine's word). */
export const REFUSAL_CODES: Record<string, ErrorCode> = {
  outside_period: 'slot_unavailable',
  outside_notice: 'outside_notice',
  outside_horizon: 'outside_horizon',
  not_available: 'slot_unavailable',
  off_grid: 'slot_unavailable',
  slot_full: 'slot_unavailable',
  rep_busy: 'slot_unavailable',
  rep_weekly_cap: 'rep_weekly_cap',
  same_rep_limit: 'same_rep_limit',
  marketer_conflict: 'marketer_conflict',
  not_on_roster: 'not_on_roster',
  not_enrolled: 'not_enrolled',
  quota_reached: 'quota_reached',
};

export const MESSAGES: Record<string, string> = {
  outside_period: 'The slot is outside the period',
  outside_notice: 'The slot starts too soon: it is inside the minimum notice',
  outside_horizon: 'The slot is too far ahead: it is beyond the booking horizon',
  not_available: 'The rep has not published this time',
  off_grid: 'The start is not on the slot grid',
  slot_full: 'Every seat on this call is taken (you can join the waitlist)',
  rep_busy: 'The rep is in another call then',
  rep_weekly_cap: "The rep's week is full",
  same_rep_limit: 'You have reached the limit of sessions with this rep in this period',
  marketer_conflict: 'You are booked elsewhere at that time',
  not_on_roster: 'The rep is not on the active roster of this period',
  not_enrolled: 'The marketer is not enrolled in this period',
  quota_reached: "The marketer's quota for this period is reached",
};

/** The slot engine's refusal as the contract's error: its code, a sentence, and `details.reason` = the engine's word. */
export function refusal(reason: string): DomainError {
  return new DomainError(REFUSAL_CODES[reason] ?? 'slot_unavailable', MESSAGES[reason] ?? 'The slot cannot be booked', { reason });
}

/** Which exclusion constraint refused the row, as the contract's code. */
export function fromConstraint(e: unknown): DomainError | undefined {
  if (!(e instanceof QueryFailedError)) return undefined;
  const err = e.driverError as { code?: string; constraint?: string };
  if (err.code !== '23P01') return undefined;
  if (err.constraint === 'bookings_marketer_one_place') return refusal('marketer_conflict');
  return refusal(err.constraint === 'bookings_rep_seat_free' ? 'slot_full' : 'rep_busy');
}
