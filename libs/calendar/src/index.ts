// @hotline/calendar: the Chinese working-day calendar. Pure TypeScript.
export { WorkingCalendar, CalendarConfigError } from './working-calendar';
export type {
  CalendarOverride,
  ClockRange,
  DayInfo,
  DayReason,
  ExtraYear,
  LimitResult,
  LimitUnit,
  MissingYears,
  TimeLimit,
  WorkingCalendarOptions,
} from './working-calendar';
export { parseHolidayNotice, HolidayNoticeError } from './holiday-notice.parser';
export type { HolidayNotice, HolidayNoticeInput, NoticeIssue } from './holiday-notice.parser';
export { chineseDaysTable, holidayTableFrom } from './holiday-table';
export type { HolidayTable, HolidayTableInput } from './holiday-table';
export {
  SHANGHAI_TIME_ZONE,
  formatShanghai,
  parseShanghai,
  parseShanghaiLenient,
  shanghaiDate,
  shanghaiMonthKey,
  startOfShanghaiDay,
} from './shanghai-time';
