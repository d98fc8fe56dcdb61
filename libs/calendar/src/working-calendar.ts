// X-1, X-2: the working-day calendar every deadline is computed with. Pure: no framework, no
// clock, no process time zone (all wall-clock reasoning is Asia/Shanghai, see shanghai-time.ts).
//
// Day classification, highest priority first:
//   1. the admin's local overrides (an extra closure day, an extra working day);
//   2. holiday data: the admin's extraYears for their year, else the chinese-days table
//      (days off, and make-up working days 调休上班);
//   3. weekends off, Monday–Friday working. In a year WITHOUT holiday data this fallback is a
//      guess (chinese-days 1.5.7 silently calls 2027-01-01 a working day), so every computation
//      that classifies such a day records the year in its `missingYears` collector: the
//      application alerts the admin and shows it on /health.
//
// Working time on a working day is the office hours, minus the lunch break when one is set.
// Periods are half-open: 08:30 is working time, 17:30 is not (the office has closed).
import { createHash } from 'node:crypto';
import { parseHolidayNotice, HolidayNoticeError } from './holiday-notice.parser';
import { chineseDaysTable, type HolidayTable } from './holiday-table';
import {
  assertInstant,
  dayFromYmd,
  dayKey,
  dayOf,
  daysInMonth,
  instantOf,
  MINUTE_MS,
  msIntoDay,
  parseClock,
  parseDayKey,
  weekdayOf,
  yearOf,
  ymdOf,
} from './shanghai-time';

/** A wall-clock span in Shanghai time, 'HH:mm'. */
export interface ClockRange {
  start: string;
  end: string;
}

/** The admin's local change to one day: an extra closure day or an extra working day. */
export interface CalendarOverride {
  date: string;
  kind: 'closed' | 'working';
  /** Shown to users; not part of the calendar version. */
  note?: string;
}

/** A year the admin entered from the State Council notice (see parseHolidayNotice). */
export interface ExtraYear {
  year: number;
  holidays: readonly string[];
  workdays: readonly string[];
}

export interface WorkingCalendarOptions {
  /** Default 08:30–17:30. */
  officeHours?: ClockRange;
  /** Default none: the office hours count as one block. */
  lunchBreak?: ClockRange | null;
  overrides?: readonly CalendarOverride[];
  extraYears?: readonly ExtraYear[];
}

export type DayReason = 'holiday' | 'make_up_workday' | 'weekend' | 'weekday' | 'closed_override' | 'working_override';

export interface DayInfo {
  date: string;
  working: boolean;
  reason: DayReason;
  /** Holiday name (e.g. 国庆节) or the override's note. */
  name?: string;
  /** False when the day's year has no holiday data and no override decided it. */
  hasData: boolean;
}

export type LimitUnit = 'minutes' | 'working_hours' | 'working_days' | 'calendar_months';

export interface TimeLimit {
  amount: number;
  unit: LimitUnit;
}

export interface LimitResult {
  deadline: Date;
  /** When the limit started counting (X-1: after hours or on a day off → next opening). */
  effectiveStart: Date;
  /** Years without holiday data the computation relied on: alert the admin when not empty. */
  missingYears: number[];
  /** WorkingCalendar.version, stored with the deadline (X-2). */
  calendarVersion: string;
}

/** Collects the years without holiday data that a computation touched. */
export type MissingYears = Set<number>;

export class CalendarConfigError extends Error {
  readonly code = 'VALIDATION' as const;

