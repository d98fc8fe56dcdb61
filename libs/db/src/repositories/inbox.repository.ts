import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { endSerialPool, serialQuery } from './sql';
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
  /** X-9: when the unit's time started (dispatch), for the micro-app's light; null for non-unit work. */
  startedAt: Date | null;
  /** X-9: green / yellow / red for a unit's open assignment; null otherwise. */
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
 * A person's pending work across tickets (GET /api/inbox), soonest deadline first. The inbox is a
 * UNION of branches, one per kind of work item; each branch reads at most one page, in the order
 * of an index, from the cursor on (issue 19 goal 2: a page costs the same whether a unit holds 20
 * or 50,000 open items): open assignments by (unit, status, reply deadline), one unit at a time;
 * review steps by (step, deadline, number); tickets to dispatch or to finish following up by
 * (status, number). The outer query merges the branches' pages and keeps one page.
 */
@Injectable()
export class InboxRepository implements OnModuleDestroy {
  constructor(private readonly ds: DataSource) {}

  async onModuleDestroy(): Promise<void> {
    await endSerialPool(this.ds);
  }

  /**
   * One inbox statement without parallel workers (issue 19). Its branches read an index range
   * each, a few milliseconds of work, and the planner turns to parallel plans once a unit holds a
   * few thousand open items: starting the workers then costs more than the whole read (the tab
   * counts of a unit with 6,400 open items at 1 M tickets: 52-60 ms with two workers, 13 ms
   * without; docs/benchmarks.md). The inbox's own small pool has the setting on its connections
   * (sidePool), so a statement is one round trip; before, `SET LOCAL` in a transaction took three,
   * and every round trip costs the API process a socket write (writev: 41 % of its busy CPU
   * samples while serving inbox tabs, profiled).
   */
  private async serial<T>(sql: string, params: unknown[]): Promise<T> {
    // A page and its counts run at once, each on a connection of its own. Prepared (planned once
    // per connection): the text depends only on the person's roles and units and on whether a
    // cursor is given, and each branch reads an index range whatever the values.
    return (await serialQuery(this.ds, sql, params, { prepared: true })) as T;
  }

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
    const branches = this.branches(actor);
    if (branches.length === 0) return [];
    const after = page.after;
    // Each branch's own page: the tab's actions, the keyset (its first column spelled out too, so
    // that the index scan starts at the cursor), in the branch's index order, at most $3 rows.
    // Two texts, with and without a cursor, rather than "$7 IS NULL OR …": a kept (generic) plan
    // must see the keyset as the index scan's start.
    const keyset = after
      ? `AND b.k >= $7::timestamptz
         AND (b.k, b.number, b.action, COALESCE(b.unit, '')) > ($7::timestamptz, $8::text, $9::text, $10::text)`
      : '';
    const pageOf = (b: Branch, unit: string) =>
      `SELECT * FROM (${b.sql(unit)}) AS b(${COLUMNS})
        WHERE ($6::text[] IS NULL OR b.action = ANY($6::text[])) ${keyset}
        ORDER BY b.k, b.number, b.action, COALESCE(b.unit, '') LIMIT $3`;
    // A unit's branch is read once per unit of the actor's, one element of $2 each (so the plan
    // takes the index that starts with the unit and stops after one page).
    const units = [...new Set(actor.unitCodes)];
    const sql = branches.flatMap((b) =>
      b.perUnit ? units.map((_, k) => `(${pageOf(b, `($2::text[])[${k + 1}]`)})`) : [`(${pageOf(b, '')})`],
    );
    const rows = await this.serial<Record<string, any>[]>(
      `SELECT * FROM (${sql.join(' UNION ALL ')}) AS inbox(${COLUMNS})
        WHERE $1::text IS NOT NULL AND cardinality($2::text[]) >= 0 AND $4::timestamptz IS NOT NULL AND $5::float8 > 0
        ORDER BY k, number, action, COALESCE(unit, '') LIMIT $3`,
      [
        actor.userid,
        units,
        limit,
        lights.now,
        lights.yellowShare,
        page.actions ? [...page.actions] : null,
        ...(after ? [after.deadline ?? 'infinity', after.number, after.action, after.unit ?? ''] : []),
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

  /**
   * The true number of items waiting for a person, per action (the tab counts; issue 19). The large
   * kinds of work are counted as they change (inbox_work_counts plus the deltas not yet folded in,
   * migration 1766450000000): a count costs a few rows whether a unit holds 20 open items or
   * 58,000. The small ones (case files, return and extension requests) count their own rows.
   */
  async counts(actor: InboxActor, lights: LightParams): Promise<Record<string, number>> {
    const branches = this.branches(actor);
    if (branches.length === 0) return {};
    const works = branches.flatMap((b) => (b.kept ? [b.kept.work] : []));
    const parts = branches.map((b) =>
      b.kept
        ? `SELECT '${b.kept.action}', n FROM kept
            WHERE work = '${b.kept.work}' AND unit_code ${b.perUnit ? '= ANY($2::text[])' : "= ''"}`
        : `SELECT action, count(*) FROM (${b.sql('ANY($2::text[])')}) AS b(${COLUMNS}) GROUP BY action`,
    );
    const rows = await this.serial<{ action: string; n: string }[]>(
      `WITH kept AS (
         SELECT work, unit_code, n FROM inbox_work_counts WHERE work = ANY($3::text[])
         UNION ALL
         SELECT work, unit_code, n FROM inbox_work_deltas WHERE work = ANY($3::text[]))
       SELECT action, sum(n) AS n FROM (${parts.join(' UNION ALL ')}) AS counted(action, n)
        WHERE $1::text IS NOT NULL AND cardinality($2::text[]) >= 0 AND $4::timestamptz IS NOT NULL AND $5::float8 > 0
        GROUP BY action HAVING sum(n) <> 0`,
      [actor.userid, [...actor.unitCodes], works, lights.now, lights.yellowShare],
    );
    return Object.fromEntries(rows.map((r) => [r.action, Number(r.n)]));
  }

  /**
   * Folds the kept counts' deltas into their sums (the worker, every few seconds); returns how many
   * deltas it folded. The counts read the same whether it has run or not: it keeps the deltas few.
   */
  async compactCounts(): Promise<number> {
    const rows: { folded: string }[] = await this.ds.query(`SELECT inbox_work_compact() AS folded`);
    return Number(rows[0]?.folded ?? 0);
  }

  /**
   * The UNION's branches for what this person holds ($1 userid, $2 units, $4 now, $5 yellow share).
   * The first column, k, is the sort deadline ('infinity' for none) spelled as its index spells it.
   */
  private branches(actor: InboxActor): Branch[] {
    const branches: Branch[] = [];
    const unitCols = `a.dispatched_at, ${lightSql('a', '$4', '$5')}`;
    const none = `NULL::timestamptz, NULL::text`;
    const has = (r: string) => actor.roles.includes(r);
    const ticketCols = `t.id, t.number, t.subject, t.status, t.step, t.category_code, t.urgency`;
    // A unit's open assignments carry their ticket's number (migration 1766460000000), the last
    // column of assignments_inbox: a page reads in the index's order (deadline, number) and stops.
    const assignmentTicketCols = `t.id, a.ticket_number, t.subject, t.status, t.step, t.category_code, t.urgency`;
    // X-1, X-9: a review step waits against its own deadline (the policy's review limit), with a light.
    const stepCols = `t.step_deadline, t.step_started_at,
      CASE WHEN t.step_deadline IS NULL THEN NULL
           WHEN t.step_deadline <= $4::timestamptz THEN 'red'
           WHEN t.step_started_at + (t.step_deadline - t.step_started_at) * $5::float8 <= $4::timestamptz THEN 'yellow'
           ELSE 'green' END`;
    const stepKey = `COALESCE(t.step_deadline, 'infinity'::timestamptz)`;
    // `unit` is how the branch matches the unit: `($2::text[])[k]` (one unit of the actor's, for a
    // page) or `ANY($2::text[])` (all of them, for the counts).
    // Issue 19 goal 2: a unit's open work exists only on a ticket in progress (a workflow invariant,
    // checked after every step of the random walks in libs/workflow/src/workflow.property.spec.ts,
    // and no writer changes a status outside the workflow's decisions), so its kept count follows
    // the assignments alone (inbox_work_of_assignment), without the ticket.
    const unitWork = (action: string, status: string): Branch => ({
      perUnit: true,
      kept: { action, work: action },
      sql: (
        unit: string,
      ) => `SELECT a.reply_deadline, '${action}', a.unit_code, a.reply_deadline, ${unitCols}, ${assignmentTicketCols}
                    FROM assignments a JOIN tickets t ON t.id = a.ticket_id
                   WHERE a.unit_code = ${unit} AND a.status = '${status}' AND t.status = 'in_progress'`,
    });
    const reviewStep = (action: string, step: string): Branch => ({
      kept: { action, work: `review:${step}` },
      sql: () => `SELECT ${stepKey}, '${action}', NULL, ${stepCols}, ${ticketCols}
                    FROM tickets t WHERE t.status = 'in_review' AND t.step = '${step}'`,
    });
    if (has('receiver') && actor.unitCodes.length) {
      branches.push(unitWork('accept', 'pending_accept'), unitWork('submit_reply', 'accepted'));
    }
    if (has('unit_leader') && actor.unitCodes.length) {
      // The unit's open time (reply deadline) is what approving the reply is due against.
      branches.push({
        perUnit: true,
        kept: { action: 'approve_reply', work: 'approve_reply' },
        sql: (
          unit,
        ) => `SELECT a.reply_deadline, 'approve_reply', a.unit_code, a.reply_deadline, ${unitCols}, ${assignmentTicketCols}
                    FROM assignments a JOIN tickets t ON t.id = a.ticket_id
                   WHERE a.unit_code = ${unit} AND a.status = 'awaiting_leader'`,
      });
    }
    // Issue 15.12 (Art. 16): the unit at fault owes its case analysis (leaders and receivers), also after closing.
    if ((has('unit_leader') || has('receiver')) && actor.unitCodes.length) {
      branches.push({
        perUnit: true,
        sql: (
          unit,
        ) => `SELECT 'infinity'::timestamptz, 'write_case_file', f.unit_code, NULL::timestamptz, ${none}, ${ticketCols}
                    FROM case_files f JOIN tickets t ON t.id = f.ticket_id
                   WHERE f.unit_code = ${unit} AND f.withdrawn_at IS NULL AND f.written_at IS NULL
                     AND t.status <> 'revoked'`,
      });
      // Issue 15.6 (R-14(3)): under follow-up the units that handled it record their progress. A
      // page walks the tickets under follow-up in the page's order (tickets_inbox_by_number) and
      // stops when it is full. Its kept count follows `in_follow_up`, which mirrors the ticket's
      // status onto its assignments (triggers, migration 1766420000000).
      branches.push({
        perUnit: true,
        kept: { action: 'record_unit_follow_up', work: 'record_unit_follow_up' },
        sql: (
          unit,
        ) => `SELECT 'infinity'::timestamptz, 'record_unit_follow_up', a.unit_code, NULL::timestamptz, ${none}, ${ticketCols}
                    FROM assignments a JOIN tickets t ON t.id = a.ticket_id
                   WHERE a.unit_code = ${unit} AND a.status = 'replied' AND t.status = 'follow_up'`,
      });
    }
    // Issue 13.6: the initiator's steps belong to the initiating department, so every dispatcher
    // holds them (not only the one who registered, t.initiator); the ops head keeps his share.
    if (has('dispatcher')) {
      branches.push(reviewStep('pass_review', 'initiator_review'), reviewStep('report_upstream', 'upstream_report'));
      branches.push({
        kept: { action: 'dispatch', work: 'dispatch' },
        sql: () => `SELECT 'infinity'::timestamptz, 'dispatch', NULL, NULL::timestamptz, ${none}, ${ticketCols}
                    FROM tickets t WHERE t.status = 'registered'`,
      });
    }
    if (has('dispatcher') || has('ops_head')) {
      branches.push({
        sql: () => `SELECT rr.requested_at + interval '24 hours', 'approve_return', a.unit_code,
                         rr.requested_at + interval '24 hours', ${none}, ${ticketCols}
                    FROM return_requests rr JOIN assignments a ON a.id = rr.assignment_id
                    JOIN tickets t ON t.id = rr.ticket_id
                   WHERE rr.decision = 'pending'`,
      });
      // X-4: extension requests wait for the ops department before the unit's current deadline.
      branches.push({
        sql: () => `SELECT COALESCE(er.previous_deadline, 'infinity'::timestamptz), 'approve_extension', a.unit_code,
                         er.previous_deadline, ${none}, ${ticketCols}
                    FROM extension_requests er JOIN assignments a ON a.id = er.assignment_id
                    JOIN tickets t ON t.id = er.ticket_id
                   WHERE er.decision = 'pending'`,
      });
      branches.push({
        kept: { action: 'finish_follow_up', work: 'finish_follow_up' },
        sql: () => `SELECT 'infinity'::timestamptz, 'finish_follow_up', NULL, NULL::timestamptz, ${none}, ${ticketCols}
                    FROM tickets t WHERE t.status = 'follow_up'`,
      });
    }
    if (has('ops_head')) branches.push(reviewStep('pass_review', 'ops_review'));
    if (has('office_reviewer')) branches.push(reviewStep('pass_review', 'office_review'));
    return branches;
  }
}

/** The columns every branch yields: k is the sort deadline, never null ('infinity' for none). */
const COLUMNS = 'k, action, unit, deadline, started_at, light, id, number, subject, status, step, category, urgency';

/** One kind of work item; `perUnit` ones are paged a unit at a time (their index starts with the unit). */
interface Branch {
  perUnit?: boolean;
  sql: (unit: string) => string;
  /**
   * Its count is kept (inbox_work_counts, by unit for `perUnit` ones): `work` is the kind's name
   * there (inbox_work_of_assignment / inbox_work_of_ticket). Without it, the count reads the rows.
   */
  kept?: { action: string; work: string };
}

/** Where a page of the inbox ends: its last row's sort key (see InboxRepository.inbox). */
export interface InboxCursor {
  deadline: Date | null;
  number: string;
  action: string;
  unit: string | null;
}
