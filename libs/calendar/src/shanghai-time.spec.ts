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

  it('X-2: the formatted time is the ISO form of the instant eight hours on, at every kind of day', () => {
    /** The plain way: toISOString of the shifted instant, cut. */
    const iso = (d: Date, seconds: 'auto' | 'always' | 'never') => {
      const s = new Date(d.getTime() + 8 * 3_600_000).toISOString();
      const shown = seconds === 'always' || (seconds === 'auto' && s.slice(17, 19) !== '00');
      return `${s.slice(0, 10)} ${s.slice(11, 16)}${shown ? `:${s.slice(17, 19)}` : ''}`;
    };
    const instants = [
      '1969-12-31T15:59:59.999Z', // 1970-01-01 in Shanghai, before the epoch in UTC
      '1900-02-28T16:00:00Z', // 1900 is no leap year
      '2000-02-28T16:00:00Z', // 2000 is
      '2024-02-29T15:59:59Z',
      '2026-12-31T16:00:00Z', // New Year in Shanghai
      '9999-12-31T15:59:59Z',
      '1000-01-01T00:00:00Z',
    ].map((s) => new Date(s));
    // And an instant every 11.6 days and a few seconds over two centuries (every hour, minute and second come round).
    for (let t = Date.UTC(1901, 0, 1); t < Date.UTC(2101, 0, 1); t += 1_000_003_007) instants.push(new Date(t));
    for (const d of instants) {
      for (const seconds of ['auto', 'always', 'never'] as const)
        expect(formatShanghai(d, seconds)).toBe(iso(d, seconds));
    }
    // A year of other than four digits, as toISOString writes it.
    expect(formatShanghai(new Date('+010000-01-01T00:00:30Z'))).toBe('+010000-01-01 08:00:30');
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
