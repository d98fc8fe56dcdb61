import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OPEN_ASSIGNMENT_STATUSES } from './ticket.repository';
import { CallerCipher } from '../crypto/caller-cipher';
import { exec } from './sql';

/** The ticket columns a deadline notice needs (caller data only to scrub it out, R-19). */
export interface DueTicketFacts {
  ticketId: string;
  number: string;
  subject: string;
  ticketStatus: string;
  step: string | null;
  categoryCode: string;
  categoryName: string;
  initiator: string;
  callerName: string | null;
  callerPhone: string | null;
  callerAddress: string | null;
}

export interface DueAssignment extends DueTicketFacts {
  id: string;
  unitCode: string;
  unitName: string;
  status: string;
  dispatchedAt: Date;
  replyDeadline: Date;
  nextReminderAt: Date;
}

/** an assignment still waiting to be accepted past its accept deadline. */
export interface DueAccept extends DueTicketFacts {
  id: string;
  unitCode: string;
  unitName: string;
  acceptDeadline: Date;
}

/** a ticket waiting at a review step past the step's deadline (review limit). */
export interface DueReviewStep extends DueTicketFacts {
  step: string;
  stepStartedAt: Date;
  stepDeadline: Date;
}

export interface DueUndispatched extends DueTicketFacts {
  dispatchDueAt: Date;
}

export interface ReturnWindowDue {
  id: string;
  ticketId: string;
  unitCode: string;
  dispatchedAt: Date;
  ticketStatus: string;
}

export interface ReminderKey {
  item: string;
  kind:
    | 'yellow'
    | 'due_soon'
    | 'overdue'
    | 'undispatched'
    | 'return_window'
    | 'digest'
    | 'accept_overdue'
    | 'review_overdue';
  deadline: Date;
  ticketId: string | null;
}

export interface SystemTimelineEvent {
  ticketId: string;
  action: string;
  at: Date;
  unitCode: string | null;
  status: string;
  step: string | null;
  comment: string | null;
  data: Record<string, unknown>;
}

export interface DigestFigures {
  dueToday: number;
  overdue: number;
  undispatched: number;
  overdueByUnit: Array<{ unit: string; unitName: string; count: number }>;
}

/** The SYSTEM actor of timeline events written by the worker's jobs. */
export const SYSTEM_ACTOR = 'system';

const TICKET_COLS = `t.id AS ticket_id, t.number, t.subject, t.status AS ticket_status, t.step, t.category_code,
       c.name AS category_name, t.initiator, t.caller_name, t.caller_phone, t.caller_address`;

function ticketFacts(r: Record<string, any>, cipher: CallerCipher): DueTicketFacts {
  return {
    ticketId: r.ticket_id,
    number: r.number,
    subject: r.subject,
    ticketStatus: r.ticket_status,
    step: r.step,
    categoryCode: r.category_code,
    categoryName: r.category_name,
    initiator: r.initiator,
    callerName: cipher.decrypt(r.caller_name),
    callerPhone: cipher.decrypt(r.caller_phone),
    callerAddress: cipher.decrypt(r.caller_address),
  };
}

/**
 * The deadline jobs' SQL (X-9, R-11, R-17). Every scan reads a range of a partial index that
 * holds only open rows, locks what it takes with FOR UPDATE SKIP LOCKED (two workers take
 * disjoint rows) and is bounded by a LIMIT; the exactly-once guarantee is the unique key of
 * deadline_reminders, written in the same transaction as the outbox row.
 */
