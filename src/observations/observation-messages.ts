import { DateTime } from 'luxon';
import { escapeHtml } from '../common/escape-html.js';
import type { OutgoingMail } from '../mail/mail.types.js';

export type FormMailKind = 'nudge' | 'reminder' | 'overdue';

export interface FormMailFacts {
  observationId: string;
  author: { name: string; email: string; timeZone: string };
  repName: string;
  sessionStart: Date;
  dueAt: Date;
  programName: string;
  focus: string | null;
  publicUrl: string;
}

const SUBJECT: Record<FormMailKind, string> = {
  nudge: 'Write it up while it is fresh',
  reminder: 'Your observation form is due soon',
  overdue: 'Your observation form is overdue',
};

/** The nudge at the session's end, the reminder before the due time and the overdue notice, in the author's zone. */
export function formMail(kind: FormMailKind, f: FormMailFacts): OutgoingMail {
  const zone = f.author.timeZone;
  const session = DateTime.fromJSDate(f.sessionStart, { zone }).setLocale('en-GB').toFormat('cccc d LLLL, HH:mm');
  const due = DateTime.fromJSDate(f.dueAt, { zone }).setLocale('en-GB').toFormat('cccc d LLLL, HH:mm');
  const url = `${f.publicUrl}/observations/${f.observationId}`;
  const lines =
    kind === 'nudge'
      ? [`Your session with ${f.repName} (${session}) has ended.`, `Write up what you saw while it is fresh: the form is due ${due} (${zone}).`]
      : kind === 'reminder'
        ? [`Your observation of the session with ${f.repName} (${session}) is due ${due} (${zone}).`]
        : [`Your observation of the session with ${f.repName} (${session}) was due ${due} (${zone}).`, 'Please submit it now; it will be marked late.'];
  if (f.focus) lines.push(`This period's focus: ${f.focus}`);
  const text = [`Hello ${f.author.name},`, '', ...lines, '', `Open the form: ${url}`, '', `Program: ${f.programName}`].join('\n');
  const html =
    `<p>Hello ${escapeHtml(f.author.name)},</p>` +
    lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') +
    `<p><a href="${escapeHtml(url)}">Open the form</a></p><p style="color:#555">Program: ${escapeHtml(f.programName)}</p>`;
  return { to: { name: f.author.name, email: f.author.email }, subject: `${SUBJECT[kind]}: ${f.repName}, ${session}`, text, html };
}

/** When the reminder goes out: a quarter of the writing time before the due time, between one and six hours. */
export function reminderAt(dueAt: Date, formDueHours: number): Date {
  const leadHours = Math.min(6, Math.max(1, formDueHours / 4));
  return new Date(dueAt.getTime() - leadHours * 3_600_000);
}
