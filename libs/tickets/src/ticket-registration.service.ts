import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IdempotencyRepository, ReferenceDataRepository, TicketRepository, type Tx } from '@hotline/db';
import { DomainError, type ActionName, type Chain } from '@hotline/workflow';
import type { CurrentUser } from './auth/auth.service';
import { CLOCK, type Clock } from './clock';
import { DeadlinePolicy } from './deadline-policy';
import { scrubCallerData } from './masking';
import type { TicketView } from './ticket-view';
import { requireAccess } from './access/access';
import { TicketQueriesService } from './ticket-queries.service';
import type { ActResult } from './ticket-actions.service';

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

/**
 * Registration (登记) of a ticket: checks the source, category and dates, writes the ticket, its
 * registration event and its number in one transaction; with an Idempotency-Key, once.
 */
@Injectable()
export class TicketRegistrationService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly reference: ReferenceDataRepository,
    private readonly deadlines: DeadlinePolicy,
    private readonly queries: TicketQueriesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

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
        const read = await this.queries.get(user, ticketId, m);
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
    const { due: dispatchDueAt } = await this.deadlines.dispatchDue(now, undefined, reference.calendarRevision);
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
}

/** A checked new ticket, ready to be written (TicketRegistrationService.prepareCreate). */
export interface PreparedTicket {
  input: CreateTicketInput;
  sourceCode: string;
  chain: Chain;
  categoryCode: string;
  dispatchDueAt: Date | null;
  now: Date;
}
