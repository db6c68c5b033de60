import { escapeHtml } from './escape-html.js';

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
  });

  it('leaves other text alone, including non-ASCII', () => {
    expect(escapeHtml('Zoë — 9:30 café ✓')).toBe('Zoë — 9:30 café ✓');
  });

  it('escapes an already-escaped entity again (no double-decoding surprises)', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('accepts numbers and treats null/undefined as empty', () => {
    expect(escapeHtml(42)).toBe('42');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
  });
});
