import { details, layout, link, list, paragraph } from './html.js';

describe('html helpers', () => {
  it('paragraph escapes and keeps line breaks', () => {
    expect(paragraph('a < b\nc')).toContain('a &lt; b<br>c');
  });

  it('link only links http(s) and mailto', () => {
    expect(link('https://x.example/a?b=1&c=2', 'Open')).toContain('href="https://x.example/a?b=1&amp;c=2"');
    expect(link('javascript:alert(1)', 'Open')).toBe('Open');
  });

  it('list escapes items and is empty for no items', () => {
    expect(list(['<b>'])).toContain('<li style="margin:0 0 4px 0">&lt;b&gt;</li>');
    expect(list([])).toBe('');
  });

  it('details is a data table with row headers', () => {
    const html = details([['When', 'Tue 9:00'], ['Rep', 'Ann <ann@x>']], 'Your session');
    expect(html).toContain('<th scope="row"');
    expect(html).toContain('Ann &lt;ann@x&gt;');
    expect(html).toContain('<caption');
  });

  it('layout is a full document with an escaped title, presentation tables and a language', () => {
    const html = layout({ title: 'Booked: <Ann>', body: paragraph('Hi'), footer: 'You booked this.', preheader: 'Tue 9:00' });
    expect(html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
    expect(html).toContain('<title>Booked: &lt;Ann&gt;</title>');
    expect(html).toContain('<h1 style="margin:0 0 16px 0;font-size:20px;line-height:1.3">Booked: &lt;Ann&gt;</h1>');
    expect(html).toContain('role="presentation"');
    expect(html).toContain('You booked this.');
    expect(html).not.toContain('<style');
  });
});
