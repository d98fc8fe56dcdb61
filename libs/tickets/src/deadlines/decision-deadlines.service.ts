import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { TicketRepository, type DeadlineRecord, type TicketAggregate, type Tx } from '@hotline/db';
import type { TicketState } from '@hotline/workflow';
import { CalendarService } from '../calendar/calendar.service';
import { DeadlinePolicy, type DeadlineBasis } from '../deadline-policy';
import type { PreparedInput } from '../action-input.service';
import { OutboxComposer } from '../outbox/outbox-composer';

/** the review step a decision starts (null: it leaves review) with its deadline; undefined: no change. */
export type ReviewStepChange =
  { step: string | null; computed: Awaited<ReturnType<DeadlinePolicy['forReviewStep']>> | null } | undefined;

/**
 * The deadlines a decision sets: a review step's deadline, and on each new
 * or moved assignment deadline what it was computed with, recorded in the decision's transaction.
 */
@Injectable()
export class DecisionDeadlinesService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly deadlines: DeadlinePolicy,
    private readonly calendars: CalendarService,
    private readonly outbox: OutboxComposer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * when the decision starts a review step (or leaves review), the step's deadline from the
   * policy's review limit; undefined when the step does not change. Computed before the outbox
   * rows so that the step's DingTalk to-do carries it as its due time.
   */
  async reviewStep(agg: TicketAggregate, after: TicketState, now: Date, m: Tx): Promise<ReviewStepChange> {
    const stepOf = (s: TicketState) => (s.status === 'in_review' ? s.step : null);
    const step = stepOf(after);
    if (step === stepOf(agg.state)) return undefined;
    return { step, computed: step ? await this.deadlines.forReviewStep(agg.facts, step, now, m) : null };
  }

  /**
   * stores on each new or moved deadline what it was computed with and schedules its
   * reminders; a deadline that reached into a year without holiday data alerts the admin.
   */
  async record(
    m: Tx,
    agg: TicketAggregate,
    after: TicketState,
    prepared: PreparedInput,
    now: Date,
    review: ReviewStepChange,
  ): Promise<void> {
    const records: DeadlineRecord[] = [];
    const before = new Map(agg.state.assignments.map((a) => [a.id, a]));
    for (const a of after.assignments) {
      const b = before.get(a.id);
      if (!b && prepared.dispatch) {
        const given = a.role === 'co' ? prepared.dispatch.co : prepared.dispatch;
        records.push({
          assignmentId: a.id,
          basis: { ...given.basis },
          calendarVersion: prepared.dispatch.calendarVersion,
          acceptDeadline: given.acceptDeadline,
        });
      } else if (b && b.replyDeadline.getTime() !== a.replyDeadline.getTime() && prepared.rework) {
        // re-opened after an unsatisfied follow-up call: a fresh deadline from the policy.
        records.push({
          assignmentId: a.id,
          basis: { ...prepared.rework.basis, source: 'visit_rework', previousDeadline: b.replyDeadline.toISOString() },
          calendarVersion: prepared.rework.calendarVersion,
          acceptDeadline: null,
        });
      } else if (b && b.replyDeadline.getTime() !== a.replyDeadline.getTime() && prepared.untrueReply) {
        // Issue 15.7 (Art. 10): re-opened for a corrected reply, by the deadline the ops department set.
        const old = agg.deadlines.get(a.id)?.basis as DeadlineBasis | null | undefined;
        records.push({
          assignmentId: a.id,
          basis: { ...(old ?? {}), source: 'untrue_reply', previousDeadline: b.replyDeadline.toISOString() },
          calendarVersion: (await this.calendars.current(m)).version,
          acceptDeadline: null,
        });
      } else if (b && b.replyDeadline.getTime() !== a.replyDeadline.getTime()) {
        const old = agg.deadlines.get(a.id)?.basis as DeadlineBasis | null | undefined;
        const extension = prepared.extension;
        records.push({
          assignmentId: a.id,
          basis: {
            ...(old ?? {}),
            source: 'extension',
            previousDeadline: b.replyDeadline.toISOString(),
            days: b.extensionRequest?.days,
          },
          calendarVersion: extension?.calendarVersion ?? (await this.calendars.current(m)).version,
          acceptDeadline: null,
        });
      }
    }
    await this.tickets.recordDeadlines(m, records, this.config.deadlines.yellowShare);
    const missing = [...(prepared.dispatch?.missingYears ?? []), ...(prepared.extension?.missingYears ?? [])];
    // a review step that begins gets its deadline from the review limit (X-2: with the
    // calendar version); leaving review clears it. Its reminder is the deadline jobs' (X-9).
    if (review) {
      const { computed } = review;
      await this.tickets.recordStepDeadline(
        m,
        after.id,
        computed
          ? {
              startedAt: now,
              deadline: computed.deadline,
              basis: computed.basis,
              calendarVersion: computed.calendarVersion,
            }
          : null,
      );
      missing.push(...(computed?.missingYears ?? []));
    }
    const firstSeen = await this.calendars.recordMissingYears(m, [...new Set(missing)], after.id);
    // the admins are told that a deadline was computed without that year's holidays.
    if (firstSeen.length > 0) {
      await this.tickets.insertOutbox(m, [await this.outbox.calendarMissingYear(m, agg, after, firstSeen, now)], now);
    }
  }
}
