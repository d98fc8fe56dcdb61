import { formatShanghai as fmt, parseShanghai as at, WorkingCalendar } from '@hotline/calendar';
import {
  CHAIN_B_REVIEW_STEPS,
  clampToUpstream,
  coUnitDeadline,
  requiredMarginWorkingDays,
  reviewChainEnd,
  unitCapBeforeUpstream,
  workingMinutesPerDay,
} from './deadline-rules';

// A fixed calendar: the 2026 State Council holidays, office hours 08:30–17:30; every instant is
// written out, nothing depends on today's date.
const calendar = new WorkingCalendar();
const ONE_DAY = { amount: 1, unit: 'working_days' } as const;

describe('deadline rules: co units before the lead (R-6d, issue 15.4)', () => {
  it('R-6, issue 15.4: a co unit answers one working day before the lead', () => {
    const now = at('2026-12-07 09:10');
    expect(fmt(coUnitDeadline(calendar, now, at('2026-12-14 17:30'), 1))).toBe('2026-12-11 17:30');
    expect(fmt(coUnitDeadline(calendar, now, at('2026-12-14 17:30'), 2))).toBe('2026-12-10 17:30');
    // Zero working days: the policy may give co units the lead's deadline.
    expect(fmt(coUnitDeadline(calendar, now, at('2026-12-14 17:30'), 0))).toBe('2026-12-14 17:30');
  });

  it('R-6, issue 15.4: the working day before skips the National Day week and the weekend', () => {
    // The lead is due Thursday 2026-10-08 (the first working day after the holiday): the co unit
    // answers on the last working day before it, Wednesday 2026-09-30.
    const now = at('2026-09-28 09:00');
    expect(fmt(coUnitDeadline(calendar, now, at('2026-10-08 17:30'), 1))).toBe('2026-09-30 17:30');
  });

  it('R-6, issue 15.4: when the day before has passed (an urgent limit of hours), half the time left', () => {
    // Urgent: the lead has 2 working hours, Monday 08:30 → 10:30; the co unit gets the first hour.
    const now = at('2026-12-04 17:45');
    expect(fmt(coUnitDeadline(calendar, now, at('2026-12-07 10:30'), 1))).toBe('2026-12-07 09:30');
  });
});

describe('deadline rules: the chain-B time budget (X-3, issue 15.5)', () => {
  it('X-3, issue 15.5: chain B has four review steps; the margin they need, in working days', () => {
    expect(CHAIN_B_REVIEW_STEPS).toEqual(['initiator_review', 'ops_review', 'office_review', 'upstream_report']);
    const perDay = workingMinutesPerDay(calendar);
    expect(perDay).toBe(9 * 60);
    expect(requiredMarginWorkingDays(ONE_DAY, perDay)).toBe(4);
    expect(requiredMarginWorkingDays({ amount: 2, unit: 'working_hours' }, perDay)).toBe(1);
    expect(requiredMarginWorkingDays({ amount: 3, unit: 'working_hours' }, perDay)).toBe(2);
    expect(requiredMarginWorkingDays({ amount: 5, unit: 'working_days' }, perDay)).toBe(20);
    expect(requiredMarginWorkingDays(null, perDay)).toBe(0);
  });

  it('X-3, issue 15.5: the unit deadline plus the review limits ends by the upstream deadline', () => {
    const now = at('2026-12-04 17:45');
    const upstream = at('2026-12-15 17:30');
    const cap = unitCapBeforeUpstream(calendar, now, upstream, 4, ONE_DAY);
    expect(fmt(cap)).toBe('2026-12-09 17:30');
    expect(fmt(reviewChainEnd(calendar, cap, ONE_DAY))).toBe('2026-12-15 17:30');
  });

  it('X-3, issue 15.5: a margin too small for the review limits is widened until they fit', () => {
    const now = at('2026-12-04 17:45');
    const upstream = at('2026-12-15 17:30');
    // One working day of margin would leave the unit until 12-14; four review days cannot follow it.
    const cap = unitCapBeforeUpstream(calendar, now, upstream, 1, ONE_DAY);
    expect(fmt(cap)).toBe('2026-12-09 17:30');
    expect(reviewChainEnd(calendar, cap, ONE_DAY).getTime()).toBeLessThanOrEqual(upstream.getTime());
    // Across the National Day week: upstream 2026-10-12 (Monday) → 4 working days back, with the
    // make-up Saturday 2026-10-10 counted as one of them.
    const holiday = unitCapBeforeUpstream(calendar, at('2026-09-21 09:00'), at('2026-10-12 17:30'), 4, ONE_DAY);
    expect(fmt(holiday)).toBe('2026-09-30 17:30');
    expect(reviewChainEnd(calendar, holiday, ONE_DAY).getTime()).toBeLessThanOrEqual(at('2026-10-12 17:30').getTime());
  });

  it('X-3, issue 15.5: a late referral gives the unit half the working time left', () => {
    const now = at('2026-12-07 08:30');
    const cap = unitCapBeforeUpstream(calendar, now, at('2026-12-08 17:30'), 4, ONE_DAY);
    expect(fmt(cap)).toBe('2026-12-07 17:30');
  });

  it('X-3, issue 15.5: no review step deadline falls after the upstream deadline', () => {
    const upstream = at('2026-12-15 17:30');
    expect(clampToUpstream(at('2026-12-16 17:30'), upstream)).toEqual(upstream);
    expect(fmt(clampToUpstream(at('2026-12-14 17:30'), upstream)!)).toBe('2026-12-14 17:30');
    expect(clampToUpstream(null, upstream)).toBeNull();
    expect(fmt(clampToUpstream(at('2026-12-16 17:30'), null)!)).toBe('2026-12-16 17:30');
  });
});
