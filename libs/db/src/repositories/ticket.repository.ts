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
import { OPEN_ASSIGNMENT_STATUSES, lightSql } from './loop-sql';

/** The ticket's own facts, beside its workflow state. */
export interface TicketFacts {
  number: string;
  /** 保密件: the caller is hidden from the handling units. */
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
  /** close of business of the working day the ticket counts on. */
  dispatchDueAt: Date | null;
  /** when the current review step began and its deadline from the review limit (null: none). */
  stepStartedAt: Date | null;
  stepDeadline: Date | null;
}

/** what an assignment's deadline was computed with, and its deadline history. */
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
  /** the loop state, read with the ticket (LoopHooks.merge puts it into `state`). */
  loop?: LoopState;
}

/** traffic light of an open item. */
export type Light = 'green' | 'yellow' | 'red';

/** The deadline written on a new or extended assignment (X-2: with what it was computed). */
export interface DeadlineRecord {
  assignmentId: string;
  basis: Record<string, unknown>;
  calendarVersion: string;
  acceptDeadline: Date | null;
}

/** the deadline of a review step, from the policy's review limit. */
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

/** What the person may see; applied in every ticket query. */
export type TicketScope = { kind: 'all' } | { kind: 'chain'; chain: Chain } | { kind: 'units'; unitCodes: string[] };

/** the clock value and the yellow share the lights are computed with. */
export interface LightParams {
  now: Date;
  yellowShare: number;
}

export { OPEN_ASSIGNMENT_STATUSES, lightSql };

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
        // encrypted at rest; the phone also as a keyed hash for exact matching.
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
   * stores with each new or moved deadline what it was computed with, and schedules its
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
   * the deadline of the review step that just began (from the review limit, with what it
   * was computed with), or none when the ticket left review; its reminder is due again.
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

  /** the light of each assignment of a ticket (absent when not open), computed in SQL. */
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
}
