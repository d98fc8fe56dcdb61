import { Injectable } from '@nestjs/common';
import {
  IntakeRepository,
  KbRepository,
  TicketRepository,
  UpstreamAnswerRepository,
  type TicketAggregate,
  type Tx,
} from '@hotline/db';
import {
  DomainError,
  composeUpstreamAnswer,
  upstreamAnswerOf,
  type ActionName,
  type Change,
  type TicketState,
} from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { callerView, type TicketCallerView } from './caller-view';

const OPEN = ['registered', 'in_progress', 'in_review', 'follow_up'];

/**
 * What the intake desk adds to ticket actions, called by the ticket services: a direct answer may cite
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
    private readonly answers: UpstreamAnswerRepository,
  ) {}

  /**
   * Issue 15.10 (Art. 4): persists the office's edit of the consolidated answer and the text
   * report_upstream reported (the edit, or the composition of the approved replies named by unit).
   */
  async saveAnswer(m: Tx, after: TicketState, changes: readonly Change[]): Promise<void> {
    if (!changes.some((c) => c.kind === 'upstream_answer.edited' || c.kind === 'upstream_answer.reported')) return;
    const names = Object.fromEntries(await this.tickets.unitNames(m));
    await this.answers.apply(m, after.id, changes, upstreamAnswerOf(after, names) || null);
  }

  /**
   * Issue 15.10: the consolidated answer for the ticket page: composed from the state, the office's
   * edit (until a send-back withdraws it) and what was reported. Chain B only (the upstream report).
   */
  async upstreamAnswer(
    agg: TicketAggregate,
    unitNames: Map<string, string>,
    m?: Tx,
  ): Promise<UpstreamAnswerView | null> {
    if (agg.state.chain !== 'B') return null;
    const composed = composeUpstreamAnswer(agg.state, Object.fromEntries(unitNames));
    const row = await this.answers.find(agg.state.id, m);
    if (!composed && !row) return null;
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      composed,
      edited: agg.state.upstreamAnswer ?? null,
      editedBy: agg.state.upstreamAnswer !== undefined ? (row?.editedBy ?? null) : null,
      editedAt: agg.state.upstreamAnswer !== undefined ? iso(row?.editedAt ?? null) : null,
      answer: agg.state.upstreamAnswer ?? composed,
      reported: row?.reportedAnswer
        ? {
            answer: row.reportedAnswer,
            edited: row.reportedEdited === true,
            by: row.reportedBy!,
            at: row.reportedAt!.toISOString(),
          }
        : null,
    };
  }

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

/** Issue 15.10: the consolidated answer upstream, as the ticket page shows it. */
export interface UpstreamAnswerView {
  /** Composed now from the approved replies (lead, then co units) or the direct answer. */
  composed: string;
  /** The office reviewer's edited text, if any (until a send-back withdraws it). */
  edited: string | null;
  editedBy: string | null;
  editedAt: string | null;
  /** What report_upstream reports: the edit, else the composition. */
  answer: string;
  /** What was reported, once it was. */
  reported: { answer: string; edited: boolean; by: string; at: string } | null;
}
