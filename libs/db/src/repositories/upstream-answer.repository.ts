import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Change } from '@hotline/workflow';
import { exec } from './sql';

/** Issue 15.10: a ticket's consolidated answer upstream, as edited by the office and as reported. */
export interface UpstreamAnswerRow {
  editedAnswer: string | null;
  editedBy: string | null;
  editedAt: Date | null;
  reportedAnswer: string | null;
  reportedEdited: boolean | null;
  reportedBy: string | null;
  reportedAt: Date | null;
}

/**
 * Issue 15.10 (Art. 4, X-3): persists the workflow's typed upstream-answer changes in the
 * decision's transaction — the office's edit (or its withdrawal by a send-back) and the text
 * report_upstream reported.
 */
@Injectable()
export class UpstreamAnswerRepository {
  constructor(private readonly ds: DataSource) {}

  /** `reported` is the text the application composed for an `upstream_answer.reported` change. */
  async apply(m: EntityManager, ticketId: string, changes: readonly Change[], reported: string | null): Promise<void> {
    for (const c of changes) {
      if (c.kind === 'upstream_answer.edited') {
        await exec(
          m,
          `INSERT INTO upstream_answers (ticket_id, edited_answer, edited_by, edited_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (ticket_id) DO UPDATE SET edited_answer = EXCLUDED.edited_answer,
             edited_by = EXCLUDED.edited_by, edited_at = EXCLUDED.edited_at`,
          [ticketId, c.answer, c.answer === null ? null : c.by, c.answer === null ? null : c.at],
        );
      } else if (c.kind === 'upstream_answer.reported' && reported) {
        await exec(
          m,
          `INSERT INTO upstream_answers (ticket_id, reported_answer, reported_edited, reported_by, reported_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (ticket_id) DO UPDATE SET reported_answer = EXCLUDED.reported_answer,
             reported_edited = EXCLUDED.reported_edited, reported_by = EXCLUDED.reported_by,
             reported_at = EXCLUDED.reported_at`,
          [ticketId, reported, c.edited, c.by, c.at],
        );
      }
    }
  }

  async find(ticketId: string, m: EntityManager = this.ds.manager): Promise<UpstreamAnswerRow | null> {
    const { rows } = await exec<Record<string, any>>(m, `SELECT * FROM upstream_answers WHERE ticket_id = $1`, [
      ticketId,
    ]);
    const r = rows[0];
    if (!r) return null;
    const date = (v: unknown) => (v ? new Date(v as string) : null);
    return {
      editedAnswer: r.edited_answer,
      editedBy: r.edited_by,
      editedAt: date(r.edited_at),
      reportedAnswer: r.reported_answer,
      reportedEdited: r.reported_edited,
      reportedBy: r.reported_by,
      reportedAt: date(r.reported_at),
    };
  }

  /** When the ticket last entered follow_up or closed (the answer's time when nothing was reported). */
  async answeredAt(ticketId: string, m: EntityManager = this.ds.manager): Promise<Date | null> {
    const { rows } = await exec<{ at: string | null }>(
      m,
      `SELECT max(at) AS at FROM timeline_events
        WHERE ticket_id = $1 AND to_status IN ('follow_up', 'closed') AND from_status NOT IN ('follow_up', 'closed')`,
      [ticketId],
    );
    return rows[0]?.at ? new Date(rows[0].at) : null;
  }
}
