import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { SLOTS_PAGE, SlotsQuery } from '../../availability/availability.dto.js';
import { SlotsService, type SlotsResult } from '../../availability/slots.service.js';
import { AttendanceDto, CancelBookingDto, CreateBookingDto, JoinWaitlistDto, RescheduleBookingDto } from '../../bookings/bookings.dto.js';
import { BookingsService } from '../../bookings/bookings.service.js';
import { WaitlistService } from '../../bookings/waitlist.service.js';
import { Clock } from '../../common/clock.js';
import { DomainError, notFound } from '../../common/errors.js';
import { FeedsService } from '../../feeds/feeds.service.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { checked, formProblem, messageOf, parseDto, sendHtml, submitForm, text, type FormBody } from '../kit/forms.js';
import type { FieldErrors, Html } from '../kit/html.js';
import { cancelPage, homePage, type HomeBooking, type HomeView } from './marketer-home.js';
import { MarketerPagesRepository, type EnrolmentProgress } from './marketer-pages.repository.js';
import { mondayOf, periodDates, weekPage, weekSlotsOf, windowAt, type FullSlot, type WeekFilters, type WeekMode, type WeekSlot, type WeekSlotFilter } from './marketer-week.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';

/** Fixed texts for `?notice=` after a redirect (the query text itself is never shown). */
const NOTICES: Record<string, string> = {
  booked: 'Booked. The invite is in your email.',
  cancelled: 'Cancelled. The rep has been told by email.',
  moved: 'Moved. The updated invite is in your email.',
  marked: 'Attendance marked. Thank you.',
  done: 'Marked as done. Your observation form is open on the Forms page.',
  waitlisted: 'You are on the waitlist. If a seat frees up, it is booked for you and you get an email.',
  left: 'You left the waitlist.',
};

/** An Idempotency-Key as the API accepts it. */
const KEY = /^[\x21-\x7e]{1,200}$/;

/** Query or form values of the week view (either may repeat a field; the last one counts). */
type Raw = Record<string, unknown>;

const sessions = (n: number | null) => `${n ?? 0} session${n === 1 ? '' : 's'}`;

/** The slot a week-view button names (`slot` = "<repId> <startsAt>"), or the separate `repId` and `startsAt` fields. */
function slotOf(body: FormBody): { repId: string; startsAt: string } {
  const slot = text(body, 'slot');
  if (!slot) return { repId: text(body, 'repId'), startsAt: text(body, 'startsAt') };
  const [repId = '', startsAt = ''] = slot.split(' ');
  return { repId, startsAt };
}

/** Marketer pages: the week view of open slots, booking, cancelling, rescheduling, the waitlist, quota progress, the calendar feed link. */
@Controller()
@ApiExcludeController()
@WebPage()
export class MarketerPagesController {
  constructor(
    private readonly bookings: BookingsService,
    private readonly waitlist: WaitlistService,
    private readonly feeds: FeedsService,
    private readonly slots: SlotsService,
    private readonly repo: MarketerPagesRepository,
    private readonly clock: Clock,
  ) {}

  // ---------------------------------------------------------------- home

  @Get('marketer')
  @Roles('marketer')
  async home(@CurrentUser() actor: User, @Csrf() csrf: string, @Query() q: Raw): Promise<string> {
    const key = text(q, 'notice');
    const notice = Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
    return (await this.homePage(actor, csrf, { notice, formsHint: key === 'done' })).value;
  }

  private async homePage(actor: User, csrf: string, extra: Partial<HomeView>): Promise<Html> {
    const now = this.clock.now();
    const [progress, list, waiting] = await Promise.all([
      this.repo.enrolments(actor.id, now),
      this.bookings.list(actor, { status: 'confirmed' }),
      this.waitlist.list(actor),
    ]);
    const mine = list.filter((b) => b.marketerId === actor.id);
    const homeBookings = await this.describe(mine);
    const names = await this.repo.names(waiting.map((w) => w.repId));
    return homePage({
      user: actor,
      csrf,
      progress,
      upcoming: homeBookings.filter((b) => b.startsAt > now),
      toMark: homeBookings.filter((b) => b.startsAt <= now),
      waitlist: waiting.map((w) => ({ id: w.id, startsAt: w.startsAt, repName: names.get(w.repId) ?? 'a rep' })),
      ...extra,
    });
  }

