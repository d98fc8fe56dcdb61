import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IdempotencyRepository, TicketRepository, type TicketAggregate } from '@hotline/db';
import { ACTIONS, DomainError, decide, type ActionName, type DecideContext, type Refusal } from '@hotline/workflow';
import type { CurrentUser } from './auth/auth.service';
import { CLOCK, type Clock } from './clock';
import { LoopHooks } from './loop/loop-hooks';
import { scrubActionBody, scrubFreeText } from './confidentiality/free-text';
import { IntakeHooks } from './intake/intake-hooks';
import type { TicketView } from './ticket-view';
import { requireAccess, requireScope } from './access/access';
import { ActionInputService, type ActionBody } from './action-input.service';
import { DecisionDeadlinesService } from './deadlines/decision-deadlines.service';
import { OutboxComposer } from './outbox/outbox-composer';
import { TicketQueriesService } from './ticket-queries.service';

export interface ActResult {
  statusCode: number;
  ticket: TicketView;
  replayed: boolean;
}

/**
 * The ticket's workflow actions: load → decide (pure workflow) → persist state, timeline, deadlines
 * and outbox in one transaction (STYLE habits 1, 4, 5).
 */
@Injectable()
export class TicketActionsService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly queries: TicketQueriesService,
    private readonly inputs: ActionInputService,
    private readonly deadlines: DecisionDeadlinesService,
    private readonly outbox: OutboxComposer,
    private readonly loopHooks: LoopHooks,
    private readonly intakeHooks: IntakeHooks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * One workflow action. With an Idempotency-Key a retry returns the first result (200). With
   * `expectedVersion` (the version the person saw, issue 18.3) an action on a ticket that changed
   * since is refused (409), even when it would still be legal: two dispatchers sending a new
   * ticket to different units must not both succeed, the second as an unseen "add a unit".
   */
  async act(
    user: CurrentUser,
    id: string,
    action: string,
    body: ActionBody,
    idempotencyKey?: string,
    expectedVersion?: number,
  ): Promise<ActResult> {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new DomainError('NOT_FOUND', `未知的操作“${action}”。`);
    }
    const name = action as ActionName;
    const requestHash = createHash('sha256').update(JSON.stringify({ id, action, body })).digest('hex');
    if (idempotencyKey) {
      const stored = await this.idempotency.find(user.userid, idempotencyKey);
      if (stored) {
        if (stored.requestHash !== requestHash) {
          throw new DomainError('VALIDATION', '该 Idempotency-Key 已用于另一个请求，请重新提交。', 'Idempotency-Key');
        }
        return { statusCode: stored.statusCode, ticket: stored.response as TicketView, replayed: true };
      }
    }
    const scope = requireScope(user);
    const agg = await this.queries.load(id, scope);
    if (!agg) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
    body = scrubActionBody(body, agg.facts); // no caller, phone or ID number in free text
    const now = this.clock.now();
    const prepared = await this.inputs.prepare(name, body, agg, now, user);
    const context = this.queries.decideContext(agg.facts);
    const result = decide(agg.state, user, name, prepared.input as never, now, randomUUID, context);
    if (!result.ok) throw await this.refusalNamingUnits(result, agg, user, name, prepared.input, now, context);
    // Allowed now, but not on what the person saw: refused, they decide again on the new state.
    // (A refusal above says the rule instead.) The compare-and-set below then holds this version
    // to the commit (STYLE habit 4).
    if (expectedVersion !== undefined && agg.state.version !== expectedVersion) {
      throw new DomainError('CONFLICT', '该工单已被他人更新，已刷新，请确认后重试。');
    }

    const ticket = await this.tickets.transaction(async (m) => {
      const step = await this.deadlines.reviewStep(agg, result.state, now, m);
      const outbox = await this.outbox.forDecision(
        m,
        agg,
        result.state,
        result.effects,
        now,
        step?.computed?.deadline ?? null,
      );
      await this.tickets.saveDecision(m, agg.state, result.state, result.changes, result.events, outbox, now);
      await this.deadlines.record(m, agg, result.state, prepared, now, step);
      await this.loopHooks.afterDecision(m, agg.state, result.state, now);
      await this.intakeHooks.saveAnswer(m, result.state, result.changes);
      await this.intakeHooks.afterDecision(m, name, agg, result.state, body, user, now);
      const view = await this.queries.get(user, id, m);
      if (idempotencyKey) {
        const saved = await this.idempotency.save(m, user.userid, idempotencyKey, {
          requestHash,
          statusCode: 200,
          response: view,
        });
        if (!saved) throw new DomainError('CONFLICT', '同一请求正在处理中，请稍候刷新查看结果。');
      }
      return view;
    });
    return { statusCode: 200, ticket, replayed: false };
  }

  /**
   * A refusal worded with the units' names instead of their codes: decide() is pure, so asking it
   * again with the names gives the same refusal; the names are read only on this rare path.
   */
  private async refusalNamingUnits(
    refusal: Refusal,
    agg: TicketAggregate,
    user: CurrentUser,
    action: ActionName,
    input: unknown,
    now: Date,
    context: DecideContext,
  ): Promise<DomainError> {
    const unitNames = Object.fromEntries(await this.tickets.unitNames());
    const again = decide(agg.state, user, action, input as never, now, randomUUID, { ...context, unitNames });
    return DomainError.fromRefusal(again.ok ? refusal : again);
  }

  /**
   * an additional caller (joined by a merge) was told the result. Each caller is
   * answered on their own; the open ones are listed by GET /api/intake/callers-to-answer.
   */
  async answerCaller(
    user: CurrentUser,
    id: string,
    callerId: string,
    a: { method: string; summary: string },
  ): Promise<TicketView> {
    requireAccess(user, 'callers.answer');
    const scope = requireScope(user);
    return this.tickets.transaction(async (m) => {
      const agg = await this.tickets.load(id, scope, m);
      if (!agg) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
      const ok = await this.intakeHooks.markAnswered(
        m,
        { ticketId: id, callerId, by: user.userid, method: a.method, summary: scrubFreeText(a.summary, agg.facts) },
        this.clock.now(),
      );
      if (!ok) throw new DomainError('NOT_FOUND', '本工单没有该来电人，或已登记过答复。');
      return this.queries.get(user, id, m);
    });
  }
}
