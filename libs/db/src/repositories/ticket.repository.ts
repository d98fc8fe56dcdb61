import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  DomainError,
  type AssignmentState,
  type Chain,
  type Change,
  type TicketState,
  type TimelineEvent,
} from '@hotline/workflow';
import { CallerCipher } from '../crypto/caller-cipher';
import { LOOP_CASE_FILE_WRITTEN_SQL, loopStateFromRow, type LoopState } from './loop.repository';
import { writeChanges } from './decision-writer';
import { exec, toDate } from './sql';

/** The ticket's own facts, beside its workflow state. */
export interface TicketFacts {
  number: string;
  /** 保密件 (R-19): the caller is hidden from the handling units. */
  confidential: boolean;
  sourceCode: string;
  sourceName: string;
  channel: string;
  categoryCode: string;
  categoryName: string;
  urgency: 'normal' | 'urgent';
  subject: string;
  content: string;
  callerName: string | null;
  callerPhone: string | null;
  callerAddress: string | null;
  upstreamRef: string | null;
  upstreamDeadline: Date | null;
  route: string | null;
  direction: string | null;
  stop: string | null;
  vehiclePlate: string | null;
  occurredAt: Date | null;
  receivedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** R-17: close of business of the working day the ticket counts on. */
  dispatchDueAt: Date | null;
  /** X-1: when the current review step began and its deadline from the review limit (null: none). */
  stepStartedAt: Date | null;
  stepDeadline: Date | null;
}

/** X-2: what an assignment's deadline was computed with, and its deadline history. */
export interface AssignmentDeadlineFacts {
  acceptDeadline: Date | null;
  basis: Record<string, unknown> | null;
  calendarVersion: string | null;
  overdueAt: Date | null;
}

export interface TicketAggregate {
  state: TicketState;
  facts: TicketFacts;
  /** Per assignment id. */
  deadlines: Map<string, AssignmentDeadlineFacts>;
  /** X-5, R-16: the loop state, read with the ticket (LoopHooks.merge puts it into `state`). */
  loop?: LoopState;
}

/** X-9: traffic light of an open item. */
export type Light = 'green' | 'yellow' | 'red';

/** The deadline written on a new or extended assignment (X-2: with what it was computed). */
export interface DeadlineRecord {
  assignmentId: string;
  basis: Record<string, unknown>;
  calendarVersion: string;
  acceptDeadline: Date | null;
}

/** X-1, X-2: the deadline of a review step, from the policy's review limit. */
export interface StepDeadlineRecord {
  startedAt: Date;
  deadline: Date | null;
  basis: Record<string, unknown>;
  calendarVersion: string;
}

export interface NewTicket {
  confidential: boolean;
  sourceCode: string;
  chain: Chain;
  channel: string;
  categoryCode: string;
  urgency: 'normal' | 'urgent';
  subject: string;
  content: string;
  callerName: string | null;
  callerPhone: string | null;
  callerAddress: string | null;
  upstreamRef: string | null;
  upstreamDeadline: Date | null;
  route: string | null;
  direction: string | null;
  stop: string | null;
  vehiclePlate: string | null;
  occurredAt: Date | null;
  initiator: string;
  receivedAt: Date;
  dispatchDueAt: Date | null;
}

export interface OutboxInsert {
  ticketId: string | null;
  kind: 'notice' | 'todo_open' | 'todo_done';
  dedupeKey: string;
  payload: Record<string, unknown>;
}

export interface TimelineRow {
  action: string;
  actor: { userid: string; name: string };
  at: Date;
  comment: string | null;
  unit: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  fromStep: string | null;
  toStep: string | null;
  data: Record<string, unknown> | null;
}

export interface ReplyHistoryRow {
  assignmentId: string;
  status: string;
  content: string;
  handler: string;
  submittedBy: string;
  submittedAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
}

/** What the person may see (R-19); applied in every ticket query. */
export type TicketScope = { kind: 'all' } | { kind: 'chain'; chain: Chain } | { kind: 'units'; unitCodes: string[] };

