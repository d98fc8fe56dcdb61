// X-2: a year the package lacks is typed in by the admin from the State Council notice
// (国务院办公厅关于 YYYY 年部分节假日安排的通知). Accepted input, one entry per line:
//
//   2027-01-01 至 2027-01-03 休        a range of days off (至 / 到 / ~ / ～ / — / – ; end may be MM-DD)
//   2027-02-20 上班                    a make-up working day (上班 / 补班 / 班)
//   春节：2027-02-05 至 02-13 放假      an optional label before a colon, a note after the kind
//   # comment                          blank lines and # comments are ignored
//
// or JSON / an object: {"holidays": ["2027-01-01 至 2027-01-03", …], "workdays": ["2027-02-20"]}.
// Every bad entry is reported at once, naming its line (or JSON position), in Chinese for the admin.
import { dayKey, parseDayKey, weekdayOf, ymdOf } from './shanghai-time';

/** One year's arrangement; the same shape as WorkingCalendarOptions.extraYears entries. */
export interface HolidayNotice {
  year: number;
  /** Days off, 'YYYY-MM-DD', sorted. */
  holidays: string[];
  /** Make-up working days (调休上班), 'YYYY-MM-DD', sorted. */
  workdays: string[];
}

export interface HolidayNoticeInput {
  holidays: readonly string[];
  workdays?: readonly string[];
}

export interface NoticeIssue {
  /** '第 3 行', 'holidays[2]', or '通知' for the notice as a whole. */
  where: string;
  /** The offending text ('' for whole-notice issues). */
  text: string;
  message: string;
}

export class HolidayNoticeError extends Error {
  readonly code = 'VALIDATION' as const;

  constructor(readonly issues: NoticeIssue[]) {
    super(
      `节假日安排有误：\n${issues
        .map((i) => `  - ${i.where}${i.text ? `「${i.text}」` : ''}：${i.message}`)
        .join('\n')}`,
    );
    this.name = 'HolidayNoticeError';
  }
}

type Kind = 'holiday' | 'workday';

interface Entry {
  where: string;
  text: string;
  kind: Kind;
  days: number[];
}

// A longer holiday range than this is a typo (the longest real one, Spring Festival, is 9 days).
const MAX_RANGE_DAYS = 31;
const DATE = String.raw`\d{4}-\d{1,2}-\d{1,2}`;
const SHORT_DATE = String.raw`(?:\d{4}-)?\d{1,2}-\d{1,2}`;
const SEPARATOR = String.raw`(?:至|到|~|～|—|–|--)`;
const RANGE = new RegExp(String.raw`^(${DATE})(?:\s*${SEPARATOR}\s*(${SHORT_DATE}))?$`);
const KIND_WORDS: ReadonlyArray<readonly [string, Kind]> = [
  ['放假', 'holiday'],
  ['休息', 'holiday'],
  ['休假', 'holiday'],
  ['休', 'holiday'],
  ['holiday', 'holiday'],
  ['off', 'holiday'],
  ['补班', 'workday'],
  ['上班', 'workday'],
  ['班', 'workday'],
  ['workday', 'workday'],
  ['working', 'workday'],
  ['work', 'workday'],
];
const LINE = new RegExp(
  String.raw`^(?:[^\d:：]{1,20}[:：]\s*)?(${DATE}(?:\s*${SEPARATOR}\s*${SHORT_DATE})?)\s*` +
    String.raw`(${KIND_WORDS.map(([w]) => w).join('|')})(?:[\s,，;；:：(（].*)?$`,
  'i',
);

/**
 * Parses and checks one year's holiday arrangement. `options.year` fixes the year; without it the
 * year is the one most holiday dates fall in. Throws HolidayNoticeError listing every bad entry.
 */
export function parseHolidayNotice(input: string | HolidayNoticeInput, options: { year?: number } = {}): HolidayNotice {
  const issues: NoticeIssue[] = [];
  const entries =
    typeof input === 'string' && !/^[{[]/.test(input.trim())
      ? entriesFromText(input, issues)
      : entriesFromObject(typeof input === 'string' ? parseJson(input, issues) : input, issues);
  const notice = issues.length === 0 ? checkEntries(entries, options.year, issues) : undefined;
  if (!notice || issues.length > 0) throw new HolidayNoticeError(issues);
  return notice;
}

function entriesFromText(text: string, issues: NoticeIssue[]): Entry[] {
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const where = `第 ${index + 1} 行`;
    const m = LINE.exec(line);
    if (!m) {
      issues.push({
        where,
        text: line,
        message: '无法识别，应为「YYYY-MM-DD [至 YYYY-MM-DD] 休」或「YYYY-MM-DD 上班」',
      });
      return;
    }
    const kind = KIND_WORDS.find(([w]) => w === m[2].toLowerCase())?.[1] ?? 'holiday';
    const days = parseRange(m[1], where, line, issues);
    if (days) entries.push({ where, text: line, kind, days });
  });
  return entries;
}

