import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import {
  TicketListRepository,
  TicketRepository,
  type Light,
  type LightListCursor,
  type LightParams,
  type TicketAggregate,
  type TicketListItem,
  type TicketScope,
  type Tx,
} from '@hotline/db';
import { DomainError, allowedActions, type DecideContext } from '@hotline/workflow';
import type { CurrentUser } from './auth/auth.service';
import { CLOCK, type Clock } from './clock';
import { LoopHooks } from './loop/loop-hooks';
import { IntakeHooks } from './intake/intake-hooks';
import { decodeCursor, encodeCursor, isIdPart, readTimeAndId, timePart } from './paging';
import { toTicketView, type TicketView } from './ticket-view';
import { callerRevealBasis } from './confidentiality/caller-reveal-basis';
import { caseFileView } from './loop/case-file-view';
import { can, requireScope } from './access/access';

export interface ListTicketsQuery {
  status?: string;
  source?: string;
  category?: string;
  unit?: string;
  q?: string;
  from?: Date;
  to?: Date;
  light?: Light;
  /** `created` (default): newest first; `light` (X-9): red, yellow, green by deadline, then the rest. */
  sort?: 'created' | 'light';
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The ticket as people read it: one ticket with its timeline, lights, buttons (`actions[]`) and
 * callers, and the list (newest first or in light order, X-9). Reads only; every read is scoped
 * to what the person may see (R-19: a ticket of another unit is a 404).
 */
@Injectable()
export class TicketQueriesService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly ticketList: TicketListRepository,
    private readonly loopHooks: LoopHooks,
    private readonly intakeHooks: IntakeHooks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** X-9: lights are computed in SQL against this clock value and share (never the database's now()). */
  private lightParams(): LightParams {
    return { now: this.clock.now(), yellowShare: this.config.deadlines.yellowShare };
  }

  /** X-3, X-4: the caps and the upstream deadline the workflow checks extensions against. */
  decideContext(facts: { upstreamDeadline: Date | null }): DecideContext {
    const d = this.config.deadlines;
    return {
      extensionLimits: { maxCount: d.extensionMaxCount, maxDays: d.extensionMaxDays },
      latestDeadline: facts.upstreamDeadline,
    };
  }

  async get(user: CurrentUser, id: string, m?: Tx): Promise<TicketView> {
    const scope = requireScope(user);
    const agg = await this.load(id, scope, m);
    if (!agg) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
    return this.view(user, agg, m);
  }

  async list(user: CurrentUser, q: ListTicketsQuery): Promise<Page<TicketListItem>> {
    const scope = requireScope(user);
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
    const rows = await this.ticketList.list(scope, filter, q.limit + 1, cursor, this.lightParams());
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  /**
   * X-9: the list in light order. The first page fixes the instant the lights are computed at; the
   * cursor carries it, so paging on later shows every ticket once in the order the first page used.
   */
  private async listByLight(
    scope: TicketScope,
    filter: Parameters<TicketListRepository['listByLight']>[1],
    q: ListTicketsQuery,
  ): Promise<Page<TicketListItem>> {
    const cursor = q.cursor ? decodeCursor(q.cursor, readLightCursor, '（sort=light）') : undefined;
    const params = cursor ? { ...this.lightParams(), now: cursor.asOf } : this.lightParams();
    const rows = await this.ticketList.listByLight(scope, filter, q.limit + 1, cursor?.at, params);
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

  /** The aggregate with the loop state (X-5 calls, R-16 decision) merged into the workflow state. */
  async load(id: string, scope: TicketScope, m?: Tx): Promise<TicketAggregate | null> {
    const agg = await this.tickets.load(id, scope, m);
    return agg ? this.loopHooks.merge(agg, m) : null;
  }

  private async view(user: CurrentUser, agg: TicketAggregate, m?: Tx): Promise<TicketView> {
    // 保密件 (R-19): a confidential ticket's caller is hidden from the handling units entirely.
    const hideCaller = agg.facts.confidential && !can(user, 'caller.see_confidential');
    const reads = [
      () => this.tickets.timeline(agg.state.id, m),
      () => this.tickets.unitNames(m),
      () => this.tickets.lights(agg.state.id, this.lightParams(), m),
      () => this.intakeHooks.callers(agg, hideCaller, m),
      // Issue 15.12: the case file of the unit at fault.
      () => this.loopHooks.caseFile(user, agg, m),
    ] as const;
    // Inside a transaction every read uses its connection, one after the other: a second one from
    // the pool could starve it when many actions run at once. Outside (GET /api/tickets/:id) the
    // reads are independent and go out together (issue 19: the detail's latency is its round trips).
    const [timeline, unitNames, lights, callers, caseFile] = m
      ? [await reads[0](), await reads[1](), await reads[2](), await reads[3](), await reads[4]()]
      : await Promise.all([reads[0](), reads[1](), reads[2](), reads[3](), reads[4]()]);
    const actions = allowedActions(agg.state, user, this.clock.now(), this.decideContext(agg.facts));
    const callerRevealable =
      callerRevealBasis(user, agg.state.status, agg.facts.confidential, agg.state.assignments) !== null;
    // Issue 15.10: the consolidated answer upstream (chain B).
    const upstreamAnswer = await this.intakeHooks.upstreamAnswer(agg, unitNames, m);
    return {
      ...toTicketView(agg, timeline, actions, unitNames, lights, hideCaller),
      callers,
      callerRevealable,
      upstreamAnswer,
      caseFile: caseFile && caseFileView(caseFile),
    };
  }
}

/** X-9: a light-ordered page's cursor: the instant its lights were computed at and the last sort key. */
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
