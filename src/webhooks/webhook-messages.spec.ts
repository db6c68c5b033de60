import { attemptOutcome, DISABLE_AFTER_FAILURES, disabledMail, shouldDisable } from './webhook-messages.js';

describe('webhook attempt outcomes', () => {
  it('counts any 2xx as delivered and everything else, redirects included, as a failure', () => {
    expect(attemptOutcome(200, null)).toEqual({ delivered: true, error: null });
    expect(attemptOutcome(204, null).delivered).toBe(true);
    expect(attemptOutcome(301, null)).toEqual({ delivered: false, error: 'the receiver answered HTTP 301' });
    expect(attemptOutcome(500, null).delivered).toBe(false);
    expect(attemptOutcome(null, 'timed out').error).toBe('timed out');
    expect(attemptOutcome(null, 'x'.repeat(2000)).error).toHaveLength(500);
  });

  it('disables on the 20th failure in a row, once', () => {
    expect(shouldDisable(DISABLE_AFTER_FAILURES - 1, true)).toBe(false);
    expect(shouldDisable(DISABLE_AFTER_FAILURES, true)).toBe(true);
    expect(shouldDisable(DISABLE_AFTER_FAILURES + 3, false)).toBe(false);
  });

  it('tells the owner in their zone, in text and HTML, with the host and never a path', () => {
    const mail = disabledMail({
      owner: { name: 'Lee', email: 'lee@example.com', timeZone: 'Asia/Kathmandu' },
      host: 'hooks.example.com',
      endpointId: 'e1',
      at: new Date('2027-01-05T10:00:00Z'),
      lastError: 'the receiver answered HTTP 500',
      pageUrl: 'https://ridealong.example.com/lifecycle/webhooks',
    });
    expect(mail.text).toContain('Tuesday 5 January 2027, 15:45 (GMT+5:45)');
    expect(mail.subject).toContain('hooks.example.com');
    expect(mail.html).toContain('https://ridealong.example.com/lifecycle/webhooks');
    expect(mail.html).not.toMatch(/<img/i);
  });
});
