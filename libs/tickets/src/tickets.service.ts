import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  IdempotencyRepository,
  InboxRepository,
  OrganisationRepository,
  TicketRepository,
  type InboxRow,
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
  decide,
  type ActionInputs,
  type ActionName,
  type Audience,
  type Effect,
  type TicketState,
} from '@hotline/workflow';
import type { CurrentUser } from './auth/auth.service';
import { CLOCK, type Clock } from './clock';
import { DeadlinePolicy } from './deadline-policy';
import { scrubCallerData } from './masking';
import { toTicketView, type TicketView } from './ticket-view';

export interface CreateTicketInput {
  source: string;
  channel: string;
  category: string;
  subject: string;
  content: string;
  caller: { name: string; phone: string; address?: string };
  urgency?: 'normal' | 'urgent';
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

/** Who may see which tickets: dispatchers, ops head and admin all; office chain B; units theirs. */
export function scopeFor(user: CurrentUser): TicketScope | null {
  const r = user.roles;
  if (r.includes('dispatcher') || r.includes('ops_head') || r.includes('admin')) return { kind: 'all' };
  if (r.includes('office_reviewer')) return { kind: 'chain', chain: 'B' };
  if ((r.includes('receiver') || r.includes('unit_leader')) && user.unitCodes.length > 0) {
    return { kind: 'units', unitCodes: [...user.unitCodes] };
  }
  return null;
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
    private readonly inboxRepo: InboxRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly deadlines: DeadlinePolicy,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(user: CurrentUser, input: CreateTicketInput): Promise<TicketView> {
    if (!user.roles.includes('dispatcher')) {
      throw new DomainError('FORBIDDEN', 'only dispatchers register tickets');
    }
    const now = this.clock.now();
    const source = await this.org.findSource(input.source);
    if (!source || !source.active) throw new DomainError('VALIDATION', `unknown source "${input.source}"`, 'source');
    const category = await this.org.findCategory(input.category);
    if (!category || !category.active) {
      throw new DomainError('VALIDATION', `unknown category "${input.category}"`, 'category');
    }
    if (input.occurredAt && input.occurredAt.getTime() > now.getTime() + 5 * 60_000) {
      throw new DomainError('VALIDATION', 'occurredAt cannot be in the future', 'occurredAt');
    }
    const id = await this.tickets.transaction(async (m) => {
      const ticketId = await this.tickets.create(
        {
          sourceCode: source.code,
          chain: source.chain,
          channel: input.channel,
          categoryCode: category.code,
          urgency: input.urgency ?? 'normal',
          subject: input.subject.trim(),
          content: input.content.trim(),
          callerName: input.caller.name.trim(),
          callerPhone: input.caller.phone.trim(),
          callerAddress: input.caller.address?.trim() || null,
          upstreamRef: input.upstreamRef?.trim() || null,
          upstreamDeadline: input.upstreamDeadline ?? null,
          route: input.route?.trim() || null,
          direction: input.direction?.trim() || null,
          stop: input.stop?.trim() || null,
          vehiclePlate: input.vehiclePlate?.trim() || null,
          occurredAt: input.occurredAt ?? null,
          initiator: user.userid,
          receivedAt: now,
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
        data: { source: source.code, category: category.code, channel: input.channel },
      });
      return ticketId;
    });
    return this.get(user, id);
  }

  async get(user: CurrentUser, id: string, m?: Tx): Promise<TicketView> {
    const scope = this.requireScope(user);
    const agg = await this.tickets.load(id, scope, m);
    if (!agg) throw new DomainError('NOT_FOUND', 'no such ticket, or it is not visible to you');
    return this.view(user, agg, m);
  }

  async list(user: CurrentUser, q: ListTicketsQuery): Promise<Page<TicketListItem>> {
    const scope = this.requireScope(user);
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await this.tickets.list(
      scope,
      { status: q.status, source: q.source, category: q.category, unit: q.unit, q: q.q, from: q.from, to: q.to },
      q.limit + 1,
      cursor,
    );
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  async inbox(user: CurrentUser, limit: number): Promise<InboxRow[]> {
    return this.inboxRepo.inbox(user, limit);
  }

  /** One workflow action. With an Idempotency-Key a retry returns the first result (200). */
  async act(
    user: CurrentUser,
    id: string,
    action: string,
    body: ActionBody,
    idempotencyKey?: string,
  ): Promise<ActResult> {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new DomainError('NOT_FOUND', `unknown action "${action}"`);
    }
    const name = action as ActionName;
    const requestHash = createHash('sha256').update(JSON.stringify({ id, action, body })).digest('hex');
    if (idempotencyKey) {
      const stored = await this.idempotency.find(user.userid, idempotencyKey);
      if (stored) {
        if (stored.requestHash !== requestHash) {
          throw new DomainError(
            'VALIDATION',
            'this Idempotency-Key was used for a different request',
            'Idempotency-Key',
          );
        }
        return { statusCode: stored.statusCode, ticket: stored.response as TicketView, replayed: true };
      }
    }
    const scope = this.requireScope(user);
    const agg = await this.tickets.load(id, scope);
    if (!agg) throw new DomainError('NOT_FOUND', 'no such ticket, or it is not visible to you');
    const now = this.clock.now();
    const input = await this.toWorkflowInput(name, body, agg, now);
    const result = decide(agg.state, user, name, input as never, now, randomUUID);
    if (!result.ok) throw new DomainError(result.code, result.message, result.field);

    const ticket = await this.tickets.transaction(async (m) => {
      const outbox = await this.toOutbox(m, agg, result.state, result.effects, now);
      await this.tickets.saveDecision(m, name, agg.state, result.state, result.events, outbox, now);
      const view = await this.get(user, id, m);
      if (idempotencyKey) {
        const saved = await this.idempotency.save(m, user.userid, idempotencyKey, {
          requestHash,
          statusCode: 200,
          response: view,
        });
        if (!saved) throw new DomainError('CONFLICT', 'the same request is already being processed');
      }
      return view;
    });
    return { statusCode: 200, ticket, replayed: false };
  }

  private requireScope(user: CurrentUser): TicketScope {
    const scope = scopeFor(user);
    if (!scope) throw new DomainError('FORBIDDEN', 'your account has no role that can see tickets');
    return scope;
  }

  private async view(user: CurrentUser, agg: TicketAggregate, m?: Tx): Promise<TicketView> {
    // Inside a transaction every read uses its connection: a second one from the pool could
    // starve it when many actions run at once.
    const timeline = await this.tickets.timeline(agg.state.id, m);
    const unitNames = await this.tickets.unitNames(m);
    return toTicketView(agg, timeline, allowedActions(agg.state, user, this.clock.now()), unitNames);
  }

  /** Turns a JSON body into the workflow's typed input: dates, deadlines, unit checks. */
  private async toWorkflowInput(
    action: ActionName,
    body: ActionBody,
    agg: TicketAggregate,
    now: Date,
  ): Promise<unknown> {
    const date = (v: unknown) => (v === undefined || v === null ? undefined : new Date(v as string));
    switch (action) {
      case 'dispatch': {
        const raw = (body.assignments ?? []) as Array<{ unit: string; role: 'sole' | 'lead' | 'co' }>;
        const known = await this.org.existingUnitCodes(raw.map((a) => a.unit));
        const unknown = raw.find((a) => !known.has(a.unit));
        if (unknown) throw new DomainError('VALIDATION', `unknown unit "${unknown.unit}"`, 'assignments.unit');
        const requested = date(body.replyDeadline);
        const replyDeadline = this.deadlines.replyDeadline(agg.facts, now, requested);
        return {
          assignments: raw.map((a) => ({ unit: a.unit, role: a.role, replyDeadline })),
        } satisfies ActionInputs['dispatch'];
      }
      case 'submit_reply': {
        const cc = (body.callerContact ?? {}) as Record<string, unknown>;
        return {
          unit: body.unit as string | undefined,
          content: String(body.content ?? ''),
          handledAt: date(body.handledAt)!,
          handler: String(body.handler ?? ''),
          callerContact: {
            contacted: Boolean(cc.contacted),
            method: String(cc.method ?? ''),
            at: date(cc.at)!,
            summary: String(cc.summary ?? ''),
          },
          satisfaction: body.satisfaction as ActionInputs['submit_reply']['satisfaction'],
        } satisfies ActionInputs['submit_reply'];
      }
      default:
        return body;
    }
  }

  /** Resolves each effect's audience to people and writes outbox rows (no caller data, R-19). */
  private async toOutbox(
    m: Tx,
    agg: TicketAggregate,
    after: TicketState,
    effects: Effect[],
    now: Date,
  ): Promise<OutboxInsert[]> {
    const rows: OutboxInsert[] = [];
    const deadlineOf = (unit?: string) => {
      const a = after.assignments.find(
        (x) => x.unitCode === unit && x.status !== 'returned' && x.status !== 'cancelled',
      );
      return a?.replyDeadline.toISOString() ?? null;
    };
    const unitNames = await this.tickets.unitNames(m);
    const ticket = {
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
            deadline: deadlineOf(e.unitCode),
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
            dueAt: e.dueAt ? e.dueAt.toISOString() : null,
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

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error();
    return { createdAt, id };
  } catch {
    throw new DomainError('VALIDATION', 'cursor is not a value this API returned', 'cursor');
  }
}
