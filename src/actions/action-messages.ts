import { DateTime } from 'luxon';
import { escapeHtml } from '../common/escape-html.js';
import { details, layout, link, paragraph } from '../mail/html.js';
import type { OutgoingMail } from '../mail/mail.types.js';
import { ACTION_KIND_LABELS, type ActionKind } from './action-status.js';

export interface ActionMailFacts {
  actionId: string;
  kind: ActionKind;
  title: string;
  programName: string;
  dueOn: string | null;
  owner: { name: string; email: string; timeZone: string };
  publicUrl: string;
}

/** "Friday 4 December 2026" for a YYYY-MM-DD date (a calendar date: the same in every zone). */
export const dueLabel = (dueOn: string): string => DateTime.fromISO(dueOn, { zone: 'UTC' }).setLocale('en-GB').toFormat('cccc d LLLL yyyy');

/** "Friday 4 December 2026, 13:05" in a zone. */
export const atLabel = (at: Date, zone: string): string => DateTime.fromJSDate(at, { zone }).setLocale('en-GB').toFormat('cccc d LLLL yyyy, HH:mm');

const pageOf = (f: ActionMailFacts) => `${f.publicUrl}/lifecycle/actions/${f.actionId}`;

/**
 * The email to an action's owner when it is given to them (created for them, or handed over): what, for
 * which program, by whom and when (in the owner's zone), when it is due, and one link to the action's page.
 * The action's detail stays on the page.
 */
export function assignedMail(f: ActionMailFacts & { assignedBy: string; assignedAt: Date }): OutgoingMail {
  const zone = f.owner.timeZone;
  const kind = ACTION_KIND_LABELS[f.kind];
  const due = f.dueOn ? dueLabel(f.dueOn) : 'no due date';
  const when = `${atLabel(f.assignedAt, zone)} (${zone})`;
  const page = pageOf(f);
  const subject = `Action for you: ${f.title}`;
  const text = [
    `Hello ${f.owner.name},`,
    '',
    `${f.assignedBy} gave you an action of ${f.programName} on ${when}:`,
    '',
    f.title,
    `Kind: ${kind}`,
    `Due: ${due}`,
    '',
    `See it and mark its progress: ${page}`,
  ].join('\n');
  const body =
    paragraph(`Hello ${f.owner.name},`) +
    paragraph(`${f.assignedBy} gave you an action of ${f.programName} on ${when}:`) +
    details([
      ['Action', f.title],
      ['Kind', kind],
      ['Due', due],
    ]) +
    `<p style="margin:0 0 16px 0">See it and mark its progress on ${link(page, 'its page')} (${escapeHtml(page)}).</p>`;
  const html = layout({ title: subject, body, preheader: `Due: ${due}`, footer: `You are on the lifecycle team of ${f.programName}.` });
  return { to: { name: f.owner.name, email: f.owner.email }, subject, text, html };
}

/** The one reminder to the owner on the action's due date (the date as the owner's calendar reads it). */
export function dueMail(f: ActionMailFacts & { dueOn: string; status: string }): OutgoingMail {
  const kind = ACTION_KIND_LABELS[f.kind];
  const due = dueLabel(f.dueOn);
  const page = pageOf(f);
  const subject = `Action due ${due}: ${f.title}`;
  const state = f.status === 'in_progress' ? 'in progress' : 'open';
  const text = [
    `Hello ${f.owner.name},`,
    '',
    `Your action of ${f.programName} is due ${due} (${f.owner.timeZone}) and still ${state}:`,
    '',
    f.title,
    `Kind: ${kind}`,
    '',
    `Mark it done, or move its due date: ${page}`,
  ].join('\n');
  const body =
    paragraph(`Hello ${f.owner.name},`) +
    paragraph(`Your action of ${f.programName} is due ${due} (${f.owner.timeZone}) and still ${state}:`) +
    details([
      ['Action', f.title],
      ['Kind', kind],
    ]) +
    `<p style="margin:0 0 16px 0">Mark it done, or move its due date, on ${link(page, 'its page')} (${escapeHtml(page)}).</p>`;
  const html = layout({ title: subject, body, preheader: `Due ${due}`, footer: `You own this action of ${f.programName}.` });
  return { to: { name: f.owner.name, email: f.owner.email }, subject, text, html };
}
