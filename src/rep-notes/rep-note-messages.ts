import { DateTime } from 'luxon';
import { escapeHtml } from '../common/escape-html.js';
import type { OutgoingMail } from '../mail/mail.types.js';

/** The three questions of a rep note, as the page, the email and the API docs word them. */
export const REP_NOTE_QUESTIONS = {
  wish: 'What do you wish Marketing knew?',
  usefulness: 'How useful was this session to you?',
  followUp: 'Anything the marketer should follow up?',
} as const;

/** 1..5, as the page labels each answer. */
export const USEFULNESS_LABELS: Record<number, string> = { 1: 'Not useful', 2: 'A little', 3: 'Somewhat', 4: 'Useful', 5: 'Very useful' };

export interface RepNoteMailFacts {
  noteId: string;
  rep: { name: string; email: string; timeZone: string };
  marketerName: string;
  sessionStart: Date;
  dueAt: Date;
  programName: string;
  publicUrl: string;
}

const when = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).setLocale('en-GB').toFormat('cccc d LLLL, HH:mm');

/**
 * The one gentle email that asks a rep for their note after a shadowed call: optional, in the rep's zone,
 * plain text and simple HTML, one link to the note on ridealong, no images. It never carries a note's text.
 */
export function repNoteMail(f: RepNoteMailFacts): OutgoingMail {
  const zone = f.rep.timeZone;
  const session = when(f.sessionStart, zone);
  const url = `${f.publicUrl}/rep/notes/${f.noteId}`;
  const lines = [
    `Thanks for having ${f.marketerName} on your call (${session}).`,
    `If you have a minute, tell Marketing what you wish they knew. It is optional: three short questions, all of them skippable.`,
    `Only the lifecycle team reads your note; ${f.marketerName} never sees it. It helps most by ${when(f.dueAt, zone)} (${zone}), and it is welcome later too.`,
  ];
  const text = [
    `Hello ${f.rep.name},`,
    '',
    ...lines,
    '',
    `- ${REP_NOTE_QUESTIONS.wish}`,
    `- ${REP_NOTE_QUESTIONS.usefulness} (1 to 5)`,
    `- ${REP_NOTE_QUESTIONS.followUp}`,
    '',
    `Write your note: ${url}`,
    '',
    `Program: ${f.programName}. This is the only email about this note.`,
  ].join('\n');
  const html =
    `<p>Hello ${escapeHtml(f.rep.name)},</p>` +
    lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') +
    `<ul>${Object.values(REP_NOTE_QUESTIONS)
      .map((q) => `<li>${escapeHtml(q)}</li>`)
      .join('')}</ul>` +
    `<p><a href="${escapeHtml(url)}">Write your note</a></p>` +
    `<p style="color:#555">Program: ${escapeHtml(f.programName)}. This is the only email about this note.</p>`;
  return { to: { name: f.rep.name, email: f.rep.email }, subject: `Optional: what do you wish Marketing knew? (${session})`, text, html };
}

/** A note's answers after trimming: blank text is no answer. */
export function cleanAnswer(v: string | null | undefined): string | null | undefined {
  if (v === undefined || v === null) return v;
  const t = v.trim();
  return t === '' ? null : t;
}

/** Whether a note says anything at all (a submitted note must). */
export function hasAnswer(n: { wish: string | null; usefulness: number | null; followUp: string | null }): boolean {
  return !!n.wish || n.usefulness !== null || !!n.followUp;
}
