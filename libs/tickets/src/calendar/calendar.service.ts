import { Inject, Injectable } from '@nestjs/common';
import {
  CalendarConfigError,
  HolidayNoticeError,
  parseHolidayNotice,
  WorkingCalendar,
  type CalendarOverride,
  type ExtraYear,
} from '@hotline/calendar';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import {
  CalendarRepository,
  TicketRepository,
  type CalendarOverrideRow,
  type CalendarYearRow,
  type Tx,
} from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { requireAccess } from '../access/access';
import { CLOCK, type Clock } from '../clock';

export interface CalendarStatus {
  /** Where the national data comes from, e.g. 'chinese-days 1.5.7'. */
  dataSource: string;
  version: string;
  officeHours: { start: string; end: string };
  lunchBreak: { start: string; end: string } | null;
  coveredYears: number[];
  /** years a computed deadline reached into that still have no holiday data. */
  missingYears: Array<{ year: number; firstSeenAt: string; lastSeenAt: string; lastTicketId: string | null }>;
  overrides: CalendarOverrideRow[];
  /** Years the admin entered from the State Council notice (they replace the package's data). */
  years: CalendarYearRow[];
}

export interface CalendarHealth {
  version: string;
  dataSource: string;
  coveredYears: string;
  missingYears: number[];
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * the WorkingCalendar every deadline uses, built from the package data, the office hours of
 * the configuration and the admin's overrides and years in the database. Cached per process and
 * rebuilt when calendar_revision moves (any process's admin change bumps it).
 */
@Injectable()
export class CalendarService {
  private cache: { revision: number; calendar: WorkingCalendar } | null = null;

  constructor(
    private readonly repo: CalendarRepository,
    private readonly tickets: TicketRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `knownRevision`: calendar_revision as this request already read it (ReferenceSnapshot). */
  async current(m?: Tx, knownRevision?: number): Promise<WorkingCalendar> {
    const revision = knownRevision ?? (await this.repo.revision(m));
    if (this.cache && this.cache.revision === revision) return this.cache.calendar;
    const overrides = await this.repo.overrides(m);
    const years = await this.repo.years(m);
    const calendar = this.build(
      overrides.map((o) => ({ date: o.date, kind: o.kind, note: o.note ?? undefined })),
      years.map((y) => ({ year: y.year, holidays: y.holidays, workdays: y.workdays })),
    );
    this.cache = { revision, calendar };
    return calendar;
  }

  private build(overrides: CalendarOverride[], extraYears: ExtraYear[]): WorkingCalendar {
    return new WorkingCalendar({
      officeHours: this.config.calendar.officeHours,
      lunchBreak: this.config.calendar.lunchBreak,
      overrides,
      extraYears,
    });
  }

  /** Throws VALIDATION when the admin's data would not make a valid calendar (tried before storing). */
  private async tryBuild(overrides: CalendarOverride[], extraYears: ExtraYear[]): Promise<void> {
    try {
      this.build(overrides, extraYears);
    } catch (err) {
      // The issues are the calendar library's (shared with the boot-time check), in English.
      if (err instanceof CalendarConfigError) {
        throw new DomainError('VALIDATION', `这样修改后日历无效：${err.issues.join('; ')}`);
      }
      throw err;
    }
  }

  /** records years a deadline relied on without data; returns those seen for the first time. */
  async recordMissingYears(m: Tx, years: number[], ticketId: string | null): Promise<number[]> {
    return this.repo.recordMissing(m, years, this.clock.now(), ticketId);
  }

  async status(user: CurrentUser): Promise<CalendarStatus> {
    requireAccess(user, 'admin.calendar');
    const calendar = await this.current();
    const missing = await this.repo.missingYears();
    return {
      dataSource: calendar.dataSource,
      version: calendar.version,
      officeHours: { ...calendar.officeHours },
      lunchBreak: calendar.lunchBreak ? { ...calendar.lunchBreak } : null,
      coveredYears: calendar.coveredYears(),
      missingYears: missing
        .filter((y) => !calendar.hasDataFor(y.year))
        .map((y) => ({
          year: y.year,
          firstSeenAt: y.firstSeenAt.toISOString(),
          lastSeenAt: y.lastSeenAt.toISOString(),
          lastTicketId: y.lastTicketId,
        })),
      overrides: await this.repo.overrides(),
      years: await this.repo.years(),
    };
  }

  /** For /health (no access check: version and years only). */
  async health(): Promise<CalendarHealth> {
    const calendar = await this.current();
    const missing = await this.repo.missingYears();
    const covered = calendar.coveredYears();
    return {
      version: calendar.version,
      dataSource: calendar.dataSource,
      coveredYears: covered.length ? `${covered[0]}–${covered[covered.length - 1]}` : 'none',
      missingYears: missing.map((y) => y.year).filter((y) => !calendar.hasDataFor(y)),
    };
  }

  async putOverride(
    user: CurrentUser,
    date: string,
    body: { kind: 'closed' | 'working'; note?: string },
  ): Promise<CalendarStatus> {
    requireAccess(user, 'admin.calendar');
    if (!DATE_RE.test(date)) throw new DomainError('VALIDATION', '日期格式须为 YYYY-MM-DD。', 'date');
    const existing = (await this.repo.overrides()).filter((o) => o.date !== date);
    const years = await this.repo.years();
    await this.tryBuild(
      [...existing.map((o) => ({ date: o.date, kind: o.kind })), { date, kind: body.kind }],
      years.map((y) => ({ year: y.year, holidays: y.holidays, workdays: y.workdays })),
    );
    await this.tickets.transaction((m) =>
      this.repo.putOverride(
        m,
        { date, kind: body.kind, note: body.note?.trim() || null },
        user.userid,
        this.clock.now(),
      ),
    );
    return this.status(user);
  }

  async deleteOverride(user: CurrentUser, date: string): Promise<CalendarStatus> {
    requireAccess(user, 'admin.calendar');
    if (!DATE_RE.test(date)) throw new DomainError('VALIDATION', '日期格式须为 YYYY-MM-DD。', 'date');
    const deleted = await this.tickets.transaction((m) => this.repo.deleteOverride(m, date));
    if (!deleted) throw new DomainError('NOT_FOUND', `${date} 没有调整记录。`);
    return this.status(user);
  }

  /**
   * a year's holidays and make-up working days from the State Council notice, as the text
   * the admin typed (one entry a line, see parseHolidayNotice) or as lists.
   */
  async putYear(
    user: CurrentUser,
    year: number,
    body: { text?: string; holidays?: string[]; workdays?: string[] },
  ): Promise<CalendarStatus> {
    requireAccess(user, 'admin.calendar');
    let notice: { year: number; holidays: string[]; workdays: string[] };
    try {
      notice = parseHolidayNotice(
        body.text !== undefined ? body.text : { holidays: body.holidays ?? [], workdays: body.workdays ?? [] },
        { year },
      );
    } catch (err) {
      if (err instanceof HolidayNoticeError) throw new DomainError('VALIDATION', err.message, 'text');
      throw err;
    }
    const others = (await this.repo.years()).filter((y) => y.year !== year);
    const overrides = await this.repo.overrides();
    await this.tryBuild(
      overrides.map((o) => ({ date: o.date, kind: o.kind })),
      [...others.map((y) => ({ year: y.year, holidays: y.holidays, workdays: y.workdays })), notice],
    );
    await this.tickets.transaction((m) =>
      this.repo.putYear(
        m,
        { year, holidays: notice.holidays, workdays: notice.workdays, sourceText: body.text ?? null },
        user.userid,
        this.clock.now(),
      ),
    );
    return this.status(user);
  }

  async deleteYear(user: CurrentUser, year: number): Promise<CalendarStatus> {
    requireAccess(user, 'admin.calendar');
    const deleted = await this.tickets.transaction((m) => this.repo.deleteYear(m, year));
    if (!deleted) throw new DomainError('NOT_FOUND', `没有录入 ${year} 年的节假日数据。`);
    return this.status(user);
  }
}
