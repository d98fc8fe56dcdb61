import { Injectable } from '@nestjs/common';
import { IntakeRepository, KbRepository, TicketRepository, type TicketAggregate, type Tx } from '@hotline/db';
import { DomainError, type ActionName, type TicketState } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { callerView, type TicketCallerView } from './caller-view';

const OPEN = ['registered', 'in_progress', 'in_review', 'follow_up'];

/**
 * What the intake desk adds to ticket actions, called by TicketsService: a direct answer may cite
 * a knowledge-base article (X-7, counted), a merge (并单, X-6) moves the caller to the open
 * ticket, and a revoke releases the upstream reference (issue 15.2), in the same transaction as
 * the decision.
 */
@Injectable()
export class IntakeHooks {
  constructor(
    private readonly kb: KbRepository,
    private readonly intake: IntakeRepository,
    private readonly tickets: TicketRepository,
  ) {}

  /** Checks what the workflow cannot see (the article exists; the target is open and visible). */
  async prepare(action: 'merge' | 'answer_directly', body: Record<string, unknown>, agg: TicketAggregate) {
    if (action === 'answer_directly') {
      if (body.articleId !== undefined) {
        const article = await this.kb.find(String(body.articleId));
        if (!article?.active) throw new DomainError('VALIDATION', '办事指南不存在。', 'articleId');
      }
      return { ...body };
    }
    const into = String(body.into ?? '');
    if (into === agg.state.id) return { ...body };
    const target = await this.tickets.load(into, { kind: 'all' });
    if (!target) throw new DomainError('VALIDATION', '要并入的工单不存在。', 'into');
    if (!OPEN.includes(target.state.status) || (await this.intake.mergedInto(into))) {
      throw new DomainError(
        'INVALID_STATE',
        `工单 ${target.facts.number} 已不在办理中，请并入一张办理中的工单（X-6）。`,
      );
    }
    return { ...body, intoNumber: target.facts.number };
  }

  /** Inside the decision's transaction, after the state was written. */
  async afterDecision(
    m: Tx,
    action: ActionName,
    agg: TicketAggregate,
    after: TicketState,
    body: Record<string, unknown>,
    user: CurrentUser,
    now: Date,
  ): Promise<void> {
    if (after.status === 'revoked' && agg.state.status !== 'revoked') {
      // Issue 15.2 (R-9b): the matter can be registered again from the upstream system.
      await this.intake.releaseRefs(m, after.id, now);
    }
    if (action === 'answer_directly' && typeof body.articleId === 'string') {
      await this.kb.recordUse(m, body.articleId, after.id, user.userid, now);
    }
    if (action === 'merge') {
      const into = String(body.into);
      const { callerName, callerPhone, callerAddress, number } = agg.facts;
      await this.intake.addCaller(
        m,
        {
          ticketId: into,
          fromTicketId: after.id,
          name: callerName,
          phone: callerPhone,
          address: callerAddress,
          addedBy: user.userid,
        },
        now,
      );
      await this.intake.setMergedInto(m, after.id, into);
      // The open ticket's timeline records the merge too (its state does not change).
      const target = (await this.tickets.load(into, { kind: 'all' }, m))!.state;
      await this.tickets.appendTimeline(m, into, {
        action: 'merge',
        actor: user.userid,
        at: now,
        fromStatus: target.status,
        toStatus: target.status,
        fromStep: target.step,
        toStep: target.step,
        comment: typeof body.comment === 'string' ? body.comment : undefined,
        data: { mergedFrom: after.id, mergedFromNumber: number },
      });
    }
  }

  /** the additional callers of a ticket, masked (hidden on a confidential ticket for units). */
  async callers(agg: TicketAggregate, hideCaller: boolean, m?: Tx): Promise<TicketCallerView[]> {
    return (await this.intake.callers(agg.state.id, m)).map((c) => callerView(c, hideCaller));
  }

  /** records that an additional caller was told the result (R-13 for each caller). */
  async markAnswered(
    m: Tx,
    a: { ticketId: string; callerId: string; by: string; method: string; summary: string },
    now: Date,
  ): Promise<boolean> {
    return this.intake.markAnswered(m, a, now);
  }
}
