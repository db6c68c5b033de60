import { DateTime } from 'luxon';

/** Times on pages, always in the viewer's zone (Luxon does the zone arithmetic). */
export const inZone = (d: Date | string, zone: string): DateTime =>
  (typeof d === 'string' ? DateTime.fromISO(d, { setZone: true }) : DateTime.fromJSDate(d)).setZone(zone);

/** "Mon 23 Nov 2026, 09:30" */
export const dateTime = (d: Date | string, zone: string): string => inZone(d, zone).toFormat('ccc d LLL yyyy, HH:mm');

/** "09:30" */
export const time = (d: Date | string, zone: string): string => inZone(d, zone).toFormat('HH:mm');

/** "Monday 23 November" */
export const day = (isoDate: string): string => DateTime.fromISO(isoDate, { zone: 'UTC' }).toFormat('cccc d LLLL');

/** "09:30–10:00 GMT+1" style range with the zone's short name at that instant. */
export const range = (from: Date | string, to: Date | string, zone: string): string =>
  `${dateTime(from, zone)}–${time(to, zone)} ${inZone(from, zone).toFormat('ZZZZ')}`;

/** ISO instant for <time datetime>. */
export const iso = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString());

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
