/**
 * Plain, accessible HTML for emails: layout tables (role="presentation") with inline styles, since mail
 * clients ignore <style> blocks and most of CSS. Everything that takes `text` escapes it; everything that
 * takes `html` trusts it (build it from these helpers).
 */

import { escapeHtml } from '../common/escape-html.js';

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const TEXT_COLOUR = '#1f2328';
const MUTED = '#57606a';
const LINK = '#0a58ca';

/** A paragraph of text; line breaks in the text become <br>. */
export function paragraph(text: string): string {
  return `<p style="margin:0 0 16px 0">${escapeHtml(text).replace(/\r?\n/g, '<br>')}</p>`;
}

/** A link whose visible text says where it goes; only http(s) and mailto URLs are linked. */
export function link(href: string, text: string): string {
  if (!/^(https?:|mailto:)/i.test(href)) return escapeHtml(text);
  return `<a href="${escapeHtml(href)}" style="color:${LINK};text-decoration:underline">${escapeHtml(text)}</a>`;
}

/** A bulleted list of text items. */
export function list(items: string[]): string {
  if (items.length === 0) return '';
  return `<ul style="margin:0 0 16px 0;padding-left:24px">${items.map((i) => `<li style="margin:0 0 4px 0">${escapeHtml(i)}</li>`).join('')}</ul>`;
}

/**
 * Label/value pairs as a real data table (row headers), e.g. When / Rep / Customer. Screen readers
 * announce each value with its label.
 */
export function details(rows: [label: string, value: string][], caption?: string): string {
  if (rows.length === 0) return '';
  const body = rows
    .map(
      ([label, value]) =>
        `<tr><th scope="row" style="text-align:left;vertical-align:top;padding:4px 16px 4px 0;color:${MUTED};font-weight:600;white-space:nowrap">${escapeHtml(label)}</th>` +
        `<td style="padding:4px 0;vertical-align:top">${escapeHtml(value).replace(/\r?\n/g, '<br>')}</td></tr>`,
    )
    .join('');
  const cap = caption ? `<caption style="text-align:left;font-weight:600;padding:0 0 8px 0">${escapeHtml(caption)}</caption>` : '';
  return `<table style="border-collapse:collapse;margin:0 0 16px 0;${FONT};font-size:15px">${cap}<tbody>${body}</tbody></table>`;
}

export interface LayoutOptions {
  /** The heading and the document title. */
  title: string;
  /** Trusted HTML built from the helpers above. */
  body: string;
  /** Short text shown under the message (why you got it). */
  footer?: string;
  /** Hidden preview text shown by mail clients next to the subject. */
  preheader?: string;
  lang?: string;
}

/** The whole HTML document of one email: a centred 600px column, readable without images or CSS support. */
export function layout({ title, body, footer, preheader, lang = 'en' }: LayoutOptions): string {
  const pre = preheader
    ? `<div style="display:none;max-height:0;overflow:hidden;opacity:0;color:transparent">${escapeHtml(preheader)}</div>`
    : '';
  const foot = footer
    ? `<tr><td style="padding:16px 24px 24px 24px;${FONT};font-size:13px;line-height:1.5;color:${MUTED};border-top:1px solid #d0d7de">${escapeHtml(footer)}</td></tr>`
    : '';
  return (
    `<!DOCTYPE html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f6f8fa">${pre}` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f6f8fa"><tr><td align="center" style="padding:24px 8px">` +
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid #d0d7de;border-radius:6px">` +
    `<tr><td style="padding:24px;${FONT};font-size:16px;line-height:1.5;color:${TEXT_COLOUR}">` +
    `<h1 style="margin:0 0 16px 0;font-size:20px;line-height:1.3">${escapeHtml(title)}</h1>${body}</td></tr>${foot}` +
    `</table></td></tr></table></body></html>`
  );
}