  constructor(readonly issues: string[]) {
    super(`Invalid working calendar:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'CalendarConfigError';
  }
}

// Bump when the meaning of a limit changes, so stored versions tell old deadlines apart.
const ALGORITHM = 1;
const DEFAULT_OFFICE_HOURS: ClockRange = { start: '08:30', end: '17:30' };
// Guards against looping forever; no real limit gets near it.
const MAX_SCAN_DAYS = 366 * 50;

type Period = readonly [start: number, end: number];

export class WorkingCalendar {
  /** Deterministic hash of everything that affects results (X-2: stored with each deadline). */
  readonly version: string;
  readonly officeHours: Readonly<ClockRange>;
  readonly lunchBreak: Readonly<ClockRange> | undefined;
  /** Where the package data came from, e.g. 'chinese-days 1.5.7'. */
  readonly dataSource: string;

  private readonly periods: readonly Period[];
  private readonly closeMs: number;
  private readonly holidays = new Map<string, string>();
  private readonly workdays = new Map<string, string>();
  private readonly overrides = new Map<string, CalendarOverride>();
  private readonly covered: ReadonlySet<number>;

  /** `table` replaces the chinese-days data (tests, or another maintained source). */
  constructor(options: WorkingCalendarOptions = {}, table: HolidayTable = chineseDaysTable()) {
    const issues: string[] = [];
    const officeHours = options.officeHours ?? DEFAULT_OFFICE_HOURS;
    const lunchBreak = options.lunchBreak ?? undefined;
    const open = clock(officeHours.start, 'officeHours.start', issues);
    const close = clock(officeHours.end, 'officeHours.end', issues);
    if (open !== undefined && close !== undefined && open >= close) {
      issues.push(`officeHours: start ${officeHours.start} must be before end ${officeHours.end}`);
    }
    let periods: Period[] = [[open ?? 0, close ?? 0]];
    if (lunchBreak) {
      const from = clock(lunchBreak.start, 'lunchBreak.start', issues);
      const to = clock(lunchBreak.end, 'lunchBreak.end', issues);
      if (from !== undefined && to !== undefined && open !== undefined && close !== undefined) {
        if (!(open < from && from < to && to < close)) {
          issues.push(
            `lunchBreak ${lunchBreak.start}–${lunchBreak.end} must lie inside office hours ` +
              `${officeHours.start}–${officeHours.end} with start before end`,
          );
        }
        periods = [
          [open, from],
          [to, close],
        ];
      }
    }

    for (const [date, name] of table.holidays) this.holidays.set(date, name);
    for (const [date, name] of table.workdays) this.workdays.set(date, name);
    const extraYears = normaliseExtraYears(options.extraYears ?? [], issues);
    for (const extra of extraYears) {
      // The admin's entry for a year replaces the package's data for that year.
      for (const map of [this.holidays, this.workdays]) {
        for (const date of [...map.keys()]) if (Number(date.slice(0, 4)) === extra.year) map.delete(date);
      }
      for (const date of extra.holidays) {
        this.workdays.delete(date);
        this.holidays.set(date, `${extra.year} 年节假日安排`);
      }
      for (const date of extra.workdays) {
        this.holidays.delete(date);
        this.workdays.set(date, `${extra.year} 年调休上班`);
      }
    }

    for (const [index, override] of (options.overrides ?? []).entries()) {
      if (parseDayKey(override.date) === undefined) {
        issues.push(`overrides[${index}]: ${JSON.stringify(override.date)} is not a date YYYY-MM-DD`);
      } else if (override.kind !== 'closed' && override.kind !== 'working') {
        issues.push(`overrides[${index}]: kind must be 'closed' or 'working'`);
      } else if (this.overrides.has(override.date)) {
        issues.push(`overrides[${index}]: ${override.date} is overridden twice`);
      } else {
        this.overrides.set(override.date, override);
      }
    }
    if (issues.length > 0) throw new CalendarConfigError(issues);

    this.officeHours = { ...officeHours };
    this.lunchBreak = lunchBreak ? { ...lunchBreak } : undefined;
    this.periods = periods;
    this.closeMs = close ?? 0;
    this.dataSource = table.source;
    this.covered = new Set([...table.years, ...extraYears.map((e) => e.year)]);
    this.version = versionOf({
      algorithm: ALGORITHM,
      officeHours: [officeHours.start, officeHours.end],
      lunchBreak: lunchBreak ? [lunchBreak.start, lunchBreak.end] : null,
      overrides: [...this.overrides.values()].map((o) => [o.date, o.kind]).sort(),
      extraYears: extraYears.map((e) => [e.year, e.holidays, e.workdays]),
      table: table.digest,
    });
  }

  // ---- data coverage -------------------------------------------------------------------------

  /** Years with holiday data (the package's years plus extraYears), ascending. */
  coveredYears(): number[] {
    return [...this.covered].sort((a, b) => a - b);
  }

  hasDataFor(year: number): boolean {
    return this.covered.has(year);
  }

  // ---- days ----------------------------------------------------------------------------------

  /** How a Shanghai calendar day is classified; `date` is 'YYYY-MM-DD' or an instant. */
  dayInfo(date: string | Date, missingYears?: MissingYears): DayInfo {
    return this.classify(toDay(date), missingYears);
  }

  isWorkingDay(date: string | Date, missingYears?: MissingYears): boolean {
    return this.classify(toDay(date), missingYears).working;
  }

  /** True inside office hours (not the lunch break) on a working day; period ends excluded. */
  isWorkingTime(instant: Date, missingYears?: MissingYears): boolean {
    const ms = assertInstant(instant).getTime();
    const into = msIntoDay(ms);
    return this.isWorking(dayOf(ms), missingYears) && this.periods.some(([s, e]) => s <= into && into < e);
  }

  /**
   * X-1: when a matter received at `instant` starts counting: the instant itself in working
   * time; otherwise the start of the next working period (after 17:30 or on a day off → the next
   * working day's 08:30; in the lunch break → the afternoon's start).
   */
  startOfNextWorkingPeriod(instant: Date, missingYears?: MissingYears): Date {
    return new Date(this.nextWorkingMs(assertInstant(instant).getTime(), missingYears));
  }

  /**
   * R-17 "before close of business": the close of the working day the matter counts on: today's
   * 17:30 when received on a working day before close, else the next working day's 17:30.
   */
  endOfWorkingDay(instant: Date, missingYears?: MissingYears): Date {
    const start = this.nextWorkingMs(assertInstant(instant).getTime(), missingYears);
    return new Date(instantOf(dayOf(start), this.closeMs));
  }

  // ---- limits --------------------------------------------------------------------------------

  /**
   * X-1 working days, counted like a statutory period (民法典 arts. 201–203): the day the matter
   * counts from is not counted; the deadline is close of business (17:30) on the nth working day
   * after it. Received Fri 17:45 → counts from Mon → 1 working day = Tue 17:30. n = 0 is R-17's
   * same-day close of business.
   * A negative n counts back for internal deadlines set before an upstream one (X-3): close of
   * business |n| working days before the last working day that had begun by `instant`.
   */
  addWorkingDays(instant: Date, n: number, missingYears?: MissingYears): Date {
    assertInstant(instant);
    if (!Number.isInteger(n)) throw new RangeError(`Working days must be an integer, got ${n}`);
    let day: number;
    if (n >= 0) {
      day = dayOf(this.nextWorkingMs(instant.getTime(), missingYears));
      for (let left = n; left > 0;) {
        day += 1;
        if (this.isWorking(day, missingYears)) left -= 1;
      }
    } else {
      const ms = instant.getTime();
      day = dayOf(ms);
      const begun = msIntoDay(ms) > this.periods[0][0];
      if (!(begun && this.isWorking(day, missingYears))) day = this.previousWorkingDay(day, missingYears);
      for (let left = -n; left > 0; left -= 1) day = this.previousWorkingDay(day, missingYears);
    }
    return new Date(instantOf(day, this.closeMs));
  }

  /** X-1 urgent limits: working hours counted only inside working time (see addWorkingMinutes). */
  addWorkingHours(instant: Date, hours: number, missingYears?: MissingYears): Date {
    return this.addWorkingMinutes(instant, hours * 60, missingYears);
  }

  /**
   * X-1 urgent limits counted only inside working time: the earliest instant at which `minutes`
   * of working time have passed since `instant`. A limit running out exactly at a period end
   * ends there (11:50 + 10 min with lunch at 12:00 → 12:00, not 13:30); 0 minutes → `instant`.
   * Received 17:20 Fri, 30 min → Mon 08:50.
   */
  addWorkingMinutes(instant: Date, minutes: number, missingYears?: MissingYears): Date {
    const start = assertInstant(instant).getTime();
    if (!Number.isFinite(minutes) || minutes < 0) {
      throw new RangeError(`Working minutes must be a finite number ≥ 0, got ${minutes}`);
    }
    let remaining = Math.round(minutes * MINUTE_MS);
    if (remaining === 0) return new Date(start);
    let day = dayOf(start);
    let from = msIntoDay(start);
    for (let scanned = 0; scanned < MAX_SCAN_DAYS; scanned += 1, day += 1, from = 0) {
      if (!this.isWorking(day, missingYears)) continue;
      for (const [s, e] of this.periods) {
        if (from >= e) continue;
        const begin = Math.max(from, s);
        if (remaining <= e - begin) return new Date(instantOf(day, begin + remaining));
        remaining -= e - begin;
      }
    }
    throw new RangeError(`Working time limit too long: ${minutes} minutes`);
  }

  /**
   * NPC/CPPCC proposals (X-1): the same date n months after the day the matter counts from (the
   * month's last day when it has no such date, 民法典 art. 202); a deadline on a day off moves to
   * the next working day (art. 203); the deadline is that day's close of business.
   * 2026-07-01 + 3 months → 2026-10-01 (National Day) → 2026-10-08 17:30.
   */
  addCalendarMonths(instant: Date, n: number, missingYears?: MissingYears): Date {
    assertInstant(instant);
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Calendar months must be an integer ≥ 0, got ${n}`);
    }
    const from = ymdOf(dayOf(this.nextWorkingMs(instant.getTime(), missingYears)));
    const monthIndex = from.year * 12 + (from.month - 1) + n;
    const year = Math.floor(monthIndex / 12);
    const month = (monthIndex % 12) + 1;
    let day = dayFromYmd(year, month, Math.min(from.date, daysInMonth(year, month)));
    while (!this.isWorking(day, missingYears)) day += 1;
    return new Date(instantOf(day, this.closeMs));
  }

  /** X-9: working time between two instants in ms (negative when b is before a). */
  workingMillisBetween(a: Date, b: Date, missingYears?: MissingYears): number {
    const from = assertInstant(a).getTime();
    const to = assertInstant(b).getTime();
    if (to < from) return -this.workingMillisBetween(b, a, missingYears);
    let total = 0;
    for (let day = dayOf(from); day <= dayOf(to); day += 1) {
      if (!this.isWorking(day, missingYears)) continue;
      for (const [s, e] of this.periods) {
        total += Math.max(0, Math.min(to, instantOf(day, e)) - Math.max(from, instantOf(day, s)));
      }
    }
    return total;
  }

  /** X-1: a per-source limit, with the years lacking holiday data that it relied on. */
  addLimit(instant: Date, limit: TimeLimit): LimitResult {
    const missing: MissingYears = new Set();
    const { amount, unit } = limit;
    const effectiveStart = this.startOfNextWorkingPeriod(instant, missing);
    let deadline: Date;
    switch (unit) {
      case 'minutes':
        deadline = this.addWorkingMinutes(instant, amount, missing);
        break;
      case 'working_hours':
        deadline = this.addWorkingHours(instant, amount, missing);
        break;
      case 'working_days':
        deadline = this.addWorkingDays(instant, amount, missing);
        break;
      case 'calendar_months':
        deadline = this.addCalendarMonths(instant, amount, missing);
        break;
      default: {
        const never: never = unit;
        throw new RangeError(`Unknown limit unit: ${String(never)}`);
      }
    }
    return {
      deadline,
      effectiveStart,
      missingYears: [...missing].sort((x, y) => x - y),
      calendarVersion: this.version,
    };
  }

  // ---- internals -----------------------------------------------------------------------------

  private classify(day: number, missingYears: MissingYears | undefined): DayInfo {
    const date = dayKey(day);
    const override = this.overrides.get(date);
    if (override) {
      const working = override.kind === 'working';
      const reason = working ? 'working_override' : 'closed_override';
      return { date, working, reason, name: override.note, hasData: true };
    }
    const makeUp = this.workdays.get(date);
    if (makeUp !== undefined) {
      return { date, working: true, reason: 'make_up_workday', name: makeUp, hasData: true };
    }
    const holiday = this.holidays.get(date);
    if (holiday !== undefined) {
      return { date, working: false, reason: 'holiday', name: holiday, hasData: true };
    }
    const year = yearOf(day);
    const hasData = this.covered.has(year);
    if (!hasData) missingYears?.add(year);
    const weekend = weekdayOf(day) === 0 || weekdayOf(day) === 6;
    return { date, working: !weekend, reason: weekend ? 'weekend' : 'weekday', hasData };
  }

  private isWorking(day: number, missingYears: MissingYears | undefined): boolean {
    return this.classify(day, missingYears).working;
  }

  private nextWorkingMs(ms: number, missingYears: MissingYears | undefined): number {
    let day = dayOf(ms);
    let from = msIntoDay(ms);
    for (let scanned = 0; scanned < MAX_SCAN_DAYS; scanned += 1, day += 1, from = 0) {
      if (!this.isWorking(day, missingYears)) continue;
      for (const [s, e] of this.periods) {
        if (from < e) return instantOf(day, Math.max(from, s));
      }
    }
    throw new RangeError('No working day found: check the calendar overrides');
  }

  private previousWorkingDay(day: number, missingYears: MissingYears | undefined): number {
    for (let d = day - 1; d > day - MAX_SCAN_DAYS; d -= 1) {
      if (this.isWorking(d, missingYears)) return d;
    }
    throw new RangeError('No working day found: check the calendar overrides');
  }
}

