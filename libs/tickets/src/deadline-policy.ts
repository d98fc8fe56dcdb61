import { Inject, Injectable } from '@nestjs/common';
import type { TimeLimit, WorkingCalendar } from '@hotline/calendar';
import type { TicketFacts } from '@hotline/db';
import { DomainError } from '@hotline/workflow';

export const WORKING_CALENDAR = Symbol('WORKING_CALENDAR');

/** working time kept free before an upstream deadline for the review chain. */
export const UPSTREAM_MARGIN_WORKING_DAYS = 1;

/**
 * The reply deadline given to a dispatched unit (R-9d), on the Chinese working-day calendar
 * . A dispatcher may set an earlier one, never one after the upstream deadline.
 */
@Injectable()
export class DeadlinePolicy {
  constructor(@Inject(WORKING_CALENDAR) private readonly calendar: WorkingCalendar) {}

  /** X-1 defaults: urgent 2 working hours; consultation 3 working days; NPC/CPPCC 3 months; else 5. */
  limitFor(facts: Pick<TicketFacts, 'urgency' | 'categoryCode' | 'sourceCode'>): TimeLimit {
    if (facts.urgency === 'urgent') return { amount: 2, unit: 'working_hours' };
    if (facts.sourceCode === 'npc_cppcc') return { amount: 3, unit: 'calendar_months' };
    if (facts.categoryCode === 'consultation') return { amount: 3, unit: 'working_days' };
    return { amount: 5, unit: 'working_days' };
  }

  replyDeadline(facts: TicketFacts, now: Date, requested: Date | undefined): Date {
    if (requested) {
      if (Number.isNaN(requested.getTime()))
        throw new DomainError('VALIDATION', 'replyDeadline is not a date', 'replyDeadline');
      if (requested.getTime() <= now.getTime()) {
        throw new DomainError('VALIDATION', 'replyDeadline must be in the future', 'replyDeadline');
      }
      if (facts.upstreamDeadline && requested.getTime() > facts.upstreamDeadline.getTime()) {
        throw new DomainError(
          'VALIDATION',
          'replyDeadline cannot be later than the upstream deadline',
          'replyDeadline',
        );
      }
      return requested;
    }
    return this.defaultDeadline(facts, now);
  }

  defaultDeadline(facts: TicketFacts, now: Date): Date {
    let deadline = this.calendar.addLimit(now, this.limitFor(facts)).deadline;
    if (facts.upstreamDeadline) {
      const withMargin = this.calendar.addWorkingDays(facts.upstreamDeadline, -UPSTREAM_MARGIN_WORKING_DAYS);
      const cap = withMargin.getTime() > now.getTime() ? withMargin : facts.upstreamDeadline;
      if (cap.getTime() < deadline.getTime()) deadline = cap;
    }
    return deadline;
  }
}
