import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  DomainError,
  type ActionName,
  type CaseFileInput,
  type Change,
  type Responsibility,
  type TicketState,
  type TimelineEvent,
  type VisitState,
} from '@hotline/workflow';
import { exec } from './sql';

/** X-5, R-16: the loop state kept beside the ticket's workflow state. */
export interface LoopState {
  visit: VisitState;
  responsibility?: Responsibility;
}

export interface FollowUpQueueItem {
  id: string;
  number: string;
  subject: string;
  sourceCode: string;
  categoryCode: string;
  closedAt: Date;
  visitDueAt: Date;
  round: number;
  noAnswer: number;
  units: Array<{ code: string; name: string; role: string }>;
}

export interface CaseFileRow {
  id: string;
  ticketId: string;
  ticketNumber: string;
  subject: string;
  route: string | null;
  unit: { code: string; name: string };
  basis: string;
  /** Issue 15.12: `pending` until the unit at fault (or the ops department) writes the analysis. */
  status: 'pending' | 'written';
  cause: string | null;
  partyKind: string | null;
  party: string | null;
  measures: string | null;
  lesson: string | null;
  /** Who decided at fault and when (the row's start). */
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  writtenBy: { userid: string; name: string } | null;
  writtenAt: Date | null;
}

export interface CaseFileFilter {
  q?: string;
  unit?: string;
  partyKind?: string;
  /** Issue 15.12: written (default, the library), pending (owed by the units) or all. */
  status?: 'written' | 'pending' | 'all';
  ticketId?: string;
  /** R-19: unit people see their own units' cases only. */
  unitCodes?: string[];
}

export interface VisitRow {
  round: number;
  outcome: string;
  solved: boolean | null;
  satisfaction: string | null;
  comment: string | null;
  unitAtFault: string | null;
  visitStatus: string;
  recordedBy: string;
  recordedAt: Date;
}

const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The loop state from a tickets row with `case_file_written` (LOOP_CASE_FILE_WRITTEN_SQL): read by
 * `state` here, and by TicketRepository.load with the ticket itself (one round trip fewer per load).
 */
export function loopStateFromRow(r: Record<string, any>): LoopState {
  const out: LoopState = {
    visit: { status: r.visit_status ?? 'pending', noAnswer: r.visit_no_answer, round: r.visit_round },
  };
  if (r.responsibility) {
    out.responsibility =
      r.responsibility === 'at_fault'
        ? { atFault: true, unitCode: r.responsible_unit, caseFileWritten: r.case_file_written }
        : { atFault: false };
  }
  return out;
}

/** R-16: whether the ticket `t` has a written case file that is not withdrawn. */
export const LOOP_CASE_FILE_WRITTEN_SQL = `EXISTS (SELECT 1 FROM case_files f WHERE f.ticket_id = t.id AND f.withdrawn_at IS NULL
                         AND f.written_at IS NOT NULL) AS case_file_written`;

/**
 * Closing the loop (issue 7): follow-up calls (X-5), at-fault decisions with case files (R-16),
 * untrue replies (R-10). Written in the transaction of the action that decided them.
 */
@Injectable()
export class LoopRepository {
  constructor(private readonly ds: DataSource) {}

  async state(ticketId: string, m: EntityManager = this.ds.manager): Promise<LoopState> {
    const { rows } = await exec<Record<string, any>>(
      m,
      `SELECT visit_status, visit_no_answer, visit_round, responsibility, responsible_unit,
              ${LOOP_CASE_FILE_WRITTEN_SQL}
         FROM tickets t WHERE id = $1`,
      [ticketId],
    );
    const r = rows[0];
    return r ? loopStateFromRow(r) : { visit: { status: 'pending', noAnswer: 0, round: 1 } };
  }

