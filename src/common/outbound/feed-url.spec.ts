import { normalizeFeedUrl } from './feed-url.js';
import { OutboundRefusedError } from './outbound-errors.js';

const refused = (raw: string) => {
  try {
    normalizeFeedUrl(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(OutboundRefusedError);
    const e = err as OutboundRefusedError;
    expect(e).toMatchObject({ code: 'invalid_value', status: 400, details: { field: 'url' } });
    expect(e.message).toMatch(/^url /);
    return e.reason;
  }
  throw new Error(`${raw} was not refused`);
};

describe('normalizeFeedUrl', () => {
  it('keeps http and https, turns webcal and webcals into https', () => {
    expect(normalizeFeedUrl('https://calendar.example.com/a.ics').href).toBe('https://calendar.example.com/a.ics');
    expect(normalizeFeedUrl('  http://calendar.example.com/a.ics ').href).toBe('http://calendar.example.com/a.ics');
    expect(normalizeFeedUrl('webcal://Calendar.Example.com/a/b.ics?k=1').href).toBe('https://calendar.example.com/a/b.ics?k=1');
    expect(normalizeFeedUrl('WEBCAL://calendar.example.com:8443/x').href).toBe('https://calendar.example.com:8443/x');
    expect(normalizeFeedUrl('webcals://calendar.example.com/x').href).toBe('https://calendar.example.com/x');
    expect(normalizeFeedUrl(new URL('webcal://calendar.example.com/x')).href).toBe('https://calendar.example.com/x');
  });

  it('writes numeric and hex IPv4 hosts as dotted quads (webcal too), so the address check sees them', () => {
    expect(normalizeFeedUrl('http://2130706433/a.ics').hostname).toBe('127.0.0.1');
    expect(normalizeFeedUrl('webcal://0x7f.1/a.ics').href).toBe('https://127.0.0.1/a.ics');
    expect(normalizeFeedUrl('http://[0:0:0:0:0:ffff:7f00:1]/').hostname).toBe('[::ffff:7f00:1]');
  });

  it('drops the fragment', () => {
    expect(normalizeFeedUrl('https://calendar.example.com/a.ics#top').href).toBe('https://calendar.example.com/a.ics');
  });

  it('refuses other schemes', () => {
    for (const raw of ['ftp://example.com/a.ics', 'file:///etc/passwd', 'gopher://example.com', 'javascript:alert(1)', 'data:text/calendar,BEGIN', 'ws://example.com']) {
      expect(refused(raw)).toBe('scheme');
    }
  });

  it('refuses what is not a URL', () => {
    expect(refused('')).toBe('invalid_url');
    expect(refused('calendar.example.com/a.ics')).toBe('invalid_url');
    expect(refused('https://')).toBe('invalid_url');
    expect(refused(`https://example.com/${'a'.repeat(5000)}`)).toBe('invalid_url');
  });

  it('refuses credentials in the URL', () => {
    expect(refused('https://user:pass@calendar.example.com/a.ics')).toBe('credentials');
    expect(refused('webcal://user@calendar.example.com/a.ics')).toBe('credentials');
  });

  it('refuses metadata host names', () => {
    expect(refused('http://metadata.google.internal/computeMetadata/v1/')).toBe('metadata');
    expect(refused('http://METADATA.google.internal./')).toBe('metadata');
  });

  it('never puts the URL in the message', () => {
    try {
      normalizeFeedUrl('ftp://example.com/secret-token-123');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret-token-123');
    }
  });
});
