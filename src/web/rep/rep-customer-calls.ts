/**
 * The rep's "Customer calls" page as a function of its data: the upcoming meetings of their connected
 * calendars with someone outside the company, each with its state (closed, open, booked by whom), an Open
 * form (label defaulting to the event's title, call type, marketing-sourced) or a Close button, and the
 * standing rule that opens every customer call. Attendee addresses are never shown, only how many there are.
 * No Nest, no database.
 */
import { iso, range } from '../kit/format.js';
import { buttonForm, errorSummary, fieldError, fieldId, form, html, Html, input, invalidAttrs, type FieldErrors } from '../kit/html.js';
import { page } from '../kit/layout.js';
import type { User } from '../../people/user.entity.js';
import type { CallState } from '../../customer-calls/customer-call.js';
import type { CustomerCallView } from '../../customer-calls/customer-calls.service.js';

/** A customer call as the page shows it (the service's view; the page needs no more). */
export type CustomerCallRow = Omit<CustomerCallView, 'repId' | 'openedAt' | 'bookedBy'> & { bookedBy: { bookingId: string; marketerName: string }[] };

export interface RuleValues {
  enabled: boolean;
  keyword: string;
  callType: string;
  marketingSourced: boolean;
}

/** An Open form that failed: which call, what was typed, the problems. */
export interface OpenForm {
  id: string;
  label: string;
  callType: string;
  marketingSourced: boolean;
  errors: FieldErrors;
  message?: string;
}

export interface CustomerCallsData {
  user: User;
  csrf: string;
  notice?: string;
  /** Whether the rep has a calendar connected at all. */
  connected: boolean;
  /** The company's domains: what "outside" means. */
  companyDomains: readonly string[];
  calls: CustomerCallRow[];
  rule: { values: RuleValues; errors?: FieldErrors; message?: string };
  open?: OpenForm;
  /** A problem with a call's Close button, shown in its row. */
  rowError?: { id: string; message: string };
}

export const CUSTOMER_CALL_NOTICES: Record<string, string> = {
  opened: 'Call opened for shadowing. Marketers can book it now.',
  closed: 'Call closed. Marketers can no longer book it.',
  'rule-saved': 'Standing rule saved. It is off: calls open only when you open them.',
  'rule-on': 'Standing rule saved. Matching upcoming customer calls are open for shadowing.',
};

const STATE_LABEL: Record<CallState, string> = { closed: 'Closed', open: 'Open for shadowing', booked: 'Booked' };

/** A checkbox with its own id (the kit's checkbox takes its id from the name, and a list repeats names). */
function checkboxWithId(o: { label: string; name: string; id: string; checked: boolean; errors?: FieldErrors; hint?: string }): Html {
  return html`<div class="field${o.errors?.[o.name]?.length ? ' has-error' : ''}">
<label for="${o.id}"><input id="${o.id}" name="${o.name}" type="checkbox" value="1"${o.checked ? html` checked` : ''}${invalidAttrs(o.errors, o.name)}> ${o.label}</label>
${fieldError(o.errors, o.name)}</div>`;
}

function openForm(d: CustomerCallsData, c: CustomerCallRow): Html {
  const failed = d.open?.id === c.id ? d.open : undefined;
  // The failed form keeps the plain ids, so the error summary's links land on it.
  const id = (name: string) => (failed ? fieldId(name) : `${fieldId(name)}-${c.id}`);
  return form(
    `/rep/customer-calls/${c.id}/open`,
    d.csrf,
    html`<div class="row">
${input({ label: 'Label marketers see', name: 'label', id: id('label'), value: failed?.label ?? c.title, errors: failed?.errors })}
${input({ label: 'Call type', name: 'callType', id: id('callType'), value: failed?.callType ?? '', errors: failed?.errors })}
</div>
${checkboxWithId({ label: 'A marketing-sourced lead', name: 'marketingSourced', id: id('marketingSourced'), checked: failed?.marketingSourced ?? false, errors: failed?.errors })}
<button type="submit">Open for shadowing</button>`,
    html` aria-label="Open ${c.title || 'this call'} for shadowing"`,
  );
}

