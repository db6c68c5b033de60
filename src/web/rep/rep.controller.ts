import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DateTime } from 'luxon';
import { PutAvailabilityDto, PutOverrideDto, type WindowDto } from '../../availability/availability.dto.js';
import { AvailabilityService } from '../../availability/availability.service.js';
import type { WallWindow } from '../../availability/engine/slot-engine.js';
import { windowProblems, type FieldProblem } from '../../availability/windows.js';
import { AttendanceDto, CancelBookingDto } from '../../bookings/bookings.dto.js';
import { BookingsService } from '../../bookings/bookings.service.js';
import { CalendarConnectionsService } from '../../calendar-sync/connections.service.js';
import { CustomerCallsService } from '../../customer-calls/customer-calls.service.js';
import { NoticesService } from '../../notices/notices.service.js';
import { RepNotesService } from '../../rep-notes/rep-notes.service.js';
import { Clock } from '../../common/clock.js';
import { isIsoDate, todayIn } from '../../common/time/dates.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import type { Period, Program } from '../../programs/program.entity.js';
import { UpdateRosterDto } from '../../programs/programs.dto.js';
import { ProgramsService } from '../../programs/programs.service.js';
import { WEEKDAYS } from '../kit/format.js';
import { checked, messageOf, parseDto, submitForm, text, type FormBody } from '../kit/forms.js';
import type { FieldErrors, Html } from '../kit/html.js';
import {
  availabilityPage,
  homePage,
  noticeText,
  OVERRIDE_ROWS,
  overrideName,
  rowsOf,
  weeklyName,
  weeklyValues,
  type AvailabilityData,
  type CallRow,
  type FormValues,
  type HomeData,
  type RosterRow,
} from './rep-view.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';

/** A time from a form: "09:00:00" (some browsers) → "09:00"; an end of "00:00" means midnight, "24:00". */
function formTime(v: string, as: 'start' | 'end'): string {
  const t = /^\d{2}:\d{2}:00$/.test(v) ? v.slice(0, 5) : v;
  return as === 'end' && t === '00:00' ? '24:00' : t;
}

const add = (into: FieldErrors, field: string, problems: string[]) => (into[field] ??= []).push(...problems);

/**
 * Puts problems about a list (`weekly[2].end`, `windows[0]`) on the inputs of the row they came from.
 * `rows[k]` names the inputs of list item k; anything that is not about a known field goes to `top`.
 */
function mapListErrors(
  src: FieldErrors | FieldProblem[],
  list: string,
  rows: { field: (part: string) => string; label: string }[],
  plain: readonly string[],
  into: FieldErrors,
  top: string[],
): void {
  const entries = Array.isArray(src) ? src.map((p) => [p.field, p.problems] as const) : Object.entries(src);
  const itemRe = new RegExp(`^${list}\\[(\\d+)\\](?:\\.(\\w+))?$`);
  const refRe = new RegExp(`${list}\\[(\\d+)\\]`, 'g');
  for (const [field, problems] of entries) {
    const readable = problems.map((p) => p.replace(refRe, (_, j: string) => rows[Number(j)]?.label ?? `window ${Number(j) + 1}`));
    const m = itemRe.exec(field);
    if (m && rows[Number(m[1])]) {
      const row = rows[Number(m[1])];
      const part = m[2];
      if (!part) add(into, row.field('start'), readable.map((p) => `This window ${p}`));
      else add(into, row.field(part), readable);
    } else if (plain.includes(field)) {
      add(into, field, readable);
    } else {
      top.push(...readable.map((p) => `${field}: ${p}`));
    }
  }
}

