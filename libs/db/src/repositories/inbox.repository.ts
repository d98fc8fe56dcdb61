import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { lightSql, type Light, type LightParams } from './ticket.repository';

export interface InboxActor {
  userid: string;
  roles: readonly string[];
  unitCodes: readonly string[];
}

export interface InboxRow {
  action: string;
  unit: string | null;
  deadline: Date | null;
  /** when the unit's time started (dispatch), for the micro-app's light; null for non-unit work. */
  startedAt: Date | null;
  /** green / yellow / red for a unit's open assignment; null otherwise. */
  light: Light | null;
  ticket: {
    id: string;
    number: string;
    subject: string;
    status: string;
    step: string | null;
    category: string;
    urgency: string;
  };
}

/**
 * A person's pending work across tickets (GET /api/inbox), soonest deadline first. Each branch
 * of the UNION uses an index: open assignments by unit, review steps by status, return requests
 * by decision.
 */
@Injectable()
export class InboxRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * One page of the inbox, soonest deadline first (no deadline last), then by ticket number, action
   * and unit: a total order, so `after` (the last row of the previous page) pages
   * through every item without skipping or repeating (issue 19: a receiver with 12,500 waiting
   * pages through all of them). `actions` keeps only those actions (a tab of the micro-app).
   */
  async inbox(
    actor: InboxActor,
    limit: number,
    lights: LightParams,
    page: { actions?: readonly string[]; after?: InboxCursor } = {},
  ): Promise<InboxRow[]> {
    const parts = this.parts(actor);
    if (parts.length === 0) return [];
    const after = page.after;
    const rows = await this.ds.query(
      `SELECT * FROM (${parts.join(' UNION ALL ')})
                  AS inbox(action, unit, deadline, started_at, light, id, number, subject, status, step, category, urgency)
        WHERE $1::text IS NOT NULL AND cardinality($2::text[]) >= 0 AND $4::timestamptz IS NOT NULL AND $5::float8 > 0
          AND ($6::text[] IS NULL OR action = ANY($6::text[]))
          AND ($7::timestamptz IS NULL
               OR (COALESCE(deadline, 'infinity'::timestamptz), number, action, COALESCE(unit, ''))
                  > ($7::timestamptz, $8::text, $9::text, $10::text))
        ORDER BY COALESCE(deadline, 'infinity'::timestamptz) ASC, number ASC, action ASC, COALESCE(unit, '') ASC
        LIMIT $3`,
      [
        actor.userid,
        [...actor.unitCodes],
        limit,
        lights.now,
        lights.yellowShare,
        page.actions ? [...page.actions] : null,
        after ? (after.deadline ?? 'infinity') : null,
        after?.number ?? null,
        after?.action ?? null,
        after?.unit ?? '',
      ],
    );
    return rows.map((r: Record<string, any>) => ({
      action: r.action,
      unit: r.unit,
      deadline: r.deadline ? new Date(r.deadline) : null,
      startedAt: r.started_at ? new Date(r.started_at) : null,
      light: r.light ?? null,
      ticket: {
        id: r.id,
        number: r.number,
        subject: r.subject,
        status: r.status,
        step: r.step,
        category: r.category,
        urgency: r.urgency,
      },
    }));
  }

  /** The true number of items waiting for a person, per action (the tab counts; issue 19). */
  async counts(actor: InboxActor, lights: LightParams): Promise<Record<string, number>> {
    const parts = this.parts(actor);
    if (parts.length === 0) return {};
    const rows: { action: string; n: string }[] = await this.ds.query(
      `SELECT action, count(*) AS n FROM (${parts.join(' UNION ALL ')})
                  AS inbox(action, unit, deadline, started_at, light, id, number, subject, status, step, category, urgency)
        WHERE $1::text IS NOT NULL AND cardinality($2::text[]) >= 0 AND $3::int IS NULL
          AND $4::timestamptz IS NOT NULL AND $5::float8 > 0
        GROUP BY action`,
      [actor.userid, [...actor.unitCodes], null, lights.now, lights.yellowShare],
    );
    return Object.fromEntries(rows.map((r) => [r.action, Number(r.n)]));
  }

  /** The UNION's branches for what this person holds ($1 userid, $2 units, $4 now, $5 yellow share). */
  private parts(actor: InboxActor): string[] {
    const parts: string[] = [];
    const unitCols = `a.dispatched_at, ${lightSql('a', '$4', '$5')}`;
    const none = `NULL::timestamptz, NULL::text`;
    const has = (r: string) => actor.roles.includes(r);
    const ticketCols = `t.id, t.number, t.subject, t.status, t.step, t.category_code, t.urgency`;
    // a review step waits against its own deadline (the policy's review limit), with a light.
    const stepCols = `t.step_deadline, t.step_started_at,
      CASE WHEN t.step_deadline IS NULL THEN NULL
           WHEN t.step_deadline <= $4::timestamptz THEN 'red'
           WHEN t.step_started_at + (t.step_deadline - t.step_started_at) * $5::float8 <= $4::timestamptz THEN 'yellow'
           ELSE 'green' END`;
    if (has('receiver') && actor.unitCodes.length) {
      parts.push(`SELECT CASE a.status WHEN 'pending_accept' THEN 'accept' ELSE 'submit_reply' END AS action,
                         a.unit_code AS unit, a.reply_deadline AS deadline, ${unitCols}, ${ticketCols}
                    FROM assignments a JOIN tickets t ON t.id = a.ticket_id
                   WHERE a.unit_code = ANY($2) AND a.status IN ('pending_accept', 'accepted')
                     AND t.status = 'in_progress'`);
    }
    if (has('unit_leader') && actor.unitCodes.length) {
      parts.push(`SELECT 'approve_reply', a.unit_code, a.reply_deadline, ${unitCols}, ${ticketCols}
                    FROM assignments a JOIN tickets t ON t.id = a.ticket_id
                   WHERE a.unit_code = ANY($2) AND a.status = 'awaiting_leader'`);
    }
    // Issue 15.12 (Art. 16): the unit at fault owes its case analysis (leaders and receivers), also after closing.
    if ((has('unit_leader') || has('receiver')) && actor.unitCodes.length) {
      parts.push(`SELECT 'write_case_file', f.unit_code, NULL::timestamptz, ${none}, ${ticketCols}
                    FROM case_files f JOIN tickets t ON t.id = f.ticket_id
                   WHERE f.unit_code = ANY($2) AND f.withdrawn_at IS NULL AND f.written_at IS NULL
                     AND t.status <> 'revoked'`);
      // Issue 15.6 (R-14(3)): under follow-up the units that handled it record their progress.
      parts.push(`SELECT 'record_unit_follow_up', a.unit_code, NULL::timestamptz, ${none}, ${ticketCols}
                    FROM assignments a JOIN tickets t ON t.id = a.ticket_id
                   WHERE a.unit_code = ANY($2) AND a.status = 'replied' AND t.status = 'follow_up'`);
    }
    // Issue 13.6: the initiator's steps belong to the initiating department, so every dispatcher
    // holds them (not only the one who registered, t.initiator); the ops head keeps his share.
    if (has('dispatcher')) {
      parts.push(`SELECT CASE t.step WHEN 'upstream_report' THEN 'report_upstream' ELSE 'pass_review' END,
                         NULL, ${stepCols}, ${ticketCols}
                    FROM tickets t WHERE t.status = 'in_review' AND t.step IN ('initiator_review', 'upstream_report')`);
      parts.push(`SELECT 'dispatch', NULL, NULL::timestamptz, ${none}, ${ticketCols}
                    FROM tickets t WHERE t.status = 'registered'`);
    }
    if (has('dispatcher') || has('ops_head')) {
      parts.push(`SELECT 'approve_return', a.unit_code, rr.requested_at + interval '24 hours', ${none}, ${ticketCols}
                    FROM return_requests rr JOIN assignments a ON a.id = rr.assignment_id
                    JOIN tickets t ON t.id = rr.ticket_id
                   WHERE rr.decision = 'pending'`);
      // extension requests wait for the ops department before the unit's current deadline.
      parts.push(`SELECT 'approve_extension', a.unit_code, er.previous_deadline, ${none}, ${ticketCols}
                    FROM extension_requests er JOIN assignments a ON a.id = er.assignment_id
                    JOIN tickets t ON t.id = er.ticket_id
                   WHERE er.decision = 'pending'`);
      parts.push(`SELECT 'finish_follow_up', NULL, NULL::timestamptz, ${none}, ${ticketCols}
                    FROM tickets t WHERE t.status = 'follow_up'`);
    }
    if (has('ops_head')) {
      parts.push(`SELECT 'pass_review', NULL, ${stepCols}, ${ticketCols}
                    FROM tickets t WHERE t.status = 'in_review' AND t.step = 'ops_review'`);
    }
    if (has('office_reviewer')) {
      parts.push(`SELECT 'pass_review', NULL, ${stepCols}, ${ticketCols}
                    FROM tickets t WHERE t.status = 'in_review' AND t.step = 'office_review'`);
    }
    return parts;
  }
}

/** Where a page of the inbox ends: its last row's sort key (see InboxRepository.inbox). */
export interface InboxCursor {
  deadline: Date | null;
  number: string;
  action: string;
  unit: string | null;
}
