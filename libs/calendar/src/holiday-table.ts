// the State Council holiday arrangements, from the maintained `chinese-days` package.
//
// We read the package's published data table (dist/chinese-days.json, documented in its README
// as the JSON form of the same data) instead of calling isWorkday()/getDayDetail(): in 1.5.7
// those parse 'YYYY-MM-DD' as UTC midnight and then read it back in the process time zone, so
// with TZ west of UTC (e.g. America/New_York) getDayDetail('2026-10-10') answers for 2026-10-09.
// A plain table of dates has no time zone. holiday-table.spec.ts checks the table agrees with
// the package's own functions.
import { createHash } from 'node:crypto';
import chineseDaysData from 'chinese-days/dist/chinese-days.json';
import chineseDaysPackage from 'chinese-days/package.json';

/** Days off and make-up working days (调休上班) by date, and the years the data covers. */
export interface HolidayTable {
  /** 'YYYY-MM-DD' → holiday name: days off by notice (weekend days inside a holiday included). */
  readonly holidays: ReadonlyMap<string, string>;
  /** 'YYYY-MM-DD' → holiday name: weekend days that are working days by notice. */
  readonly workdays: ReadonlyMap<string, string>;
  /** Years with at least one holiday entry: every real year has some, so none means no data. */
  readonly years: ReadonlySet<number>;
  /** Where the data came from, for /health and logs. */
  readonly source: string;
  /** Hash of the dates (not the names), part of WorkingCalendar.version. */
  readonly digest: string;
}

export interface HolidayTableInput {
  holidays: Readonly<Record<string, string>>;
  workdays: Readonly<Record<string, string>>;
}

/** Builds a table from date → label records (the shape of chinese-days.json). */
export function holidayTableFrom(input: HolidayTableInput, source: string): HolidayTable {
  const holidays = new Map(Object.entries(input.holidays).map(([d, label]) => [d, nameOf(label)]));
  const workdays = new Map(Object.entries(input.workdays).map(([d, label]) => [d, nameOf(label)]));
  const years = new Set([...holidays.keys()].map((d) => Number(d.slice(0, 4))));
  const digest = createHash('sha256')
    .update(JSON.stringify([[...holidays.keys()].sort(), [...workdays.keys()].sort()]))
    .digest('hex');
  return { holidays, workdays, years, source, digest };
}

let packageTable: HolidayTable | undefined;

/** The table shipped in the installed chinese-days package (built once, then shared). */
export function chineseDaysTable(): HolidayTable {
  packageTable ??= holidayTableFrom(
    { holidays: chineseDaysData.holidays, workdays: chineseDaysData.workdays },
    `chinese-days ${chineseDaysPackage.version}`,
  );
  return packageTable;
}

// Labels look like "National Day,国庆节,3": keep the Chinese name.
function nameOf(label: string): string {
  const parts = label.split(',');
  return parts.length >= 2 ? parts[1] : label;
}
