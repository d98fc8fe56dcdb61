import {
  formatShanghai,
  parseShanghai,
  parseShanghaiLenient,
  shanghaiDate,
  shanghaiMonthKey,
  startOfShanghaiDay,
} from './shanghai-time';

// UTC 2026-11-30T16:05:07Z is 2026-12-01 00:05:07 in Shanghai: a day and a month apart from UTC.
const AT = new Date('2026-11-30T16:05:07Z');

describe("Shanghai time, the server's one module (issue 14.4)", () => {
  it('X-2: formats to the minute, with seconds when asked or when not zero', () => {
    expect(formatShanghai(AT)).toBe('2026-12-01 00:05:07');
    expect(formatShanghai(AT, 'never')).toBe('2026-12-01 00:05');
    expect(formatShanghai(new Date('2026-11-30T16:05:00Z'), 'always')).toBe('2026-12-01 00:05:00');
    expect(formatShanghai(new Date('2026-11-30T16:05:00Z'))).toBe('2026-12-01 00:05');
  });

  it('X-2: the day, the month and the day start are Shanghai ones, not UTC ones', () => {
    expect(shanghaiDate(AT)).toBe('2026-12-01');
    expect(shanghaiMonthKey(AT.getTime())).toBe('2026-12');
    expect(startOfShanghaiDay(AT).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(startOfShanghaiDay(new Date('2026-11-30T15:59:59Z')).toISOString()).toBe('2026-11-29T16:00:00.000Z');
  });

  it('X-3: an imported wall-clock time is Shanghai time; an ISO time keeps its own offset', () => {
    expect(parseShanghaiLenient('2026-12-01 17:30').toISOString()).toBe('2026-12-01T09:30:00.000Z');
    expect(parseShanghaiLenient('2026-12-01T17:30:15').toISOString()).toBe('2026-12-01T09:30:15.000Z');
    expect(parseShanghaiLenient('2026-12-01T17:30:00Z').toISOString()).toBe('2026-12-01T17:30:00.000Z');
    expect(Number.isNaN(parseShanghaiLenient('明天').getTime())).toBe(true);
    expect(parseShanghai('2026-12-01 17:30')).toEqual(parseShanghaiLenient('2026-12-01 17:30'));
  });
});
