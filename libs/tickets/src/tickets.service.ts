import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import {
  IdempotencyRepository,
  OrganisationRepository,
  ReferenceDataRepository,
  TicketRepository,
  type DeadlineRecord,
  type Light,
  type LightListCursor,
  type LightParams,
  type OutboxInsert,
  type TicketAggregate,
  type TicketListItem,
  type TicketScope,
  type Tx,
} from '@hotline/db';
import {
  ACTIONS,
  DomainError,
  allowedActions,
  isActive,
  decide,
  type ActionInputs,
  type ActionName,
  type Audience,
  type Chain,
  type DecideContext,
  type Effect,
  type NotContactedReason,
  type Refusal,
  type TicketState,
} from '@hotline/workflow';
import { CalendarService } from './calendar/calendar.service';
import type { CurrentUser } from './auth/auth.service';
import { CLOCK, type Clock } from './clock';
import { DeadlinePolicy, type ComputedDeadline, type DeadlineBasis } from './deadline-policy';
import { LoopHooks } from './loop/loop-hooks';
import { decodeCursor, encodeCursor, isIdPart, readTimeAndId, timePart } from './paging';
import { scrubCallerData } from './masking';
import { scrubActionBody, scrubFreeText } from './confidentiality/free-text';
import { IntakeHooks } from './intake/intake-hooks';
import { toTicketView, type TicketView } from './ticket-view';
import { callerRevealBasis } from './confidentiality/caller-reveal-basis';
import { caseFileView } from './loop/case-file-view';
import { can, requireAccess, requireScope } from './access/access';

export interface CreateTicketInput {
  source: string;
  channel: string;
  category: string;
  subject: string;
  content: string;
  caller: { name: string; phone: string; address?: string };
  urgency?: 'normal' | 'urgent';
  confidential?: boolean;
  upstreamRef?: string;
  upstreamDeadline?: Date;
  route?: string;
  direction?: string;
  stop?: string;
  vehiclePlate?: string;
  occurredAt?: Date;
}

