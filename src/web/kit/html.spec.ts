import { describe, expect, it } from '@jest/globals';
import { buttonForm, errorSummary, html, input, raw, select } from './html.js';
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
