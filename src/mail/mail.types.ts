/** What the rest of the service hands to the mail queue; the queue owns sending, retries and dedupe. */
export interface MailAddress {
  name?: string;
  email: string;
}

export interface OutgoingMail {
  to: MailAddress;
  subject: string;
  /** Plain-text part; says the same as the HTML. */
  text: string;
  /** HTML part; user text already escaped by the caller (see escapeHtml). */
  html: string;
  /** An iCalendar invite sent as a `text/calendar; method=…` part (and as an .ics attachment). */
  calendar?: { method: 'REQUEST' | 'CANCEL' | 'PUBLISH'; content: string; filename?: string };
  /** The body holds a secret (a sign-in link): the outbox blanks text and HTML once the message is sent or given up. */
  secretBody?: boolean;
  /** Other attachments (e.g. a CSV). */
  attachments?: { filename: string; contentType: string; content: string }[];
}