export interface ListTicketsQuery {
  status?: string;
  source?: string;
  category?: string;
  unit?: string;
  q?: string;
  from?: Date;
  to?: Date;
  light?: Light;
  /** `created` (default): newest first; `light`: red, yellow, green by deadline, then the rest. */
  sort?: 'created' | 'light';
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The raw JSON body of an action, already shape-checked by the API's DTO for that action. */
export type ActionBody = Record<string, unknown>;

export interface ActResult {
  statusCode: number;
  ticket: TicketView;
  replayed: boolean;
}

/**
 * The application layer of the ticket lifecycle: load → decide (pure workflow) → persist state,
 * timeline and outbox in one transaction (STYLE habits 1, 4, 5).
 */
@Injectable()
export class TicketsService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly org: OrganisationRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly deadlines: DeadlinePolicy,
    private readonly calendars: CalendarService,
    private readonly loopHooks: LoopHooks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly intakeHooks: IntakeHooks,
    private readonly reference: ReferenceDataRepository,
  ) {}

  /** lights are computed in SQL against this clock value and share (never the database's now()). */
  private lightParams(): LightParams {
    return { now: this.clock.now(), yellowShare: this.config.deadlines.yellowShare };
  }

  /** the caps and the upstream deadline the workflow checks extensions against. */
  private decideContext(facts: { upstreamDeadline: Date | null }): DecideContext {
    const d = this.config.deadlines;
    return {
      extensionLimits: { maxCount: d.extensionMaxCount, maxDays: d.extensionMaxDays },
      latestDeadline: facts.upstreamDeadline,
    };
  }

  /**
   * Registers a ticket. The answer is read inside the creating transaction, so nothing after the
   * commit can turn a committed registration into an error (issue 18.2).
   */
  async create(
    user: CurrentUser,
    input: CreateTicketInput,
    /** Runs in the creating transaction (an upstream reference recorded with its ticket). */
    after?: (m: Tx, ticketId: string) => Promise<void>,
  ): Promise<TicketView> {
    return (await this.register(user, input, undefined, after)).ticket;
  }

  /**
   * POST /api/tickets. With an Idempotency-Key (issue 18.2) a retry — after a lost answer, or
   * sent at the same time — gets the first registration's answer from its record (201, replayed)
   * and never registers the matter twice: the record is written in the ticket's transaction, and
   * a concurrent twin that loses the race on it rolls its ticket back and answers from the record.
   */
  async register(
    user: CurrentUser,
    input: CreateTicketInput,
    idempotencyKey?: string,
    after?: (m: Tx, ticketId: string) => Promise<void>,
  ): Promise<ActResult> {
    const requestHash = idempotencyKey
      ? createHash('sha256')
          .update(JSON.stringify({ register: input }))
          .digest('hex')
      : '';
    const replay = async (): Promise<ActResult | null> => {
      if (!idempotencyKey) return null;
      const stored = await this.idempotency.find(user.userid, idempotencyKey);
      if (!stored) return null;
      if (stored.requestHash !== requestHash) {
        throw new DomainError('VALIDATION', '该 Idempotency-Key 已用于另一个请求，请重新提交。', 'Idempotency-Key');
      }
      return { statusCode: stored.statusCode, ticket: stored.response as TicketView, replayed: true };
    };
    const earlier = await replay();
    if (earlier) return earlier;
    const prepared = await this.prepareCreate(user, input);
    let lostRace = false;
    try {
      const ticket = await this.tickets.transaction(async (m) => {
        const ticketId = await this.insertUnnumbered(m, user, prepared);
        if (after) await after(m, ticketId);
        // Issue 19 goal 1: numbered after the answer is read, so that the per-day counter row is
        // held only from here to the commit; the answer read the provisional number.
        const read = await this.get(user, ticketId, m);
        const view: TicketView = { ...read, number: await this.tickets.assignNumber(m, ticketId) };
        if (idempotencyKey) {
          const saved = await this.idempotency.save(m, user.userid, idempotencyKey, {
            requestHash,
            statusCode: 201,
            response: view,
          });
          if (!saved) {
            lostRace = true;
            throw new DomainError('CONFLICT', '同一登记请求正在处理中，请稍候刷新查看结果。');
          }
        }
        return view;
      });
      return { statusCode: 201, ticket, replayed: false };
    } catch (err) {
      // The twin with the same key committed first: this ticket is rolled back; answer with its.
      const winner = lostRace ? await replay() : null;
      if (winner) return winner;
      throw err;
    }
  }

  /** Checks a new ticket (role, source, category, dates) without writing anything. */
  async prepareCreate(user: CurrentUser, input: CreateTicketInput): Promise<PreparedTicket> {
    requireAccess(user, 'tickets.register');
    const now = this.clock.now();
    const reference = await this.reference.snapshot();
    const source = reference.sources.get(input.source);
    if (!source) throw new DomainError('VALIDATION', `未知的来源“${input.source}”。`, 'source');
    // Issue 13.3: a deactivated source or category stays on old tickets but takes no new ones.
    if (!source.active) throw new DomainError('VALIDATION', `来源“${source.name}”已停用，不能用于新登记。`, 'source');
    const category = reference.categories.get(input.category);
    if (!category) throw new DomainError('VALIDATION', `未知的事项类型“${input.category}”。`, 'category');
    if (!category.active) {
      throw new DomainError('VALIDATION', `事项类型“${category.name}”已停用，不能用于新登记。`, 'category');
    }
    if (input.occurredAt && input.occurredAt.getTime() > now.getTime() + 5 * 60_000) {
      throw new DomainError('VALIDATION', '发生时间不能晚于现在。', 'occurredAt');
    }
    // dispatched before close of business of the working day it counts on.
    const { due: dispatchDueAt } = await this.deadlines.dispatchDue(now);
    return { input, sourceCode: source.code, chain: source.chain, categoryCode: category.code, dispatchDueAt, now };
  }

  /** Writes a prepared ticket, its number and its registration event in the caller's transaction. */
  async insertPrepared(m: Tx, user: CurrentUser, p: PreparedTicket): Promise<string> {
    const ticketId = await this.insertUnnumbered(m, user, p);
    await this.tickets.assignNumber(m, ticketId);
    return ticketId;
  }

  /** As insertPrepared, with a provisional number: TicketRepository.assignNumber must follow. */
  private async insertUnnumbered(m: Tx, user: CurrentUser, p: PreparedTicket): Promise<string> {
    const { input, now } = p;
    // the caller's details live only in the (encrypted) caller fields; if the dispatcher
    // typed them into the subject or content too, those copies are masked.
    const caller = {
      name: input.caller.name.trim(),
      phone: input.caller.phone.trim(),
      address: input.caller.address?.trim() || null,
    };
    const ticketId = await this.tickets.create(
      {
        sourceCode: p.sourceCode,
        chain: p.chain,
        channel: input.channel,
        categoryCode: p.categoryCode,
        urgency: input.urgency ?? 'normal',
        subject: scrubCallerData(input.subject.trim(), caller),
        content: scrubCallerData(input.content.trim(), caller),
        callerName: caller.name,
        callerPhone: caller.phone,
        callerAddress: caller.address,
        confidential: input.confidential ?? false,
        upstreamRef: input.upstreamRef?.trim() || null,
        upstreamDeadline: input.upstreamDeadline ?? null,
        route: input.route?.trim() || null,
        direction: input.direction?.trim() || null,
        stop: input.stop?.trim() || null,
        vehiclePlate: input.vehiclePlate?.trim() || null,
        occurredAt: input.occurredAt ?? null,
        initiator: user.userid,
        receivedAt: now,
        dispatchDueAt: p.dispatchDueAt,
      },
      m,
    );
    await this.tickets.appendTimeline(m, ticketId, {
      action: 'register' as ActionName,
      actor: user.userid,
      at: now,
      fromStatus: 'registered',
      toStatus: 'registered',
      fromStep: null,
      toStep: null,
      data: { source: p.sourceCode, category: p.categoryCode, channel: input.channel },
    });
    return ticketId;
  }

  async get(user: CurrentUser, id: string, m?: Tx): Promise<TicketView> {
    const scope = this.requireScope(user);
    const agg = await this.loadTicket(id, scope, m);
    if (!agg) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
    return this.view(user, agg, m);
  }

  async list(user: CurrentUser, q: ListTicketsQuery): Promise<Page<TicketListItem>> {
    const scope = this.requireScope(user);
    const filter = {
      status: q.status,
      source: q.source,
      category: q.category,
      unit: q.unit,
      q: q.q,
      from: q.from,
      to: q.to,
      light: q.light,
    };
    if (q.sort === 'light') return this.listByLight(scope, filter, q);
    const after = q.cursor ? decodeCursor(q.cursor, readTimeAndId) : undefined;
    const cursor = after ? { createdAt: after.at, id: after.id } : undefined;
    const rows = await this.tickets.list(scope, filter, q.limit + 1, cursor, this.lightParams());
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  /**
   * the list in light order. The first page fixes the instant the lights are computed at; the
   * cursor carries it, so paging on later shows every ticket once in the order the first page used.
   */
  private async listByLight(
    scope: TicketScope,
    filter: Parameters<TicketRepository['listByLight']>[1],
    q: ListTicketsQuery,
  ): Promise<Page<TicketListItem>> {
    const cursor = q.cursor ? decodeCursor(q.cursor, readLightCursor, '（sort=light）') : undefined;
    const params = cursor ? { ...this.lightParams(), now: cursor.asOf } : this.lightParams();
    const rows = await this.tickets.listByLight(scope, filter, q.limit + 1, cursor?.at, params);
    const items = rows.slice(0, q.limit).map(({ sortKey: _key, ...item }) => item);
    const last = rows[q.limit - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeLightCursor(params.now, last.sortKey) : null,
    };
  }

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
    const scope = this.requireScope(user);
    const agg = await this.loadTicket(id, scope);
    if (!agg) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
    body = scrubActionBody(body, agg.facts); // no caller, phone or ID number in free text
    const now = this.clock.now();
    const prepared =
      (await this.loopHooks.prepare(name, body, agg, now)) ?? (await this.toWorkflowInput(name, body, agg, now, user));
    const context = this.decideContext(agg.facts);
    const result = decide(agg.state, user, name, prepared.input as never, now, randomUUID, context);
    if (!result.ok) throw await this.refusalNamingUnits(result, agg, user, name, prepared.input, now, context);
    // Allowed now, but not on what the person saw: refused, they decide again on the new state.
    // (A refusal above says the rule instead.) The compare-and-set below then holds this version
    // to the commit (STYLE habit 4).
    if (expectedVersion !== undefined && agg.state.version !== expectedVersion) {
      throw new DomainError('CONFLICT', '该工单已被他人更新，已刷新，请确认后重试。');
    }

    const ticket = await this.tickets.transaction(async (m) => {
      const step = await this.reviewStepDeadline(agg, result.state, now, m);
      const outbox = await this.toOutbox(m, agg, result.state, result.effects, now, step?.computed?.deadline ?? null);
      await this.tickets.saveDecision(m, agg.state, result.state, result.changes, result.events, outbox, now);
      await this.recordDeadlines(m, agg, result.state, prepared, now, step);
      await this.loopHooks.afterDecision(m, agg.state, result.state, now);
      await this.intakeHooks.saveAnswer(m, result.state, result.changes);
      await this.intakeHooks.afterDecision(m, name, agg, result.state, body, user, now);
      const view = await this.get(user, id, m);
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

  /** The aggregate with the loop state (X-5 calls, R-16 decision) merged into the workflow state. */
  private async loadTicket(id: string, scope: TicketScope, m?: Tx): Promise<TicketAggregate | null> {
    const agg = await this.tickets.load(id, scope, m);
    return agg ? this.loopHooks.merge(agg, m) : null;
  }

  private requireScope(user: CurrentUser): TicketScope {
    return requireScope(user);
  }

  private async view(user: CurrentUser, agg: TicketAggregate, m?: Tx): Promise<TicketView> {
    // Inside a transaction every read uses its connection: a second one from the pool could
    // starve it when many actions run at once.
    const timeline = await this.tickets.timeline(agg.state.id, m);
    const unitNames = await this.tickets.unitNames(m);
    const lights = await this.tickets.lights(agg.state.id, this.lightParams(), m);
    const actions = allowedActions(agg.state, user, this.clock.now(), this.decideContext(agg.facts));
    // 保密件: a confidential ticket's caller is hidden from the handling units entirely.
    const hideCaller = agg.facts.confidential && !can(user, 'caller.see_confidential');
    const callers = await this.intakeHooks.callers(agg, hideCaller, m);
    const callerRevealable =
      callerRevealBasis(user, agg.state.status, agg.facts.confidential, agg.state.assignments) !== null;
    // Issues 15.10, 15.12: the consolidated answer upstream (chain B) and the case file of the unit at fault.
    const upstreamAnswer = await this.intakeHooks.upstreamAnswer(agg, unitNames, m);
    const caseFile = await this.loopHooks.caseFile(user, agg, m);
    return {
      ...toTicketView(agg, timeline, actions, unitNames, lights, hideCaller),
      callers,
      callerRevealable,
      upstreamAnswer,
      caseFile: caseFile && caseFileView(caseFile),
    };
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
    const scope = this.requireScope(user);
    return this.tickets.transaction(async (m) => {
      const agg = await this.tickets.load(id, scope, m);
      if (!agg) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
      const ok = await this.intakeHooks.markAnswered(
        m,
        { ticketId: id, callerId, by: user.userid, method: a.method, summary: scrubFreeText(a.summary, agg.facts) },
        this.clock.now(),
      );
      if (!ok) throw new DomainError('NOT_FOUND', '本工单没有该来电人，或已登记过答复。');
      return this.get(user, id, m);
    });
  }

  /**
   * stores on each new or moved deadline what it was computed with and schedules its
   * reminders; a deadline that reached into a year without holiday data alerts the admin.
   */
  /**
   * when the decision starts a review step (or leaves review), the step's deadline from the
   * policy's review limit; undefined when the step does not change. Computed before the outbox
   * rows so that the step's DingTalk to-do carries it as its due time.
   */
  private async reviewStepDeadline(
    agg: TicketAggregate,
    after: TicketState,
    now: Date,
    m: Tx,
  ): Promise<
    { step: string | null; computed: Awaited<ReturnType<DeadlinePolicy['forReviewStep']>> | null } | undefined
  > {
    const stepOf = (s: TicketState) => (s.status === 'in_review' ? s.step : null);
    const step = stepOf(after);
    if (step === stepOf(agg.state)) return undefined;
    return { step, computed: step ? await this.deadlines.forReviewStep(agg.facts, step, now, m) : null };
  }

  private async recordDeadlines(
    m: Tx,
    agg: TicketAggregate,
    after: TicketState,
    prepared: PreparedInput,
    now: Date,
    review: Awaited<ReturnType<TicketsService['reviewStepDeadline']>>,
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
    if (firstSeen.length > 0) await this.alertMissingYears(m, agg, after, firstSeen, now);
  }

  /** tells the admins that a deadline was computed without that year's holidays. */
  private async alertMissingYears(m: Tx, agg: TicketAggregate, after: TicketState, years: number[], now: Date) {
    const admins = await this.org.peopleWithRole('admin', m);
    const deadline = after.assignments.map((a) => a.replyDeadline.getTime()).sort((x, y) => y - x)[0];
    await this.tickets.insertOutbox(
      m,
      [
        {
          ticketId: after.id,
          kind: 'notice',
          dedupeKey: `calendar_missing_year:${years.join(',')}`,
          payload: {
            notice: 'calendar_missing_year',
            userids: admins,
            unit: null,
            unitName: null,
            deadline: deadline ? new Date(deadline).toISOString() : null,
            at: now.toISOString(),
            years,
            ticket: this.outboxTicket(agg, after),
          },
        },
      ],
      now,
    );
  }

  /** Turns a JSON body into the workflow's typed input: dates, deadlines, unit checks. */
  private async toWorkflowInput(
    action: ActionName,
    body: ActionBody,
    agg: TicketAggregate,
    now: Date,
    user: CurrentUser,
  ): Promise<PreparedInput> {
    const date = (v: unknown) => (v === undefined || v === null ? undefined : new Date(v as string));
    switch (action) {
      case 'dispatch': {
        const raw = (body.assignments ?? []) as Array<{ unit: string; role: 'sole' | 'lead' | 'co' }>;
        const { units } = await this.reference.snapshot();
        const unknown = raw.find((a) => !units.get(a.unit)?.active);
        if (unknown) throw new DomainError('VALIDATION', `未知的承办单位“${unknown.unit}”。`, 'assignments.unit');
        const computed = await this.deadlines.forDispatch(agg.facts, now, date(body.replyDeadline));
        return {
          input: {
            // Issue 15.4 (R-6d): co units answer before the lead, so they get the earlier deadline.
            assignments: raw.map((a) => ({
              unit: a.unit,
              role: a.role,
              replyDeadline: a.role === 'co' ? computed.co.replyDeadline : computed.replyDeadline,
            })),
          } satisfies ActionInputs['dispatch'],
          dispatch: computed,
        };
      }
      case 'reroute': {
        // Issue 15.9 (改派): the new unit gets a fresh deadline by the dispatch rules, in the role of
        // the assignment it replaces (a co unit's before the lead's, issue 15.4). Without a
        // clear target the workflow refuses (which unit, or nothing to re-route).
        const newUnit = typeof body.newUnit === 'string' ? body.newUnit : '';
        if (newUnit && !(await this.reference.snapshot()).units.get(newUnit)?.active) {
          throw new DomainError('VALIDATION', `未知的承办单位“${newUnit}”。`, 'newUnit');
        }
        const active = agg.state.assignments.filter(isActive);
        const open = active.filter((a) => a.status !== 'replied');
        const target =
          typeof body.unit === 'string'
            ? active.find((a) => a.unitCode === body.unit)
            : open.length === 1
              ? open[0]
              : undefined;
        if (!target) return { input: body };
        const lead = active.find((a) => a.role === 'lead' && a !== target);
        const computed = await this.deadlines.forDispatch(
          agg.facts,
          now,
          date(body.replyDeadline),
          undefined,
          lead?.replyDeadline,
        );
        return {
          input: {
            unit: target.unitCode,
            newUnit,
            reason: String(body.reason ?? ''),
            replyDeadline: target.role === 'co' ? computed.co.replyDeadline : computed.replyDeadline,
          } satisfies ActionInputs['reroute'],
          dispatch: computed,
        };
      }
      case 'request_extension': {
        // the new deadline is computed here, on the calendar, from the acting unit's deadline.
        const days = body.days as number;
        const units = typeof body.unit === 'string' ? [body.unit] : user.unitCodes;
        const own = agg.state.assignments.filter((a) => units.includes(a.unitCode) && isActive(a));
        if (own.length !== 1 || !Number.isInteger(days) || days < 1) return { input: body };
        const extended = await this.deadlines.extended(own[0].replyDeadline, days);
        return {
          input: { ...body, days, reason: String(body.reason ?? ''), newDeadline: extended.deadline },
          extension: extended,
        };
      }
      case 'submit_reply': {
        const cc = (body.callerContact ?? {}) as Record<string, unknown>;
        const reply = {
          unit: body.unit as string | undefined,
          content: String(body.content ?? ''),
          handledAt: date(body.handledAt)!,
          handler: String(body.handler ?? ''),
          callerContact: {
            // passed as sent, so the workflow refuses a `contacted` that is not a boolean.
            contacted: cc.contacted as boolean,
            method: String(cc.method ?? ''),
            at: date(cc.at)!,
            summary: String(cc.summary ?? ''),
            ...(cc.notContactedReason === undefined
              ? {}
              : { notContactedReason: cc.notContactedReason as NotContactedReason }),
          },
          satisfaction: body.satisfaction as ActionInputs['submit_reply']['satisfaction'],
        } satisfies ActionInputs['submit_reply'];
        return { input: reply };
      }
      case 'flag_untrue_reply':
        // Issue 15.7: the new reply deadline the ops department set for the corrected reply.
        return { input: { ...body, replyDeadline: date(body.replyDeadline) }, untrueReply: true };
      case 'merge':
      case 'answer_directly':
        // the merge target and a cited article are checked by the intake desk.
        return { input: await this.intakeHooks.prepare(action, body, agg) };
      default:
        return { input: body };
    }
  }

  private outboxTicket(agg: TicketAggregate, after: TicketState) {
    return {
      id: after.id,
      number: agg.facts.number,
      category: agg.facts.categoryCode,
      categoryName: agg.facts.categoryName,
      // nothing of the caller leaves for DingTalk, even inside a subject.
      subject: scrubCallerData(agg.facts.subject, {
        name: agg.facts.callerName,
        phone: agg.facts.callerPhone,
        address: agg.facts.callerAddress,
      }),
      status: after.status,
      step: after.step,
    };
  }

  /** Resolves each effect's audience to people and writes outbox rows (no caller data, R-19). */
  private async toOutbox(
    m: Tx,
    agg: TicketAggregate,
    after: TicketState,
    effects: Effect[],
    now: Date,
    /** the review step's deadline when this decision starts one (its to-do's due time). */
    stepDeadline: Date | null,
  ): Promise<OutboxInsert[]> {
    const rows: OutboxInsert[] = [];
    const deadlineOf = (unit?: string) => {
      const a = after.assignments.find((x) => x.unitCode === unit && isActive(x));
      return a?.replyDeadline.toISOString() ?? null;
    };
    const unitNames = await this.tickets.unitNames(m);
    const ticket = this.outboxTicket(agg, after);
    for (const [i, e] of effects.entries()) {
      if (e.kind === 'todo_done') {
        rows.push({
          ticketId: after.id,
          kind: 'todo_done',
          dedupeKey: `todo_done:${e.key}:v${after.version}`,
          payload: { key: e.key, ticket },
        });
        continue;
      }
      const userids = await this.resolveAudience(m, e.to);
      if (e.kind === 'notice') {
        rows.push({
          ticketId: after.id,
          kind: 'notice',
          dedupeKey: `notice:${after.id}:v${after.version}:${i}`,
          payload: {
            notice: e.notice,
            userids,
            unit: e.unitCode ?? null,
            unitName: e.unitCode ? (unitNames.get(e.unitCode) ?? e.unitCode) : null,
            // Issue 15.12: a case-analysis request has no reply deadline to show.
            deadline: e.notice === 'case_file_requested' ? null : deadlineOf(e.unitCode),
            // The event's time makes each notice's content its own (DingTalk drops a repeat of
            // identical content to one person on one day), while a re-sent row stays identical.
            at: now.toISOString(),
            ticket,
          },
        });
      } else {
        rows.push({
          ticketId: after.id,
          kind: 'todo_open',
          dedupeKey: `todo_open:${e.key}:v${after.version}`,
          payload: {
            key: e.key,
            action: e.action,
            userids,
            unit: e.unitCode ?? null,
            // Assignment to-dos carry their deadline; a review step's to-do, the step's.
            dueAt: (e.dueAt ?? (after.status === 'in_review' ? stepDeadline : null))?.toISOString() ?? null,
            ticket,
          },
        });
      }
    }
    return rows;
  }

  private async resolveAudience(m: Tx, to: Audience): Promise<string[]> {
    switch (to.kind) {
      case 'unit_receivers':
        return this.org.peopleOfUnit(to.unitCode, 'receiver', m);
      case 'unit_leaders':
        return this.org.peopleOfUnit(to.unitCode, 'unit_leader', m);
      case 'person':
        return [to.userid];
      case 'role':
        return this.org.peopleWithRole(to.role, m);
    }
  }
}

/** A checked new ticket, ready to be written (TicketsService.prepareCreate). */
export interface PreparedTicket {
  input: CreateTicketInput;
  sourceCode: string;
  chain: Chain;
  categoryCode: string;
  dispatchDueAt: Date | null;
  now: Date;
}

/** The workflow input, with what the application computed for it (kept for the write). */
interface PreparedInput {
  input: unknown;
  dispatch?: ComputedDeadline;
  extension?: { deadline: Date; calendarVersion: string; missingYears: number[] };
  /** the new deadline of a unit re-opened by a follow-up call. */
  rework?: ComputedDeadline;
  /** Issue 15.7: the deadline of a reply found untrue, set by the ops department. */
  untrueReply?: boolean;
}

/** a light-ordered page's cursor: the instant its lights were computed at and the last sort key. */
function encodeLightCursor(asOf: Date, k: LightListCursor): string {
  return encodeCursor([
    'L',
    asOf.toISOString(),
    k.phase,
    k.rank,
    k.deadline?.toISOString() ?? null,
    k.createdAt.toISOString(),
    k.id,
  ]);
}

function readLightCursor(parts: unknown[]): { asOf: Date; at: LightListCursor } | null {
  const [tag, asOf, phase, rank, deadline, createdAt, id] = parts;
  const [asOfAt, createdAtAt] = [timePart(asOf), timePart(createdAt)];
  const deadlineAt = deadline === null ? null : timePart(deadline);
  if (
    tag !== 'L' ||
    (phase !== 'open' && phase !== 'rest') ||
    typeof rank !== 'number' ||
    ![0, 1, 2, 3].includes(rank) ||
    (phase === 'open') !== (deadline !== null) ||
    !asOfAt ||
    !createdAtAt ||
    (deadline !== null && !deadlineAt) ||
    !isIdPart(id)
  ) {
    return null;
  }
  return { asOf: asOfAt, at: { phase, rank, deadline: deadlineAt, createdAt: createdAtAt, id } };
}
