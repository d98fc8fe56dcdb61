import { Inject, Injectable } from '@nestjs/common';
import { formatShanghai, type TimeLimit } from '@hotline/calendar';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import type { TicketFacts, Tx } from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import { CalendarService } from './calendar/calendar.service';
import { TimeLimitService } from './deadlines/time-limit.service';

/** what a deadline was computed with; stored on the assignment (deadline_basis). */
export interface DeadlineBasis {
  /** policy: the time limit; upstream_margin: capped before the upstream deadline;
   * dispatcher: set earlier by the dispatcher; extension: moved by an approved extension. */
  source: 'policy' | 'upstream_margin' | 'dispatcher' | 'extension';
  policyId: number | null;
  limit: TimeLimit;
  /** The policy's own deadline, before any cap. */
  policyDeadline: string;
  upstreamDeadline?: string;
  marginWorkingDays?: number;
  /** For extensions: the deadline before it, and the working days added. */
  previousDeadline?: string;
  days?: number;
}

export interface ComputedDeadline {
  replyDeadline: Date;
  acceptDeadline: Date | null;
  basis: DeadlineBasis;
  calendarVersion: string;
  /** years without holiday data the computation relied on (alert the admin). */
  missingYears: number[];
}

/**
 * The reply deadline given to a dispatched unit (R-9d): the time-limit policy on the Chinese
 * working-day calendar; with an upstream deadline, the earlier of that and the upstream
 * deadline minus a margin of working days for the review chain. A dispatcher may set an
 * earlier deadline, never a later one than the policy's or the upstream's.
 */
@Injectable()
export class DeadlinePolicy {
  constructor(
    private readonly calendars: CalendarService,
    private readonly limits: TimeLimitService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async forDispatch(
    facts: Pick<TicketFacts, 'sourceCode' | 'categoryCode' | 'urgency' | 'upstreamDeadline'>,
    now: Date,
    requested: Date | undefined,
    m?: Tx,
  ): Promise<ComputedDeadline> {
    const calendar = await this.calendars.current(m);
    const policy = await this.limits.policyFor(facts, m);
    const missing = new Set<number>();
    const computed = calendar.addLimit(now, policy.reply);
    for (const y of computed.missingYears) missing.add(y);
    const basis: DeadlineBasis = {
      source: 'policy',
      policyId: policy.id || null,
      limit: { ...policy.reply },
      policyDeadline: computed.deadline.toISOString(),
    };
    let deadline = computed.deadline;
    let latest = computed.deadline;
    const upstream = facts.upstreamDeadline;
    if (upstream) {
      const margin = this.config.deadlines.upstreamMarginWorkingDays;
      basis.upstreamDeadline = upstream.toISOString();
      basis.marginWorkingDays = margin;
      const withMargin = margin > 0 ? calendar.addWorkingDays(upstream, -margin, missing) : upstream;
      // When the margin is already gone, the upstream deadline itself is the cap.
      const cap = withMargin.getTime() > now.getTime() ? withMargin : upstream;
      if (cap.getTime() < deadline.getTime()) {
        deadline = cap;
        basis.source = 'upstream_margin';
      }
      if (upstream.getTime() < latest.getTime()) latest = upstream;
    }
    if (requested) {
      if (Number.isNaN(requested.getTime())) {
        throw new DomainError('VALIDATION', '最晚回复时间不是有效的时间。', 'replyDeadline');
      }
      if (requested.getTime() <= now.getTime()) {
        throw new DomainError('VALIDATION', '最晚回复时间须晚于现在。', 'replyDeadline');
      }
      if (upstream && requested.getTime() > upstream.getTime()) {
        throw new DomainError('VALIDATION', '最晚回复时间不能晚于上级期限（X-3）。', 'replyDeadline');
      }
      if (requested.getTime() > latest.getTime()) {
        throw new DomainError(
          'VALIDATION',
          `最晚回复时间不能晚于时限规定的 ${formatShanghai(latest)}（X-1）；需要更多时间请申请延期。`,
          'replyDeadline',
        );
      }
      deadline = requested;
      basis.source = 'dispatcher';
    }
    let acceptDeadline: Date | null = null;
    if (policy.accept) {
      const accept = calendar.addLimit(now, policy.accept);
      for (const y of accept.missingYears) missing.add(y);
      acceptDeadline = accept.deadline.getTime() < deadline.getTime() ? accept.deadline : deadline;
    }
    return {
      replyDeadline: deadline,
      acceptDeadline,
      basis,
      calendarVersion: calendar.version,
      missingYears: [...missing].sort(),
    };
  }

  /**
   * the deadline after `days` more working days: close of business of the nth working day
   * after the working day the current deadline falls on (a 17:30 deadline + 1 → next working
   * day 17:30).
   */
  async extended(
    current: Date,
    days: number,
    m?: Tx,
  ): Promise<{ deadline: Date; calendarVersion: string; missingYears: number[] }> {
    const calendar = await this.calendars.current(m);
    const missing = new Set<number>();
    // One millisecond before: a deadline at close of business belongs to that day, not the next.
    const deadline = calendar.addWorkingDays(new Date(current.getTime() - 1), days, missing);
    return { deadline, calendarVersion: calendar.version, missingYears: [...missing].sort() };
  }

  /**
   * the deadline of a review step that begins at `now` (initiator review, ops head, office
   * reviewer, upstream report): the policy's review limit on the calendar; none without one.
   */
  async forReviewStep(
    facts: Pick<TicketFacts, 'sourceCode' | 'categoryCode' | 'urgency'>,
    step: string,
    now: Date,
    m?: Tx,
  ): Promise<{
    deadline: Date | null;
    basis: Record<string, unknown>;
    calendarVersion: string;
    missingYears: number[];
  }> {
    const calendar = await this.calendars.current(m);
    const policy = await this.limits.policyFor(facts, m);
    const computed = policy.review ? calendar.addLimit(now, policy.review) : null;
    return {
      deadline: computed?.deadline ?? null,
      basis: {
        source: 'policy',
        policyId: policy.id || null,
        step,
        limit: policy.review ? { ...policy.review } : null,
      },
      calendarVersion: calendar.version,
      missingYears: computed?.missingYears ?? [],
    };
  }

  /** close of business of the working day a ticket received at `receivedAt` counts on. */
  async dispatchDue(receivedAt: Date, m?: Tx): Promise<{ due: Date; missingYears: number[] }> {
    const calendar = await this.calendars.current(m);
    const missing = new Set<number>();
    const due = calendar.endOfWorkingDay(receivedAt, missing);
    return { due, missingYears: [...missing].sort() };
  }
}
