import { DateTime } from 'luxon';
import { layout, link, paragraph } from '../mail/html.js';
import type { OutgoingMail } from '../mail/mail.types.js';

/** The welcome email of a person an import created: what ridealong is and a sign-in link (single use). */
export function welcomeMessage(person: { name: string; email: string; timeZone: string }, url: string, expiresAt: Date, signInPage: string): OutgoingMail {
  const until = DateTime.fromJSDate(expiresAt, { zone: person.timeZone }).toFormat("d LLL yyyy HH:mm '('ZZZZ')'");
  const text = [
    `Hello ${person.name},`,
    '',
    'You have been added to ridealong, where marketers shadow sales reps’ customer calls and support shifts.',
    `Sign in with this link. It works once, until ${until}:`,
    url,
    '',
    `After that, ask for a new link at ${signInPage}.`,
  ].join('\n');
  const html = layout({
    title: 'Welcome to ridealong',
    preheader: `Your sign-in link, valid until ${until}`,
    body:
      paragraph(`Hello ${person.name},`) +
      paragraph('You have been added to ridealong, where marketers shadow sales reps’ customer calls and support shifts.') +
      paragraph(`Sign in with the link below. It works once, until ${until}.`) +
      `<p style="margin:0 0 16px 0">${link(url, 'Sign in to ridealong')}</p>`,
    footer: `After that, ask for a new link at ${signInPage}.`,
  });
  return { to: { name: person.name, email: person.email }, subject: 'Welcome to ridealong', text, html, secretBody: true };
}
