import type { INestApplication } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { seededRandom } from '../common/seeded-random.js';
import { UsersService } from '../people/users.service.js';
import { ProgramsService } from '../programs/programs.service.js';
import { RollupsService } from '../rollups/rollups.service.js';
// eslint-disable-next-line no-restricted-imports -- the demo composes the app as main.ts does, and prints sign-in links as its banner does
import { SignInService } from '../web/sign-in/sign-in.service.js';
import { DemoCalendars, repCalendar } from './calendars.js';
import { DemoRepository } from './demo.repository.js';
import { DEMO_DOMAIN, emailOf, formAnswers, MARKETER_ZONES, marketerNames, pick, REPS, sample, THEMES, type Random } from './texts.js';

/**
 * The demo program, made the way the service makes data: through its HTTP API (validation, rules, emails,
 * audit and webhooks as for anyone), with the service's own clock set back while the closed period's
 * sessions happen, so a booking is made days before its session and its form is written after it. Only
 * what the API has no call for is asked of the services themselves (the first API token, the hourly
 * ticks that move periods along and claim the period's rollup, sign-in links). Seeded: runs repeat.
 */

export const DEMO_SEED = 19;

export class DemoRefusal extends Error {}

export interface DemoPerson {
  id: string;
  name: string;
  email: string;
  token: string;
  timeZone: string;
}

export interface DemoResult {
  programId: string;
  closedPeriodId: string;
  currentPeriodId: string;
  rotationProgramId: string;
  rotationPeriodId: string;
  rollupId: string;
  lifecycle: DemoPerson;
  reps: DemoPerson[];
  marketers: DemoPerson[];
  loudMarketer: DemoPerson;
  newHires: DemoPerson[];
  /** The people the sign-in links are for. */
  signIn: { role: 'rep' | 'marketer' | 'lifecycle'; person: DemoPerson }[];
  counts: { closedSessions: number; closedForms: number; currentForms: number; formsDue: number; bookingsAhead: number; customerCallsOpened: number; waitlist: number };
}

export interface SeedOptions {
  /** Where the service listens (its API is called there). */
  baseUrl: string;
  /** The demo's calendar server, started; the reps' calendars are published on it. */
  calendars: DemoCalendars;
  seed?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Now (tests keep the default). */
  now?: Date;
}

/** What the API answers that the seed reads back. */
interface Answer {
  id: string;
  startsAt: string;
  token: string;
  report?: { themes?: { themeId: string }[] };
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code?: string; message?: string } | string,
    what: string,
  ) {
    super(`${what}: ${status} ${typeof body === 'string' ? body : JSON.stringify(body)}`);
  }
}

/** A small client of the service's own API. */
class Api {
  constructor(private readonly base: string) {}

  async call<T = Answer>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const parsed = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    if (!res.ok) throw new ApiError(res.status, parsed, `${method} ${path}`);
    return parsed as T;
  }
}

interface Booked {
  id: string;
  periodId: string;
  repId: string;
  marketerId: string;
  startsAt: string;
  day: string;
}

const iso = (d: DateTime) => d.toISODate()!;

