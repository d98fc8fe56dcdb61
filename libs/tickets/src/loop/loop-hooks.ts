import { Injectable } from '@nestjs/common';
import { LoopRepository, type CaseFileRow, type TicketAggregate, type Tx } from '@hotline/db';
import type { ActionName, TicketState } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { can } from '../access/access';
import { CalendarService } from '../calendar/calendar.service';
import { DeadlinePolicy, type ComputedDeadline } from '../deadline-policy';

/**
 * Issue 7's part of an action (X-5, R-16), kept apart from the ticket services: the loop state merged
 * into the workflow state, the rework deadline of a follow-up call computed on the calendar, and
 * the visit / at-fault rows and the call's due time written in the action's transaction.
 */
@Injectable()
export class LoopHooks {
  constructor(
    private readonly loop: LoopRepository,
    private readonly deadlines: DeadlinePolicy,
    private readonly calendars: CalendarService,
  ) {}

  /** Adds the visit round, the at-fault decision and whether a caller phone is on record. */
  async merge(agg: TicketAggregate, m?: Tx): Promise<TicketAggregate> {
    const s = agg.loop ?? (await this.loop.state(agg.state.id, m));
    agg.state.visit = s.visit;
    if (s.responsibility) agg.state.responsibility = s.responsibility;
    agg.state.callerReachable = Boolean(agg.facts.callerPhone && agg.facts.callerPhone.trim());
    return agg;
  }

  /** a call that re-opens the ticket gets a fresh reply deadline from the time-limit policy. */
  async prepare(
    action: ActionName,
    body: Record<string, unknown>,
    agg: TicketAggregate,
    now: Date,
  ): Promise<{ input: Record<string, unknown>; rework?: ComputedDeadline } | null> {
    if (action !== 'record_visit' || typeof body.unitAtFault !== 'string') return null;
    const rework = await this.deadlines.forDispatch(agg.facts, now, undefined);
    return { input: { ...body, reworkDeadline: rework.replyDeadline }, rework };
  }

  /** When the ticket has just closed, its call is due the next working day (the loop rows are typed changes, issue 14.1). */
  async afterDecision(m: Tx, before: TicketState, after: TicketState, now: Date): Promise<void> {
    if (after.status === 'closed' && before.status !== 'closed') {
      // a merged matter's caller is called back with the ticket it joined, not here.
      const due = after.callerReachable && !after.mergedInto;
      await this.loop.setVisitDue(m, after.id, due ? await this.visitDue(now, m) : null);
    }
  }

  /**
   * Issue 15.12: the ticket's case file (pending or written) for the detail, shown to
   * the ops department, the office, the admin and the people of the unit at fault only.
   */
  async caseFile(user: CurrentUser, agg: TicketAggregate, m?: Tx): Promise<CaseFileRow | null> {
    const r = agg.state.responsibility;
    if (!r?.atFault || !r.unitCode) return null;
    if (!can(user, 'case_files.view_all') && !user.unitCodes.includes(r.unitCode)) return null;
    const rows = await this.loop.caseFiles({ ticketId: agg.state.id, status: 'all' }, 1, undefined, m);
    return rows[0] ?? null;
  }

  /** the start of the next working day after the one the ticket closed on. */
  private async visitDue(closedAt: Date, m: Tx): Promise<Date> {
    const calendar = await this.calendars.current(m);
    // Just after close of business, so the next working period is the next working day.
    return calendar.startOfNextWorkingPeriod(new Date(calendar.endOfWorkingDay(closedAt).getTime() + 1));
  }
}