@Injectable()
export class DeadlineRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: CallerCipher,
  ) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction('READ COMMITTED', work);
  }

  /** The SQL of the reminder claim, shared with the benchmark's EXPLAIN. */
  static readonly DUE_REMINDERS_SQL = `
    SELECT a.id, a.unit_code, u.name AS unit_name, a.status, a.dispatched_at, a.reply_deadline, a.next_reminder_at,
           ${TICKET_COLS}
      FROM assignments a
      JOIN tickets t ON t.id = a.ticket_id
      JOIN categories c ON c.code = t.category_code
      JOIN units u ON u.code = a.unit_code
     WHERE a.next_reminder_at IS NOT NULL AND a.next_reminder_at <= $1
       AND a.status IN ${OPEN_ASSIGNMENT_STATUSES}
     ORDER BY a.next_reminder_at
     LIMIT $2
     FOR UPDATE OF a SKIP LOCKED`;

  async claimDueReminders(m: EntityManager, now: Date, limit: number): Promise<DueAssignment[]> {
    const { rows } = await exec<Record<string, any>>(m, DeadlineRepository.DUE_REMINDERS_SQL, [now, limit]);
    return rows.map((r) => ({
      ...ticketFacts(r, this.cipher),
      id: r.id,
      unitCode: r.unit_code,
      unitName: r.unit_name,
      status: r.status,
      dispatchedAt: new Date(r.dispatched_at),
      replyDeadline: new Date(r.reply_deadline),
      nextReminderAt: new Date(r.next_reminder_at),
    }));
  }

  /** Inserts the keys; returns those that were new (a key already there was sent before). */
  async insertKeys(m: EntityManager, keys: ReminderKey[], now: Date): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await exec<{ item: string; kind: string; deadline: Date }>(
      m,
      `INSERT INTO deadline_reminders (item, kind, deadline, ticket_id, sent_at)
       SELECT item, kind, deadline, ticket_id, $5 FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::uuid[])
           AS k(item, kind, deadline, ticket_id)
       ON CONFLICT DO NOTHING
       RETURNING item, kind, deadline`,
      [keys.map((k) => k.item), keys.map((k) => k.kind), keys.map((k) => k.deadline), keys.map((k) => k.ticketId), now],
    );
    return new Set(rows.map((r) => DeadlineRepository.keyOf(r.item, r.kind, new Date(r.deadline))));
  }

  /** Whether a key was already written (a cheap primary-key probe, e.g. before a catch-up). */
  async hasKey(item: string, kind: ReminderKey['kind'], deadline: Date): Promise<boolean> {
    const rows = await this.ds.query(
      `SELECT 1 FROM deadline_reminders WHERE item = $1 AND kind = $2 AND deadline = $3`,
      [item, kind, deadline],
    );
    return rows.length > 0;
  }

  static keyOf(item: string, kind: string, deadline: Date): string {
    return `${item}|${kind}|${deadline.toISOString()}`;
  }

  /** Moves each assignment's next reminder (null: none left); marks the overdue ones (R-9d, R-18). */
  async reschedule(
    m: EntityManager,
    rows: Array<{ id: string; next: Date | null; overdue: boolean }>,
    now: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    await exec(
      m,
      `UPDATE assignments a
          SET next_reminder_at = v.next,
              overdue_at = CASE WHEN v.overdue THEN COALESCE(a.overdue_at, $4) ELSE a.overdue_at END
         FROM unnest($1::uuid[], $2::timestamptz[], $3::bool[]) AS v(id, next, overdue)
        WHERE a.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => r.next), rows.map((r) => r.overdue), now],
    );
  }

  async appendSystemEvents(m: EntityManager, events: SystemTimelineEvent[]): Promise<void> {
    if (events.length === 0) return;
    await exec(
      m,
      `INSERT INTO timeline_events (ticket_id, action, actor, at, comment, unit_code, from_status, to_status,
          from_step, to_step, data)
       SELECT e.ticket_id, e.action, $9, e.at, e.comment, e.unit_code, e.status, e.status, e.step, e.step, e.data
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
           AS e(ticket_id, action, at, comment, unit_code, status, step, data)`,
      [
        events.map((e) => e.ticketId),
        events.map((e) => e.action),
        events.map((e) => e.at),
        events.map((e) => e.comment),
        events.map((e) => e.unitCode),
        events.map((e) => e.status),
        events.map((e) => e.step),
        events.map((e) => JSON.stringify(e.data)),
        SYSTEM_ACTOR,
      ],
    );
  }

  /** Receivers and leaders of the given units (by role, as OrganisationRepository.peopleOfUnit). */
  async unitPeople(
    m: EntityManager,
    unitCodes: string[],
  ): Promise<Map<string, { receivers: string[]; leaders: string[] }>> {
    const out = new Map<string, { receivers: string[]; leaders: string[] }>();
    for (const u of unitCodes) out.set(u, { receivers: [], leaders: [] });
    if (unitCodes.length === 0) return out;
    const rows = await m.query(
      `SELECT um.unit_code, p.userid, 'receiver' = ANY(p.roles) AS receiver, 'unit_leader' = ANY(p.roles) AS leader
         FROM unit_memberships um JOIN people p ON p.userid = um.userid
        WHERE um.unit_code = ANY($1) AND p.active ORDER BY p.userid`,
      [unitCodes],
    );
    for (const r of rows as Array<{ unit_code: string; userid: string; receiver: boolean; leader: boolean }>) {
      const entry = out.get(r.unit_code)!;
      if (r.receiver) entry.receivers.push(r.userid);
      if (r.leader) entry.leaders.push(r.userid);
    }
    return out;
  }

  /** assignments whose 24-hour return window has closed and is not yet recorded. */
  async claimClosedReturnWindows(m: EntityManager, closedBefore: Date, limit: number): Promise<ReturnWindowDue[]> {
    const { rows } = await exec<Record<string, any>>(
      m,
      `SELECT a.id, a.ticket_id, a.unit_code, a.dispatched_at, t.status AS ticket_status
         FROM assignments a JOIN tickets t ON t.id = a.ticket_id
        WHERE a.return_window_noted_at IS NULL AND a.status IN ('pending_accept', 'accepted')
          AND a.dispatched_at <= $1
        ORDER BY a.dispatched_at
        LIMIT $2
        FOR UPDATE OF a SKIP LOCKED`,
      [closedBefore, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      unitCode: r.unit_code,
      dispatchedAt: new Date(r.dispatched_at),
      ticketStatus: r.ticket_status,
    }));
  }

  async markReturnWindowsNoted(m: EntityManager, ids: string[], closedAt: Date[]): Promise<void> {
    if (ids.length === 0) return;
    await exec(
      m,
      `UPDATE assignments a SET return_window_noted_at = v.at
         FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at) WHERE a.id = v.id`,
      [ids, closedAt],
    );
  }

  /** The SQL of the accept claim (a range of assignments_accept_due), shared with the benchmark. */
  static readonly DUE_ACCEPTS_SQL = `
    SELECT a.id, a.unit_code, u.name AS unit_name, a.accept_deadline, ${TICKET_COLS}
      FROM assignments a
      JOIN tickets t ON t.id = a.ticket_id
      JOIN categories c ON c.code = t.category_code
      JOIN units u ON u.code = a.unit_code
     WHERE a.status = 'pending_accept' AND a.accept_reminded_at IS NULL AND a.accept_deadline IS NOT NULL
       AND a.accept_deadline <= $1
     ORDER BY a.accept_deadline
     LIMIT $2
     FOR UPDATE OF a SKIP LOCKED`;

  /** assignments still pending acceptance past their accept deadline, not yet reminded. */
  async claimDueAccepts(m: EntityManager, now: Date, limit: number): Promise<DueAccept[]> {
    const { rows } = await exec<Record<string, any>>(m, DeadlineRepository.DUE_ACCEPTS_SQL, [now, limit]);
    return rows.map((r) => ({
      ...ticketFacts(r, this.cipher),
      id: r.id,
      unitCode: r.unit_code,
      unitName: r.unit_name,
      acceptDeadline: new Date(r.accept_deadline),
    }));
  }

  async markAcceptReminded(m: EntityManager, ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await exec(m, `UPDATE assignments SET accept_reminded_at = $2 WHERE id = ANY($1::uuid[])`, [ids, now]);
  }

  /** The SQL of the review-step claim (a range of tickets_step_overdue_due). */
  static readonly DUE_REVIEW_STEPS_SQL = `
    SELECT ${TICKET_COLS}, t.step_started_at, t.step_deadline
      FROM tickets t JOIN categories c ON c.code = t.category_code
     WHERE t.status = 'in_review' AND t.step_deadline IS NOT NULL AND t.step_reminded_at IS NULL
       AND t.step_deadline <= $1
     ORDER BY t.step_deadline
     LIMIT $2
     FOR UPDATE OF t SKIP LOCKED`;

  /** tickets waiting at a review step past its deadline, not yet reminded. */
  async claimDueReviewSteps(m: EntityManager, now: Date, limit: number): Promise<DueReviewStep[]> {
    const { rows } = await exec<Record<string, any>>(m, DeadlineRepository.DUE_REVIEW_STEPS_SQL, [now, limit]);
    return rows.map((r) => ({
      ...ticketFacts(r, this.cipher),
      step: r.step,
      stepStartedAt: new Date(r.step_started_at),
      stepDeadline: new Date(r.step_deadline),
    }));
  }

  async markStepReminded(m: EntityManager, ticketIds: string[], now: Date): Promise<void> {
    if (ticketIds.length === 0) return;
    await exec(m, `UPDATE tickets SET step_reminded_at = $2 WHERE id = ANY($1::uuid[])`, [ticketIds, now]);
  }

  /** registered tickets due for dispatch by `dueBy` and not yet alerted. */
  async claimUndispatched(m: EntityManager, dueBy: Date, limit: number): Promise<DueUndispatched[]> {
    const { rows } = await exec<Record<string, any>>(
      m,
      `SELECT ${TICKET_COLS}, t.dispatch_due_at
         FROM tickets t JOIN categories c ON c.code = t.category_code
        WHERE t.status = 'registered' AND t.dispatch_alerted_at IS NULL AND t.dispatch_due_at IS NOT NULL
          AND t.dispatch_due_at <= $1
        ORDER BY t.dispatch_due_at
        LIMIT $2
        FOR UPDATE OF t SKIP LOCKED`,
      [dueBy, limit],
    );
    return rows.map((r) => ({ ...ticketFacts(r, this.cipher), dispatchDueAt: new Date(r.dispatch_due_at) }));
  }

  async markDispatchAlerted(m: EntityManager, ticketIds: string[], now: Date): Promise<void> {
    if (ticketIds.length === 0) return;
    await exec(m, `UPDATE tickets SET dispatch_alerted_at = $2 WHERE id = ANY($1::uuid[])`, [ticketIds, now]);
  }

  /** The ops head's morning figures: due before `dayEnd`, overdue per unit, undispatched. */
  async digest(m: EntityManager, now: Date, dayEnd: Date): Promise<DigestFigures> {
    const due = await m.query(
      `SELECT count(*) FILTER (WHERE reply_deadline > $1)::int AS due_today,
              count(*) FILTER (WHERE reply_deadline <= $1)::int AS overdue
         FROM assignments WHERE status IN ${OPEN_ASSIGNMENT_STATUSES} AND reply_deadline < $2`,
      [now, dayEnd],
    );
    const byUnit = await m.query(
      `SELECT a.unit_code, u.name, count(*)::int AS n
         FROM assignments a JOIN units u ON u.code = a.unit_code
        WHERE a.status IN ${OPEN_ASSIGNMENT_STATUSES} AND a.reply_deadline <= $1
        GROUP BY a.unit_code, u.name ORDER BY n DESC, a.unit_code`,
      [now],
    );
    const undispatched = await m.query(`SELECT count(*)::int AS n FROM tickets WHERE status = 'registered'`);
    return {
      dueToday: due[0].due_today,
      overdue: due[0].overdue,
      undispatched: undispatched[0].n,
      overdueByUnit: byUnit.map((r: Record<string, any>) => ({ unit: r.unit_code, unitName: r.name, count: r.n })),
    };
  }
}
