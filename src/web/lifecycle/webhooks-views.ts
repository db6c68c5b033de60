import { WEBHOOK_EVENTS } from '../../webhooks/webhook-events.js';
import type { DeliveryView, EndpointView } from '../../webhooks/webhooks.service.js';
import { dateTime, iso } from '../kit/format.js';
import { buttonForm, errorSummary, fieldError, form, html, input, type FieldErrors, type Html } from '../kit/html.js';

export interface WebhooksPageState {
  url?: string;
  events?: string[];
  description?: string;
  errors?: FieldErrors;
  message?: string;
  /** The endpoint just registered, with its secret: shown on this page only. */
  created?: EndpointView & { secret: string };
}

const status = (e: EndpointView): Html =>
  e.enabled ? html`<span class="badge">Enabled</span>` : html`<span class="badge late">Disabled</span>`;

function eventsFieldset(chosen: string[], errors?: FieldErrors): Html {
  return html`<fieldset class="field${errors?.events?.length ? ' has-error' : ''}" id="f-events"><legend>Events</legend>
${WEBHOOK_EVENTS.map((e) => html`<label><input type="checkbox" name="events" value="${e}"${chosen.includes(e) ? html` checked` : ''}> <code>${e}</code></label><br>`)}
${fieldError(errors, 'events')}</fieldset>`;
}

/** The webhooks page: the endpoints with their state, a register form, and the secret of one just registered. */
export function webhooksBody(o: { csrf: string; zone: string; endpoints: EndpointView[]; state: WebhooksPageState }): Html {
  const s = o.state;
  const created = s.created
    ? html`<div class="notice" role="status"><p>Webhook to <strong>${s.created.host}</strong> registered. Its signing secret is shown this once: copy it into the receiver now.</p>
<p><label for="webhook-secret">Signing secret</label> <input id="webhook-secret" readonly value="${s.created.secret}" size="60"></p>
<p>Deliveries carry <code>webhook-id</code>, <code>webhook-timestamp</code> and <code>webhook-signature</code> headers (Standard Webhooks); verify them with a Standard Webhooks library and this secret.</p></div>`
    : '';
  const rows = o.endpoints.map(
    (e) => html`<tr><th scope="row"><a href="/lifecycle/webhooks/${e.id}">${e.host}</a>${e.description ? html`<br><small>${e.description}</small>` : ''}</th>
<td>${e.events.map((ev) => html`<code>${ev}</code> `)}</td><td>${status(e)}${e.disabledReason ? html`<br><small>${e.disabledReason}</small>` : ''}</td>
<td>${e.consecutiveFailures}</td><td><time datetime="${iso(e.createdAt)}">${dateTime(e.createdAt, o.zone)}</time></td>
<td>${e.enabled ? '' : buttonForm(`/lifecycle/webhooks/${e.id}/enable`, o.csrf, 'Enable')} ${buttonForm(`/lifecycle/webhooks/${e.id}/delete`, o.csrf, 'Delete', {}, 'secondary')}</td></tr>`,
  );
  return html`${created}
<p>ridealong POSTs signed JSON to these addresses when something happens: bookings, submitted forms, rollups, actions and notices.
Payloads carry ids and public facts, never what anyone wrote. A receiver that fails 20 times in a row is disabled and you get an email.</p>
${o.endpoints.length
  ? html`<div class="table-wrap"><table><caption>Webhooks</caption>
<thead><tr><th scope="col">Receiver</th><th scope="col">Events</th><th scope="col">State</th><th scope="col">Failures in a row</th><th scope="col">Registered</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
  : html`<p>No webhooks yet.</p>`}
<h2 id="register">Register a webhook</h2>
${errorSummary(s.errors, s.message)}
${form(
  '/lifecycle/webhooks',
  o.csrf,
  html`${input({ label: 'Receiver URL', name: 'url', type: 'url', value: s.url ?? '', errors: s.errors, required: true, hint: 'https:// address of your receiver; stored encrypted, shown afterwards as its host only' })}
${eventsFieldset(s.events ?? [], s.errors)}
${input({ label: 'Description (optional)', name: 'description', value: s.description ?? '', errors: s.errors })}
<button type="submit">Register</button>`,
)}`;
}

/** One endpoint's deliveries with every attempt. */
export function deliveriesBody(o: { endpoint: EndpointView; deliveries: DeliveryView[]; zone: string; nextCursor: string | null }): Html {
  const rows = o.deliveries.map(
    (d) => html`<tr><th scope="row"><code>${d.eventType}</code><br><small>${d.messageId}</small></th>
<td><time datetime="${iso(d.createdAt)}">${dateTime(d.createdAt, o.zone)}</time></td>
<td>${d.status === 'delivered' ? html`<span class="badge">Delivered</span>` : d.status === 'failed' ? html`<span class="badge late">Failed</span>` : html`<span class="badge">Pending</span>`}</td>
<td><ol>${d.attempts.map((a) => html`<li>${dateTime(a.at, o.zone)}: ${a.statusCode !== null ? `HTTP ${a.statusCode}` : ''}${a.error ? ` ${a.error}` : ''} (${a.durationMs} ms)</li>`)}</ol></td></tr>`,
  );
  return html`<p>Receiver <strong>${o.endpoint.host}</strong>, ${o.endpoint.enabled ? 'enabled' : 'disabled'}; events ${o.endpoint.events.join(', ')}.</p>
${o.deliveries.length
  ? html`<div class="table-wrap"><table><caption>Deliveries, newest first</caption>
<thead><tr><th scope="col">Event</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col">Attempts</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
  : html`<p>Nothing delivered yet.</p>`}
${o.nextCursor ? html`<p><a href="/lifecycle/webhooks/${o.endpoint.id}?cursor=${encodeURIComponent(o.nextCursor)}">Older deliveries</a></p>` : ''}
<p><a href="/lifecycle/webhooks">All webhooks</a></p>`;
}
