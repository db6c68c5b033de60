import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { REDACTED, redactSecrets, redactUrl } from './redact-url.js';

const token = (prefix: string, bytes = 32) => `${prefix}_${randomBytes(bytes).toString('base64url')}`;

describe('redactUrl', () => {
  it('redacts a sign-in link and a calendar feed, keeping the prefix and the extension', () => {
    const sl = token('sl');
    const rc = token('rc', 24);
    expect(redactUrl(`/sign-in/${sl}`)).toBe(`/sign-in/sl_${REDACTED}`);
    expect(redactUrl(`/sign-in/${sl}?next=%2Fmarketer`)).toBe(`/sign-in/sl_${REDACTED}?next=%2Fmarketer`);
    expect(redactUrl(`/calendar/${rc}.ics`)).toBe(`/calendar/rc_${REDACTED}.ics`);
  });

  it('redacts whatever follows a secret route, even when it does not look like a token', () => {
    expect(redactUrl('/sign-in/sl_short')).toBe(`/sign-in/sl_${REDACTED}`);
    expect(redactUrl('/sign-in/Abc123-truncated')).toBe(`/sign-in/${REDACTED}`);
    expect(redactUrl('/calendar/rc_x.ics')).toBe(`/calendar/rc_${REDACTED}.ics`);
    expect(redactUrl('/calendar/whatever%2F.ics/more')).toBe(`/calendar/${REDACTED}.ics/more`);
  });

  it('leaves route words and ordinary paths alone', () => {
    for (const path of ['/sign-in', '/sign-in?next=%2F', '/sign-in/oidc', '/sign-in/oidc/callback', '/sign-out', '/api/v1/me/calendar-token',
      '/api/v1/bookings/5f0c3c1e-8f4b-4a39-9a53-2f1b0a7d4e11/invite.ics', '/rollups/abc', '/health', '/api/v1/slots?periodId=1&from=2026-01-01']) {
      expect(redactUrl(path)).toBe(path);
    }
  });

  it('redacts secret query parameters in any letter case, and only their values', () => {
    expect(redactUrl('/x?token=abc&from=2026-01-01')).toBe(`/x?token=${REDACTED}&from=2026-01-01`);
    expect(redactUrl('/sign-in/oidc/callback?code=xyz&state=s1')).toBe(`/sign-in/oidc/callback?code=${REDACTED}&state=${REDACTED}`);
    expect(redactUrl('/a?from=1&Access_Token=t#frag')).toBe(`/a?from=1&Access_Token=${REDACTED}#frag`);
    expect(redactUrl('/a?password=')).toBe('/a?password=');
    expect(redactUrl('/a?tokens=1&mytoken=2')).toBe('/a?tokens=1&mytoken=2');
  });
});

describe('redactSecrets', () => {
  it('redacts token shapes anywhere in a text: messages, stacks, cookies', () => {
    const ra = token('ra');
    const ss = token('ss');
    expect(redactSecrets(`Cannot GET /x/${ra}/y`)).toBe(`Cannot GET /x/ra_${REDACTED}/y`);
    expect(redactSecrets(`ra_session=${ss}; other=1`)).toBe(`ra_session=ss_${REDACTED}; other=1`);
    expect(redactSecrets('ra_session and extra_thing stay')).toBe('ra_session and extra_thing stay');
    expect(redactSecrets(`extra_${'x'.repeat(40)}`)).toBe(`extra_${'x'.repeat(40)}`);
    expect(redactSecrets(`line one\\n${ss}`)).toBe(`line one\\nss_${REDACTED}`);
    expect(redactSecrets(`?next=%2Fsign-in%2F${ss}`)).toBe(`?next=%2Fsign-in%2Fss_${REDACTED}`);
  });

  it('keeps a serialized log line valid JSON, with no secret left in it', () => {
    const sl = token('sl');
    const rc = token('rc', 24);
    const line = JSON.stringify({ msg: 'request', path: `/sign-in/${sl}`, url: `https://h/calendar/${rc}.ics?key=k1`, err: { stack: `at /sign-in/${sl}\n` } });
    const out = redactSecrets(line);
    expect(out).not.toContain(sl.slice(3));
    expect(out).not.toContain(rc.slice(3));
    expect(out).not.toContain('k1');
    expect(JSON.parse(out)).toMatchObject({ path: `/sign-in/sl_${REDACTED}`, url: `https://h/calendar/rc_${REDACTED}.ics?key=${REDACTED}` });
  });

  it('never lets an issued token through, whatever surrounds it, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ra', 'sl', 'ss', 'rc'),
        fc.uint8Array({ minLength: 24, maxLength: 48 }),
        fc.string(),
        fc.constantFrom(' ', '/', '"', '=', '\\n', '%2F', ':', '('),
        fc.constantFrom(' ', '/', '"', '.ics', '&', '?', '\\n', ''),
        fc.string(),
        (prefix, bytes, before, left, right, after) => {
          const secret = `${prefix}_${Buffer.from(bytes).toString('base64url')}`;
          const once = redactSecrets(`${before}${left}${secret}${right}${after}`);
          expect(once).not.toContain(secret);
          expect(redactSecrets(once)).toBe(once);
        },
      ),
    );
  });
});
