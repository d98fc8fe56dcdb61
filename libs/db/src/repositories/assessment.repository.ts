import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstApprovedSql, handledSql, judgedDeadlineSql, overdueSql } from './loop-sql';
import { lightSql, OPEN_ASSIGNMENT_STATUSES } from './ticket.repository';

/**
 * one unit's figures for one period. Every count and rate comes from ONE SQL statement
 * (unitFigures), used by the API, the Excel sheet and the dashboard. Definitions: docs/kpi.md.
 * Rates are null when their denominator is 0.
 */
export interface UnitFigures {
  unitCode: string;
  unitName: string;
  dispatched: number;
  handled: number;
  acceptedOnTime: number;
  acceptOnTimeRate: number | null;
  due: number;
  repliedOnTime: number;
  replyOnTimeRate: number | null;
  overdue: number;
  overdueRate: number | null;
  returnRequests: number;
  returnsApproved: number;
  returnRate: number | null;
  extensionRequests: number;
  extensionsApproved: number;
  rework: number;
  reworkedAssignments: number;
  reworkRate: number | null;
  visitRework: number;
  callsReached: number;
  callsSolved: number;
  solvedRate: number | null;
  callsSatisfied: number;
  satisfiedRate: number | null;
  callsUnreachable: number;
  responsibleComplaints: number;
  untrueReplies: number;
  rank: number;
}

export interface HotSpot {
  key: string;
  count: number;
  strongConcern: boolean;
}

export interface HotSpots {
  routes: HotSpot[];
  stops: HotSpot[];
  categories: HotSpot[];
  hours: HotSpot[];
}

export interface Overview {
  bySource: Array<{ key: string; name: string; count: number }>;
  byCategory: Array<{ key: string; name: string; count: number }>;
  byDay: Array<{ day: string; count: number }>;
  lights: { green: number; yellow: number; red: number };
}