export interface TicketListFilter {
  status?: string;
  source?: string;
  category?: string;
  unit?: string;
  q?: string;
  from?: Date;
  to?: Date;
  /** X-9: the ticket's worst light among its open assignments. */
  light?: Light;
}

/** X-9: the clock value and the yellow share the lights are computed with. */
export interface LightParams {
  now: Date;
  yellowShare: number;
}

export interface TicketListCursor {
  createdAt: Date;
  id: string;
}

/**
 * X-9: where a light-ordered listing stopped. Phase `open`: among tickets with open assignments,
 * by (rank DESC, deadline ASC, id ASC); phase `rest`: the others, newest first (created_at, id).
 */
export interface LightListCursor {
  phase: 'open' | 'rest';
  /** 3 red, 2 yellow, 1 green; 0 in phase `rest`. */
  rank: number;
  /** The earliest open reply deadline; null in phase `rest`. */
  deadline: Date | null;
  createdAt: Date;
  id: string;
}

export interface TicketListItem {
  id: string;
  number: string;
  subject: string;
  status: string;
  step: string | null;
  sourceCode: string;
  categoryCode: string;
  urgency: string;
  createdAt: Date;
  replyDeadline: Date | null;
  /** X-9: worst light among the open assignments; null when nothing is open. */
  light: Light | null;
  units: Array<{ code: string; role: string; status: string; light: Light | null }>;
}

/** Assignments whose deadline runs (X-9): the same list as the partial indexes. */
export const OPEN_ASSIGNMENT_STATUSES = `('pending_accept', 'accepted', 'awaiting_leader', 'return_requested')`;

/**
 * X-9: the light of an assignment row `a` in SQL, from dispatched_at, reply_deadline and the clock
 * value (parameter $now), never now(): red past the deadline, yellow when more than the share
 * (parameter $share) of the time is used, else green; NULL when the assignment is not open.
 */
export function lightSql(a: string, now: string, share: string): string {
  return `CASE WHEN ${a}.status IN ${OPEN_ASSIGNMENT_STATUSES} THEN
            CASE WHEN ${a}.reply_deadline <= ${now}::timestamptz THEN 'red'
                 WHEN ${a}.dispatched_at + (${a}.reply_deadline - ${a}.dispatched_at) * ${share}::float8 <= ${now}::timestamptz
                   THEN 'yellow'
                 ELSE 'green' END
          END`;
}

export function scopeSql(scope: TicketScope, params: unknown[], alias = 't'): string {
  if (scope.kind === 'all') return 'true';
  if (scope.kind === 'chain') {
    params.push(scope.chain);
    return `${alias}.chain = $${params.length}`;
  }
  params.push(scope.unitCodes);
  return `EXISTS (SELECT 1 FROM assignments sa WHERE sa.ticket_id = ${alias}.id AND sa.unit_code = ANY($${params.length}))`;
}

