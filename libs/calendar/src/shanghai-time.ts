// Asia/Shanghai wall-clock arithmetic that never consults the process time zone. China has had
// no daylight saving time since 1991, so local time is always UTC+8: we shift an instant by
// +8 h and read it with the getUTC* accessors. A "day" below is a day number: days since
// 1970-01-01 on the Shanghai calendar.
//
// The server's one Shanghai-time module (issue 14.4): the api, the worker, the DingTalk client
// and the simulator all format and cut days here. Not here: the pure workflow library (imports
// nothing of ours; `workflow.labels.ts` keeps its one-line formatter), SQL (`AT TIME ZONE
// 'Asia/Shanghai'` in libs/db) and the micro-app (`dingtalk-miniapp/src/time.ts`).

/** The IANA zone of every cron and wall-clock rule (R-17's close of business, the 08:30 digest). */
export const SHANGHAI_TIME_ZONE = 'Asia/Shanghai';
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

const DATE_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Shanghai day number of an instant (epoch milliseconds). */
export function dayOf(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** Milliseconds since Shanghai midnight of an instant. */
export function msIntoDay(ms: number): number {
  return ms + SHANGHAI_OFFSET_MS - dayOf(ms) * DAY_MS;
}

/** The instant (epoch ms) at `msOfDay` after Shanghai midnight of `day`. */
export function instantOf(day: number, msOfDay: number): number {
  return day * DAY_MS + msOfDay - SHANGHAI_OFFSET_MS;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

export function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

export function ymdOf(day: number): { year: number; month: number; date: number } {
  // The proleptic Gregorian calendar's civil date by numbers, as Date's UTC getters give it
  // without a Date a call (formatShanghai runs it four times a ledger export row).
  const z = day + 719_468; // days since 0000-03-01
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097; // day of the 400-year era
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // from March 1st
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, date: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

/** Day number of a calendar date; month and date may overflow (Date.UTC normalises them). */
export function dayFromYmd(year: number, month: number, date: number): number {
  return Math.round(Date.UTC(year, month - 1, date) / DAY_MS);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 'YYYY-MM-DD' of a day number. */
export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day number of a 'YYYY-MM-DD' string, or undefined when it is malformed or not a real date. */
export function parseDayKey(key: string): number | undefined {
  const m = DATE_KEY.exec(key);
  if (!m) return undefined;
  const [year, month, date] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = dayFromYmd(year, month, date);
  const back = ymdOf(day);
  return back.year === year && back.month === month && back.date === date ? day : undefined;
}

/** Milliseconds after midnight of an 'HH:mm' clock time, or undefined when malformed. */
export function parseClock(text: string): number | undefined {
  const m = CLOCK.exec(text);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * MINUTE_MS : undefined;
}

/**
 * 'YYYY-MM-DD HH:mm' in Shanghai time. Seconds: 'auto' shows them only when not zero, 'always'
 * and 'never' as named (never: cut to the minute, not rounded).
 */
export function formatShanghai(instant: Date, seconds: 'auto' | 'always' | 'never' = 'auto'): string {
  const ms = assertInstant(instant).getTime();
  const { year, month, date } = ymdOf(dayOf(ms));
  // A year of other than four digits, as toISOString writes it (±YYYYYY).
  if (year < 1000 || year > 9999) return formatShanghaiIso(ms, seconds);
  // By numbers, not toISOString and slices (a quarter of the time: the ledger export formats four a row).
  const inDay = msIntoDay(ms);
  const ss = Math.floor(inDay / 1000) % 60;
  const shown = seconds === 'always' || (seconds === 'auto' && ss !== 0);
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[date]} ${TWO_DIGITS[Math.floor(inDay / 3_600_000)]}:${
    TWO_DIGITS[Math.floor(inDay / MINUTE_MS) % 60]
  }${shown ? `:${TWO_DIGITS[ss]}` : ''}`;
}

/** formatShanghai by toISOString, for any year. */
function formatShanghaiIso(ms: number, seconds: 'auto' | 'always' | 'never'): string {
  const shifted = new Date(ms + SHANGHAI_OFFSET_MS).toISOString();
  const ss = shifted.slice(-7, -5);
  const shown = seconds === 'always' || (seconds === 'auto' && ss !== '00');
  return `${shifted.slice(0, -14)} ${shifted.slice(-13, -8)}${shown ? `:${ss}` : ''}`;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** 'YYYY-MM' of an instant (epoch ms) in Shanghai time: DingTalk's monthly call quota counts by it. */
export function shanghaiMonthKey(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7);
}

/** Midnight (Shanghai) of the day an instant falls on. */
export function startOfShanghaiDay(instant: Date): Date {
  return new Date(instantOf(dayOf(assertInstant(instant).getTime()), 0));
}

/**
 * A date-time from an imported sheet: a wall-clock 'YYYY-MM-DD HH:mm[:ss]' (or with a 'T') is
 * read as Shanghai time; anything else goes to `Date` as written (an ISO string with its own
 * offset). An Invalid Date when unreadable: the caller reports the line.
 */
export function parseShanghaiLenient(text: string): Date {
  return new Date(text.replace(' ', 'T').replace(/(T\d\d:\d\d(:\d\d)?)$/, '$1+08:00'));
}

/** The Shanghai calendar date ('YYYY-MM-DD') of an instant. */
export function shanghaiDate(instant: Date): string {
  return dayKey(dayOf(assertInstant(instant).getTime()));
}

/** The instant of a Shanghai wall-clock time 'YYYY-MM-DD HH:mm[:ss]' (or with a 'T'). */
export function parseShanghai(text: string): Date {
  const m = LOCAL_TIME.exec(text);
  const day = m ? parseDayKey(`${m[1]}-${m[2]}-${m[3]}`) : undefined;
  const [hh, mm, ss] = m ? [Number(m[4]), Number(m[5]), Number(m[6] ?? '0')] : [0, 0, 0];
  if (!m || day === undefined || hh > 23 || mm > 59 || ss > 59) {
    throw new RangeError(`Not a Shanghai time 'YYYY-MM-DD HH:mm': ${JSON.stringify(text)}`);
  }
  return new Date(instantOf(day, ((hh * 60 + mm) * 60 + ss) * 1000));
}

export function assertInstant(value: Date): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new RangeError(`Expected a valid Date, got ${String(value)}`);
  }
  return value;
}