const UNIT_FIGURES_SQL = `
WITH a AS (
  SELECT a.*, ${firstApprovedSql('a')} AS first_approved_at, ${judgedDeadlineSql('a')} AS judged_deadline
    FROM assignments a JOIN tickets t ON t.id = a.ticket_id
   WHERE a.dispatched_at >= $1 AND a.dispatched_at < $2 AND t.status <> 'revoked'
), per_unit AS (
  SELECT a.unit_code,
         count(*)::int AS dispatched,
         count(*) FILTER (WHERE ${handledSql('a')})::int AS handled,
         count(*) FILTER (WHERE ${handledSql('a')} AND a.accepted_at <= COALESCE(a.accept_deadline, a.reply_deadline))::int
           AS accepted_on_time,
         count(*) FILTER (WHERE ${handledSql('a')} AND (a.first_approved_at IS NOT NULL OR a.judged_deadline <= $3))::int
           AS due,
         count(*) FILTER (WHERE ${handledSql('a')} AND a.first_approved_at <= a.judged_deadline)::int AS replied_on_time,
         count(*) FILTER (WHERE ${overdueSql('a', 'a.first_approved_at', '$3', 'a.judged_deadline')})::int AS overdue,
         count(*) FILTER (WHERE a.status = 'returned')::int AS returns_approved,
         COALESCE(sum(a.rework_count) FILTER (WHERE ${handledSql('a')}), 0)::int AS rework,
         count(*) FILTER (WHERE ${handledSql('a')} AND a.rework_count > 0)::int AS reworked
    FROM a GROUP BY a.unit_code
), returns AS (
  SELECT a.unit_code, count(*)::int AS requested FROM return_requests rr JOIN a ON a.id = rr.assignment_id GROUP BY 1
), extensions AS (
  SELECT a.unit_code, count(*)::int AS requested, count(*) FILTER (WHERE er.decision = 'approved')::int AS approved
    FROM extension_requests er JOIN a ON a.id = er.assignment_id GROUP BY 1
), calls AS (
  -- X-5: each call counts for the units that answered for the ticket (sole or lead, handled).
  SELECT a.unit_code,
         count(*) FILTER (WHERE v.outcome = 'reached')::int AS reached,
         count(*) FILTER (WHERE v.outcome = 'reached' AND v.solved)::int AS solved,
         count(*) FILTER (WHERE v.satisfaction IN ('satisfied', 'basically_satisfied'))::int AS satisfied,
         count(*) FILTER (WHERE v.visit_status = 'unreachable')::int AS unreachable,
         count(*) FILTER (WHERE v.unit_at_fault = a.unit_code)::int AS visit_rework
    FROM visits v JOIN a ON a.ticket_id = v.ticket_id AND a.role <> 'co' AND ${handledSql('a')}
   GROUP BY 1
), responsible AS (
  SELECT t.responsible_unit AS unit_code, count(*)::int AS n FROM tickets t
   WHERE t.responsibility = 'at_fault'
     AND EXISTS (SELECT 1 FROM a WHERE a.ticket_id = t.id AND a.unit_code = t.responsible_unit)
   GROUP BY 1
), untrue AS (
  SELECT a.unit_code, count(*)::int AS n FROM untrue_reply_flags f JOIN a ON a.id = f.assignment_id GROUP BY 1
), figures AS (
  SELECT p.*, u.name AS unit_name,
         COALESCE(rt.requested, 0) AS return_requests,
         COALESCE(ex.requested, 0) AS extension_requests, COALESCE(ex.approved, 0) AS extensions_approved,
         COALESCE(c.reached, 0) AS calls_reached, COALESCE(c.solved, 0) AS calls_solved,
         COALESCE(c.satisfied, 0) AS calls_satisfied, COALESCE(c.unreachable, 0) AS calls_unreachable,
         COALESCE(c.visit_rework, 0) AS visit_rework,
         COALESCE(rs.n, 0) AS responsible_complaints, COALESCE(ut.n, 0) AS untrue_replies,
         p.accepted_on_time::float8 / NULLIF(p.handled, 0) AS accept_on_time_rate,
         p.replied_on_time::float8 / NULLIF(p.due, 0) AS reply_on_time_rate,
         p.overdue::float8 / NULLIF(p.due, 0) AS overdue_rate,
         p.returns_approved::float8 / NULLIF(p.dispatched, 0) AS return_rate,
         p.reworked::float8 / NULLIF(p.handled, 0) AS rework_rate,
         COALESCE(c.solved, 0)::float8 / NULLIF(c.reached, 0) AS solved_rate,
         COALESCE(c.satisfied, 0)::float8 / NULLIF(c.reached, 0) AS satisfied_rate
    FROM per_unit p JOIN units u ON u.code = p.unit_code
    LEFT JOIN returns rt ON rt.unit_code = p.unit_code
    LEFT JOIN extensions ex ON ex.unit_code = p.unit_code
    LEFT JOIN calls c ON c.unit_code = p.unit_code
    LEFT JOIN responsible rs ON rs.unit_code = p.unit_code
    LEFT JOIN untrue ut ON ut.unit_code = p.unit_code
)
SELECT f.*,
       -- The ranking (docs/kpi.md): on-time replies, then satisfaction, then fewer responsible
       -- complaints and untrue replies, then fewer overdue.
       rank() OVER (ORDER BY f.reply_on_time_rate DESC NULLS LAST, f.satisfied_rate DESC NULLS LAST,
                             f.responsible_complaints + f.untrue_replies, f.overdue)::int AS rank
  FROM figures f
 ORDER BY rank, f.unit_code`;

/** the hot-spot window's top entries; `strongConcern` at or past the threshold. */
const HOT_SPOT_LIMIT = 10;

@Injectable()
export class AssessmentRepository {
  constructor(private readonly ds: DataSource) {}

