import type { User } from '../../people/user.entity.js';
import { buttonForm, Html, html, notice as noticeBox } from './html.js';

export interface PageOptions {
  title: string;
  body: Html;
  /** The signed-in user (nav and sign-out), or none on the sign-in pages. */
  user?: User;
  csrf?: string;
  /** The nav entry to mark as the current page. */
  current?: string;
  /** A short confirmation after a redirect. */
  notice?: string;
}

const NAV: { href: string; label: string; role: 'rep' | 'marketer' | 'lifecycle' }[] = [
  { href: '/rep', label: 'My calls', role: 'rep' },
  { href: '/rep/availability', label: 'Availability', role: 'rep' },
  { href: '/rep/calendar', label: 'Your calendar', role: 'rep' },
  { href: '/rep/customer-calls', label: 'Customer calls', role: 'rep' },
  { href: '/marketer', label: 'My sessions', role: 'marketer' },
  { href: '/marketer/slots', label: 'Book a call', role: 'marketer' },
  { href: '/marketer/forms', label: 'Forms', role: 'marketer' },
  { href: '/marketer/shifts', label: 'Shifts', role: 'marketer' },
  { href: '/lifecycle', label: 'Programs', role: 'lifecycle' },
  { href: '/lifecycle/people', label: 'People', role: 'lifecycle' },
  { href: '/lifecycle/themes', label: 'Themes', role: 'lifecycle' },
  { href: '/lifecycle/search', label: 'Search', role: 'lifecycle' },
  { href: '/lifecycle/rollups', label: 'Rollups', role: 'lifecycle' },
  { href: '/lifecycle/actions', label: 'Actions', role: 'lifecycle' },
  { href: '/lifecycle/webhooks', label: 'Webhooks', role: 'lifecycle' },
];

/** The whole document: skip link, header with nav for the user's roles, main, and the one script. */
export function page(o: PageOptions): Html {
  const nav = o.user
    ? NAV.filter((n) => o.user!.roles.includes(n.role)).map(
        (n) => html`<li><a href="${n.href}"${n.href === o.current ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
      )
    : [];
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title} · ridealong</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">ridealong</a>
${o.user
  ? html`<nav aria-label="Main"><ul>${nav}</ul></nav>
<div class="who"><span>${o.user.name} · ${o.user.timeZone}</span>${buttonForm('/sign-out', o.csrf ?? '', 'Sign out', {}, 'link')}</div>`
  : ''}
</header>
<main id="main" tabindex="-1">
<h1>${o.title}</h1>
${noticeBox(o.notice)}
${o.body}
</main>
</body>
</html>`;
}
