import { PLACEHOLDERS, redact, redactDeep, RedactOptions } from './redact.js';

const text = (input: string, options?: RedactOptions): string => redact(input, options).text;

/** Every sentence used below, for the idempotence and "no digits of the number survive" checks. */
const corpus: string[] = [];
const collect = <T extends readonly unknown[]>(rows: T[]): T[] => {
  for (const row of rows) for (const cell of row) if (typeof cell === 'string') corpus.push(cell);
  return rows;
};

describe('redact: emails', () => {
  it.each(
    collect([
      ['She said to email jane@acme.com about the renewal.', 'She said to email [email] about the renewal.'],
      ['Send the deck to jane.doe+crm@acme.com by Friday', 'Send the deck to [email] by Friday'],
      ['CC ops@mail.eu.acme.co.uk on the thread', 'CC [email] on the thread'],
      ['Her address is JANE.DOE@ACME.COM (all caps in the signature)', 'Her address is [email] (all caps in the signature)'],
      ['From: Jane Doe <jane@acme.com>', 'From: Jane Doe <[email]>'],
      ['Reach out to jane@acme.com, bob@acme.io; or kim@acme.de.', 'Reach out to [email], [email]; or [email].'],
      ['"jane_doe-99@acme-corp.travel"!', '"[email]"!'],
      ["Quote: 'write me at jane@acme.com'", "Quote: 'write me at [email]'"],
      ['mailto:jane@acme.com?subject=Demo', 'mailto:[email]?subject=Demo'],
      ['link https://crm.example/contacts?email=jane%40acme.com&x=1', 'link https://crm.example/contacts?email=[email]&x=1'],
      ['jürgen@müller-gmbh.de prefers German', '[email] prefers German'],
      ["o'brien@acme.ie is the champion", '[email] is the champion'],
    ]),
  )('%s', (input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it.each(
    collect([
      ['He spelled it out: jane dot doe at acme dot com.', 'He spelled it out: [email].'],
      ['write to jane[at]acme.com for the pilot', 'write to [email] for the pilot'],
      ['jane (at) acme (dot) com, she said', '[email], she said'],
      ['jane(at)acme(dot)com', '[email]'],
      ['jane {at} acme {dot} co {dot} uk', '[email]'],
      ['jane [dot] doe [at] acme [dot] co [dot] uk', '[email]'],
      ['jane_doe[@]acme[.]com', '[email]'],
      ['JANE AT ACME DOT COM', '[email]'],
      ['she typed jane @ acme.com in the chat', 'she typed [email] in the chat'],
      ['it is jane at acme.com, not gmail', 'it is [email], not gmail'],
      ['jane at acme dot co dot uk', '[email]'],
      ['ping jane at acme dot com dot you know?', 'ping [email] dot you know?'],
      ['...jane at acme dot com', '...[email]'],
      ['jane underscore doe at acme dash logistics dot com', '[email]'],
      ['Jane Hyphen Doe at acme dot com', '[email]'],
    ]),
  )('obfuscated: %s', (input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it.each(
    collect([
      ['We looked at acme.com together on the call.'],
      ['She works at acme.io now.'],
      ['Meet at 10.30 at the office'],
      ['Look at index.html and the @mentions'],
      ['The screenshot logo@2x.png is attached'],
      ['Ping @jane on Slack'],
      ['The rep was at lunch; back at 2.'],
      ['user@localhost is not an address'],
    ]),
  )('leaves ordinary text alone: %s', (input) => {
    expect(text(input)).toBe(input);
  });
});

describe('redact: phone numbers', () => {
  it.each(
    collect([
      ['US', 'Call her at (415) 555-2671 tomorrow.', 'Call her at [phone] tomorrow.'],
      ['US', 'Her cell is 415-555-2671.', 'Her cell is [phone].'],
      ['US', 'Desk line 415.555.2671, mornings only', 'Desk line [phone], mornings only'],
      ['US', 'International: +1 415 555 2671', 'International: [phone]'],
      ['US', 'He left +1-415-555-2671 on the voicemail', 'He left [phone] on the voicemail'],
      ['US', 'US: 1 (415) 555-2671 or (415)555-2671', 'US: [phone] or [phone]'],
      ['US', 'Dial 415 - 555 - 2671 and ask for Bob', 'Dial [phone] and ask for Bob'],
      ['US', 'tel:+14155552671', 'tel:[phone]'],
      ['US', 'His number is 4155552671', 'His number is [phone]'],
      ['US', 'call me at 555-2671', 'call me at [phone]'],
      ['UK', 'London office +44 20 7946 0958.', 'London office [phone].'],
      ['UK', 'Landline 020 7946 0958 after 3', 'Landline [phone] after 3'],
      ['UK', 'Mobile 07700 900123, text first', 'Mobile [phone], text first'],
      ['UK', 'Mobile +44 (0)7700 900123', 'Mobile [phone]'],
      ['UK', 'T: 020 7946 0958 M: 07700 900123', 'T: [phone] M: [phone]'],
      ['UK', 'Number without spaces 07700900123.', 'Number without spaces [phone].'],
      ['UK', '0044 20 7946 0958 from abroad', '[phone] from abroad'],
      ['Germany', 'Berlin: +49 30 12345678', 'Berlin: [phone]'],
      ['Germany', 'Zentrale 030 12345678', 'Zentrale [phone]'],
      ['Germany', 'Tel. +49 (0)30 1234 5678', 'Tel. [phone]'],
      ['Germany', 'Tel. +49-30-12345678 oder 030/1234567', 'Tel. [phone] oder [phone]'],
      ['Germany', 'Durchwahl +49 30 123 456-78', 'Durchwahl [phone]'],
      ['France', 'Paris +33 1 23 45 67 89', 'Paris [phone]'],
      ['France', 'Standard : 01 23 45 67 89.', 'Standard : [phone].'],
      ['France', 'Portable 06.12.34.56.78', 'Portable [phone]'],
      ['France', '+33 (0)1 23 45 67 89', '[phone]'],
      ['India', 'WhatsApp +91 98765 43210', 'WhatsApp [phone]'],
      ['India', 'Office 098765 43210', 'Office [phone]'],
      ['India', 'Alt +91-9876543210', 'Alt [phone]'],
      ['Brazil', 'São Paulo +55 11 91234-5678', 'São Paulo [phone]'],
      ['Brazil', 'celular (11) 91234-5678', 'celular [phone]'],
      ['Japan', 'Tokyo +81 3-1234-5678', 'Tokyo [phone]'],
      ['Japan', '代表 03-1234-5678 です', '代表 [phone] です'],
      ['Japan', 'mobile 090-1234-5678', 'mobile [phone]'],
      ['Japan', '電話 ０３－１２３４－５６７８', '電話 [phone]'],
      ['Australia', 'Sydney +61 2 9876 5432', 'Sydney [phone]'],
      ['Australia', 'Mobile 0412 345 678', 'Mobile [phone]'],
      ['Australia', 'Office (02) 9876 5432', 'Office [phone]'],
      ['other', 'Moscow +7 (495) 123-45-67, Beijing +86 138 0013 8000', 'Moscow [phone], Beijing [phone]'],
      ['other', 'Madrid 912 345 678', 'Madrid [phone]'],
      ['other', 'Dublin +353 1 234 5678', 'Dublin [phone]'],
      ['other', 'Non-breaking: +44\u00a020\u00a07946\u00a00958', 'Non-breaking: [phone]'],
    ]),
  )('%s: %s', (_country, input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it.each(
    collect([
      ['Main line 415-555-2671 x123, ask for Bob', 'Main line [phone], ask for Bob'],
      ['Main line 415-555-2671x123', 'Main line [phone]'],
      ['Switchboard +44 20 7946 0958 ext. 45.', 'Switchboard [phone].'],
      ['Call +1 415 555 2671, ext 12 before noon', 'Call [phone] before noon'],
      ['Call 020 7946 0958 extension 4521', 'Call [phone]'],
      ['+1-415-555-2671ext45', '[phone]'],
    ]),
  )('includes the extension: %s', (input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it('vanity toll-free numbers are redacted when the letters are upper case (decision)', () => {
    expect(text('Their hotline is 1-800-FLOWERS, or 1 (888) GOT-JUNK.')).toBe('Their hotline is [phone], or [phone].');
    expect(text('Order via 800-FLOWERS')).toBe('Order via [phone]');
    // Lower-case words after a number are prose, not vanity numbers.
    expect(text('they have 1 800 employees')).toBe('they have 1 800 employees');
  });

  it('keeps the number next to a unit when a phone runs into it', () => {
    expect(text('call 415-555-2671 10 users are waiting')).toBe('call [phone] 10 users are waiting');
  });

  it('leaves nothing of the number behind', () => {
    const r = redact('Reach Jane on +44 (0)20 7946 0958 or 020 7946 0958 x 12.');
    expect(r.text).toBe('Reach Jane on [phone] or [phone].');
    expect(r.text).not.toMatch(/\d/);
  });
});

describe('redact: ordinary numbers stay', () => {
  it.each(
    collect([
      ['price', 'The quote was $12,500 for the year.'],
      ['price', 'Angebot: € 1.200,00 pro Monat'],
      ['price', 'ARR target €1.200.000 or 1 200 000 € or USD 12 500 000 or 12 500 000k'],
      ['price', 'They pay $1,200,000 and 1.5M next year'],
      ['price', 'amount EUR 1.234.567,89 and 1.234.567.890 €'],
      ['percent', 'Discount of 12.5% and 5-10% on renewals, +12.5% YoY'],
      ['year', 'They plan to switch in 2026.'],
      ['year', 'Q3 2026, FY2026, the 2024-2026 contract, the 2025/2026 season, 1999-2001'],
      ['date', 'Kick-off on 2026-11-22 at 14:30.'],
      ['date', 'Next call 22/11/2026, then 11/22/2026 and 2026/11/22'],
      ['date', 'Termin am 22.11.2026 um 09:30'],
      ['date', 'Renewal 2026-11-22T14:30:00Z, timestamp 2026-11-22T14:30:00+01:00'],
      ['date', 'Meeting 2026-11-22 14:30 then 2026-11-23 10:00'],
      ['time', 'Calls at 14:30, 10:00-11:30 and 9.30'],
      ['version', 'They run v2.3.1 and 10.15.7 (macOS)'],
      ['quantity', 'They need 3 seats, maybe 20 000 users and 50-100 licences'],
      ['id', 'Order #12345 and ticket #123456789'],
      ['id', 'SKU-12345678, PO-4500012345, ref ABC123456789'],
      ['id', 'uuid 123e4567-e89b-12d3-a456-426614174000'],
      ['ISO week', 'Go-live in 2026-W47 (or W47-3)'],
      ['range', 'Teams of 10-20 users, sometimes 1000-2000 users'],
      ['range', 'between 1500-2500 seats, or 10000-20000'],
      ['range', 'budget from 10 000 - 20 000 users'],
      ['range', 'ARR between 1 200 000 - 1 500 000, 10.000 – 20.000 Nutzer'],
      ['id', 'Invoice 2026-001234 and PO 2026/0042'],
      ['coordinates', 'HQ at 37.7749, -122.4194'],
      ['zip', 'Their HQ is in 94107 near the park'],
      ['zip', 'Mail to San Francisco, CA 94107-1234'],
      ['ip', 'VPN gateway 192.168.100.200'],
      ['decimal', 'pi is 3.14159265 and 1234567.89 is a total'],
      ['list', 'NPS answers: 9 10 8 7 9 10 6 and scores 12 15 18 20 22 25'],
      ['timestamp', 'Unix 1763800000 and 1763800000000'],
      ['large', 'They have 123456789 rows and account 987654321'],
      ['fraction', '24/7 support, 1/2 of the team, port 8080, room 1234'],
      ['year + number', 'In 2026 1500 seats renew'],
    ]),
  )('%s: %s', (_kind, input) => {
    const r = redact(input);
    expect(r.text).toBe(input);
    expect(r.count).toBe(0);
  });

  it('trade-off: long digit runs (9+ digits) with separators are treated as phones', () => {
    // Thousands written with spaces or dots look exactly like some national formats ("912 345 678").
    expect(text('Revenue 120 000 000 this year')).toBe('Revenue [phone] this year');
    expect(text('card 4111 1111 1111 1111')).toBe('card [phone]');
    // ...unless a currency or a unit says what it is.
    expect(text('Revenue 120 000 000 € this year, 120 000 000 users')).toBe('Revenue 120 000 000 € this year, 120 000 000 users');
  });

  it('trade-off: a phone-context word lowers the bar', () => {
    expect(text('her cell 5552671')).toBe('her cell [phone]');
    expect(text('call 94107-1234')).toBe('call [phone]');
    expect(text('account 5552671')).toBe('account 5552671');
  });
});

describe('redact: marked names', () => {
  const marked = ['Acme', "O'Brien (Acme)", 'Jane Doe'];

  it.each(
    collect([
      ['Acme wants SSO; acme also asked about SCIM', '[name] wants SSO; [name] also asked about SCIM'],
      ["Acme's CFO signs, ACME’s legal reviews", "[name]'s CFO signs, [name]’s legal reviews"],
      ["Spoke to O'Brien (Acme) and O’Brien (acme) again", 'Spoke to [name] and [name] again'],
      ['jane doe and Jane\n  Doe are the same person', '[name] and [name] are the same person'],
      ['AcmeCorp and Acmes and NotAcme stay', 'AcmeCorp and Acmes and NotAcme stay'],
      ['Their site acme.com is slow', 'Their site [name].com is slow'],
      ['(Acme) - "Acme"', '([name]) - "[name]"'],
    ]),
  )('%j', (input, expected) => {
    expect(text(input, { marked })).toBe(expected);
  });

  it('escapes regular-expression metacharacters', () => {
    expect(text('Met O\'Brien (Acme) today; O\'Brien Acme is someone else', { marked: ["O'Brien (Acme)"] })).toBe(
      "Met [name] today; O'Brien Acme is someone else",
    );
    expect(text('a+b.c and axbyc', { marked: ['a+b.c'] })).toBe('[name] and axbyc');
    expect(text('Price [x] and $ACME^ (ok)', { marked: ['$ACME^', '[x]'] })).toBe('Price [name] and [name] (ok)');
    // An entry without a letter or digit would match punctuation everywhere: ignored.
    expect(text('a | b - c', { marked: ['|', '-'] })).toBe('a | b - c');
  });

  it('accepts a possessive in the marked list and matches the base name', () => {
    expect(text("Acme said Acme's board agrees", { marked: ["Acme's"] })).toBe("[name] said [name]'s board agrees");
  });

  it('prefers the longest marked name and ignores blank entries', () => {
    expect(text('Acme Corp and Acme', { marked: ['Acme', 'Acme Corp', '', '   ', '--'] })).toBe('[name] and [name]');
  });

  it('a marked name inside an email or phone yields one placeholder', () => {
    const r = redact('Email Jane Doe at jane.doe@acme.com', { marked });
    expect(r.text).toBe('Email [name] at [email]');
    expect(r.count).toBe(2);
    expect(redact('Jane Doe at acme dot com', { marked }).text).toBe('[email]');
  });

  it('never matches inside a placeholder', () => {
    const input = 'placeholders [email], [phone], [name], [credential] stay';
    expect(redact(input, { marked: ['email', 'phone', 'name', 'credential'] })).toEqual({ text: input, count: 0, kinds: [] });
    expect(text('name: [name]', { marked: ['name'] })).toBe('[name]: [name]');
  });

  it('matches non-Latin names case-insensitively', () => {
    expect(text('ÉCOLE and école; Müller and MÜLLER', { marked: ['école', 'Müller'] })).toBe('[name] and [name]; [name] and [name]');
  });
});

describe('redact: credentials in URLs', () => {
  it.each(
    collect([
      ['Login https://bob:hunter2@crm.example.com/deal/42', 'Login https://[credential]@crm.example.com/deal/42'],
      ['ftp://admin@files.example.org/', 'ftp://[credential]@files.example.org/'],
      [
        'Shared https://app.example.com/report?id=7&token=abc123&view=full',
        'Shared https://app.example.com/report?id=7&token=[credential]&view=full',
      ],
      ['S3 https://b.s3.amazonaws.com/x?X-Amz-Signature=deadbeef&X-Amz-Expires=60', 'S3 https://b.s3.amazonaws.com/x?X-Amz-Signature=[credential]&X-Amz-Expires=60'],
      ['https://example.com/cb#access_token=xyz&state=1', 'https://example.com/cb#access_token=[credential]&state=1'],
    ]),
  )('%s', (input, expected) => {
    const r = redact(input);
    expect(r.text).toBe(expected);
    expect(r.kinds).toEqual(['url_credential']);
  });

  it('leaves ordinary URLs alone', () => {
    const input = 'See https://example.com/a?b=1&page=2#top and https://example.com/@jane';
    expect(text(input)).toBe(input);
  });
});

describe('redact: a realistic note', () => {
  it('redacts contact details and keeps everything else', () => {
    const note = [
      "Peak moment: Jane O'Brien from Acme said \"honestly, just email me at jane.obrien@acme-logistics.com",
      'or ring my cell +44 7700 900123 — not the switchboard 020 7946 0958 ext. 210".',
      "Acme's team of 12 reps handles 10-20 users per account; budget $12,500 (€ 1.200,00 per seat), 12.5% over plan.",
      'Follow-up call booked 2026-11-22 at 14:30 (week 2026-W47); they run v2.3.1, ticket #12345, ZIP 94107.',
      'Her colleague wrote bob dot smith at acme dash logistics dot com... no wait: bob(at)acme-logistics(dot)com.',
    ].join('\n');
    const r = redact(note, { marked: ['Acme', "Jane O'Brien"] });
    expect(r.text).toBe(
      [
        'Peak moment: [name] from [name] said "honestly, just email me at [email]',
        'or ring my cell [phone] — not the switchboard [phone]".',
        "[name]'s team of 12 reps handles 10-20 users per account; budget $12,500 (€ 1.200,00 per seat), 12.5% over plan.",
        'Follow-up call booked 2026-11-22 at 14:30 (week 2026-W47); they run v2.3.1, ticket #12345, ZIP 94107.',
        'Her colleague wrote [email]... no wait: [email].',
      ].join('\n'),
    );
    expect(r.count).toBe(8);
    expect(r.kinds).toEqual(['email', 'phone', 'marked']);
  });
});

describe('redact: count and kinds', () => {
  it('counts placeholders and lists kinds in a fixed order', () => {
    const r = redact('Acme: jane@acme.com, +44 20 7946 0958, https://u:p@x.example.com, bob@acme.com', { marked: ['Acme'] });
    expect(r.text).toBe('[name]: [email], [phone], https://[credential]@x.example.com, [email]');
    expect(r.count).toBe(5);
    expect(r.kinds).toEqual(['email', 'phone', 'marked', 'url_credential']);
  });

  it('has nothing to do on empty or clean text', () => {
    expect(redact('')).toEqual({ text: '', count: 0, kinds: [] });
    expect(redact('Great call, they loved the demo.')).toEqual({ text: 'Great call, they loved the demo.', count: 0, kinds: [] });
    expect(redact('[email] [phone] [name] [credential]')).toEqual({ text: '[email] [phone] [name] [credential]', count: 0, kinds: [] });
    expect(redact('[phone][phone] [email]@[email]')).toEqual({ text: '[phone][phone] [email]@[email]', count: 0, kinds: [] });
  });

  it('exposes the placeholders', () => {
    expect(PLACEHOLDERS).toEqual({ email: '[email]', phone: '[phone]', marked: '[name]', url_credential: '[credential]' });
  });
});

describe('redact: idempotence', () => {
  const marked = ['Acme', "O'Brien (Acme)", 'Jane Doe', 'name', 'phone'];

  it('redact(redact(x).text) changes nothing, for every sentence in this file', () => {
    expect(corpus.length).toBeGreaterThan(150);
    for (const input of corpus) {
      for (const options of [undefined, { marked }]) {
        const once = redact(input, options);
        const twice = redact(once.text, options);
        expect({ input, text: twice.text, count: twice.count }).toEqual({ input, text: once.text, count: 0 });
      }
    }
  });

  it('holds for all sentences joined with different glue', () => {
    for (const glue of [' ', '\n', '', ', ', '.', '-', '@', ' at ', ' dot ']) {
      const input = corpus.join(glue);
      const once = redact(input, { marked });
      expect(redact(once.text, { marked }).text).toBe(once.text);
    }
  });
});

describe('redactDeep', () => {
  it('redacts every string value and returns a new value', () => {
    const input = {
      id: 'b9d8…',
      quotes: ['Call me on 07700 900123', 'Acme is happy'],
      nested: { email: 'jane@acme.com', n: 42, ok: true, none: null, when: new Date('2026-11-22T00:00:00Z') },
      list: [[{ note: 'jane at acme dot com' }]],
    };
    const out = redactDeep(input, { marked: ['Acme'] });
    expect(out).toEqual({
      id: 'b9d8…',
      quotes: ['Call me on [phone]', '[name] is happy'],
      nested: { email: '[email]', n: 42, ok: true, none: null, when: new Date('2026-11-22T00:00:00Z') },
      list: [[{ note: '[email]' }]],
    });
    expect(out).not.toBe(input);
    expect(out.quotes).not.toBe(input.quotes);
    expect(input.quotes[0]).toBe('Call me on 07700 900123'); // not mutated
  });

  it('handles scalars, class instances and cycles', () => {
    expect(redactDeep('jane@acme.com')).toBe('[email]');
    expect(redactDeep(7)).toBe(7);
    expect(redactDeep(undefined)).toBeUndefined();

    class Note {
      constructor(public body: string) {}
    }
    const note = redactDeep(new Note('tel 020 7946 0958'));
    expect(note).toBeInstanceOf(Note);
    expect(note.body).toBe('tel [phone]');

    const cyclic: { text: string; self?: unknown } = { text: 'jane@acme.com' };
    cyclic.self = cyclic;
    const out = redactDeep(cyclic);
    expect(out.text).toBe('[email]');
    expect(out.self).toBe(out);
  });
});

/**
 * Guards against catastrophic backtracking: a regular expression that backtracks on these inputs takes
 * minutes, so a loose bound catches it without turning a busy machine into a failure. The speed itself is
 * measured by `npm run bench -- redact` (about 0.25 s for 1 MB of notes, 0.5 s for the slowest adversarial input, here).
 */
const NO_BLOWUP_MS = 10_000;

describe('redact: no catastrophic backtracking', () => {
  const elapsed = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };

  it('redacts 1 MB of mixed text in bounded time', () => {
    const paragraph =
      "Met Jane O'Brien (Acme) on 2026-11-22 at 14:30; she said \"email jane.doe+crm@acme.com or call +44 20 7946 0958 x12\". " +
      'Budget $12,500 for 3 seats, 12.5% off, v2.3.1, order #12345, 10-20 users, zip 94107. ' +
      'Also jane dot doe at acme dot com, (415) 555-2671 and https://u:p@crm.example.com/?token=abc. ';
    const input = paragraph.repeat(Math.ceil(1_000_000 / paragraph.length));
    let r = redact('');
    const ms = elapsed(() => {
      r = redact(input, { marked: ["O'Brien (Acme)", 'Acme', 'Jane Doe'] });
    });
    expect(ms).toBeLessThan(NO_BLOWUP_MS);
    expect(r.text).not.toMatch(/@acme|7946|2671/);
  });

  it.each([
    ['"1 " x 100k', '1 '.repeat(100_000)],
    ['"a@" x 100k', 'a@'.repeat(100_000)],
    ['"a" x 1M', 'a'.repeat(1_000_000)],
    ['"a." x 500k', 'a.'.repeat(500_000)],
    ['"a dot " x 150k', 'a dot '.repeat(150_000)],
    ['"a at a dot " x 90k', 'a at a dot '.repeat(90_000)],
    ['"x(at)" x 200k', 'x(at)'.repeat(200_000)],
    ['"%40" x 300k', '%40'.repeat(300_000)],
    ['"(" x 1M', '('.repeat(1_000_000)],
    ['"+1 " x 300k', '+1 '.repeat(300_000)],
    ['"1-" x 500k', '1-'.repeat(500_000)],
    ['digits x 1M', '1'.repeat(1_000_000)],
    ['spaces x 1M', ' '.repeat(1_000_000)],
    ['long domain', 'a@' + 'b.'.repeat(500_000) + 'com'],
    ['long spoken domain', 'a at ' + 'b dot '.repeat(150_000) + 'x'],
    ['long hyphen label', 'a@b' + '-'.repeat(1_000_000)],
    ['"http://" x 140k', 'http://'.repeat(140_000)],
    ['"?a" x 500k', '?a'.repeat(500_000)],
  ])('adversarial input ends in bounded time: %s', (_label, input) => {
    expect(elapsed(() => redact(input, { marked: ['Acme', 'a b'] }))).toBeLessThan(NO_BLOWUP_MS);
  });
});