/** `fn` over `items`, at most `limit` at a time; results in the items' order. */
async function inParallel<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, limit = 6): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function seedDemo(app: INestApplication, options: SeedOptions): Promise<DemoResult> {
  const db = app.get(DataSource);
  const repo = new DemoRepository(db);
  if (await repo.hasData()) {
    throw new DemoRefusal('This database already has data (programs or people besides the bootstrap admin): the demo seeds only an empty one.');
  }
  const r: Random = seededRandom(options.seed ?? DEMO_SEED);
  const log = options.log ?? (() => undefined);
  const api = new Api(options.baseUrl);
  const clock = app.get(Clock);
  const realNow = DateTime.fromJSDate(options.now ?? new Date()).toUTC();
  const today = realNow.startOf('day');
  const thisMonday = today.startOf('week');
  const closedStart = thisMonday.minus({ weeks: 8 });
  const closedEnd = closedStart.plus({ weeks: 6 }).minus({ days: 1 });
  const currentStart = closedEnd.plus({ days: 1 });
  const currentEnd = currentStart.plus({ weeks: 6 }).minus({ days: 1 });
  let at = closedStart.minus({ days: 10 }).set({ hour: 8 });
  // The service's clock, set back: everything below happens "then" until it is given back.
  clock.now = () => at.toJSDate();
  try {
    // ------------------------------------------------------------------ the first token and the people
    const adminId = await repo.firstLifecycleUser();
    if (!adminId) throw new Error('No lifecycle admin: the service creates one when it starts');
    const admin = (await db.transaction((m) => app.get(UsersService).insertToken(m, null, adminId, 'demo seed'))).token;

    const person = async (name: string, roles: string[], timeZone: string, extra: Record<string, unknown> = {}): Promise<DemoPerson> => {
      const email = emailOf(name);
      const u = await api.call(admin, 'POST', '/api/v1/users', { email, name, timeZone, roles, ...extra });
      const { token } = await api.call<{ token: string }>(admin, 'POST', `/api/v1/users/${u.id}/tokens`, { name: 'demo' });
      return { id: u.id, name, email, token, timeZone };
    };
    log('people: the lifecycle team, 12 reps in five zones, 30 marketers');
    const lifecycle = await person('Lena Fischer', ['lifecycle'], 'Europe/Berlin');
    const olga = await person('Olga Marchetti', ['lifecycle'], 'Europe/London');
    const reps = await inParallel(REPS, (spec) => person(spec.name, ['rep'], spec.timeZone));
    const names = marketerNames(r, 30);
    const zones = names.map(() => pick(r, MARKETER_ZONES));
    const marketers = await inParallel(names, (name, i) => person(name, ['marketer'], zones[i]));
    const loud = marketers[7];

    await api.call(admin, 'PUT', '/api/v1/organisation', { companyDomains: [DEMO_DOMAIN] });
    const themeIds: Record<string, string> = {};
    for (const name of THEMES) themeIds[name] = (await api.call(admin, 'POST', '/api/v1/themes', { name })).id;

    // ------------------------------------------------------------------ the program and its periods
    log('program: Rep Life, a closed period and the current one');
    const program = await api.call(admin, 'POST', '/api/v1/programs', {
      name: 'Rep Life',
      kind: 'call_shadowing',
      timeZone: 'Europe/Berlin',
      settings: { repWeeklyCap: 4, periodCadence: 'none', rollupCadence: 'period', rollupRecipients: [lifecycle.email, olga.email] },
    });
    const closedFocus = 'Why do trials stall after the first week?';
    const currentFocus = 'What makes a buyer ask for a security review?';
    const closed = await api.call(admin, 'POST', `/api/v1/programs/${program.id}/periods`, { startsOn: iso(closedStart), endsOn: iso(closedEnd), focus: closedFocus });
    const current = await api.call(admin, 'POST', `/api/v1/programs/${program.id}/periods`, { startsOn: iso(currentStart), endsOn: iso(currentEnd), focus: currentFocus });
    for (const periodId of [closed.id, current.id]) {
      await inParallel(reps, async (rep) => {
        const entry = await api.call(admin, 'POST', `/api/v1/periods/${periodId}/roster`, { repId: rep.id });
        await api.call(rep.token, 'PATCH', `/api/v1/roster/${entry.id}`, { status: 'active' });
      });
      // A quota a marketer can reach in a period of ~150 sessions among 30 (the loud one keeps the default).
      await inParallel(marketers, (mk) => api.call(admin, 'POST', `/api/v1/periods/${periodId}/enrollments`, { marketerId: mk.id, ...(mk === loud ? {} : { quota: 7 }) }));
    }
    await inParallel(reps, (rep, i) => {
      const weekly = [1, 2, 3, 4, 5].flatMap((weekday) => REPS[i].windows.map(([start, end]) => ({ weekday, start, end })));
      return api.call(rep.token, 'PUT', `/api/v1/reps/${rep.id}/availability`, { timeZone: rep.timeZone, weekly });
    });

    // ------------------------------------------------------------------ sessions, day by day
    const booked: Booked[] = [];
    const focusOf = (periodId: string) => (periodId === closed.id ? closedFocus : currentFocus);
    const repById = new Map(reps.map((x) => [x.id, x]));
    const marketerById = new Map(marketers.map((x) => [x.id, x]));
    const drawMarketer = () => (r() < 0.09 ? loud : pick(r, marketers));

    /**
     * Books `n` sessions on the UTC day `day` (as the lifecycle team, for marketers): distinct reps, and for each
     * slot its own list of marketers to try in turn (no marketer on two lists of a day), so the day's bookings
     * can go concurrently without deciding each other's fate and the run still repeats.
     */
    const bookDay = async (day: DateTime, n: number, periodId: string) => {
      const q = `periodId=${periodId}&from=${encodeURIComponent(day.toISO()!)}&to=${encodeURIComponent(day.plus({ days: 1 }).toISO()!)}`;
      const { slots } = await api.call<{ slots: { repId: string; startsAt: string }[] }>(admin, 'GET', `/api/v1/slots?${q}`);
      const byRep = new Map<string, string[]>();
      for (const s of slots) byRep.set(s.repId, [...(byRep.get(s.repId) ?? []), s.startsAt]);
      const used = new Set<DemoPerson>();
      const plans = sample(r, [...byRep.keys()], n).map((repId) => {
        const startsAt = pick(r, byRep.get(repId)!);
        const candidates: DemoPerson[] = [];
        for (let draws = 0; candidates.length < 5 && draws < 40; draws++) {
          const mk = drawMarketer();
          if (used.has(mk)) continue;
          used.add(mk);
          candidates.push(mk);
        }
        return { repId, startsAt, candidates };
      });
      await inParallel(plans, async ({ repId, startsAt, candidates }) => {
        for (const mk of candidates) {
          try {
            const b = await api.call(admin, 'POST', '/api/v1/bookings', { periodId, repId, startsAt, marketerId: mk.id });
            booked.push({ id: b.id, periodId, repId, marketerId: mk.id, startsAt: b.startsAt, day: iso(day) });
            return;
          } catch (e) {
            if (!(e instanceof ApiError) || e.status !== 409) throw e;
          }
        }
      });
    };

    /** The sessions of one day happened: attendance, then forms (submitted, or left due when `submit` is false). */
    const submitted = new Map<string, number>();
    let due = 0;
    const closeDay = async (day: string, submit: boolean) => {
      // Every draw first, in order, so the sessions can be written up concurrently and the run still repeats.
      const plans = booked
        .filter((x) => x.day === day)
        .map((b) => {
          const rep = repById.get(b.repId)!;
          const author = marketerById.get(b.marketerId)!;
          const noShow = r() < 0.04;
          const answers = formAnswers(r, { themeIds, focus: focusOf(b.periodId), loud: author === loud, repName: rep.name });
          return { b, rep, author, noShow, answers, draft: r() < 0.5 };
        });
      await inParallel(plans, async ({ b, rep, author, noShow, answers, draft }) => {
        await api.call(rep.token, 'POST', `/api/v1/bookings/${b.id}/attendance`, { outcome: noShow ? 'customer_no_show' : 'completed' });
        if (noShow) return;
        const form = { id: await repo.formOfBooking(b.id) };
        if (!submit) {
          if (draft) await api.call(author.token, 'PUT', `/api/v1/observations/${form.id}`, { answers: { mode: answers.mode, segment: answers.segment, account: answers.account } });
          due++;
          return;
        }
        await api.call(author.token, 'PUT', `/api/v1/observations/${form.id}`, { answers });
        await api.call(author.token, 'POST', `/api/v1/observations/${form.id}/submit`);
        submitted.set(b.periodId, (submitted.get(b.periodId) ?? 0) + 1);
      });
    };

    log(`sessions: ${iso(closedStart)} to ${iso(today.minus({ days: 1 }))}, booked a day ahead, written up the morning after`);
    const yesterday = today.minus({ days: 1 });
    for (let d = closedStart.minus({ days: 1 }); d < today; d = d.plus({ days: 1 })) {
      at = d.set({ hour: 6 });
      const next = d.plus({ days: 1 });
      const periodId = next <= closedEnd ? closed.id : current.id;
      const n = next > yesterday || next.weekday === 6 ? 0 : next.weekday === 7 ? 1 : periodId === closed.id ? 5 : 4;
      // Yesterday's sessions are written up while tomorrow's are booked. The draws keep their order (closeDay
      // makes its own before it waits, bookDay after its slot search); only a marketer exactly at the quota
      // whose customer did not show could be booked or not depending on which request lands first.
      // The last two days' forms are still due (one of them overdue): written up, but not yet sent in.
      await Promise.all([closeDay(iso(d.minus({ days: 1 })), d.minus({ days: 1 }) < today.minus({ days: 2 })), n ? bookDay(next, n, periodId) : undefined]);
    }
    // Back to now: yesterday's sessions happened and their forms are due.
    at = realNow;
    delete (clock as { now?: unknown }).now;
    await closeDay(iso(yesterday), false);

    // ------------------------------------------------------------------ today: calendars, bookings ahead, a waitlist
    log('calendars: reps connect the demo calendars and open customer calls for shadowing');
    let opened = 0;
    for (const [i, rep] of reps.entries()) {
      if (i % 3 === 2) continue; // a third of the reps have not connected a calendar
      const url = options.calendars.publish(`${rep.name} — work`, repCalendar(r, { email: rep.email, timeZone: rep.timeZone, windows: REPS[i].windows }, realNow), realNow);
      await api.call(rep.token, 'POST', '/api/v1/me/calendar-connections', { kind: 'ics', url });
      const q = `from=${encodeURIComponent(realNow.toISO()!)}&to=${encodeURIComponent(realNow.plus({ days: 16 }).toISO()!)}`;
      const { calls } = await api.call<{ calls: { id: string; summary?: string; title?: string }[] }>(rep.token, 'GET', `/api/v1/me/customer-calls?${q}`);
      for (const call of calls) {
        if (r() < 0.4) continue;
        await api.call(rep.token, 'POST', `/api/v1/customer-calls/${call.id}/open`, { callType: pick(r, ['discovery', 'demo', 'renewal']), marketingSourced: r() < 0.5 });
        opened++;
      }
    }
    await db.transaction((m) => app.get(ProgramsService).advanceStatuses(m, realNow.toJSDate()));

    log('bookings ahead: marketers book the next two weeks; a few wait for a full slot');
    const ahead: Booked[] = [];
    for (let d = today.plus({ days: 1 }); d <= today.plus({ days: 14 }); d = d.plus({ days: 1 })) {
      if (d.weekday > 5) continue;
      const q = `periodId=${current.id}&from=${encodeURIComponent(d.toISO()!)}&to=${encodeURIComponent(d.plus({ days: 1 }).toISO()!)}`;
      const { slots } = await api.call<{ slots: { repId: string; startsAt: string }[] }>(admin, 'GET', `/api/v1/slots?${q}`);
      for (const s of sample(r, slots, 3)) {
        const mk = drawMarketer();
        try {
          const b = await api.call(mk.token, 'POST', '/api/v1/bookings', { periodId: current.id, repId: s.repId, startsAt: s.startsAt });
          ahead.push({ id: b.id, periodId: current.id, repId: s.repId, marketerId: mk.id, startsAt: b.startsAt, day: iso(d) });
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 409) throw e;
        }
      }
    }
    let waitlist = 0;
    for (const b of sample(r, ahead, 3)) {
      // The first marketer not at this call who can still book: which ones reached their quota depends on the
      // slots open today, so one refused for quota gives way to the next.
      for (const mk of marketers.filter((x) => x.id !== b.marketerId && x !== loud && !ahead.some((y) => y.marketerId === x.id && y.startsAt === b.startsAt))) {
        try {
          await api.call(mk.token, 'POST', '/api/v1/waitlist', { periodId: b.periodId, repId: b.repId, startsAt: b.startsAt });
        } catch (e) {
          if (e instanceof ApiError && e.status === 409 && typeof e.body === 'object' && e.body.code === 'quota_reached') continue;
          throw e;
        }
        waitlist++;
        break;
      }
    }

    // ------------------------------------------------------------------ the closed period's rollup, actions, notices
    log('rollup: the closed period is rolled up and emailed to the lifecycle team');
    const rollups = app.get(RollupsService);
    await rollups.enqueueDue(realNow.toJSDate());
    const rollupId = await repo.rollupOfPeriod(program.id, closed.id);
    if (!rollupId) throw new Error('The closed period was not claimed for its rollup');
    await rollups.build(rollupId);
    await db.transaction((m) => app.get(ProgramsService).advanceStatuses(m, realNow.toJSDate()));
    const rollup = await api.call(admin, 'GET', `/api/v1/rollups/${rollupId}`);
    const top = (rollup.report?.themes ?? []) as { themeId: string }[];
    const theme = (i: number, name: string) => top[i]?.themeId ?? themeIds[name];

    log('actions and notices: what the team decided, and what the reps are told');
    const actions = [
      { kind: 'info_for_sales', title: 'First-week setup guide for trial accounts', detail: 'Trials stall after day three. Write the three first steps with two reps and send it to every new trial.', themeIds: [theme(0, 'Onboarding friction')], ownerId: lifecycle.id, dueOn: iso(today.plus({ days: 10 })), status: 'in_progress' },
      { kind: 'rep_alert', title: 'Tell reps the price page changed', detail: 'Quotes and the website disagreed on the premium add-on; reps should quote from the new page.', themeIds: [theme(1, 'Pricing confusion')], ownerId: olga.id, dueOn: iso(today.plus({ days: 3 })), status: 'done' },
      { kind: 'campaign_notification', title: 'Brief reps on the security webinar before invites go out', detail: 'Share the invite list and the one-pager so reps can follow up the same week.', themeIds: [themeIds['Security review delays']], ownerId: lifecycle.id, dueOn: iso(today.plus({ days: 14 })), status: 'open' },
    ];
    const actionIds: string[] = [];
    for (const { status, ...a } of actions) {
      const created = await api.call(admin, 'POST', '/api/v1/actions', { programId: program.id, rollupId: rollupId, ...a });
      if (status !== 'open') await api.call(admin, 'PATCH', `/api/v1/actions/${created.id}`, { status });
      actionIds.push(created.id);
    }
    await api.call(lifecycle.token, 'POST', '/api/v1/notices', {
      programId: program.id,
      periodId: current.id,
      kind: 'rep_alert',
      subject: 'The price page changed on Monday',
      body: 'The premium add-on is now part of the Growth plan. Quote from the new price page; the old PDF is withdrawn.\nQuestions: #pricing in Slack.',
      actionId: actionIds[1],
    });
    await api.call(lifecycle.token, 'POST', '/api/v1/notices', {
      programId: program.id,
      periodId: current.id,
      kind: 'campaign_notification',
      subject: 'Security webinar invites go out next Tuesday',
      body: 'About 400 accounts in finance and health care are invited. Expect questions about hosting and SOC 2; the security one-pager is on the wiki.',
    });

    // ------------------------------------------------------------------ the support rotation for new hires
    log('rotation: support shifts for five new hires');
    const rotation = await api.call(admin, 'POST', '/api/v1/programs', {
      name: 'Support onboarding',
      kind: 'support_rotation',
      timeZone: 'Europe/Berlin',
      settings: { onboardingShifts: 3, onboardingDays: 30, periodCadence: 'none' },
    });
    const rotationPeriod = await api.call(admin, 'POST', `/api/v1/programs/${rotation.id}/periods`, { startsOn: iso(today.minus({ days: 7 })), endsOn: iso(today.plus({ days: 60 })) });
    for (const weekday of [1, 2, 3, 4, 5]) {
      await api.call(admin, 'POST', `/api/v1/programs/${rotation.id}/shift-templates`, { weekday, start: '09:00', end: '13:00', timeZone: 'Europe/Berlin', queue: 'billing', capacity: 2 });
      await api.call(admin, 'POST', `/api/v1/programs/${rotation.id}/shift-templates`, { weekday, start: '10:00', end: '14:00', timeZone: 'America/New_York', queue: 'technical', capacity: 2 });
    }
    const newHires: DemoPerson[] = [];
    const starts = [-3, -1, 2, 5, 9];
    for (const [i, name] of marketerNames(seededRandom((options.seed ?? DEMO_SEED) + 1), 40).filter((x) => !names.includes(x)).slice(0, 5).entries()) {
      const hire = await person(name, ['marketer'], i % 2 ? 'America/New_York' : 'Europe/Berlin', { startedOn: iso(today.plus({ days: starts[i] })) });
      await api.call(admin, 'POST', `/api/v1/periods/${rotationPeriod.id}/enrollments`, { marketerId: hire.id });
      newHires.push(hire);
    }
    await api.call(admin, 'POST', `/api/v1/periods/${rotationPeriod.id}/rotation/generate`);

    const marketer = marketers.find((x) => x !== loud && ahead.some((b) => b.marketerId === x.id)) ?? marketers[0];
    return {
      programId: program.id,
      closedPeriodId: closed.id,
      currentPeriodId: current.id,
      rotationProgramId: rotation.id,
      rotationPeriodId: rotationPeriod.id,
      rollupId: rollupId,
      lifecycle,
      reps,
      marketers,
      loudMarketer: loud,
      newHires,
      signIn: [
        { role: 'rep', person: reps[0] },
        { role: 'marketer', person: marketer },
        { role: 'lifecycle', person: lifecycle },
      ],
      counts: {
        closedSessions: booked.filter((b) => b.periodId === closed.id).length,
        closedForms: submitted.get(closed.id) ?? 0,
        currentForms: submitted.get(current.id) ?? 0,
        formsDue: due,
        bookingsAhead: ahead.length,
        customerCallsOpened: opened,
        waitlist,
      },
    };
  } finally {
    delete (clock as { now?: unknown }).now;
  }
}

/** One sign-in link per role (each works once, for a few minutes), as the sign-in page would mail it. */
export async function signInLinks(app: INestApplication, result: DemoResult): Promise<{ role: string; name: string; email: string; url: string }[]> {
  const signIn = app.get(SignInService);
  const out = [];
  for (const { role, person } of result.signIn) out.push({ role, name: person.name, email: person.email, url: await signIn.issueLink(person.id) });
  return out;
}
