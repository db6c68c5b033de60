import { isIanaZone } from './time-zone.js';

describe('isIanaZone', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'])(
    'accepts %s',
    (z) => expect(isIanaZone(z)).toBe(true),
  );
  it.each(['Mars/Olympus', 'Europe/Berlinn', '', '+05:30', 'GMT+2x', 42, null, undefined])('rejects %j', (z) =>
    expect(isIanaZone(z)).toBe(false),
  );
});
