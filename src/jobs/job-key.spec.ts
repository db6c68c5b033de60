import { jobIdForKey } from './job-key.js';

describe('jobIdForKey', () => {
  it('is a well-formed UUID', () => {
    expect(jobIdForKey('q', 'k')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is the same for the same queue and key, and differs otherwise', () => {
    expect(jobIdForKey('reminders', 'booking:1')).toBe(jobIdForKey('reminders', 'booking:1'));
    expect(jobIdForKey('reminders', 'booking:1')).not.toBe(jobIdForKey('reminders', 'booking:2'));
    expect(jobIdForKey('a', 'bc')).not.toBe(jobIdForKey('ab', 'c'));
  });
});
