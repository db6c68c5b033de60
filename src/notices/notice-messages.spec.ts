import { linkifiedText, noticeMail, sentLabel } from './notice-messages.js';

const facts = {
  noticeId: '00000000-0000-4000-8000-000000000001',
  kind: 'campaign_notification' as const,
  subject: 'Spring <launch>',
  body: 'The campaign starts Monday.\nDetails: https://example.com/spring?a=1&b=2. Ask us anything.',
  sentAt: new Date('2026-12-04T13:05:00Z'),
  programName: 'Call shadowing',
  rep: { name: 'Rita Rep', email: 'rita@example.com', timeZone: 'America/New_York' },
  publicUrl: 'https://ridealong.example',
};

describe('noticeMail', () => {
  it('says when it was sent in the rep zone, in both parts', () => {
    const m = noticeMail(facts);
    expect(m.text).toContain('Sent Friday 4 December 2026, 08:05 (America/New_York).');
    expect(m.html).toContain('Sent Friday 4 December 2026, 08:05 (America/New_York).');
    expect(m.subject).toBe('Campaign notification: Spring <launch>');
    expect(m.to).toEqual({ name: 'Rita Rep', email: 'rita@example.com' });
  });

  it('keeps the text plain, escapes it in HTML and links only http(s) URLs showing the URL', () => {
    const m = noticeMail(facts);
    expect(m.text).toContain('Details: https://example.com/spring?a=1&b=2. Ask us anything.');
    expect(m.html).toContain('Spring &lt;launch&gt;');
    expect(m.html).toContain('href="https://example.com/spring?a=1&amp;b=2"');
    expect(m.html).toContain('>https://example.com/spring?a=1&amp;b=2</a>. Ask');
    expect(m.html).toContain('href="https://ridealong.example/rep"');
    expect(m.text).toContain('https://ridealong.example/rep');
  });

  it('has no images and no tracking', () => {
    const m = noticeMail(facts);
    expect(m.html).not.toMatch(/<img/i);
    expect(m.html).not.toMatch(/src=/i);
    const hrefs = [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]);
    expect(hrefs.sort()).toEqual(['https://example.com/spring?a=1&amp;b=2', 'https://ridealong.example/rep']);
  });
});

describe('linkifiedText', () => {
  it('escapes markup and never links other schemes', () => {
    expect(linkifiedText('<b>hi</b> javascript:alert(1) x')).toBe('&lt;b&gt;hi&lt;/b&gt; javascript:alert(1) x');
  });
  it('keeps line breaks and trailing punctuation outside the link', () => {
    expect(linkifiedText('see (http://a.example/x).\nok')).toBe('see (<a href="http://a.example/x" style="color:#0a58ca;text-decoration:underline">http://a.example/x</a>).<br>ok');
  });
  it('cannot be tricked by quotes into an attribute', () => {
    expect(linkifiedText('https://a.example/"onmouseover="x')).toContain('href="https://a.example/"');
  });
});

describe('sentLabel', () => {
  it('formats in the zone', () => {
    expect(sentLabel(new Date('2026-07-01T23:30:00Z'), 'Asia/Tokyo')).toBe('Thursday 2 July 2026, 08:30');
  });
});
