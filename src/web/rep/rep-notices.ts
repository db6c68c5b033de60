/**
 * The notices waiting on the rep's page: one banner per notice the rep has not acknowledged, with the
 * lifecycle team's text (plain; its http(s) URLs as links showing where they go) and a "Got it" button.
 * No Nest, no database: the rep home controller gathers the rows and the view calls this.
 */
import { linkifiedText, NOTICE_KIND_LABELS, sentLabel, type NoticeKind } from '../../notices/notice-messages.js';
import { buttonForm, html, raw, type Html } from '../kit/html.js';

export interface RepNoticeBanner {
  id: string;
  kind: NoticeKind;
  subject: string;
  body: string;
  programName: string;
  sentAt: Date;
}

/** The banners, newest first, or nothing when none is waiting. */
export function noticeBanners(notices: readonly RepNoticeBanner[], csrf: string, zone: string): Html {
  if (!notices.length) return html``;
  return html`<section class="rep-notices" aria-label="Notices from the lifecycle team">${notices.map(
    (n) => html`<div class="rep-notice" id="notice-${n.id}" role="region" aria-labelledby="notice-h-${n.id}">
<p class="muted"><span class="badge">${NOTICE_KIND_LABELS[n.kind] ?? n.kind}</span> ${n.programName} · ${sentLabel(n.sentAt, zone)}</p>
<h2 id="notice-h-${n.id}">${n.subject}</h2>
<p>${raw(linkifiedText(n.body))}</p>
${buttonForm(`/rep/notices/${n.id}/ack`, csrf, 'Got it')}</div>`,
  )}</section>`;
}
