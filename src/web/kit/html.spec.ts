import { describe, expect, it } from '@jest/globals';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { buttonForm, bytes, errorSummary, html, Html, input, raw, select } from './html.js';
import { sendHtml } from './forms.js';
import { safeNext } from './web.filter.js';
import { secureCookies } from '../sign-in/sign-in.controller.js';

describe('html', () => {
  it('escapes every interpolated value', () => {
    const name = `<script>alert("x")</script> & 'quotes'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</p>',
    );
  });

  it('keeps Html as it is, joins arrays and drops null, undefined and false', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${raw('<hr>')}${0}`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul><hr>0');
  });

  it('labels an input and ties its errors to it', () => {
    const out = input({ label: 'Email address', name: 'email', value: '"x"', errors: { email: ['email must be an email address'] } }).value;
    expect(out).toContain('<label for="f-email">Email address</label>');
    expect(out).toContain('id="f-email" name="email" type="text" value="&quot;x&quot;"');
    expect(out).toContain('aria-invalid="true" aria-describedby="err-email"');
    expect(out).toContain('<p class="field-error" id="err-email">email must be an email address</p>');
    expect(input({ label: 'Name', name: 'name' }).value).not.toContain('aria-invalid');
  });

  it('makes ids safe for names with brackets and dots', () => {
    const out = input({ label: 'Start', name: 'weekly[2].start', errors: { 'weekly[2].start': ['bad'] } }).value;
    expect(out).toContain('id="f-weekly_2__start"');
    expect(out).toContain('id="err-weekly_2__start"');
  });

  it('marks the selected option', () => {
    const out = select({ label: 'Rep', name: 'repId', value: 'b', blank: 'Any rep', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] }).value;
    expect(out).toContain('<option value="">Any rep</option>');
    expect(out).toContain('<option value="b" selected>B</option>');
    expect(out).toContain('<option value="a">A</option>');
  });

  it('puts the CSRF token in every one-button form', () => {
    const out = buttonForm('/x', 'tok"en', 'Go', { id: '1' }).value;
    expect(out).toContain('<input type="hidden" name="_csrf" value="tok&quot;en">');
    expect(out).toContain('<input type="hidden" name="id" value="1">');
    expect(out).toContain('<button type="submit">Go</button>');
  });

  it('summarises problems with links to the fields, or nothing', () => {
    expect(errorSummary({}).value).toBe('');
    const out = errorSummary({ email: ['wrong'] }, 'Try again').value;
    expect(out).toContain('role="alert"');
    expect(out).toContain('<a href="#f-email">wrong</a>');
    expect(out).toContain('<p>Try again</p>');
  });
});

describe('safeNext', () => {
  it.each([
    ['/marketer/forms', '/marketer/forms'],
    ['/marketer/slots?week=2026-11-23', '/marketer/slots?week=2026-11-23'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['', '/'],
    [undefined, '/'],
    [['/a'], '/'],
  ])('%p → %p', (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });
});

describe('secureCookies', () => {
  it('is on for https and for this machine, off for plain http elsewhere', () => {
    expect(secureCookies('https://ridealong.example')).toBe(true);
    expect(secureCookies('http://localhost:3000')).toBe(true);
    expect(secureCookies('http://127.0.0.1:3000')).toBe(true);
    expect(secureCookies('http://intranet.example')).toBe(false);
  });
});

describe('input hints', () => {
  it('ties the hint and the error to the input', () => {
    const out = input({ label: 'Quota', name: 'quota', hint: 'Sessions per period', errors: { quota: ['too big'] } }).value;
    expect(out).toContain('<span class="hint" id="hint-quota">Sessions per period</span>');
    expect(out).toContain('aria-invalid="true" aria-describedby="hint-quota err-quota"');
    expect(input({ label: 'Quota', name: 'quota', hint: 'h' }).value).toContain('aria-describedby="hint-quota"');
  });
});

describe('bytes', () => {
  // Rows with one-, two-, three- and four-byte characters (an en dash, CJK, an emoji's surrogate pair).
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `<li>Book 09:${String(i % 60).padStart(2, '0')}–10:00 with Zoë 陳 ${i} 🙂</li>`);
  const page = (list: Html) => html`<h1>${'Tom & Jerry'} – Zoë</h1>${[html`<ul>${list}</ul>`, raw('<hr>')]}<p>${'<end>'}</p>`;
  const asText = (r: string[]) => page(raw(r.join('')));

  it('writes rows as UTF-8 that reads back as the rows, in buffers of at most 64 KiB', () => {
    const r = rows(3_000); // about 150 KiB of UTF-8
    const b = bytes(r);
    expect(b.parts!.length).toBeGreaterThan(2);
    for (const p of b.parts!) expect(Buffer.isBuffer(p) && p.length <= 64 * 1024).toBe(true);
    expect(b.value).toBe(r.join(''));
    expect(b.utf8().equals(Buffer.from(r.join(''), 'utf8'))).toBe(true);
  });

  it('keeps a row longer than a buffer whole, and copies a short list out of its buffer', () => {
    const long = 'é'.repeat(40_000) + '🙂'.repeat(10_000); // 120,000 bytes in one row
    const b = bytes(['<p>', long, '</p>']);
    expect(b.utf8().toString('utf8')).toBe(`<p>${long}</p>`);
    // 14,000 ASCII characters get a buffer of 42,000 bytes (3 per character); the page keeps only the 14,000 used.
    const ascii = bytes(Array.from({ length: 1_000 }, (_, i) => `<li>${String(i).padStart(5, '0')}</li>`));
    expect(ascii.parts!.map((p) => [p.length, (p as Buffer).buffer.byteLength])).toEqual([[14_000, 14_000]]);
    expect(bytes([]).value).toBe('');
  });

  it('nests in templates and arrays as text would, still escaping what is interpolated around it', () => {
    const r = rows(2_000);
    const mixed = page(bytes(r));
    expect(mixed.value).toBe(asText(r).value);
    expect(mixed.value).toContain('<h1>Tom &amp; Jerry – Zoë</h1><ul><li>Book 09:00–10:00 with Zoë 陳 0 🙂</li>');
    expect(mixed.value.endsWith('</ul><hr><p>&lt;end&gt;</p>')).toBe(true);
    expect(mixed.utf8().equals(Buffer.from(asText(r).value, 'utf8'))).toBe(true);
    // The rows stay bytes: the page is text around buffers, never one string holding them.
    expect(mixed.parts!.filter((p) => typeof p !== 'string').length).toBeGreaterThan(1);
    expect(asText(r).parts).toBeUndefined();
  });

  it('is sent by sendHtml byte for byte as the same page of text, with the same headers', async () => {
    const r = rows(2_000);
    const app = express();
    app.get('/bytes', (_req, res) => sendHtml(res, 200, page(bytes(r))));
    app.get('/text', (_req, res) => sendHtml(res, 400, asText(r)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const [a, b] = await Promise.all([fetch(`${base}/bytes`), fetch(`${base}/text`)]);
      expect([a.status, b.status]).toEqual([200, 400]);
      expect(a.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(b.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const [x, y] = [Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())];
      expect(x.equals(y)).toBe(true);
      expect(a.headers.get('content-length')).toBe(String(y.length));
      expect(x.toString('utf8')).toBe(asText(r).value);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