  /** per unit, for assignments dispatched in [from, to); `now` is the clock value for open items. */
  async unitFigures(from: Date, to: Date, now: Date): Promise<UnitFigures[]> {
    const rows = await this.ds.query(UNIT_FIGURES_SQL, [from, to, now]);
    return rows.map((r: Record<string, any>) => ({
      unitCode: r.unit_code,
      unitName: r.unit_name,
      dispatched: r.dispatched,
      handled: r.handled,
      acceptedOnTime: r.accepted_on_time,
      acceptOnTimeRate: r.accept_on_time_rate,
      due: r.due,
      repliedOnTime: r.replied_on_time,
      replyOnTimeRate: r.reply_on_time_rate,
      overdue: r.overdue,
      overdueRate: r.overdue_rate,
      returnRequests: r.return_requests,
      returnsApproved: r.returns_approved,
      returnRate: r.return_rate,
      extensionRequests: r.extension_requests,
      extensionsApproved: r.extensions_approved,
      rework: r.rework,
      reworkedAssignments: r.reworked,
      reworkRate: r.rework_rate,
      visitRework: r.visit_rework,
      callsReached: r.calls_reached,
      callsSolved: r.calls_solved,
      solvedRate: r.solved_rate,
      callsSatisfied: r.calls_satisfied,
      satisfiedRate: r.satisfied_rate,
      callsUnreachable: r.calls_unreachable,
      responsibleComplaints: r.responsible_complaints,
      untrueReplies: r.untrue_replies,
      rank: r.rank,
    }));
  }

  /** routes, stops, categories and hours of day (Asia/Shanghai) with the most matters. */
  async hotSpots(from: Date, to: Date, threshold: number): Promise<HotSpots> {
    const top = async (keySql: string, extra = '') => {
      const rows = await this.ds.query(
        `SELECT ${keySql} AS key, count(*)::int AS n FROM tickets t ${extra}
          WHERE t.received_at >= $1 AND t.received_at < $2 AND t.status <> 'revoked' AND ${keySql} IS NOT NULL
          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${HOT_SPOT_LIMIT}`,
        [from, to],
      );
      return rows.map((r: { key: string | number; n: number }) => ({
        key: String(r.key),
        count: r.n,
        strongConcern: r.n >= threshold,
      }));
    };
    const [routes, stops, categories, hours] = [
      await top('t.route'),
      await top('t.stop'),
      await top('c.name', 'JOIN categories c ON c.code = t.category_code'),
      await top(`extract(hour FROM t.received_at AT TIME ZONE 'Asia/Shanghai')::int`),
    ];
    // The hour of day is a time, not a topic: never a "strong public concern".
    return { routes, stops, categories, hours: hours.map((h: HotSpot) => ({ ...h, strongConcern: false })) };
  }

  /** The dashboard's volume by source, category and day (Asia/Shanghai), and the open lights now. */
  async overview(from: Date, to: Date, now: Date, yellowShare: number): Promise<Overview> {
    const p = [from, to];
    const range = `t.received_at >= $1 AND t.received_at < $2 AND t.status <> 'revoked'`;
    const bySource = await this.ds.query(
      `SELECT s.code AS key, s.name, count(t.id)::int AS count FROM tickets t JOIN sources s ON s.code = t.source_code
        WHERE ${range} GROUP BY s.code, s.name, s.sort ORDER BY count DESC, s.sort`,
      p,
    );
    const byCategory = await this.ds.query(
      `SELECT c.code AS key, c.name, count(t.id)::int AS count FROM tickets t JOIN categories c ON c.code = t.category_code
        WHERE ${range} GROUP BY c.code, c.name, c.sort ORDER BY count DESC, c.sort`,
      p,
    );
    const byDay = await this.ds.query(
      `SELECT to_char(t.received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, count(*)::int AS count
         FROM tickets t WHERE ${range} GROUP BY 1 ORDER BY 1`,
      p,
    );
    const lights = await this.ds.query(
      `SELECT ${lightSql('a', '$1', '$2')} AS light, count(*)::int AS n FROM assignments a
        WHERE a.status IN ${OPEN_ASSIGNMENT_STATUSES} GROUP BY 1`,
      [now, yellowShare],
    );
    const l = { green: 0, yellow: 0, red: 0 };
    for (const r of lights as Array<{ light: keyof typeof l; n: number }>) l[r.light] = r.n;
    return { bySource, byCategory, byDay, lights: l };
  }
}