  /** Bookings with their rep's name and the label, call type and lead flag each keeps from the window it was booked in. */
  private async describe(
    list: { id: string; repId: string; startsAt: Date; endsAt: Date; repName?: string; label: string | null; callType: string | null; marketingSourced: boolean | null }[],
  ): Promise<HomeBooking[]> {
    if (!list.length) return [];
    const names = list.some((b) => !b.repName) ? await this.repo.names(list.map((b) => b.repId)) : new Map<string, string>();
    return list.map((b) => ({
      id: b.id,
      repName: b.repName ?? names.get(b.repId) ?? 'a rep',
      startsAt: b.startsAt,
      endsAt: b.endsAt,
      label: b.label ?? undefined,
      callType: b.callType ?? undefined,
      marketingSourced: b.marketingSourced ?? undefined,
    }));
  }

  // ---------------------------------------------------------------- week view and booking

  @Get('marketer/slots')
  @Roles('marketer')
  async slotsPage(@CurrentUser() actor: User, @Csrf() csrf: string, @Query() q: Raw, @Res() res: Response): Promise<void> {
    const { status, page } = await this.weekView(actor, csrf, q, { kind: 'book' });
    sendHtml(res, status, page);
  }

  @Post('marketer/bookings')
  @Roles('marketer')
  async book(@CurrentUser() actor: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const view = this.viewOf(body);
    const slot = slotOf(body);
    // The page's key plus the slot: the same slot posted twice from one page books once.
    const pageKey = text(body, 'pageKey');
    const key = pageKey ? `${pageKey}:${slot.repId}:${slot.startsAt}` : text(body, 'idempotencyKey');
    if (key && !KEY.test(key)) {
      return this.sendWeek(res, actor, csrf, view, { kind: 'book' }, { status: 400, message: 'The form is damaged (pageKey); reload the page and try again.' });
    }
    const parsed = await parseDto(CreateBookingDto, { periodId: text(body, 'periodId'), ...slot });
    // A full call offers its waitlist instead.
    let waitlist: { periodId: string; repId: string; startsAt: string } | undefined;
    await submitForm(res, {
      input: parsed,
      act: async (dto) => {
        await this.bookings.create(actor, dto, key || undefined);
        return '/marketer?notice=booked';
      },
      problem: (e) => {
        const p = formProblem(e);
        const full = e instanceof DomainError && e.code === 'slot_unavailable' && (e.details as { reason?: string }).reason === 'slot_full';
        if (full && parsed.ok) waitlist = { periodId: parsed.value.periodId, repId: parsed.value.repId, startsAt: new Date(parsed.value.startsAt).toISOString() };
        return p;
      },
      again: (p) => this.weekHtml(actor, csrf, view, { kind: 'book' }, { status: p.status, message: messageOf(p), waitlist }),
    });
  }

  @Post('marketer/waitlist')
  @Roles('marketer')
  async joinWaitlist(@CurrentUser() actor: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const view = this.viewOf(body);
    await submitForm(res, {
      input: parseDto(JoinWaitlistDto, { periodId: text(body, 'periodId'), ...slotOf(body) }),
      act: async (dto) => {
        await this.waitlist.join(actor, dto);
        return '/marketer?notice=waitlisted';
      },
      again: (p) => this.weekHtml(actor, csrf, view, { kind: 'book' }, { status: p.status, message: messageOf(p) }),
    });
  }

  @Post('marketer/waitlist/:id/leave')
  @Roles('marketer')
  async leaveWaitlist(@CurrentUser() actor: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await submitForm(res, {
      act: async () => {
        await this.waitlist.leave(actor, id);
        return '/marketer?notice=left';
      },
      again: (p) => this.homePage(actor, csrf, { message: messageOf(p) }),
    });
  }

  // ---------------------------------------------------------------- one booking

  @Get('marketer/bookings/:id/reschedule')
  @Roles('marketer')
  async reschedulePage(@CurrentUser() actor: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query() q: Raw, @Res() res: Response): Promise<void> {
    const mode = await this.movable(actor, id);
    const { status, page } = await this.weekView(actor, csrf, q, mode);
    sendHtml(res, status, page);
  }

  @Post('marketer/bookings/:id/reschedule')
  @Roles('marketer')
  async reschedule(@CurrentUser() actor: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const mode = await this.movable(actor, id);
    const view = this.viewOf(body);
    const { repId, startsAt } = slotOf(body);
    await submitForm(res, {
      input: parseDto(RescheduleBookingDto, { startsAt, ...(repId ? { repId } : {}) }),
      act: async (dto) => {
        await this.bookings.reschedule(actor, id, dto.startsAt, dto.repId);
        return '/marketer?notice=moved';
      },
      again: (p) => this.weekHtml(actor, csrf, view, mode, { status: p.status, message: messageOf(p) }),
    });
  }