@Injectable()
export class TicketRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: CallerCipher,
  ) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    // READ COMMITTED: the connection's default (data-source.ts), without a SET TRANSACTION trip.
    return this.ds.transaction(work);
  }

  /**
   * Writes a new ticket with a provisional number; `assignNumber` in the same transaction gives it
   * its real one. Registration numbers last: the per-day counter row is locked from its increment
   * to the commit, so every statement between the two would serialise all registrations.
   */
  async create(t: NewTicket, m: EntityManager): Promise<string> {
    const number = `pending-${randomUUID()}`;
    const { rows } = await exec<{ id: string }>(
      m,
      `INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content,
          caller_name, caller_phone, caller_address, upstream_ref, upstream_deadline, route, direction, stop,
          vehicle_plate, occurred_at, status, step, initiator, received_at, dispatch_due_at, caller_phone_hash,
          confidential)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,'registered',NULL,$19,$20,$21,$22,$23)
       RETURNING id`,
      [
        number,
        t.sourceCode,
        t.chain,
        t.channel,
        t.categoryCode,
        t.urgency,
        t.subject,
        t.content,
        // R-19: encrypted at rest; the phone also as a keyed hash for exact matching (X-6).
        this.cipher.encrypt(t.callerName),
        this.cipher.encrypt(t.callerPhone),
        this.cipher.encrypt(t.callerAddress),
        t.upstreamRef,
        t.upstreamDeadline,
        t.route,
        t.direction,
        t.stop,
        t.vehiclePlate,
        t.occurredAt,
        t.initiator,
        t.receivedAt,
        t.dispatchDueAt,
        this.cipher.phoneHash(t.callerPhone),
        t.confidential,
      ],
    );
    return rows[0].id;
  }

  /**
   * The ticket number RX<yyyymmdd>-<nnnn>, counted per Asia/Shanghai day of its receipt, in one
   * round trip: the counter's increment and the ticket's update together.
   */
  async assignNumber(m: EntityManager, ticketId: string): Promise<string> {
    const { rows } = await exec<{ number: string }>(
      m,
      `WITH c AS (
         INSERT INTO ticket_number_counters (day, last)
         SELECT (received_at AT TIME ZONE 'Asia/Shanghai')::date, 1 FROM tickets WHERE id = $1
         ON CONFLICT (day) DO UPDATE SET last = ticket_number_counters.last + 1
         RETURNING day, last)
       UPDATE tickets t
          SET number = 'RX' || to_char(c.day, 'YYYYMMDD') || '-' ||
                       CASE WHEN c.last < 10000 THEN lpad(c.last::text, 4, '0') ELSE c.last::text END
         FROM c
        WHERE t.id = $1
       RETURNING t.number`,
      [ticketId],
    );
    return rows[0].number;
  }

  /** Loads the aggregate, scoped to what the person may see; null when unknown or not visible. */
  async load(id: string, scope: TicketScope, m: EntityManager = this.ds.manager): Promise<TicketAggregate | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const params: unknown[] = [id];
    const where = scopeSql(scope, params);
    const { rows } = await exec<Record<string, any>>(
      m,
      `SELECT t.*, s.name AS source_name, c.name AS category_name, ua.edited_answer AS upstream_answer,
              ${LOOP_CASE_FILE_WRITTEN_SQL}
         FROM tickets t JOIN sources s ON s.code = t.source_code JOIN categories c ON c.code = t.category_code
         LEFT JOIN upstream_answers ua ON ua.ticket_id = t.id
        WHERE t.id = $1 AND ${where}`,
      params,
    );
    const t = rows[0];
    if (!t) return null;
    const { rows: arows } = await exec<Record<string, any>>(
      m,
      `SELECT a.*,
              r.content AS r_content, r.handled_at AS r_handled_at, r.handler AS r_handler,
              r.caller_contacted AS r_contacted, r.contact_method AS r_method, r.contact_at AS r_contact_at,
              r.contact_summary AS r_summary, r.not_contacted_reason AS r_not_contacted_reason,
              r.satisfaction AS r_satisfaction, r.submitted_by AS r_submitted_by,
              r.submitted_at AS r_submitted_at, r.approved_by AS r_approved_by, r.approved_at AS r_approved_at,
              rr.reason AS rr_reason, rr.basis AS rr_basis, rr.requested_by AS rr_by, rr.requested_at AS rr_at,
              er.days AS er_days, er.reason AS er_reason, er.requested_by AS er_by, er.requested_at AS er_at,
              er.new_deadline AS er_new_deadline,
              EXISTS (SELECT 1 FROM return_requests x WHERE x.assignment_id = a.id AND x.decision = 'rejected')
                AS return_rejected,
              (SELECT count(*) FROM untrue_reply_flags f WHERE f.assignment_id = a.id)::int AS untrue_count
         FROM assignments a
         LEFT JOIN replies r ON r.assignment_id = a.id AND r.status IN ('awaiting_leader', 'approved')
         LEFT JOIN return_requests rr ON rr.assignment_id = a.id AND rr.decision = 'pending'
         LEFT JOIN extension_requests er ON er.assignment_id = a.id AND er.decision = 'pending'
        WHERE a.ticket_id = $1 ORDER BY a.seq`,
      [id],
    );
    const assignments: AssignmentState[] = arows.map((a) => ({
      id: a.id,
      unitCode: a.unit_code,
      role: a.role,
      status: a.status,
      dispatchedAt: new Date(a.dispatched_at),
      dispatchedBy: a.dispatched_by,
      replyDeadline: new Date(a.reply_deadline),
      acceptedBy: a.accepted_by ?? undefined,
      acceptedAt: toDate(a.accepted_at),
      reworkCount: a.rework_count,
      reply: a.r_content
        ? {
            content: a.r_content,
            handledAt: new Date(a.r_handled_at),
            handler: a.r_handler,
            callerContact: {
              contacted: a.r_contacted,
              method: a.r_method,
              at: new Date(a.r_contact_at),
              summary: a.r_summary,
              ...(a.r_not_contacted_reason ? { notContactedReason: a.r_not_contacted_reason } : {}),
            },
            satisfaction: a.r_satisfaction,
            submittedBy: a.r_submitted_by,
            submittedAt: new Date(a.r_submitted_at),
            approvedBy: a.r_approved_by ?? undefined,
            approvedAt: toDate(a.r_approved_at),
          }
        : undefined,
      returnRequest: a.rr_reason
        ? { reason: a.rr_reason, basis: a.rr_basis, requestedBy: a.rr_by, requestedAt: new Date(a.rr_at) }
        : undefined,
      ...(a.return_rejected ? { returnRejected: true } : {}),
      extensionCount: a.extension_count,
      ...(a.untrue_count > 0 ? { untrueCount: a.untrue_count } : {}),
      extensionRequest: a.er_reason
        ? {
            days: a.er_days,
            reason: a.er_reason,
            requestedBy: a.er_by,
            requestedAt: new Date(a.er_at),
            newDeadline: new Date(a.er_new_deadline),
          }
        : undefined,
    }));
    const deadlines = new Map<string, AssignmentDeadlineFacts>(
      arows.map((a) => [
        a.id as string,
        {
          acceptDeadline: a.accept_deadline ? new Date(a.accept_deadline) : null,
          basis: a.deadline_basis ?? null,
          calendarVersion: a.calendar_version ?? null,
          overdueAt: a.overdue_at ? new Date(a.overdue_at) : null,
        },
      ]),
    );
    return {
      loop: loopStateFromRow(t),
      state: {
        id: t.id,
        chain: t.chain,
        category: t.category_code,
        status: t.status,
        step: t.step,
        initiator: t.initiator,
        assignments,
        directAnswer: t.direct_answer ?? undefined,
        version: t.version,
        ...(t.merged_into ? { mergedInto: t.merged_into } : {}),
        // Issue 15.10: the office's edited consolidated answer, until reported or sent back.
        ...(t.upstream_answer !== null && t.upstream_answer !== undefined ? { upstreamAnswer: t.upstream_answer } : {}),
      },
      facts: {
        number: t.number,
        sourceCode: t.source_code,
        sourceName: t.source_name,
        channel: t.channel,
        categoryCode: t.category_code,
        categoryName: t.category_name,
        urgency: t.urgency,
        subject: t.subject,
        content: t.content,
        callerName: this.cipher.decrypt(t.caller_name),
        callerPhone: this.cipher.decrypt(t.caller_phone),
        callerAddress: this.cipher.decrypt(t.caller_address),
        confidential: t.confidential,
        upstreamRef: t.upstream_ref,
        upstreamDeadline: t.upstream_deadline ? new Date(t.upstream_deadline) : null,
        route: t.route,
        direction: t.direction,
        stop: t.stop,
        vehiclePlate: t.vehicle_plate,
        occurredAt: t.occurred_at ? new Date(t.occurred_at) : null,
        receivedAt: new Date(t.received_at),
        createdAt: new Date(t.created_at),
        updatedAt: new Date(t.updated_at),
        closedAt: t.closed_at ? new Date(t.closed_at) : null,
        dispatchDueAt: t.dispatch_due_at ? new Date(t.dispatch_due_at) : null,
        stepStartedAt: t.step_started_at ? new Date(t.step_started_at) : null,
        stepDeadline: t.step_deadline ? new Date(t.step_deadline) : null,
      },
      deadlines,
    };
  }

  /**
   * Writes one decision in the caller's transaction: compare-and-set on the version (STYLE habit 4),
   * the ticket row, then each typed change as `decide` reported it (issue 14.1, decision-writer.ts),
   * the timeline and the outbox.
   */
  async saveDecision(
    m: EntityManager,
    before: Pick<TicketState, 'id' | 'version'>,
    after: TicketState,
    changes: readonly Change[],
    events: TimelineEvent[],
    outbox: OutboxInsert[],
    now: Date,
  ): Promise<void> {
    const { affected } = await exec(
      m,
      `UPDATE tickets SET status = $3, step = $4, direct_answer = $5, version = $6, updated_at = $7,
              closed_at = CASE WHEN $3 = 'closed' THEN COALESCE(closed_at, $7) ELSE NULL END
        WHERE id = $1 AND version = $2`,
      [before.id, before.version, after.status, after.step, after.directAnswer ?? null, after.version, now],
    );
    if (affected !== 1) throw new DomainError('CONFLICT', '该工单刚被他人处理，请刷新后重试。');
    const event = events[0];
    await writeChanges(m, changes, {
      ticketId: after.id,
      actor: event?.actor ?? '',
      comment: event?.comment ?? null,
      now,
    });
    for (const e of events) await this.appendTimeline(m, after.id, e);
    await this.insertOutbox(m, outbox, now);
  }

  /**
   * Outbox rows are due at the application clock's `now` (never the database's now()): the worker
   * claims them by comparing with that same clock, so a clock set apart from the server's (tests,
   * a host whose time drifts from the database's) still sends them.
   */
  async insertOutbox(m: EntityManager, outbox: OutboxInsert[], now: Date): Promise<void> {
    for (const o of outbox) {
      await exec(
        m,
        `INSERT INTO outbox (ticket_id, kind, dedupe_key, payload, created_at, next_attempt_at)
         VALUES ($1,$2,$3,$4,$5,$5)
         ON CONFLICT (dedupe_key) DO NOTHING`,
        [o.ticketId, o.kind, o.dedupeKey, JSON.stringify(o.payload), now],
      );
    }
  }

  async appendTimeline(m: EntityManager, ticketId: string, e: TimelineEvent): Promise<void> {
    await exec(
      m,
      `INSERT INTO timeline_events (ticket_id, action, actor, at, comment, unit_code, from_status, to_status,
          from_step, to_step, data) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
      [
        ticketId,
        e.action,
        e.actor,
        e.at,
        e.comment ?? null,
        e.unitCode ?? null,
        e.fromStatus,
        e.toStatus,
        e.fromStep,
        e.toStep,
        e.data ? JSON.stringify(e.data) : null,
      ],
    );
  }

  /**
   * X-2: stores with each new or moved deadline what it was computed with, and (X-9) schedules its
   * first reminder at the yellow threshold.
   */
  async recordDeadlines(m: EntityManager, records: DeadlineRecord[], yellowShare: number): Promise<void> {
    for (const r of records) {
      await exec(
        m,
        `UPDATE assignments SET deadline_basis = $2, calendar_version = $3,
                accept_deadline = COALESCE($4, accept_deadline),
                next_reminder_at = dispatched_at + (reply_deadline - dispatched_at) * $5::float8
          WHERE id = $1`,
        [r.assignmentId, JSON.stringify(r.basis), r.calendarVersion, r.acceptDeadline, yellowShare],
      );
    }
  }

  /**
   * X-1, X-2: the deadline of the review step that just began (from the review limit, with what it
   * was computed with), or none when the ticket left review; its reminder is due again (X-9).
   */
  async recordStepDeadline(m: EntityManager, ticketId: string, r: StepDeadlineRecord | null): Promise<void> {
    await exec(
      m,
      `UPDATE tickets SET step_started_at = $2, step_deadline = $3, step_deadline_basis = $4,
              step_calendar_version = $5, step_reminded_at = NULL
        WHERE id = $1`,
      [
        ticketId,
        r?.startedAt ?? null,
        r?.deadline ?? null,
        r ? JSON.stringify(r.basis) : null,
        r?.calendarVersion ?? null,
      ],
    );
  }

  /** X-9: the light of each assignment of a ticket (absent when not open), computed in SQL. */
  async lights(ticketId: string, p: LightParams, m: EntityManager = this.ds.manager): Promise<Map<string, Light>> {
    const rows = await m.query(
      `SELECT a.id, ${lightSql('a', '$2', '$3')} AS light FROM assignments a WHERE a.ticket_id = $1`,
      [ticketId, p.now, p.yellowShare],
    );
    return new Map(
      rows.filter((r: { light: Light | null }) => r.light).map((r: { id: string; light: Light }) => [r.id, r.light]),
    );
  }

  async timeline(ticketId: string, m: EntityManager = this.ds.manager): Promise<TimelineRow[]> {
    const rows = await m.query(
      `SELECT e.action, e.actor, COALESCE(p.name, e.actor) AS actor_name, e.at, e.comment, e.unit_code,
              e.from_status, e.to_status, e.from_step, e.to_step, e.data
         FROM timeline_events e LEFT JOIN people p ON p.userid = e.actor
        WHERE e.ticket_id = $1 ORDER BY e.id`,
      [ticketId],
    );
    return rows.map((r: Record<string, any>) => ({
      action: r.action,
      actor: { userid: r.actor, name: r.actor_name },
      at: new Date(r.at),
      comment: r.comment,
      unit: r.unit_code,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      fromStep: r.from_step,
      toStep: r.to_step,
      data: r.data,
    }));
  }

  /**
   * The units' names. Inside a transaction read once (an action's outbox rows and its answer both
   * name the units): a WeakMap on the transaction's manager, gone with it.
   */
  async unitNames(m: EntityManager = this.ds.manager): Promise<Map<string, string>> {
    if (m === this.ds.manager) return this.readUnitNames(m);
    let names = this.unitNamesInTx.get(m);
    if (!names) this.unitNamesInTx.set(m, (names = this.readUnitNames(m)));
    return names;
  }

  private readonly unitNamesInTx = new WeakMap<EntityManager, Promise<Map<string, string>>>();

  private async readUnitNames(m: EntityManager): Promise<Map<string, string>> {
    const rows = await m.query(`SELECT code, name FROM units`);
    return new Map(rows.map((r: { code: string; name: string }) => [r.code, r.name]));
  }

  /** Keyset-paginated list, newest first, scoped to what the person may see. */
  async list(
    scope: TicketScope,
    filter: TicketListFilter,
    limit: number,
    cursor: TicketListCursor | undefined,
    lightParams: LightParams,
  ): Promise<TicketListItem[]> {
    // $1 = the clock value, $2 = the yellow share (X-9).
    const params: unknown[] = [lightParams.now, lightParams.yellowShare];
    const where = listWhere(scope, filter, params);
    if (cursor) {
      params.push(cursor.createdAt, cursor.id);
      where.push(`(t.created_at, t.id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit);
    const rows = await this.ds.query(
      `SELECT ${LIST_COLUMNS}
         FROM tickets t
        WHERE ${where.join(' AND ')}
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT $${params.length}`,
      params,
    );
    return rows.map(toListItem);
  }

  /**
   * X-9: the list ordered by light — red, then yellow, then green, each by its earliest open reply
   * deadline (then by id, for a stable order) — then the tickets with nothing open, newest first.
   * Two keyset phases: the open tickets come from the open-assignment partial index (a bounded set
   * however many tickets there are), the rest from the created-at index. `lightParams.now` must be
   * the same for every page of one listing (the cursor carries it), so that a ticket turning red
   * between two pages is
   * neither skipped nor shown twice.
   */
  async listByLight(
    scope: TicketScope,
    filter: TicketListFilter,
    limit: number,
    cursor: LightListCursor | undefined,
    lightParams: LightParams,
  ): Promise<Array<TicketListItem & { sortKey: LightListCursor }>> {
    const out: Array<TicketListItem & { sortKey: LightListCursor }> = [];
    if (!cursor || cursor.phase === 'open') {
      const params: unknown[] = [lightParams.now, lightParams.yellowShare];
      const where = listWhere(scope, filter, params);
      const keyset: string[] = [];
      if (cursor) {
        params.push(cursor.rank, cursor.deadline, cursor.id);
        const [r, d, i] = [params.length - 2, params.length - 1, params.length].map((n) => `$${n}`);
        // (rank DESC, deadline ASC, ticket id ASC) strictly after the cursor.
        keyset.push(`(o.rank < ${r} OR (o.rank = ${r} AND (o.deadline > ${d}::timestamptz
                      OR (o.deadline = ${d}::timestamptz AND o.ticket_id > ${i}::uuid))))`);
      }
      params.push(limit);
      // The order comes from the open assignments alone (an index-only scan of
      // assignments_open_light, aggregated and sorted in memory); the tickets are then read by
      // primary key in that order (OFFSET 0 keeps the lateral read a per-row index lookup) until
      // the page is full — never a scan of the whole tickets table (docs/benchmarks.md).
      const rows = await this.ds.query(
        `WITH o AS (
           SELECT a.ticket_id,
                  max(CASE ${lightSql('a', '$1', '$2')} WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 ELSE 1 END) AS rank,
                  min(a.reply_deadline) AS deadline
             FROM assignments a
            WHERE a.status IN ${OPEN_ASSIGNMENT_STATUSES}
            GROUP BY a.ticket_id)
         SELECT ${LIST_COLUMNS}, o.rank AS sort_rank, o.deadline AS sort_deadline
           FROM (SELECT * FROM o ${keyset.length ? `WHERE ${keyset[0]}` : ''}
                  ORDER BY o.rank DESC, o.deadline ASC, o.ticket_id ASC) o
           CROSS JOIN LATERAL (SELECT * FROM tickets t WHERE t.id = o.ticket_id AND ${where.join(' AND ')} OFFSET 0) t
          ORDER BY o.rank DESC, o.deadline ASC, o.ticket_id ASC
          LIMIT $${params.length}`,
        params,
      );
      for (const r of rows) {
        const item = toListItem(r);
        out.push({
          ...item,
          sortKey: {
            phase: 'open',
            rank: Number(r.sort_rank),
            deadline: new Date(r.sort_deadline),
            createdAt: item.createdAt,
            id: item.id,
          },
        });
      }
      // A light filter keeps only open tickets: there is no second phase.
      if (out.length >= limit || filter.light) return out;
    }
    const params: unknown[] = [lightParams.now, lightParams.yellowShare];
    const where = listWhere(scope, filter, params);
    where.push(
      `NOT EXISTS (SELECT 1 FROM assignments na WHERE na.ticket_id = t.id AND na.status IN ${OPEN_ASSIGNMENT_STATUSES})`,
    );
    if (cursor?.phase === 'rest') {
      params.push(cursor.createdAt, cursor.id);
      where.push(`(t.created_at, t.id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit - out.length);
    const rows = await this.ds.query(
      `SELECT ${LIST_COLUMNS}
         FROM tickets t
        WHERE ${where.join(' AND ')}
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT $${params.length}`,
      params,
    );
    for (const r of rows) {
      const item = toListItem(r);
      out.push({
        ...item,
        sortKey: { phase: 'rest', rank: 0, deadline: null, createdAt: item.createdAt, id: item.id },
      });
    }
    return out;
  }
}

/** The ticket list's WHERE clauses (scope and filters); $1 and $2 must already be the light parameters. */
function listWhere(scope: TicketScope, filter: TicketListFilter, params: unknown[]): string[] {
  const where: string[] = [scopeSql(scope, params)];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.status) add('t.status = ?', filter.status);
  if (filter.source) add('t.source_code = ?', filter.source);
  if (filter.category) add('t.category_code = ?', filter.category);
  if (filter.unit)
    add('EXISTS (SELECT 1 FROM assignments fa WHERE fa.ticket_id = t.id AND fa.unit_code = ?)', filter.unit);
  if (filter.from) add('t.created_at >= ?', filter.from);
  if (filter.to) add('t.created_at < ?', filter.to);
  // X-9: the light filter is a semi-join on the open-deadline partial index; red wins over yellow.
  const red = `SELECT ra.ticket_id FROM assignments ra
                WHERE ra.status IN ${OPEN_ASSIGNMENT_STATUSES} AND ra.reply_deadline <= $1::timestamptz`;
  const yellow = `SELECT ya.ticket_id FROM assignments ya
                   WHERE ya.status IN ${OPEN_ASSIGNMENT_STATUSES} AND ya.reply_deadline > $1::timestamptz
                     AND ya.dispatched_at + (ya.reply_deadline - ya.dispatched_at) * $2::float8 <= $1::timestamptz`;
  const open = `SELECT oa.ticket_id FROM assignments oa WHERE oa.status IN ${OPEN_ASSIGNMENT_STATUSES}`;
  if (filter.light === 'red') where.push(`t.id IN (${red})`);
  if (filter.light === 'yellow') where.push(`t.id IN (${yellow}) AND t.id NOT IN (${red})`);
  if (filter.light === 'green') where.push(`t.id IN (${open}) AND t.id NOT IN (${red}) AND t.id NOT IN (${yellow})`);
  if (filter.q) {
    params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(
      `(t.subject ILIKE $${params.length} OR t.content ILIKE $${params.length} OR t.number = $${params.length + 1})`,
    );
    params.push(filter.q);
  }
  return where;
}

/** The ticket list's columns; $1 and $2 are the light parameters (X-9). */
const LIST_COLUMNS = `t.id, t.number, t.subject, t.status, t.step, t.source_code, t.category_code, t.urgency, t.created_at,
       (SELECT min(a.reply_deadline) FROM assignments a WHERE a.ticket_id = t.id
           AND a.status NOT IN ('returned', 'cancelled', 'withdrawn', 'replied')) AS reply_deadline,
       (SELECT CASE max(CASE ${lightSql('a', '$1', '$2')} WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 WHEN 'green' THEN 1 END)
                 WHEN 3 THEN 'red' WHEN 2 THEN 'yellow' WHEN 1 THEN 'green' END
          FROM assignments a WHERE a.ticket_id = t.id) AS light,
       COALESCE((SELECT json_agg(json_build_object('code', a.unit_code, 'role', a.role, 'status', a.status,
                                                   'light', ${lightSql('a', '$1', '$2')}) ORDER BY a.seq)
           FROM assignments a WHERE a.ticket_id = t.id), '[]') AS units`;

function toListItem(r: Record<string, any>): TicketListItem {
  return {
    id: r.id,
    number: r.number,
    subject: r.subject,
    status: r.status,
    step: r.step,
    sourceCode: r.source_code,
    categoryCode: r.category_code,
    urgency: r.urgency,
    createdAt: new Date(r.created_at),
    replyDeadline: r.reply_deadline ? new Date(r.reply_deadline) : null,
    light: r.light ?? null,
    units: r.units,
  };
}