  /** Persists what record_visit, mark_responsible and flag_untrue_reply decided (the generic write did the rest). */
  async saveDecision(
    m: EntityManager,
    action: ActionName,
    before: TicketState,
    after: TicketState,
    event: TimelineEvent,
    now: Date,
    changes: readonly Change[] = [],
  ): Promise<void> {
    for (const c of changes) {
      if (c.kind === 'case_file.written') await this.writeCaseFile(m, after.id, c);
    }
    if (action === 'record_visit') {
      const d = (event.data ?? {}) as Record<string, any>;
      const reopened = d.unitAtFault
        ? before.assignments.find((a) => a.unitCode === d.unitAtFault && a.status === 'replied')
        : undefined;
      await exec(
        m,
        `INSERT INTO visits (ticket_id, round, outcome, solved, satisfaction, comment, unit_at_fault, visit_status,
            recorded_by, recorded_at, rework_assignment_id, previous_deadline)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
        [
          after.id,
          d.round,
          d.outcome,
          d.solved ?? null,
          d.satisfaction ?? null,
          event.comment ?? null,
          d.unitAtFault ?? null,
          d.visitStatus,
          event.actor,
          event.at,
          reopened?.id ?? null,
          reopened?.replyDeadline ?? null,
        ],
      );
      const v = after.visit!;
      await exec(
        m,
        // A re-opened ticket (rework) leaves the queue until it closes again.
        `UPDATE tickets SET visit_status = $2, visit_no_answer = $3, visit_round = $4,
                visit_due_at = CASE WHEN $5::boolean THEN visit_due_at END
          WHERE id = $1`,
        [after.id, v.status === 'pending' ? null : v.status, v.noAnswer, v.round, after.status === 'closed'],
      );
      return;
    }
    if (action === 'flag_untrue_reply') {
      // Issue 15.7 (Art. 10, R-18): the flag on the reply that was approved, against its unit; a
      // closed ticket re-opened leaves the call-back queue and is called again after the next close.
      const d = (event.data ?? {}) as { reason: string };
      const a = before.assignments.find((x) => x.unitCode === event.unitCode && x.status === 'replied')!;
      const now = after.assignments.find((x) => x.id === a.id)!;
      await this.insertUntrueFlag(m, after.id, a.id, d.reason, event.actor, event.at, {
        previous: a.replyDeadline,
        next: now.replyDeadline,
      });
      if (before.status === 'closed' && after.visit) {
        await exec(
          m,
          `UPDATE tickets SET visit_status = NULL, visit_no_answer = 0, visit_round = $2, visit_due_at = NULL
            WHERE id = $1`,
          [after.id, after.visit.round],
        );
      }
      return;
    }
    if (action === 'mark_responsible') {
      const d = (event.data ?? {}) as {
        atFault: boolean;
        basis: string;
        responsibleUnit?: string;
        caseFile?: CaseFileInput;
      };
      await exec(m, `UPDATE tickets SET responsibility = $2, responsible_unit = $3 WHERE id = $1`, [
        after.id,
        d.atFault ? 'at_fault' : 'not_at_fault',
        d.atFault ? d.responsibleUnit : null,
      ]);
      const decided = changes.find((c) => c.kind === 'responsibility.decided');
      if (!d.atFault || !(decided?.kind === 'responsibility.decided' && decided.keepsCaseFile)) {
        // Not at fault, or another unit named: the earlier case file is withdrawn.
        await exec(m, `UPDATE case_files SET withdrawn_at = $2 WHERE ticket_id = $1 AND withdrawn_at IS NULL`, [
          after.id,
          now,
        ]);
      }
      if (d.atFault) {
        // Issue 15.12: the row starts with the decision (unit, basis); the unit writes the analysis.
        const f = d.caseFile;
        const keeps = decided?.kind === 'responsibility.decided' && decided.keepsCaseFile;
        await exec(
          m,
          `INSERT INTO case_files (ticket_id, unit_code, basis, cause, party_kind, party, measures, lesson,
              created_by, created_at, updated_by, updated_at, written_by, written_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$9,$10,$11,$12)
           ON CONFLICT (ticket_id) DO UPDATE SET unit_code = EXCLUDED.unit_code, basis = EXCLUDED.basis,
              created_by = CASE WHEN $13::boolean THEN case_files.created_by ELSE EXCLUDED.created_by END,
              created_at = CASE WHEN $13::boolean THEN case_files.created_at ELSE EXCLUDED.created_at END,
              cause = CASE WHEN $13::boolean THEN case_files.cause ELSE EXCLUDED.cause END,
              party_kind = CASE WHEN $13::boolean THEN case_files.party_kind ELSE EXCLUDED.party_kind END,
              party = CASE WHEN $13::boolean THEN case_files.party ELSE EXCLUDED.party END,
              measures = CASE WHEN $13::boolean THEN case_files.measures ELSE EXCLUDED.measures END,
              lesson = CASE WHEN $13::boolean THEN case_files.lesson ELSE EXCLUDED.lesson END,
              written_by = CASE WHEN $13::boolean THEN case_files.written_by ELSE EXCLUDED.written_by END,
              written_at = CASE WHEN $13::boolean THEN case_files.written_at ELSE EXCLUDED.written_at END,
              updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at, withdrawn_at = NULL`,
          [
            after.id,
            d.responsibleUnit,
            d.basis,
            f?.cause ?? null,
            f?.partyKind ?? null,
            f?.party ?? null,
            f?.measures ?? null,
            f?.lesson ?? null,
            event.actor,
            now,
            f ? event.actor : null,
            f ? now : null,
            keeps,
          ],
        );
      }
    }
  }

  /** Issue 15.12 (Art. 16): the unit at fault (or the ops department) writes or updates the analysis. */
  private async writeCaseFile(
    m: EntityManager,
    ticketId: string,
    c: Extract<Change, { kind: 'case_file.written' }>,
  ): Promise<void> {
    const f = c.caseFile;
    const { affected } = await exec(
      m,
      `UPDATE case_files SET cause = $3, party_kind = $4, party = $5, measures = $6, lesson = $7,
              written_by = $8, written_at = $9, updated_by = $8, updated_at = $9
        WHERE ticket_id = $1 AND unit_code = $2 AND withdrawn_at IS NULL`,
      [ticketId, c.unitCode, f.cause, f.partyKind, f.party, f.measures, f.lesson, c.by, c.at],
    );
    if (affected !== 1) throw new DomainError('CONFLICT', '责任认定刚被更改，请刷新后重试。');
  }

  /** X-5: the call is due from `dueAt` (NULL: no call, e.g. no caller phone, or re-opened). */
  async setVisitDue(m: EntityManager, ticketId: string, dueAt: Date | null): Promise<void> {
    await exec(m, `UPDATE tickets SET visit_due_at = $2 WHERE id = $1`, [ticketId, dueAt]);
  }

  /** X-5: closed tickets whose call is due by `dueBy`, earliest first, keyset on (visit_due_at, id). */
  async queue(dueBy: Date, limit: number, cursor?: { at: Date; id: string }): Promise<FollowUpQueueItem[]> {
    const params: unknown[] = [dueBy, limit];
    let after = '';
    if (cursor) {
      params.push(cursor.at, cursor.id);
      after = `AND (t.visit_due_at, t.id) > ($3, $4)`;
    }
    const rows = await this.ds.query(
      `SELECT t.id, t.number, t.subject, t.source_code, t.category_code, t.closed_at, t.visit_due_at, t.visit_round,
              t.visit_no_answer,
              COALESCE((SELECT json_agg(json_build_object('code', a.unit_code, 'name', u.name, 'role', a.role) ORDER BY a.seq)
                 FROM assignments a JOIN units u ON u.code = a.unit_code
                WHERE a.ticket_id = t.id AND a.status NOT IN ('returned', 'cancelled', 'withdrawn')), '[]') AS units
         FROM tickets t
        WHERE t.status = 'closed' AND t.visit_status IS NULL AND t.visit_due_at IS NOT NULL
          AND t.visit_due_at <= $1 ${after}
        ORDER BY t.visit_due_at, t.id
        LIMIT $2`,
      params,
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.id,
      number: r.number,
      subject: r.subject,
      sourceCode: r.source_code,
      categoryCode: r.category_code,
      closedAt: new Date(r.closed_at),
      visitDueAt: new Date(r.visit_due_at),
      round: r.visit_round,
      noAnswer: r.visit_no_answer,
      units: r.units,
    }));
  }

  async visits(ticketId: string, m: EntityManager = this.ds.manager): Promise<VisitRow[]> {
    const { rows } = await exec<Record<string, any>>(m, `SELECT * FROM visits WHERE ticket_id = $1 ORDER BY id`, [
      ticketId,
    ]);
    return rows.map((r) => ({
      round: r.round,
      outcome: r.outcome,
      solved: r.solved,
      satisfaction: r.satisfaction,
      comment: r.comment,
      unitAtFault: r.unit_at_fault,
      visitStatus: r.visit_status,
      recordedBy: r.recorded_by,
      recordedAt: new Date(r.recorded_at),
    }));
  }

  /** R-16: the case library, newest first; keyword over cause, party, measures, lesson, subject, route. */
  async caseFiles(
    filter: CaseFileFilter,
    limit: number,
    cursor?: { at: Date; id: string },
    m: EntityManager = this.ds.manager,
  ): Promise<CaseFileRow[]> {
    const params: unknown[] = [];
    const where = ['f.withdrawn_at IS NULL'];
    const status = filter.status ?? 'written';
    if (status === 'written') where.push('f.written_at IS NOT NULL');
    if (status === 'pending') where.push('f.written_at IS NULL');
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (filter.unitCodes) add('f.unit_code = ANY(?)', filter.unitCodes);
    if (filter.unit) add('f.unit_code = ?', filter.unit);
    if (filter.partyKind) add('f.party_kind = ?', filter.partyKind);
    if (filter.ticketId) add('f.ticket_id = ?', filter.ticketId);
    if (filter.q) {
      add(
        `(f.cause ILIKE ? OR f.party ILIKE ? OR f.measures ILIKE ? OR f.lesson ILIKE ? OR t.subject ILIKE ? OR t.route ILIKE ?)`,
        like(filter.q),
      );
    }
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(f.created_at, f.id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit);
    const rows = await m.query(
      `SELECT f.*, t.number, t.subject, t.route, u.name AS unit_name, COALESCE(p.name, f.written_by) AS written_name
         FROM case_files f JOIN tickets t ON t.id = f.ticket_id JOIN units u ON u.code = f.unit_code
         LEFT JOIN people p ON p.userid = f.written_by
        WHERE ${where.join(' AND ')}
        ORDER BY f.created_at DESC, f.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.id,
      ticketId: r.ticket_id,
      ticketNumber: r.number,
      subject: r.subject,
      route: r.route,
      unit: { code: r.unit_code, name: r.unit_name },
      basis: r.basis,
      status: r.written_at ? 'written' : 'pending',
      cause: r.cause,
      partyKind: r.party_kind,
      party: r.party,
      measures: r.measures,
      lesson: r.lesson,
      createdBy: r.created_by,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      writtenBy: r.written_by ? { userid: r.written_by, name: r.written_name } : null,
      writtenAt: r.written_at ? new Date(r.written_at) : null,
    }));
  }

  /**
   * Issue 15.7 (R-10, Art. 10): flags the assignment's latest leader-approved reply (the one the
   * flag_untrue_reply action just sent back) as untrue, against its unit. Once per reply: the
   * corrected reply is a new reply row.
   */
  private async insertUntrueFlag(
    m: EntityManager,
    ticketId: string,
    assignmentId: string,
    reason: string,
    userid: string,
    at: Date,
    deadline: { previous: Date; next: Date },
  ): Promise<void> {
    await exec(
      m,
      `INSERT INTO untrue_reply_flags (reply_id, ticket_id, assignment_id, unit_code, note, flagged_by, flagged_at,
          previous_deadline, new_deadline)
       SELECT r.id, a.ticket_id, a.id, a.unit_code, $3, $4, $5, $6, $7
         FROM replies r JOIN assignments a ON a.id = r.assignment_id
        WHERE r.assignment_id = $1 AND a.ticket_id = $2 AND r.approved_at IS NOT NULL
        ORDER BY r.approved_at DESC LIMIT 1
       ON CONFLICT (reply_id) DO NOTHING`,
      [assignmentId, ticketId, reason, userid, at, deadline.previous, deadline.next],
    );
  }
}