/** Rep pages: roster invitations, weekly availability and date overrides, upcoming shadowed calls, attendance. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('rep')
export class RepPagesController {
  constructor(
    private readonly programs: ProgramsService,
    private readonly bookings: BookingsService,
    private readonly availability: AvailabilityService,
    private readonly calendars: CalendarConnectionsService,
    private readonly customerCalls: CustomerCallsService,
    private readonly clock: Clock,
    private readonly notices: NoticesService,
    private readonly repNotes: RepNotesService,
  ) {}

  // ---------------------------------------------------------------- home

  @Get('rep')
  async home(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return homePage({ ...(await this.homeData(user)), user, csrf, notice: noticeText(notice) }).value;
  }

  @Post('rep/roster/:entryId')
  async roster(@CurrentUser() user: User, @Csrf() csrf: string, @Param('entryId', uuid('entryId')) entryId: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const status = text(body, 'status');
    const parsed = await parseDto(UpdateRosterDto, { status });
    await submitForm(res, {
      input: parsed.ok && (status === 'active' || status === 'declined') ? parsed : { ok: false, errors: { status: ['status must be active (accept) or declined (decline)'] } },
      act: async (dto) => {
        await this.programs.updateRoster(user, entryId, dto.status);
        return `/rep?notice=${status === 'active' ? 'roster-accepted' : 'roster-declined'}`;
      },
      again: (p) => this.homeHtml(user, csrf, { message: messageOf(p) }),
    });
  }

  @Post('rep/bookings/:id/cancel')
  async cancel(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.bookings.get(user, id); // someone else's booking: 404 before anything else
    const reason = text(body, 'reason');
    await submitForm(res, {
      input: reason ? parseDto(CancelBookingDto, { reason }) : { ok: false, errors: { reason: ['Give a reason for cancelling; the marketer sees it'] } },
      act: async (dto) => {
        await this.bookings.cancel(user, id, dto.reason);
        return '/rep?notice=booking-cancelled';
      },
      // The reason's problems next to it; any other at the top of the form.
      again: (p) => {
        const { reason: onReason, ...rest } = p.errors;
        const message = [p.message, ...Object.values(rest).flat()].filter(Boolean).join('; ') || undefined;
        return this.homeHtml(user, csrf, { cancel: { bookingId: id, reason, errors: onReason ? { reason: onReason } : {}, message } });
      },
    });
  }

  @Post('rep/bookings/:id/attendance')
  async attendance(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.bookings.get(user, id);
    await submitForm(res, {
      input: parseDto(AttendanceDto, { outcome: text(body, 'outcome') }),
      act: async ({ outcome }) => {
        await this.bookings.attendance(user, id, outcome);
        return `/rep?notice=${outcome === 'completed' ? 'attendance-completed' : 'attendance-no-show'}`;
      },
      again: (p) => this.homeHtml(user, csrf, { rowError: { bookingId: id, message: messageOf(p) } }),
    });
  }

  private async homeHtml(user: User, csrf: string, extra: Partial<HomeData>): Promise<Html> {
    return homePage({ ...(await this.homeData(user)), ...extra, user, csrf });
  }

  private async homeData(user: User): Promise<Pick<HomeData, 'invitations' | 'periods' | 'upcoming' | 'toMark' | 'notices' | 'repNotes'>> {
    const now = this.clock.now();
    const today = todayIn(user.timeZone, now);
    const entries = await this.programs.listRoster(user, { mine: true });
    const programs = new Map<string, Program>();
    const rows: RosterRow[] = [];
    for (const e of entries) {
      const period: Period = await this.programs.getPeriod(e.periodId);
      let program = programs.get(period.programId);
      if (!program) programs.set(period.programId, (program = await this.programs.getProgram(period.programId)));
      rows.push({ entryId: e.id, status: e.status, programName: program.name, startsOn: period.startsOn, endsOn: period.endsOn, periodStatus: period.status, focus: period.focus });
    }
    const byStart = (a: RosterRow, b: RosterRow) => a.startsOn.localeCompare(b.startsOn);

    const [ahead, started] = await Promise.all([
      this.bookings.list(user, { mine: 'true', status: 'confirmed', from: now.toISOString() }),
      this.bookings.list(user, { mine: 'true', status: 'confirmed', to: now.toISOString() }),
    ]);
    // What the call was booked under, as the booking keeps it (not the rep's windows as they read today).
    const call = (b: (typeof ahead)[number], withWindow: boolean): CallRow => ({
      id: b.id,
      startsAt: b.startsAt,
      endsAt: b.endsAt,
      marketerName: b.marketerName,
      window: withWindow ? { label: b.label ?? undefined, callType: b.callType ?? undefined, marketingSourced: b.marketingSourced ?? undefined } : undefined,
      customerCall: b.customerCallId !== null,
    });
    return {
      invitations: rows.filter((r) => r.status === 'invited').sort(byStart),
      periods: rows.filter((r) => r.status === 'active' && r.endsOn >= today).sort(byStart),
      upcoming: ahead.filter((b) => b.repId === user.id && b.startsAt > now).map((b) => call(b, true)),
      toMark: started.filter((b) => b.repId === user.id && b.startsAt <= now).map((b) => call(b, false)),
      notices: await this.notices.waitingFor(user),
      repNotes: await this.repNotes.waitingFor(user),
    };
  }

  // ---------------------------------------------------------------- availability

  @Get('rep/availability')
  async availabilityForm(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.availabilityHtml(user, csrf, { notice: noticeText(notice) })).value;
  }

  @Post('rep/availability')
  async saveWeekly(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values: FormValues = {};
    for (const k of Object.keys(body)) if (k === 'timeZone' || /^w[1-7]_\d{1,2}_(start|end|label|callType|marketingSourced)$/.test(k)) values[k] = text(body, k);
    const errors: FieldErrors = {};
    const top: string[] = [];
    const weekly: (WindowDto & { weekday: number })[] = [];
    const rows: { field: (part: string) => string; label: string }[] = [];
    for (let d = 1; d <= 7; d++) {
      for (let i = 1; i <= rowsOf(values, d); i++) {
        const startName = weeklyName(d, i, 'start');
        const endName = weeklyName(d, i, 'end');
        const start = formTime(values[startName] ?? '', 'start');
        const end = formTime(values[endName] ?? '', 'end');
        if (!start && !end) continue;
        const label = `${WEEKDAYS[d - 1]} window ${i}`;
        if (!start) add(errors, startName, [`Give ${label} a start time too, or clear its end`]);
        if (!end) add(errors, endName, [`Give ${label} an end time too, or clear its start`]);
        if (!start || !end) continue;
        const meta = values[weeklyName(d, i, 'marketingSourced')];
        weekly.push({
          weekday: d,
          start,
          end,
          ...(values[weeklyName(d, i, 'label')] ? { label: values[weeklyName(d, i, 'label')] } : {}),
          ...(values[weeklyName(d, i, 'callType')] ? { callType: values[weeklyName(d, i, 'callType')] } : {}),
          ...(meta === 'true' || meta === 'false' ? { marketingSourced: meta === 'true' } : {}),
        });
        rows.push({ field: (part) => weeklyName(d, i, part === 'end' ? 'end' : 'start'), label });
      }
    }
    const timeZone = text(body, 'timeZone');
    const parsed = await parseDto(PutAvailabilityDto, { timeZone, weekly });
    if (!parsed.ok) mapListErrors(parsed.errors, 'weekly', rows, ['timeZone'], errors, top);
    // The times' own rules (end after start, no overlaps) too, so every problem shows at once.
    if (parsed.ok || !Object.keys(parsed.errors).some((k) => k.startsWith('weekly'))) mapListErrors(windowProblems(weekly, 'weekly'), 'weekly', rows, ['timeZone'], errors, top);
    await submitForm(res, {
      // Every problem of the input is in `errors` and `top` already.
      input: !parsed.ok || Object.keys(errors).length || top.length ? { ok: false, errors: {} } : parsed,
      act: async (dto) => {
        await this.availability.putWeekly(user, user.id, dto, todayIn(user.timeZone, this.clock.now()));
        return '/rep/availability?notice=weekly-saved';
      },
      again: (p) => {
        mapListErrors(p.errors, 'weekly', rows, ['timeZone'], errors, top);
        if (p.message) top.push(p.message);
        return this.availabilityHtml(user, csrf, { weeklyForm: { values, errors, message: top.length ? top.join('; ') : undefined } });
      },
    });
  }

  @Post('rep/overrides')
  async saveOverride(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values: FormValues = { date: text(body, 'date'), blocked: checked(body, 'blocked') ? '1' : '' };
    const errors: FieldErrors = {};
    const top: string[] = [];
    const date = values.date;
    if (!date) add(errors, 'date', ['Give the date the override is for']);
    else if (!isIsoDate(date)) add(errors, 'date', ['date must be a date like 2027-03-14']);
    const blocked = values.blocked === '1';
    const windows: WallWindow[] = [];
    const rows: { field: (part: string) => string; label: string }[] = [];
    let rowProblems = false;
    for (let i = 1; i <= OVERRIDE_ROWS; i++) {
      for (const part of ['start', 'end', 'label', 'callType'] as const) values[overrideName(i, part)] = text(body, overrideName(i, part));
      values[overrideName(i, 'marketingSourced')] = checked(body, overrideName(i, 'marketingSourced')) ? '1' : '';
      const start = formTime(values[overrideName(i, 'start')], 'start');
      const end = formTime(values[overrideName(i, 'end')], 'end');
      const label = values[overrideName(i, 'label')];
      const callType = values[overrideName(i, 'callType')];
      const ms = values[overrideName(i, 'marketingSourced')] === '1';
      if (!start && !end && !label && !callType && !ms) continue;
      if (!start) add(errors, overrideName(i, 'start'), [`Give window ${i} a start time`]);
      if (!end) add(errors, overrideName(i, 'end'), [`Give window ${i} an end time`]);
      if (!start || !end) {
        rowProblems = true;
        continue;
      }
      windows.push({ start, end, ...(label ? { label } : {}), ...(callType ? { callType } : {}), ...(ms ? { marketingSourced: true } : {}) });
      rows.push({ field: (part) => overrideName(i, part as 'start'), label: `window ${i}` });
    }
    if (blocked && (windows.length || rowProblems)) add(errors, 'blocked', ['Either tick "Not available that day" or give windows, not both']);
    if (!blocked && !windows.length && !rowProblems) add(errors, overrideName(1, 'start'), ['Give at least one window, or tick "Not available that day"']);
    const parsed = await parseDto(PutOverrideDto, { windows: blocked ? [] : windows });
    if (!parsed.ok) mapListErrors(parsed.errors, 'windows', rows, ['date'], errors, top);
    else mapListErrors(windowProblems(blocked ? [] : windows, 'windows'), 'windows', rows, ['date'], errors, top);
    await submitForm(res, {
      // Every problem of the input is in `errors` and `top` already.
      input: !parsed.ok || Object.keys(errors).length || top.length ? { ok: false, errors: {} } : parsed,
      act: async (dto) => {
        await this.availability.putOverride(user, user.id, date, dto);
        return '/rep/availability?notice=override-saved';
      },
      again: (p) => {
        mapListErrors(p.errors, 'windows', rows, ['date'], errors, top);
        if (p.message) top.push(p.message);
        return this.availabilityHtml(user, csrf, { overrideForm: { values, errors, message: top.length ? top.join('; ') : undefined } });
      },
    });
  }

  @Post('rep/overrides/:date/delete')
  async removeOverride(@CurrentUser() user: User, @Csrf() csrf: string, @Param('date') date: string, @Res() res: Response): Promise<void> {
    await submitForm(res, {
      act: async () => {
        await this.availability.deleteOverride(user, user.id, date);
        return '/rep/availability?notice=override-removed';
      },
      again: (p) => this.availabilityHtml(user, csrf, { message: messageOf(p) }),
    });
  }

  private async availabilityHtml(
    user: User,
    csrf: string,
    o: { notice?: string; message?: string; weeklyForm?: AvailabilityData['weeklyForm']; overrideForm?: AvailabilityData['overrideForm'] },
  ): Promise<Html> {
    const now = this.clock.now();
    const view = await this.availability.get(user, user.id, todayIn(user.timeZone, now));
    const zone = view.timeZone ?? user.timeZone;
    const today = todayIn(zone, now);
    // The busy times of the rep's calendars over the preview's 7 days (none connected: no busy list at all).
    const previewStart = DateTime.fromISO(today, { zone }).startOf('day');
    const [from, to] = [previewStart.toJSDate(), previewStart.plus({ days: 7 }).toJSDate()];
    const connected = (await this.calendars.list(user, user.id)).length > 0;
    const busy = connected ? await this.calendars.busyTimes(user.id, from, to) : undefined;
    const openCalls = connected
      ? (await this.customerCalls.list(user, { from: from.toISOString(), to: to.toISOString() }))
          .filter((c) => c.state !== 'closed')
          .map((c) => ({ startsAt: c.startsAt, endsAt: c.endsAt, title: c.label ?? '' }))
      : undefined;
    return availabilityPage({
      user,
      csrf,
      notice: o.notice,
      message: o.message,
      savedZone: view.timeZone,
      weekly: view.weekly,
      overrides: view.overrides,
      today,
      busy,
      openCalls,
      weeklyForm: o.weeklyForm ?? { values: weeklyValues(zone, view.weekly) },
      overrideForm: o.overrideForm ?? { values: {} },
    });
  }
}