function callsList(d: CustomerCallsData): Html {
  if (!d.connected) {
    return html`<p>Connect your calendar on <a href="/rep/calendar">Your calendar</a> first: customer calls are the meetings in it with someone outside the company.</p>`;
  }
  if (!d.calls.length) return html`<p class="muted">No upcoming meetings with people outside the company were found in your calendar.</p>`;
  const zone = d.user.timeZone;
  return html`<ul class="cards">${d.calls.map((c) => {
    const rowError = d.rowError?.id === c.id ? d.rowError.message : d.open?.id === c.id ? d.open.message : undefined;
    const facts = [c.label ? `Label: ${c.label}` : '', c.callType ? `Call type: ${c.callType}` : '', c.marketingSourced ? 'Marketing-sourced lead' : ''].filter(Boolean).join(' · ');
    return html`<li id="customer-call-${c.id}"><h3>${c.title || '(no title)'}</h3>
<p><time datetime="${iso(c.startsAt)}">${range(c.startsAt, c.endsAt, zone)}</time> <span class="badge${c.state === 'closed' ? '' : ' open'}">${STATE_LABEL[c.state]}</span><br>
<span class="muted">${c.externalAttendees} attendee${c.externalAttendees === 1 ? '' : 's'} from outside the company</span></p>
${c.state !== 'closed' && facts ? html`<p>Marketers see: ${facts}</p>` : ''}
${c.bookedBy.length ? html`<p>Booked by: ${c.bookedBy.map((b, k) => html`${k ? ', ' : ''}<strong>${b.marketerName}</strong>`)}</p>` : ''}
${rowError ? html`<p class="field-error" role="alert">${rowError}</p>` : ''}
${
  c.state === 'closed'
    ? openForm(d, c)
    : c.state === 'open'
      ? buttonForm(`/rep/customer-calls/${c.id}/close`, d.csrf, 'Close', {}, 'secondary')
      : html`<p class="muted">To withdraw it, cancel the booking on <a href="/rep">My calls</a>; then close it here.</p>`
}</li>`;
  })}</ul>`;
}

function ruleForm(d: CustomerCallsData): Html {
  const v = d.rule.values;
  const errors = d.rule.errors;
  // Plain ids (the error summary links to them) unless a failed Open form holds them.
  const id = (name: string) => (d.open ? `f-rule-${name}` : fieldId(name));
  return form(
    '/rep/customer-calls/rule',
    d.csrf,
    html`${checkboxWithId({ label: 'Open every new customer call automatically', name: 'enabled', id: id('enabled'), checked: v.enabled, errors })}
${input({ label: 'Only calls whose title contains', name: 'keyword', id: id('keyword'), value: v.keyword, errors, hint: 'Optional; any case, e.g. demo. Leave empty for every customer call.' })}
${input({ label: 'Call type for calls opened by the rule', name: 'callType', id: id('callType'), value: v.callType, errors })}
${checkboxWithId({ label: 'Calls opened by the rule are marketing-sourced leads', name: 'marketingSourced', id: id('marketingSourced'), checked: v.marketingSourced, errors })}
<p class="muted">Switched on, the rule opens the matching upcoming calls already in your calendar and every new one a sync finds. Calls it opens are labelled with their title.</p>
<button type="submit">Save rule</button>`,
    html` id="rule-form"`,
  );
}

export function customerCallsPage(d: CustomerCallsData): Html {
  const summaryErrors = d.open ? d.open.errors : d.rule.errors;
  const summaryMessage = d.open ? undefined : d.rule.message;
  return page({
    title: 'Customer calls',
    user: d.user,
    csrf: d.csrf,
    current: '/rep/customer-calls',
    notice: d.notice,
    body: html`${errorSummary(summaryErrors, summaryMessage)}
<p>Meetings in your connected calendars with at least one attendee outside ${d.companyDomains.length ? d.companyDomains.join(', ') : 'the company'}. Open one and marketers can book a seat on it at exactly its time, even outside your weekly availability. Marketers see the label you give, never who the attendees are. If the meeting moves or is cancelled in your calendar, the booking follows.</p>
<p class="muted">Times are in your zone, ${d.user.timeZone}.</p>
<section aria-labelledby="h-calls"><h2 id="h-calls">Upcoming customer calls</h2>
${d.calls.some((c) => c.state === 'closed') ? html`<p class="muted">The label starts as the meeting's title. Titles often name the customer: change the label if marketers should not see that.</p>` : ''}
${callsList(d)}</section>
<section aria-labelledby="h-rule"><h2 id="h-rule">Standing rule</h2>${ruleForm(d)}</section>`,
  });
}
