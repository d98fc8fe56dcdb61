import fc from 'fast-check';
import { DAY_MS, instantOf, msIntoDay, dayOf, dayFromYmd } from './shanghai-time';
import { WorkingCalendar } from './working-calendar';

const calendars = [
  ['office hours as one block', new WorkingCalendar()],
  ['with a lunch break', new WorkingCalendar({ lunchBreak: { start: '12:00', end: '13:30' } })],
] as const;

// Instants in 2025 – Nov 2026, where the package has data, so results stay in covered years.
const FROM = instantOf(dayFromYmd(2025, 1, 1), 0);
const TO = instantOf(dayFromYmd(2026, 11, 30), 0);
const anyInstant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms));
const minutes = fc.integer({ min: 0, max: 6000 });

describe.each(calendars)('WorkingCalendar properties, %s', (_, calendar) => {
  const workingInstant = anyInstant.map((t) => calendar.startOfNextWorkingPeriod(t));
  const periodEnds = calendar.lunchBreak
    ? [calendar.lunchBreak.start, calendar.officeHours.end]
    : [calendar.officeHours.end];
  const endMs = periodEnds.map((hhmm) => (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * 60_000);
  const atPeriodEnd = (t: Date) => calendar.isWorkingDay(t) && endMs.includes(msIntoDay(t.getTime()));

  it('X-1: adding a + b working minutes equals adding a, then b (from working time)', () => {
    fc.assert(
      fc.property(workingInstant, minutes, minutes, (t, a, b) => {
        const once = calendar.addWorkingMinutes(t, a + b);
        const twice = calendar.addWorkingMinutes(calendar.addWorkingMinutes(t, a), b);
        expect(twice.getTime()).toBe(once.getTime());
      }),
    );
  });

  it('X-1: a minutes limit lands in working time or exactly at a period end', () => {
    fc.assert(
      fc.property(anyInstant, fc.integer({ min: 1, max: 6000 }), (t, m) => {
        const deadline = calendar.addWorkingMinutes(t, m);
        expect(calendar.isWorkingTime(deadline) || atPeriodEnd(deadline)).toBe(true);
      }),
    );
  });

  it('X-9: the working time between an instant and its m-minute deadline is m minutes', () => {
    fc.assert(
      fc.property(anyInstant, minutes, (t, m) => {
        expect(calendar.workingMillisBetween(t, calendar.addWorkingMinutes(t, m))).toBe(m * 60_000);
      }),
    );
  });

  it('X-1: a working-day deadline is close of business on a working day after the start', () => {
    fc.assert(
      fc.property(anyInstant, fc.integer({ min: 0, max: 15 }), (t, n) => {
        const deadline = calendar.addWorkingDays(t, n);
        expect(calendar.isWorkingDay(deadline)).toBe(true);
        expect(msIntoDay(deadline.getTime())).toBe(endMs.at(-1));
        const start = calendar.startOfNextWorkingPeriod(t);
        expect(dayOf(deadline.getTime()) - dayOf(start.getTime())).toBeGreaterThanOrEqual(n);
        expect(deadline.getTime() - start.getTime()).toBeLessThan((n + 1) * 12 * DAY_MS);
      }),
    );
  });
});
