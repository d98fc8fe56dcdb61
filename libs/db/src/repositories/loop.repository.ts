import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Responsibility, VisitState } from '@hotline/workflow';
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
}