  @Get('marketer/bookings/:id/cancel')
  @Roles('marketer')
  async cancelForm(@CurrentUser() actor: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string): Promise<string> {
    const [booking] = await this.describe([await this.own(actor, id)]);
    return cancelPage({ user: actor, csrf, booking }).value;
  }

  @Post('marketer/bookings/:id/cancel')
  @Roles('marketer')
  async cancel(@CurrentUser() actor: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const own = await this.own(actor, id);
    const reason = text(body, 'reason');
    await submitForm(res, {
      input: parseDto(CancelBookingDto, { reason }),
      act: async (dto) => {
        await this.bookings.cancel(actor, id, dto.reason);
        return '/marketer?notice=cancelled';
      },
      again: async (p) => {
        const [booking] = await this.describe([own]);
        return cancelPage({ user: actor, csrf, booking, reason, errors: p.errors, message: p.message });
      },
    });
  }

  @Post('marketer/bookings/:id/attendance')
  @Roles('marketer')
  async attendance(@CurrentUser() actor: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.own(actor, id);
    await submitForm(res, {
      input: parseDto(AttendanceDto, { outcome: text(body, 'outcome') }),
      act: async ({ outcome }) => {
        await this.bookings.attendance(actor, id, outcome);
        return outcome === 'completed' ? '/marketer?notice=done' : '/marketer?notice=marked';
      },
      again: (p) => this.homePage(actor, csrf, { message: messageOf(p) }),
    });
  }

