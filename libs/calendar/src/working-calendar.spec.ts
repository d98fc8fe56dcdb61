import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CalendarConfigError,
  formatShanghai as fmt,
  holidayTableFrom,
  parseHolidayNotice,
  parseShanghai as at,
  WorkingCalendar,
  type MissingYears,
} from './index';

const calendar = new WorkingCalendar();
const withLunch = new WorkingCalendar({ lunchBreak: { start: '12:00', end: '13:30' } });

describe('WorkingCalendar: 2026 holidays and make-up working days (real data)', () => {
  it('X-2: the whole 2026 National Day week 10-01…10-07 is off, and 10-08 is a working day', () => {
    for (const date of ['01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-10-${d}`)) {
      expect(calendar.dayInfo(date)).toMatchObject({ working: false, reason: 'holiday', name: '国庆节' });
    }
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
  });

  it('X-2: 2026-10-10 is a make-up working Saturday and 2026-09-20 a make-up working Sunday', () => {
    expect(calendar.dayInfo('2026-10-10')).toMatchObject({ working: true, reason: 'make_up_workday' });
    expect(calendar.dayInfo('2026-09-20')).toMatchObject({ working: true, reason: 'make_up_workday' });
    expect(calendar.isWorkingDay('2026-10-11')).toBe(false);
  });

  it('X-2: all six 2026 make-up days of the State Council notice are working days', () => {
    for (const date of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
      expect(calendar.dayInfo(date)).toMatchObject({ working: true, reason: 'make_up_workday' });
    }
  });

  it('X-2: Spring Festival 2026 is off from 02-15 to 02-23, and 02-24 is a working day', () => {
    for (let d = 15; d <= 23; d += 1) {
      expect(calendar.dayInfo(`2026-02-${d}`)).toMatchObject({ working: false, name: '春节' });
    }
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
  });

  it('X-2: ordinary weekdays and weekends keep their usual meaning', () => {
    expect(calendar.dayInfo('2026-03-13')).toMatchObject({ working: true, reason: 'weekday' });
    expect(calendar.dayInfo('2026-03-14')).toMatchObject({ working: false, reason: 'weekend' });
  });

  it('X-2: a day given as an instant is the Shanghai date of that instant', () => {
    // 2026-09-30T16:30Z is 2026-10-01 00:30 in Shanghai: National Day.
    expect(calendar.isWorkingDay(new Date('2026-09-30T16:30:00Z'))).toBe(false);
    expect(calendar.isWorkingDay(new Date('2026-09-30T15:59:00Z'))).toBe(true);
  });
});

describe('WorkingCalendar: effective start and close of business', () => {
  it('X-1: inside office hours a matter counts from the instant it was received', () => {
    expect(fmt(calendar.startOfNextWorkingPeriod(at('2026-03-13 10:15')))).toBe('2026-03-13 10:15');
  });

  it('X-1: received before opening, it counts from 08:30 the same day', () => {
    expect(fmt(calendar.startOfNextWorkingPeriod(at('2026-03-13 07:00')))).toBe('2026-03-13 08:30');
  });

  it('X-1: received at or after 17:30 on Friday, it counts from Monday 08:30', () => {
    expect(fmt(calendar.startOfNextWorkingPeriod(at('2026-03-13 17:30')))).toBe('2026-03-16 08:30');
    expect(fmt(calendar.startOfNextWorkingPeriod(at('2026-03-13 17:45')))).toBe('2026-03-16 08:30');
  });

  it('X-1: received during National Day, it counts from 2026-10-08 08:30', () => {
    expect(fmt(calendar.startOfNextWorkingPeriod(at('2026-10-03 11:00')))).toBe('2026-10-08 08:30');
  });

  it('X-1: received in the lunch break (when configured), it counts from 13:30', () => {
    expect(fmt(withLunch.startOfNextWorkingPeriod(at('2026-03-13 12:10')))).toBe('2026-03-13 13:30');
    expect(withLunch.isWorkingTime(at('2026-03-13 12:10'))).toBe(false);
    expect(calendar.isWorkingTime(at('2026-03-13 12:10'))).toBe(true);
  });

  it('X-1: working time is half-open: 08:30 is inside, 17:30 is outside', () => {
    expect(calendar.isWorkingTime(at('2026-03-13 08:30'))).toBe(true);
    expect(calendar.isWorkingTime(at('2026-03-13 17:29:59'))).toBe(true);
    expect(calendar.isWorkingTime(at('2026-03-13 17:30'))).toBe(false);
    expect(calendar.isWorkingTime(at('2026-03-14 10:00'))).toBe(false);
  });

  it('R-17: before close of business is 17:30 of the same working day', () => {
    expect(fmt(calendar.endOfWorkingDay(at('2026-03-13 09:00')))).toBe('2026-03-13 17:30');
    expect(fmt(calendar.addWorkingDays(at('2026-03-13 09:00'), 0))).toBe('2026-03-13 17:30');
  });

  it('R-17: received after close on Friday or on a weekend, it is due by Monday 17:30', () => {
    expect(fmt(calendar.endOfWorkingDay(at('2026-03-13 17:45')))).toBe('2026-03-16 17:30');
    expect(fmt(calendar.endOfWorkingDay(at('2026-03-14 10:00')))).toBe('2026-03-16 17:30');
  });

  it('R-17: received on the eve of Spring Festival, it is due on the make-up Saturday', () => {
    expect(fmt(calendar.endOfWorkingDay(at('2026-02-13 18:00')))).toBe('2026-02-14 17:30');
  });
});

describe('WorkingCalendar: working-day limits', () => {
  it('X-1: received Friday 17:45 with 1 working day: counts from Monday, due Tuesday 17:30', () => {
    const result = calendar.addLimit(at('2026-03-13 17:45'), { amount: 1, unit: 'working_days' });
    expect(fmt(result.effectiveStart)).toBe('2026-03-16 08:30');
    expect(fmt(result.deadline)).toBe('2026-03-17 17:30');
    expect(result.missingYears).toEqual([]);
  });

  it('X-1: received Friday 17:45 with 5 working days: due the Monday after next, 17:30', () => {
    expect(fmt(calendar.addWorkingDays(at('2026-03-13 17:45'), 5))).toBe('2026-03-23 17:30');
  });

  it('X-1: received Friday 10:00 with 1 working day: the day of receipt is not counted, due Monday', () => {
    expect(fmt(calendar.addWorkingDays(at('2026-03-13 10:00'), 1))).toBe('2026-03-16 17:30');
  });

  it('X-1: 3 working days from 2026-09-30 skip the National Day week and end on make-up 10-10', () => {
    expect(fmt(calendar.addWorkingDays(at('2026-09-30 10:00'), 3))).toBe('2026-10-10 17:30');
  });

  it('X-1: 1 and 5 working days before Spring Festival 2026 count the make-up Saturday 02-14', () => {
    expect(fmt(calendar.addWorkingDays(at('2026-02-13 16:00'), 1))).toBe('2026-02-14 17:30');
    expect(fmt(calendar.addWorkingDays(at('2026-02-13 16:00'), 5))).toBe('2026-02-27 17:30');
  });

  it('X-3: a negative count sets an internal deadline working days before an upstream one', () => {
    expect(fmt(calendar.addWorkingDays(at('2026-03-20 17:30'), -2))).toBe('2026-03-18 17:30');
    // An upstream deadline on Saturday: the last working day before it is Friday.
    expect(fmt(calendar.addWorkingDays(at('2026-03-21 12:00'), -1))).toBe('2026-03-19 17:30');
    // Monday before opening: Monday has not begun, so Friday is the last working day.
    expect(fmt(calendar.addWorkingDays(at('2026-03-23 08:00'), -1))).toBe('2026-03-19 17:30');
  });

  it('X-1: working days must be a whole number', () => {
    expect(() => calendar.addWorkingDays(at('2026-03-13 10:00'), 1.5)).toThrow(RangeError);
  });
});

describe('WorkingCalendar: urgent limits in working minutes and hours', () => {
  it('X-1: a 30-minute limit across lunchtime (lunch break 12:00–13:30) resumes at 13:30', () => {
    const result = withLunch.addLimit(at('2026-03-13 11:50'), { amount: 30, unit: 'minutes' });
    expect(fmt(result.deadline)).toBe('2026-03-13 13:50');
  });

  it('X-1: without a lunch break the office hours are one block: 11:50 + 30 min = 12:20', () => {
    expect(fmt(calendar.addWorkingMinutes(at('2026-03-13 11:50'), 30))).toBe('2026-03-13 12:20');
  });

  it('X-1: a limit that runs out exactly at the lunch break ends at 12:00, not 13:30', () => {
    expect(fmt(withLunch.addWorkingMinutes(at('2026-03-13 11:50'), 10))).toBe('2026-03-13 12:00');
  });

  it('X-1: a 30-minute limit across 17:30 on Friday continues on Monday morning', () => {
    expect(fmt(calendar.addWorkingMinutes(at('2026-03-13 17:20'), 30))).toBe('2026-03-16 08:50');
    expect(fmt(calendar.addWorkingMinutes(at('2026-03-13 17:00'), 30))).toBe('2026-03-13 17:30');
  });

  it('X-1: a 2-hour limit starting on a Sunday ends Monday 10:30', () => {
    const result = calendar.addLimit(at('2026-03-15 10:00'), { amount: 2, unit: 'working_hours' });
    expect(fmt(result.effectiveStart)).toBe('2026-03-16 08:30');
    expect(fmt(result.deadline)).toBe('2026-03-16 10:30');
  });

  it('X-1: a 2-hour limit received on the last afternoon before National Day ends on 10-08', () => {
    expect(fmt(calendar.addWorkingHours(at('2026-09-30 16:30'), 2))).toBe('2026-10-08 09:30');
  });

  it('X-1: negative or non-finite minutes are refused', () => {
    expect(() => calendar.addWorkingMinutes(at('2026-03-13 10:00'), -1)).toThrow(RangeError);
    expect(() => calendar.addWorkingMinutes(at('2026-03-13 10:00'), Number.NaN)).toThrow(RangeError);
  });
});

describe('WorkingCalendar: calendar-month limits (NPC/CPPCC proposals)', () => {
  it('X-1: a 3-month proposal limit ending on National Day moves to 2026-10-08 close of business', () => {
    const result = calendar.addLimit(at('2026-07-01 10:00'), { amount: 3, unit: 'calendar_months' });
    expect(fmt(result.deadline)).toBe('2026-10-08 17:30');
  });

  it('X-1: a month without the same date ends on its last day (12-31 + 2 months = 02-28, a make-up Saturday)', () => {
    expect(fmt(calendar.addCalendarMonths(at('2025-12-31 10:00'), 2))).toBe('2026-02-28 17:30');
  });

  it('X-1: received after hours, the months count from the next working day', () => {
    // Fri 2026-01-30 18:00 counts from Mon 02-02; + 3 months = 05-02 (Labour Day) → 05-06.
    expect(fmt(calendar.addCalendarMonths(at('2026-01-30 18:00'), 3))).toBe('2026-05-06 17:30');
  });

  it('X-1: a 6-month limit ending on a Sunday moves to Monday', () => {
    // Mon 2026-02-02 + 6 months = Sun 08-02 → Mon 08-03; Tue 03-31 + 6 = Wed 09-30 stays.
    expect(fmt(calendar.addCalendarMonths(at('2026-02-02 10:00'), 6))).toBe('2026-08-03 17:30');
    expect(fmt(calendar.addCalendarMonths(at('2026-03-31 10:00'), 6))).toBe('2026-09-30 17:30');
  });
});

describe('WorkingCalendar: working time elapsed (traffic lights)', () => {
  const hours = (ms: number) => ms / 3_600_000;

  it('X-9: from Friday 16:30 to Monday 09:30 two working hours pass; the weekend counts nothing', () => {
    expect(hours(calendar.workingMillisBetween(at('2026-03-13 16:30'), at('2026-03-16 09:30')))).toBe(2);
  });

  it('X-9: reversed arguments give the negative amount', () => {
    expect(hours(calendar.workingMillisBetween(at('2026-03-16 09:30'), at('2026-03-13 16:30')))).toBe(-2);
  });

  it('X-9: the lunch break (when configured) and National Day do not count', () => {
    expect(hours(withLunch.workingMillisBetween(at('2026-03-16 11:00'), at('2026-03-16 14:00')))).toBe(1.5);
    expect(hours(calendar.workingMillisBetween(at('2026-09-30 17:00'), at('2026-10-08 09:00')))).toBe(1);
  });

  it('X-9: a limit of n working minutes is exactly n minutes of working time long', () => {
    const start = at('2026-09-30 16:45');
    const deadline = calendar.addWorkingMinutes(start, 600);
    expect(calendar.workingMillisBetween(start, deadline)).toBe(600 * 60_000);
  });
});

describe('WorkingCalendar: local overrides', () => {
  const local = new WorkingCalendar({
    overrides: [
      { date: '2026-03-18', kind: 'closed', note: '防汛停工（测试数据）' },
      { date: '2026-03-21', kind: 'working', note: '周六加班（测试数据）' },
    ],
  });

  it('X-2: an extra closure day is skipped by working-day limits', () => {
    expect(local.dayInfo('2026-03-18')).toMatchObject({ working: false, reason: 'closed_override' });
    expect(fmt(local.addWorkingDays(at('2026-03-17 10:00'), 1))).toBe('2026-03-19 17:30');
    expect(fmt(calendar.addWorkingDays(at('2026-03-17 10:00'), 1))).toBe('2026-03-18 17:30');
  });

  it('X-2: an extra working day counts like any working day', () => {
    expect(local.dayInfo('2026-03-21')).toMatchObject({ working: true, reason: 'working_override' });
    expect(fmt(local.addWorkingDays(at('2026-03-20 10:00'), 1))).toBe('2026-03-21 17:30');
    expect(fmt(local.addWorkingMinutes(at('2026-03-20 17:20'), 30))).toBe('2026-03-21 08:50');
  });

  it('X-2: an override beats the national data (opening on a National Day holiday)', () => {
    const open = new WorkingCalendar({ overrides: [{ date: '2026-10-05', kind: 'working' }] });
    expect(open.isWorkingDay('2026-10-05')).toBe(true);
  });

  it('X-2: the version changes with the overrides, but not with their order or notes', () => {
    expect(local.version).not.toBe(calendar.version);
    const reordered = new WorkingCalendar({
      overrides: [
        { date: '2026-03-21', kind: 'working' },
        { date: '2026-03-18', kind: 'closed', note: '另一个说明' },
      ],
    });
    expect(reordered.version).toBe(local.version);
  });
});

describe('WorkingCalendar: version', () => {
  it('X-2: the same inputs give the same version; office hours and lunch break change it', () => {
    expect(new WorkingCalendar().version).toBe(calendar.version);
    expect(calendar.version).toMatch(/^cal1-[0-9a-f]{16}$/);
    expect(withLunch.version).not.toBe(calendar.version);
    const late = new WorkingCalendar({ officeHours: { start: '09:00', end: '18:00' } });
    expect(late.version).not.toBe(calendar.version);
  });

  it('X-2: addLimit reports the version that computed the deadline', () => {
    const result = withLunch.addLimit(at('2026-03-13 10:00'), { amount: 1, unit: 'working_days' });
    expect(result.calendarVersion).toBe(withLunch.version);
  });

  it('X-2: office hours are configurable', () => {
    const late = new WorkingCalendar({ officeHours: { start: '09:00', end: '18:00' } });
    expect(fmt(late.startOfNextWorkingPeriod(at('2026-03-13 17:45')))).toBe('2026-03-13 17:45');
    expect(fmt(late.addWorkingDays(at('2026-03-13 18:00'), 1))).toBe('2026-03-17 18:00');
  });
});

describe('WorkingCalendar: years without holiday data', () => {
  it('X-2: the covered years come from the package data (2026 yes, 2027 no)', () => {
    expect(calendar.hasDataFor(2026)).toBe(true);
    expect(calendar.hasDataFor(2027)).toBe(false);
    expect(calendar.coveredYears()).toContain(2004);
    expect(calendar.coveredYears().at(-1)).toBe(2026);
  });

  it('X-2: the covered years follow whatever table is given, not a hard-coded list', () => {
    const table = holidayTableFrom({ holidays: { '2030-10-01': 'National Day,国庆节,3' }, workdays: {} }, 'test table');
    const small = new WorkingCalendar({}, table);
    expect(small.coveredYears()).toEqual([2030]);
    expect(small.dataSource).toBe('test table');
    expect(calendar.dataSource).toMatch(/^chinese-days \d+\.\d+\.\d+$/);
  });

  it('X-2: 2027-01-01 falls back to weekdays-only and the year is reported as missing', () => {
    const missing: MissingYears = new Set();
    expect(calendar.isWorkingDay('2027-01-01', missing)).toBe(true);
    expect([...missing]).toEqual([2027]);
    expect(calendar.dayInfo('2027-01-01')).toMatchObject({ hasData: false, reason: 'weekday' });
  });

  it('X-2: a limit crossing into 2027 reports 2027; one inside 2026 reports nothing', () => {
    const into2027 = calendar.addLimit(at('2026-12-30 10:00'), { amount: 5, unit: 'working_days' });
    expect(into2027.missingYears).toEqual([2027]);
    expect(fmt(into2027.deadline)).toBe('2027-01-06 17:30');
    const within = calendar.addLimit(at('2026-12-01 10:00'), { amount: 5, unit: 'working_days' });
    expect(within.missingYears).toEqual([]);
  });

  it('X-2: every kind of computation records the missing year it touched', () => {
    const check = (run: (m: MissingYears) => unknown) => {
      const m: MissingYears = new Set();
      run(m);
      return [...m];
    };
    const t = at('2026-12-31 17:00');
    expect(check((m) => calendar.isWorkingTime(at('2027-01-04 09:00'), m))).toEqual([2027]);
    expect(check((m) => calendar.startOfNextWorkingPeriod(at('2026-12-31 18:00'), m))).toEqual([2027]);
    expect(check((m) => calendar.endOfWorkingDay(at('2026-12-31 18:00'), m))).toEqual([2027]);
    expect(check((m) => calendar.addWorkingMinutes(t, 60, m))).toEqual([2027]);
    expect(check((m) => calendar.addWorkingMinutes(t, 20, m))).toEqual([]);
    expect(check((m) => calendar.addCalendarMonths(at('2026-11-02 10:00'), 3, m))).toEqual([2027]);
    expect(check((m) => calendar.workingMillisBetween(t, at('2027-01-05 10:00'), m))).toEqual([2027]);
    expect(check((m) => calendar.workingMillisBetween(t, at('2026-12-31 17:20'), m))).toEqual([]);
  });

  it('X-2: entering 2027 from the notice via extraYears makes it count (TEST DATA, not the real notice)', () => {
    // Invented for this test: a plausible 2027 arrangement, NOT the State Council's notice.
    const notice2027 = parseHolidayNotice(`
      元旦：2027-01-01 至 2027-01-03 休
      春节：2027-02-05 至 02-13 休
      2027-02-20 上班   # 春节调休
    `);
    const with2027 = new WorkingCalendar({ extraYears: [notice2027] });
    expect(with2027.hasDataFor(2027)).toBe(true);
    expect(with2027.coveredYears().at(-1)).toBe(2027);
    expect(with2027.isWorkingDay('2027-01-01')).toBe(false);
    expect(with2027.isWorkingDay('2027-02-08')).toBe(false);
    expect(with2027.dayInfo('2027-02-20')).toMatchObject({ working: true, reason: 'make_up_workday' });

    const result = with2027.addLimit(at('2026-12-30 10:00'), { amount: 5, unit: 'working_days' });
    expect(result.missingYears).toEqual([]);
    expect(fmt(result.deadline)).toBe('2027-01-07 17:30');
    expect(result.calendarVersion).not.toBe(calendar.version);
  });

  it('X-2: an admin-entered year replaces the package data for that year', () => {
    const replaced = new WorkingCalendar({
      extraYears: [{ year: 2026, holidays: ['2026-10-01', '2026-10-02'], workdays: [] }],
    });
    expect(replaced.isWorkingDay('2026-10-05')).toBe(true);
    expect(replaced.isWorkingDay('2026-10-10')).toBe(false);
  });
});

describe('WorkingCalendar: configuration errors', () => {
  const errorOf = (run: () => unknown): CalendarConfigError => {
    try {
      run();
    } catch (error) {
      if (error instanceof CalendarConfigError) return error;
      throw error;
    }
    throw new Error('expected a CalendarConfigError');
  };

  it('X-2: malformed office hours, a lunch break outside them, and bad overrides are all listed', () => {
    const error = errorOf(
      () =>
        new WorkingCalendar({
          officeHours: { start: '8:30', end: '17:30' },
          overrides: [
            { date: '2026-02-30', kind: 'closed' },
            { date: '2026-03-18', kind: 'closed' },
            { date: '2026-03-18', kind: 'working' },
          ],
        }),
    );
    expect(error.code).toBe('VALIDATION');
    expect(error.issues).toEqual([
      'officeHours.start: "8:30" is not a time HH:mm',
      'overrides[0]: "2026-02-30" is not a date YYYY-MM-DD',
      'overrides[2]: 2026-03-18 is overridden twice',
    ]);
    expect(errorOf(() => new WorkingCalendar({ lunchBreak: { start: '12:00', end: '18:00' } })).issues).toHaveLength(1);
    expect(errorOf(() => new WorkingCalendar({ officeHours: { start: '17:30', end: '08:30' } })).issues).toHaveLength(
      1,
    );
  });

  it('X-2: an extra year with no holidays is refused (it would silence the missing-data alarm)', () => {
    const error = errorOf(() => new WorkingCalendar({ extraYears: [{ year: 2027, holidays: [], workdays: [] }] }));
    expect(error.issues[0]).toContain('extraYears[0] (2027)');
  });

  it('X-2: invalid inputs to the functions are refused', () => {
    expect(() => calendar.isWorkingDay('2026-3-1')).toThrow(RangeError);
    expect(() => calendar.endOfWorkingDay(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => calendar.addLimit(at('2026-03-13 10:00'), { amount: 1, unit: 'weeks' as never })).toThrow(RangeError);
  });
});

describe('WorkingCalendar: independence from the process time zone', () => {
  it('X-2: instants given in UTC give the same UTC instants (Shanghai is UTC+8 all year)', () => {
    // Fri 2026-03-13 17:45 in Shanghai is 09:45Z; Tue 17:30 is 09:30Z.
    expect(calendar.addWorkingDays(new Date('2026-03-13T09:45:00Z'), 1).toISOString()).toBe('2026-03-17T09:30:00.000Z');
    expect(calendar.startOfNextWorkingPeriod(new Date('2026-03-13T09:45:00Z')).toISOString()).toBe(
      '2026-03-16T00:30:00.000Z',
    );
    // Sunday 02:00Z is Sunday 10:00 in Shanghai; 2 working hours → Monday 10:30 = 02:30Z.
    expect(calendar.addWorkingHours(new Date('2026-03-15T02:00:00Z'), 2).toISOString()).toBe(
      '2026-03-16T02:30:00.000Z',
    );
    // 2026-09-30T23:00Z is already 10-01 07:00 in Shanghai (a holiday), whatever the host thinks.
    expect(calendar.endOfWorkingDay(new Date('2026-09-30T23:00:00Z')).toISOString()).toBe('2026-10-08T09:30:00.000Z');
  });

  it('X-2: no library code reads or builds dates in the process time zone', () => {
    const localTime =
      /\.(get|set)(FullYear|Month|Date|Day|Hours|Minutes|Seconds|Milliseconds|Year)\(|getTimezoneOffset|toLocale\w*\(|new Date\(\s*\d+\s*,|new Date\(\s*\w+\s*,|Date\.parse\(/;
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(sources.length).toBeGreaterThan(3);
    for (const file of sources) {
      const offending = readFileSync(join(__dirname, file), 'utf8')
        .split('\n')
        .filter((line) => localTime.test(line) && !line.trim().startsWith('//'));
      expect({ file, offending }).toEqual({ file, offending: [] });
    }
  });
});