function parseJson(text: string, issues: NoticeIssue[]): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    issues.push({ where: 'JSON', text: '', message: `格式错误：${(error as Error).message}` });
    return undefined;
  }
}

function entriesFromObject(value: unknown, issues: NoticeIssue[]): Entry[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ where: 'JSON', text: '', message: '应为 {"holidays": [...], "workdays": [...]}' });
    return [];
  }
  const record = value as Record<string, unknown>;
  const entries: Entry[] = [];
  for (const [field, kind] of [
    ['holidays', 'holiday'],
    ['workdays', 'workday'],
  ] as const) {
    const list = record[field] ?? (field === 'workdays' ? [] : undefined);
    if (!Array.isArray(list)) {
      issues.push({ where: field, text: '', message: '应为日期字符串数组' });
      continue;
    }
    list.forEach((item: unknown, index) => {
      const where = `${field}[${index}]`;
      if (typeof item !== 'string') {
        issues.push({ where, text: String(item), message: '应为日期字符串' });
        return;
      }
      const text = item.trim();
      const days = parseRange(text, where, text, issues);
      if (days) entries.push({ where, text, kind, days });
    });
  }
  return entries;
}

function parseRange(text: string, where: string, line: string, issues: NoticeIssue[]): number[] | undefined {
  const m = RANGE.exec(text.trim());
  if (!m) {
    issues.push({ where, text: line, message: '应为「YYYY-MM-DD」或「YYYY-MM-DD 至 YYYY-MM-DD」' });
    return undefined;
  }
  const first = parseLooseDate(m[1]);
  if (first === undefined) {
    issues.push({ where, text: line, message: `日期 ${m[1]} 不存在` });
    return undefined;
  }
  if (m[2] === undefined) return [first];
  const endText = /^\d{4}-/.test(m[2]) ? m[2] : `${ymdOf(first).year}-${m[2]}`;
  const last = parseLooseDate(endText);
  if (last === undefined) {
    issues.push({ where, text: line, message: `日期 ${endText} 不存在` });
    return undefined;
  }
  if (last < first) {
    issues.push({ where, text: line, message: '结束日期早于开始日期' });
    return undefined;
  }
  if (last - first + 1 > MAX_RANGE_DAYS) {
    issues.push({ where, text: line, message: `范围超过 ${MAX_RANGE_DAYS} 天，请检查` });
    return undefined;
  }
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

// Accepts 2027-2-7 as well as 2027-02-07.
function parseLooseDate(text: string): number | undefined {
  const [y, m, d] = text.split('-');
  return parseDayKey(`${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`);
}

function checkEntries(
  entries: Entry[],
  fixedYear: number | undefined,
  issues: NoticeIssue[],
): HolidayNotice | undefined {
  const holidayEntries = entries.filter((e) => e.kind === 'holiday');
  if (holidayEntries.length === 0) {
    issues.push({ where: '通知', text: '', message: '没有任何放假日期（每年都有法定节假日）' });
    return undefined;
  }
  if (fixedYear !== undefined && (!Number.isInteger(fixedYear) || fixedYear < 1949)) {
    issues.push({ where: '通知', text: String(fixedYear), message: '年份无效' });
    return undefined;
  }
  const year = fixedYear ?? mostCommonYear(holidayEntries.flatMap((e) => e.days));

  const seen = new Map<number, Entry>();
  const holidays = new Set<number>();
  const workdays = new Set<number>();
  for (const entry of entries) {
    for (const day of entry.days) {
      const { year: y, month } = ymdOf(day);
      // A notice may start its New Year arrangement in the December before (e.g. the 2019
      // notice made 2018-12-29 a working day), nothing else outside its year.
      if (y !== year && !(y === year - 1 && month === 12)) {
        issues.push({ ...at(entry), message: `${dayKey(day)} 不属于 ${year} 年的安排` });
        continue;
      }
      const other = seen.get(day);
      if (other && other.kind !== entry.kind) {
        issues.push({
          ...at(entry),
          message: `${dayKey(day)} 与${other.where}矛盾（同一天既放假又上班）`,
        });
        continue;
      }
      seen.set(day, entry);
      if (entry.kind === 'holiday') {
        holidays.add(day);
      } else if (weekdayOf(day) !== 0 && weekdayOf(day) !== 6) {
        issues.push({
          ...at(entry),
          message: `${dayKey(day)} 是工作日（周一至周五），补班日应为周六或周日`,
        });
      } else {
        workdays.add(day);
      }
    }
  }
  const sorted = (days: Set<number>): string[] => [...days].sort((a, b) => a - b).map(dayKey);
  return { year, holidays: sorted(holidays), workdays: sorted(workdays) };
}

function at(entry: Entry): Pick<NoticeIssue, 'where' | 'text'> {
  return { where: entry.where, text: entry.text };
}

function mostCommonYear(days: number[]): number {
  const counts = new Map<number, number>();
  for (const day of days) counts.set(ymdOf(day).year, (counts.get(ymdOf(day).year) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
}