  /** The booking's current invite, for "add to my calendar" (the API's invite needs a Bearer token). */
  @Get('marketer/bookings/:id/invite.ics')
  @Roles('marketer')
  async invite(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    const ics = await this.bookings.inviteFile(actor, id);
    const booking = await this.bookings.get(actor, id);
    const name = `ridealong-${DateTime.fromJSDate(booking.startsAt).setZone(actor.timeZone).toFormat("yyyy-LL-dd'-'HHmm")}.ics`;
    res.status(200).type('text/calendar; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(ics);
  }

  // ---------------------------------------------------------------- calendar feed

  /** A new secret feed link, shown once on the page this POST renders (not stored anywhere it could be shown again). */
  @Post('marketer/calendar-token')
  @Roles('marketer')
  async calendarToken(@CurrentUser() actor: User, @Csrf() csrf: string, @Res() res: Response): Promise<void> {
    const { url } = await this.feeds.rotateToken(actor);
    res.setHeader('Cache-Control', 'no-store');
    sendHtml(res, 200, await this.homePage(actor, csrf, { feed: { url, webcal: url.replace(/^https?:\/\//, 'webcal://') } }));
  }

  // ---------------------------------------------------------------- helpers

  /** The marketer's own booking (someone else's is not found). */
  private async own(actor: User, id: string) {
    const booking = await this.bookings.get(actor, id);
    if (booking.marketerId !== actor.id) throw notFound('Booking', id);
    return booking;
  }

  /** The reschedule mode for an own booking that can still move. */
  private async movable(actor: User, id: string): Promise<WeekMode> {
    const booking = await this.own(actor, id);
    if (booking.status !== 'confirmed') throw new DomainError('invalid_state', `This booking is ${booking.status.replace('_', '-')}: only confirmed bookings move`);
    if (booking.startsAt <= this.clock.now()) throw new DomainError('invalid_state', 'This session has started: it can no longer move');
    const names = await this.repo.names([booking.repId]);
    return {
      kind: 'reschedule',
      bookingId: booking.id,
      repName: names.get(booking.repId) ?? 'a rep',
      startsAt: booking.startsAt,
      endsAt: booking.endsAt,
      periodId: booking.periodId,
      repId: booking.repId,
    };
  }

  /** The filters a booking form came from (its hidden `view` field), to show the same week again. */
  private viewOf(body: FormBody): Raw {
    return Object.fromEntries(new URLSearchParams(text(body, 'view')));
  }

  private async sendWeek(res: Response, actor: User, csrf: string, q: Raw, mode: WeekMode, extra: { status: number; message?: string; waitlist?: { periodId: string; repId: string; startsAt: string } }): Promise<void> {
    sendHtml(res, extra.status, await this.weekHtml(actor, csrf, q, mode, extra));
  }

  /** The week view again after a form, with its problem (the answer's status is the problem's). */
  private async weekHtml(actor: User, csrf: string, q: Raw, mode: WeekMode, extra: { status: number; message?: string; waitlist?: { periodId: string; repId: string; startsAt: string } }): Promise<Html> {
    return (await this.weekView(actor, csrf, q, mode, extra)).page;
  }

  /**
   * Validates the filters, searches the 7 local days [Monday 00:00, next Monday 00:00) in the marketer's
   * zone with the marketer's own commitments and limits (the same rules booking applies), and renders.
   */
  private async weekView(
    actor: User,
    csrf: string,
    q: Raw,
    mode: WeekMode,
    extra: { message?: string; waitlist?: { periodId: string; repId: string; startsAt: string } } = {},
  ): Promise<{ status: number; page: Html }> {
    const zone = actor.timeZone;
    const now = this.clock.now();
    const moving = mode.kind === 'reschedule' ? mode : undefined;
    const enrolments = await this.repo.enrolments(actor.id, now);
    const shown = moving ? enrolments.filter((e) => e.periodId === moving.periodId) : enrolments;
    const periods = shown.map((e) => ({ value: e.periodId, label: `${e.programName}: ${periodDates(e.startsOn, e.endsOn)}` }));
    if (moving && !periods.length) periods.push({ value: moving.periodId, label: "This booking's period" });

    const has = (name: string) => q[name] !== undefined;
    const periodId = moving ? moving.periodId : text(q, 'periodId') || this.currentPeriod(enrolments, now)?.periodId || '';
    const period = enrolments.find((e) => e.periodId === periodId);
    const filters: WeekFilters = {
      periodId,
      week: text(q, 'week') || this.defaultWeek(zone, now, period, moving?.startsAt),
      repId: moving && !has('repId') ? moving.repId : text(q, 'repId'),
      callType: text(q, 'callType'),
      marketingSourced: checked(q, 'marketingSourced'),
    };
    const errors: FieldErrors = {};
    const monday = mondayOf(filters.week, zone);
    if (!monday) errors.week = ['Week of must be a date, like 2026-11-23'];
    const search = {
      periodId: filters.periodId,
      from: monday?.toISO({ suppressMilliseconds: true }) ?? '',
      to: monday?.plus({ weeks: 1 }).toISO({ suppressMilliseconds: true }) ?? '',
      marketerId: actor.id,
      timeZone: zone,
      ...(filters.repId ? { repId: filters.repId } : {}),
      ...(filters.callType ? { callType: filters.callType } : {}),
    };
    const parsed = await parseDto(SlotsQuery, search);
    if (!parsed.ok) for (const [k, v] of Object.entries(parsed.errors)) if (k !== 'from' && k !== 'to') (errors[k] ??= []).push(...v);
    if (!errors.periodId && !periods.some((p) => p.value === filters.periodId)) errors.periodId = ['Period must be one you are enrolled in'];
    const reps = errors.periodId ? [] : await this.repo.activeReps(filters.periodId);
    if (!errors.repId && filters.repId && !reps.some((r) => r.id === filters.repId)) errors.repId = ['Rep must be one on the roster of this period'];

    const view = {
      user: actor,
      csrf,
      mode,
      filters,
      periods,
      reps: reps.map((r) => ({ value: r.id, label: r.name })),
      monday,
      pageKey: randomUUID(),
      ...extra,
    };
    if (!periods.length) return { status: 200, page: weekPage({ ...view, callTypes: [], slots: null }) };
    if (Object.keys(errors).length) return { status: 400, page: weekPage({ ...view, callTypes: [], slots: null, errors }) };

    // Search without the call-type filter, so the Call type select can offer every type of the week. A move
    // searches as if the booking being moved were not held, as the move itself decides, and does not offer
    // the booking's own time: "Keep it as it is" does that.
    const names = new Map(reps.map((r) => [r.id, r.name]));
    let found: { result: SlotsResult; slots: WeekSlot[]; callTypes: Set<string> };
    try {
      found = await this.weekSlots(
        actor,
        {
          periodId: search.periodId,
          from: search.from,
          to: search.to,
          marketerId: actor.id,
          timeZone: zone,
          ...(filters.repId ? { repId: filters.repId } : {}),
          ...(moving ? { excludeBookingId: moving.bookingId } : {}),
        },
        names,
        { callType: filters.callType, marketingSourced: filters.marketingSourced, ...(moving ? { except: `${moving.repId} ${moving.startsAt.toISOString()}` } : {}) },
      );
    } catch (e) {
      const p = formProblem(e);
      return { status: p.status, page: weekPage({ ...view, callTypes: [], slots: null, message: messageOf(p) }) };
    }
    const { result, slots } = found;
    // The marketer's own sessions of the week, so what they booked shows where they booked it.
    const own = await this.bookings.list(actor, { status: 'confirmed', from: search.from, to: search.to });
    const booked = own
      .filter((b) => b.marketerId === actor.id && (!moving || b.id !== moving.bookingId))
      .map((b) => ({ id: b.id, repName: b.repName, startsAt: b.startsAt, endsAt: b.endsAt, customerCall: b.customerCallId !== null, label: b.label ?? undefined }));
    // Calls with every seat taken, to wait for (not when moving a booking: a move needs a free seat now).
    let full: FullSlot[] = [];
    if (!moving) {
      const [calls, waiting] = await Promise.all([
        this.repo.fullCalls(filters.periodId, search.from, search.to, actor.id, this.clock.now()),
        this.waitlist.list(actor),
      ]);
      const shown = calls.filter((c) => !filters.repId || c.repId === filters.repId);
      const windows = filters.callType || filters.marketingSourced
        ? await this.repo.repWindows(shown.map((c) => c.repId), monday!.minus({ days: 1 }).toISODate()!, monday!.plus({ days: 8 }).toISODate()!)
        : undefined;
      const waits = new Set(waiting.map((w) => `${w.repId}|${w.startsAt.getTime()}`));
      // Many reps' calls share a start: each instant is written once.
      const isoOf = new Map<number, string>();
      const iso = (d: Date): string => {
        let s = isoOf.get(d.getTime());
        if (s === undefined) isoOf.set(d.getTime(), (s = d.toISOString()));
        return s;
      };
      full = shown
        .filter((c) => {
          if (!windows) return true;
          const w = windowAt(windows.get(c.repId), c.startsAt);
          return (!filters.callType || w?.callType === filters.callType) && (!filters.marketingSourced || w?.marketingSourced === true);
        })
        .map((c) => ({
          repId: c.repId,
          repName: names.get(c.repId) ?? 'a rep',
          startsAt: iso(c.startsAt),
          endsAt: iso(c.endsAt),
          waiting: waits.has(`${c.repId}|${c.startsAt.getTime()}`),
        }));
    }
    const limits = result.marketer;
    const info = limits?.quotaReached
      ? moving
        ? `Your quota of ${sessions(limits.quota)} in this period is reached, so no open slots are listed. Cancel this booking and book again instead.`
        : `You have reached your quota of ${sessions(limits.quota)} in this period: there is nothing more to book.`
      : undefined;
    return {
      status: 200,
      page: weekPage({ ...view, callTypes: [...found.callTypes], slots, info, booked, full }),
    };
  }

  /**
   * Every slot of the search, page after page (following nextCursor), that `filter` keeps, with its rep's
   * name; the call types of all of them; and the first page's result.
   */
  private async weekSlots(
    actor: User,
    q: SlotsQuery,
    names: ReadonlyMap<string, string>,
    filter: WeekSlotFilter,
  ): Promise<{ result: SlotsResult; slots: WeekSlot[]; callTypes: Set<string> }> {
    const slots: WeekSlot[] = [];
    const callTypes = new Set<string>();
    let first: SlotsResult | undefined;
    let cursor: string | undefined;
    do {
      const page: SlotsResult = await this.slots.search(actor, { ...q, limit: SLOTS_PAGE.max, ...(cursor ? { cursor } : {}) });
      first ??= page;
      weekSlotsOf(page.slots, names, filter, slots, callTypes);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return { result: first, slots, callTypes };
  }

  /** The enrolment whose period holds today (in its program's zone), else the next one. */
  private currentPeriod(enrolments: EnrolmentProgress[], now: Date): EnrolmentProgress | undefined {
    return (
      enrolments.find((e) => {
        const today = DateTime.fromJSDate(now).setZone(e.programZone).toISODate()!;
        return e.startsOn <= today && today <= e.endsOn;
      }) ?? enrolments[0]
    );
  }

  /** This week; the booking's week when moving one; the period's first week when it has not started yet. */
  private defaultWeek(zone: string, now: Date, period: EnrolmentProgress | undefined, moving?: Date): string {
    if (moving) return DateTime.fromJSDate(moving).setZone(zone).toISODate()!;
    const today = DateTime.fromJSDate(now).setZone(zone);
    if (period && period.startsOn > today.endOf('week').toISODate()!) return period.startsOn;
    return today.toISODate()!;
  }
}