function clock(text: string, field: string, issues: string[]): number | undefined {
  const ms = typeof text === 'string' ? parseClock(text) : undefined;
  if (ms === undefined) issues.push(`${field}: ${JSON.stringify(text)} is not a time HH:mm`);
  return ms;
}

function toDay(date: string | Date): number {
  if (typeof date === 'string') {
    const day = parseDayKey(date);
    if (day === undefined) throw new RangeError(`Not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
    return day;
  }
  return dayOf(assertInstant(date).getTime());
}

function normaliseExtraYears(extraYears: readonly ExtraYear[], issues: string[]): ExtraYear[] {
  const result: ExtraYear[] = [];
  for (const [index, extra] of extraYears.entries()) {
    if (result.some((r) => r.year === extra.year)) {
      issues.push(`extraYears[${index}]: year ${extra.year} is entered twice`);
      continue;
    }
    try {
      const notice = parseHolidayNotice({ holidays: extra.holidays, workdays: extra.workdays }, { year: extra.year });
      result.push(notice);
    } catch (error) {
      if (!(error instanceof HolidayNoticeError)) throw error;
      for (const issue of error.issues) {
        issues.push(`extraYears[${index}] (${extra.year}) ${issue.where} ${issue.text}: ${issue.message}`);
      }
    }
  }
  return result.sort((a, b) => a.year - b.year);
}

function versionOf(inputs: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
  return `cal${ALGORITHM}-${hash.slice(0, 16)}`;
}
