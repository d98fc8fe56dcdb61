import { Injectable } from '@nestjs/common';
import { formatShanghai, type TimeLimit } from '@hotline/calendar';
import type { ReferenceSnapshot, TicketFacts, Tx } from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import { CalendarService } from './calendar/calendar.service';
import { clampToUpstream, coUnitDeadline, unitCapBeforeUpstream } from './deadlines/deadline-rules';
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
  /** Issue 15.4 (R-6d): a co unit's deadline, this many working days before the lead's. */
  coLeadWorkingDays?: number;
  leadDeadline?: string;
}

export interface ComputedDeadline {
  replyDeadline: Date;
  acceptDeadline: Date | null;
  basis: DeadlineBasis;
  /** Issue 15.4 (R-6d): what a co unit gets, earlier than the lead's (and the sole units') deadline. */
  co: { replyDeadline: Date; acceptDeadline: Date | null; basis: DeadlineBasis };
  calendarVersion: string;
  /** years without holiday data the computation relied on (alert the admin). */
  missingYears: number[];
}

/**
 * The reply deadline given to a dispatched unit (R-9d): the time-limit policy on the Chinese
 * working-day calendar (X-1, X-2); with an upstream deadline, the earlier of that and the upstream
 * deadline minus the policy's margin of working days, enough for the review steps' own limits
 * (X-3, issue 15.5). A dispatcher may set an earlier deadline, never a later one than the policy's
 * or the upstream's. Co units get the policy's lead time earlier (R-6d, issue 15.4).
 */
@Injectable()
export class DeadlinePolicy {
  constructor(
    private readonly calendars: CalendarService,
    private readonly limits: TimeLimitService,
  ) {}

  async forDispatch(
    facts: Pick<TicketFacts, 'sourceCode' | 'categoryCode' | 'urgency' | 'upstreamDeadline'>,
    now: Date,
    requested: Date | undefined,
    m?: Tx,
    /** Issue 15.9: the deadline of a lead already at work, which a co unit joining it answers before. */
    leadDeadline?: Date,
    /** The reference data (and calendar revision) this request has read already (issue 19 goal 1). */
    reference?: ReferenceSnapshot,
  ): Promise<ComputedDeadline> {
    const calendar = await this.calendars.current(m, reference?.calendarRevision);
    const policy = await this.limits.policyFor(facts, m, reference);
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
      // Issue 15.5 (X-3): the margin is the policy's, and the cap also leaves the review steps'
      // own limits before the upstream deadline (deadline-rules.ts).
      const margin = policy.upstreamMarginWorkingDays;
      basis.upstreamDeadline = upstream.toISOString();
      basis.marginWorkingDays = margin;
      const cap = unitCapBeforeUpstream(calendar, now, upstream, margin, policy.review, missing);
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
    // Issue 15.4 (R-6d): co units answer before the lead: the new lead's deadline, or that of the
    // lead already at work when it is earlier and still ahead (a co unit re-routed, issue 15.9).
    const lead =
      leadDeadline && leadDeadline.getTime() > now.getTime() && leadDeadline.getTime() < deadline.getTime()
        ? leadDeadline
        : deadline;
    const coDeadline = coUnitDeadline(calendar, now, lead, policy.coLeadWorkingDays, missing);
    const co = {
      replyDeadline: coDeadline,
      acceptDeadline: acceptDeadline && acceptDeadline.getTime() > coDeadline.getTime() ? coDeadline : acceptDeadline,
      basis: {
        ...basis,
        coLeadWorkingDays: policy.coLeadWorkingDays,
        leadDeadline: lead.toISOString(),
      },
    };
    return {
      replyDeadline: deadline,
      acceptDeadline,
      basis,
      co,
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
    facts: Pick<TicketFacts, 'sourceCode' | 'categoryCode' | 'urgency'> & { upstreamDeadline?: Date | null },
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
    // Issue 15.5 (X-3) (b): a review step never ends after the upstream deadline.
    const deadline = clampToUpstream(computed?.deadline ?? null, facts.upstreamDeadline);
    const clamped = !!computed && deadline !== computed.deadline;
    return {
      deadline,
      basis: {
        source: clamped ? 'upstream_deadline' : 'policy',
        policyId: policy.id || null,
        step,
        limit: policy.review ? { ...policy.review } : null,
        ...(clamped
          ? { policyDeadline: computed.deadline.toISOString(), upstreamDeadline: deadline!.toISOString() }
          : {}),
      },
      calendarVersion: calendar.version,
      missingYears: computed?.missingYears ?? [],
    };
  }

  /** close of business of the working day a ticket received at `receivedAt` counts on. */
  async dispatchDue(
    receivedAt: Date,
    m?: Tx,
    /** calendar_revision as this request read it already (ReferenceSnapshot.calendarRevision). */
    calendarRevision?: number,
  ): Promise<{ due: Date; missingYears: number[] }> {
    const calendar = await this.calendars.current(m, calendarRevision);
    const missing = new Set<number>();
    const due = calendar.endOfWorkingDay(receivedAt, missing);
    return { due, missingYears: [...missing].sort() };
  }
}
