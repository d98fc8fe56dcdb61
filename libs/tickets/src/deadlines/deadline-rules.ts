import type { MissingYears, TimeLimit, WorkingCalendar } from '@hotline/calendar';
import type { ReviewStep } from '@hotline/workflow';

// The deadline rules of issue 15 items 4 and 5 in one place, pure: a calendar and numbers in,
// instants out. DeadlinePolicy (dispatch, the preview, review steps) and the time-limit admin
// page's check both use these functions, and deadline-rules.spec.ts tests them on a fixed calendar.

/** the review steps a chain-B reply passes after the unit's reply, before the upstream deadline. */
export const CHAIN_B_REVIEW_STEPS: readonly ReviewStep[] = [
  'initiator_review',
  'ops_review',
  'office_review',
  'upstream_report',
];

/** A calendar month of review counted as this many working days when sizing the margin. */
const WORKING_DAYS_PER_MONTH = 23;

/** Working minutes in one working day of this calendar (office hours less the lunch break). */
export function workingMinutesPerDay(calendar: WorkingCalendar): number {
  const opens = calendar.startOfNextWorkingPeriod(new Date(Date.UTC(2026, 0, 5, 0, 0)));
  return calendar.workingMillisBetween(opens, new Date(opens.getTime() + 20 * 3_600_000)) / 60_000;
}

/**
 * Issue 15.5: the working days the upstream margin must have so that chain B's review steps,
 * each with its own limit, fit between the unit's deadline and the upstream one. N whole working
 * days after a close of business hold N days of working time, so time limits round up to days.
 */
export function requiredMarginWorkingDays(review: TimeLimit | null, minutesPerDay: number): number {
  if (!review) return 0;
  const steps = CHAIN_B_REVIEW_STEPS.length;
  switch (review.unit) {
    case 'working_days':
      return steps * review.amount;
    case 'working_hours':
      return Math.ceil((steps * review.amount * 60) / minutesPerDay);
    case 'minutes':
      return Math.ceil((steps * review.amount) / minutesPerDay);
    case 'calendar_months':
      return steps * review.amount * WORKING_DAYS_PER_MONTH;
  }
}

/**
 * Where the review chain would end if the unit and every step used its whole limit, starting at
 * `from`. Each decision is taken by its deadline, so the next step begins just before it (a reply
 * due 17:30 is sent within office hours, and its review's working day counts from that day).
 */
export function reviewChainEnd(calendar: WorkingCalendar, from: Date, review: TimeLimit | null): Date {
  if (!review) return from;
  let t = from;
  for (let i = 0; i < CHAIN_B_REVIEW_STEPS.length; i += 1) {
    t = calendar.addLimit(new Date(t.getTime() - 1), review).deadline;
  }
  return t;
}

/**
 * Issue 15.5 (X-3) (a): the latest unit deadline an upstream deadline allows: the margin's working
 * days before it, and earlier still while the review steps' own limits from there would pass the
 * upstream deadline. When no such instant is left after `now` (a late referral), the unit gets half
 * the working time left before the upstream deadline, and the review steps are clamped by (b).
 */
export function unitCapBeforeUpstream(
  calendar: WorkingCalendar,
  now: Date,
  upstream: Date,
  marginWorkingDays: number,
  review: TimeLimit | null,
  missing?: MissingYears,
): Date {
  let cap = marginWorkingDays > 0 ? calendar.addWorkingDays(upstream, -marginWorkingDays, missing) : upstream;
  for (let guard = 0; guard < 400 && cap.getTime() > now.getTime(); guard += 1) {
    if (reviewChainEnd(calendar, cap, review).getTime() <= upstream.getTime()) return cap;
    // One working day earlier (close of business of the working day before the cap's).
    cap = calendar.addWorkingDays(new Date(cap.getTime() - 1), -1, missing);
  }
  return halfwayTo(calendar, now, upstream, missing);
}

/** Half the working time between now and `end` (the end itself when none is left). */
function halfwayTo(calendar: WorkingCalendar, now: Date, end: Date, missing?: MissingYears): Date {
  const left = calendar.workingMillisBetween(now, end, missing);
  if (left <= 0) return end;
  return calendar.addWorkingMinutes(now, Math.floor(left / 2 / 60_000), missing);
}

/** Issue 15.5 (X-3) (b): no review step's deadline falls after the upstream deadline. */
export function clampToUpstream(deadline: Date | null, upstream: Date | null | undefined): Date | null {
  if (!deadline || !upstream) return deadline;
  return deadline.getTime() > upstream.getTime() ? upstream : deadline;
}

/**
 * Issue 15.4 (R-6d): a co unit's deadline, `coLeadWorkingDays` working days before the lead's (close
 * of business of that day), so the lead has the co units' approved input in time. When that day is
 * already past (an urgent limit of hours), the co unit gets half the working time left to the lead.
 */
export function coUnitDeadline(
  calendar: WorkingCalendar,
  now: Date,
  leadDeadline: Date,
  coLeadWorkingDays: number,
  missing?: MissingYears,
): Date {
  if (coLeadWorkingDays <= 0) return leadDeadline;
  const before = calendar.addWorkingDays(new Date(leadDeadline.getTime() - 1), -coLeadWorkingDays, missing);
  if (before.getTime() > now.getTime()) return before;
  return halfwayTo(calendar, now, leadDeadline, missing);
}
