// R-18, X-10: the statements of the per-unit figures (AssessmentRepository): the facts of each
// assignment dispatched in a period, the sums kept per unit and day (unit_figure_days, migration
// 1766410000000), the direct statement they must equal, and the dispatchers' figures.
import { countedSql, handledSql, revokedAtSql, routeKeySql } from './loop-sql';
import type { UnitFigures } from './assessment.repository';

/**
 * X-5, issue 15.7: the deadline in force before the first re-opening with a fresh deadline: a call
 * (unsatisfied, unit at fault) or a reply found untrue (Art. 10), whichever came first; per
 * assignment re-opened at least once (few).
 */
const PREVIOUS_DEADLINES_SQL = `
  SELECT DISTINCT ON (x.assignment_id) x.assignment_id AS rework_assignment_id, x.previous_deadline
    FROM (SELECT v.rework_assignment_id AS assignment_id, v.previous_deadline, v.recorded_at AS at
            FROM visits v WHERE v.rework_assignment_id IS NOT NULL
          UNION ALL
          SELECT f.assignment_id, f.previous_deadline, f.flagged_at
            FROM untrue_reply_flags f WHERE f.previous_deadline IS NOT NULL) x
   ORDER BY x.assignment_id, x.at`;

/**
 * One row per assignment dispatched in [$1, $2) with the facts every figure reads (docs/kpi.md).
 * The first and the standing approved reply are columns the database keeps on the assignment
 * (migration 1766100000000), so a year is one pass over its assignments (docs/benchmarks.md).
 */
const PERIOD_ASSIGNMENTS_SQL = `
  SELECT a.id, a.ticket_id, a.unit_code, a.role, a.status, a.accepted_at, a.accept_deadline, a.reply_deadline,
         a.rework_count, a.first_approved_at, a.final_approved_at, t.status AS ticket_status, t.received_at,
         t.caller_phone_hash, t.category_code, t.route, COALESCE(v.previous_deadline, a.reply_deadline) AS judged_deadline,
         -- Issue 15: a revoked ticket's assignments are judged at the revoke, not at now.
         CASE WHEN t.status = 'revoked' THEN ${revokedAtSql('t')} ELSE $3::timestamptz END AS judged_at
    FROM assignments a
    JOIN tickets t ON t.id = a.ticket_id
    LEFT JOIN (${PREVIOUS_DEADLINES_SQL}) v ON v.rework_assignment_id = a.id
   WHERE a.dispatched_at >= $1 AND a.dispatched_at < $2`;

/** X-10 办结: the ticket's handling approved as finished (closed, or kept under follow-up, R-14) with this unit's approved reply standing. */
const closedSql = (a: string) =>
  `(${a}.counted AND ${a}.ticket_status IN ('closed', 'follow_up') AND ${a}.final_approved_at IS NOT NULL)`;

/** The rates of docs/kpi.md over a unit's counts `p`, shared by the direct and the per-day statements. */
const RATE_COLUMNS = `p.accepted_on_time::float8 / NULLIF(p.handled, 0) AS accept_on_time_rate,
         p.replied_on_time::float8 / NULLIF(p.due, 0) AS reply_on_time_rate,
         p.overdue::float8 / NULLIF(p.due, 0) AS overdue_rate,
         p.returns_approved::float8 / NULLIF(p.dispatched, 0) AS return_rate,
         p.reworked::float8 / NULLIF(p.handled, 0) AS rework_rate,
         p.closed_on_time::float8 / NULLIF(p.closed_on_time + p.closed_late, 0) AS on_time_close_rate,
         p.first_time_closed::float8 / NULLIF(p.closed, 0) AS first_time_close_rate,
         p.repeat_calls::float8 / NULLIF(p.handled, 0) AS repeat_rate`;

export const UNIT_FIGURES_DIRECT_SQL = `
WITH p AS (${PERIOD_ASSIGNMENTS_SQL}
), a AS MATERIALIZED (
  -- Which rows count: not those of revoked tickets, except assignments already overdue at the
  -- revoke (issue 15: revoking a late unit's ticket does not wipe its overdue count). Never a
  -- withdrawn assignment (改派, issue 15.9): the ops department took the matter from that unit, so
  -- none of its figures (dispatched, overdue, returns, extensions, rework) counts it.
  SELECT p.*, ${countedSql('p', 'p.ticket_status')} AS counted
    FROM p
   WHERE p.status <> 'withdrawn'
     AND (p.ticket_status <> 'revoked'
          OR (p.status = 'cancelled' AND COALESCE(p.first_approved_at, p.judged_at) > p.judged_deadline))
), repeats AS (
  -- X-10 repeat calls: the caller (keyed phone hash, never the number) called about the same
  -- matter (same category and same route, or both without one) within $4 days before. One
  -- window over the tickets received from $1 - 2 × window on answers exactly for every ticket
  -- received from $1 - window on; the rare older tickets dispatched in the period (a late
  -- re-dispatch) are looked up one by one on the caller hash index.
  SELECT x.id FROM (
    SELECT t.id, t.received_at,
           lag(t.received_at) OVER (PARTITION BY t.caller_phone_hash, t.category_code, ${routeKeySql('t')}
                                    ORDER BY t.received_at, t.id) AS previous_at
      FROM tickets t
     WHERE t.caller_phone_hash IS NOT NULL AND t.status <> 'revoked'
       AND t.received_at >= $1::timestamptz - 2 * $4 * interval '1 day' AND t.received_at < $2) x
   WHERE x.previous_at >= x.received_at - $4 * interval '1 day'
  UNION
  SELECT a.ticket_id FROM a
   WHERE a.received_at < $1::timestamptz - $4 * interval '1 day' AND a.caller_phone_hash IS NOT NULL
     AND a.ticket_status <> 'revoked'
     -- A scalar subquery with LIMIT 1, not EXISTS: the planner would hash every ticket for a
     -- semi-join it cannot estimate; these rows are rare, so one index probe each.
     AND (SELECT true FROM tickets e
           WHERE e.caller_phone_hash = a.caller_phone_hash AND e.status <> 'revoked'
             AND e.category_code = a.category_code AND ${routeKeySql('e')} = ${routeKeySql('a')}
             AND e.received_at >= a.received_at - $4 * interval '1 day'
             AND (e.received_at, e.id) < (a.received_at, a.ticket_id)
           LIMIT 1)
), per_unit AS (
  SELECT a.unit_code,
         count(*)::int AS dispatched,
         count(*) FILTER (WHERE a.counted)::int AS handled,
         count(*) FILTER (WHERE a.counted AND a.accepted_at <= COALESCE(a.accept_deadline, a.reply_deadline))::int
           AS accepted_on_time,
         count(*) FILTER (WHERE a.counted AND (a.first_approved_at IS NOT NULL OR a.judged_deadline <= a.judged_at))::int
           AS due,
         count(*) FILTER (WHERE a.counted AND a.first_approved_at <= a.judged_deadline)::int AS replied_on_time,
         count(*) FILTER (WHERE a.counted AND COALESCE(a.first_approved_at, a.judged_at) > a.judged_deadline)::int AS overdue,
         count(*) FILTER (WHERE a.status = 'returned')::int AS returns_approved,
         COALESCE(sum(a.rework_count) FILTER (WHERE a.counted), 0)::int AS rework,
         count(*) FILTER (WHERE a.counted AND a.rework_count > 0)::int AS reworked,
         count(*) FILTER (WHERE ${closedSql('a')})::int AS closed,
         count(*) FILTER (WHERE ${closedSql('a')} AND a.final_approved_at <= a.reply_deadline)::int AS closed_on_time,
         count(*) FILTER (WHERE a.counted AND COALESCE(a.final_approved_at, a.judged_at) > a.reply_deadline)::int
           AS closed_late,
         -- Issue 15.7: a reply corrected after it was found untrue was not closed the first time.
         count(*) FILTER (WHERE ${closedSql('a')} AND a.rework_count = 0 AND uf.n IS NULL)::int AS first_time_closed,
         count(*) FILTER (WHERE a.counted AND rp.id IS NOT NULL)::int AS repeat_calls,
         COALESCE(sum(rr.n), 0)::int AS return_requests,
         COALESCE(sum(er.n), 0)::int AS extension_requests,
         COALESCE(sum(er.approved), 0)::int AS extensions_approved,
         COALESCE(sum(uf.n), 0)::int AS untrue_replies
    FROM a
    LEFT JOIN repeats rp ON rp.id = a.ticket_id
    -- Requests and flags per assignment, joined in the same pass (small tables, hashed once).
    LEFT JOIN (SELECT assignment_id, count(*) AS n FROM return_requests GROUP BY 1) rr ON rr.assignment_id = a.id
    LEFT JOIN (SELECT assignment_id, count(*) AS n, count(*) FILTER (WHERE decision = 'approved') AS approved
                 FROM extension_requests GROUP BY 1) er ON er.assignment_id = a.id
    LEFT JOIN (SELECT assignment_id, count(*) AS n FROM untrue_reply_flags GROUP BY 1) uf ON uf.assignment_id = a.id
   GROUP BY a.unit_code
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
), figures AS (
  SELECT p.*, u.name AS unit_name,
         p.closed_on_time + p.closed_late AS close_due,
         COALESCE(c.reached, 0) AS calls_reached, COALESCE(c.solved, 0) AS calls_solved,
         COALESCE(c.satisfied, 0) AS calls_satisfied, COALESCE(c.unreachable, 0) AS calls_unreachable,
         COALESCE(c.visit_rework, 0) AS visit_rework,
         COALESCE(rs.n, 0) AS responsible_complaints,
         ${RATE_COLUMNS},
         COALESCE(c.solved, 0)::float8 / NULLIF(c.reached, 0) AS solved_rate,
         COALESCE(c.satisfied, 0)::float8 / NULLIF(c.reached, 0) AS satisfied_rate
    FROM per_unit p JOIN units u ON u.code = p.unit_code
    LEFT JOIN calls c ON c.unit_code = p.unit_code
    LEFT JOIN responsible rs ON rs.unit_code = p.unit_code
)
SELECT f.*,
       -- The ranking (docs/kpi.md): on-time replies, then satisfaction, then fewer responsible
       -- complaints and untrue replies, then fewer overdue.
       rank() OVER (ORDER BY f.reply_on_time_rate DESC NULLS LAST, f.satisfied_rate DESC NULLS LAST,
                             f.responsible_complaints + f.untrue_replies, f.overdue)::int AS rank
  FROM figures f
 ORDER BY rank, f.unit_code`;

/** The dispatch day (Asia/Shanghai) an assignment's figures are kept under in unit_figure_days. */
export const dayOfSql = (at: string) => `(${at} AT TIME ZONE 'Asia/Shanghai')::date`;

/**
 * Assignments whose figures still depend on the clock (open: no first or no standing approved
 * reply yet, and neither returned, cancelled nor withdrawn). Every other assignment's figures are
 * fixed until one of its inputs changes (which marks its day dirty), so they are kept per day.
 * The same text as the partial index assignments_figures_live (migration 1766410000000).
 */
const liveSql = (a: string) =>
  `(${a}.status NOT IN ('returned', 'cancelled', 'withdrawn') AND (${a}.first_approved_at IS NULL OR ${a}.final_approved_at IS NULL))`;

/** The sums kept per unit and day, in unit_figure_days' column order. */
const SUMS = [
  'dispatched',
  'handled',
  'accepted_on_time',
  'due',
  'replied_on_time',
  'overdue',
  'returns_approved',
  'rework',
  'reworked',
  'closed',
  'closed_on_time',
  'closed_late',
  'first_time_closed',
  'repeat_calls',
  'return_requests',
  'extension_requests',
  'extensions_approved',
  'untrue_replies',
  'calls_reached',
  'calls_solved',
  'calls_satisfied',
  'calls_unreachable',
  'visit_rework',
] as const;

/**
 * The sums that depend on the clock (`now`) for a live assignment; unit_figure_days keeps them for
 * the settled assignments only, and the read adds the live ones' (UNIT_FIGURES_SQL's `live`).
 */
const CLOCK_SUMS: ReadonlyArray<(typeof SUMS)[number]> = ['due', 'overdue', 'closed_late'];

/**
 * Per assignment of `source` (rows of assignments with a boolean `live`), every figure of
 * docs/kpi.md as 0/1 (or a count), with the same definitions as UNIT_FIGURES_DIRECT_SQL but looked
 * up per row through indexes (for a few days' or the open assignments, not a year). `now` and
 * `windowDays` are SQL expressions (parameters).
 */
const factsSql = (source: string, now: string, windowDays: string) => `
  WITH src AS MATERIALIZED (${source})
  SELECT a.unit_code, ${dayOfSql('a.dispatched_at')} AS day, a.live,
         1 AS dispatched,
         CASE WHEN a.counted THEN 1 ELSE 0 END AS handled,
         CASE WHEN a.counted AND a.accepted_at <= COALESCE(a.accept_deadline, a.reply_deadline) THEN 1 ELSE 0 END
           AS accepted_on_time,
         CASE WHEN a.counted AND (a.first_approved_at IS NOT NULL OR a.judged_deadline <= a.judged_at) THEN 1 ELSE 0 END AS due,
         CASE WHEN a.counted AND a.first_approved_at <= a.judged_deadline THEN 1 ELSE 0 END AS replied_on_time,
         CASE WHEN a.counted AND COALESCE(a.first_approved_at, a.judged_at) > a.judged_deadline THEN 1 ELSE 0 END AS overdue,
         CASE WHEN a.status = 'returned' THEN 1 ELSE 0 END AS returns_approved,
         CASE WHEN a.counted THEN a.rework_count ELSE 0 END AS rework,
         CASE WHEN a.counted AND a.rework_count > 0 THEN 1 ELSE 0 END AS reworked,
         CASE WHEN ${closedSql('a')} THEN 1 ELSE 0 END AS closed,
         CASE WHEN ${closedSql('a')} AND a.final_approved_at <= a.reply_deadline THEN 1 ELSE 0 END AS closed_on_time,
         CASE WHEN a.counted AND COALESCE(a.final_approved_at, a.judged_at) > a.reply_deadline THEN 1 ELSE 0 END AS closed_late,
         CASE WHEN ${closedSql('a')} AND a.rework_count = 0 AND a.untrue = 0 THEN 1 ELSE 0 END AS first_time_closed,
         -- X-10 repeat calls: an earlier ticket (not revoked) of the same caller about the same
         -- matter within the window; one probe on the caller hash index.
         CASE WHEN a.counted AND a.ticket_status <> 'revoked' AND a.caller_phone_hash IS NOT NULL AND EXISTS (
                SELECT 1 FROM tickets e
                 WHERE e.caller_phone_hash = a.caller_phone_hash AND e.status <> 'revoked'
                   AND e.category_code = a.category_code AND ${routeKeySql('e')} = ${routeKeySql('a')}
                   AND e.received_at >= a.received_at - ${windowDays} * interval '1 day'
                   AND (e.received_at, e.id) < (a.received_at, a.ticket_id))
              THEN 1 ELSE 0 END AS repeat_calls,
         (SELECT count(*) FROM return_requests r WHERE r.assignment_id = a.id)::int AS return_requests,
         COALESCE(er.n, 0) AS extension_requests,
         COALESCE(er.approved, 0) AS extensions_approved,
         a.untrue AS untrue_replies,
         COALESCE(c.reached, 0) AS calls_reached,
         COALESCE(c.solved, 0) AS calls_solved,
         COALESCE(c.satisfied, 0) AS calls_satisfied,
         COALESCE(c.unreachable, 0) AS calls_unreachable,
         COALESCE(c.visit_rework, 0) AS visit_rework
    FROM (
      SELECT p.*, ${countedSql('p', 'p.ticket_status')} AS counted,
             (SELECT count(*) FROM untrue_reply_flags f WHERE f.assignment_id = p.id)::int AS untrue
        FROM (${periodRowsSql('SELECT * FROM src', now)}) p
       WHERE ${keptSql('p')}
    ) a
    LEFT JOIN LATERAL (
      SELECT count(*)::int AS n, count(*) FILTER (WHERE x.decision = 'approved')::int AS approved
        FROM extension_requests x WHERE x.assignment_id = a.id) er ON true
    -- X-5: each call counts for the units that answered for the ticket (sole or lead, handled).
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE v.outcome = 'reached')::int AS reached,
             count(*) FILTER (WHERE v.outcome = 'reached' AND v.solved)::int AS solved,
             count(*) FILTER (WHERE v.satisfaction IN ('satisfied', 'basically_satisfied'))::int AS satisfied,
             count(*) FILTER (WHERE v.visit_status = 'unreachable')::int AS unreachable,
             count(*) FILTER (WHERE v.unit_at_fault = a.unit_code)::int AS visit_rework
        FROM visits v WHERE v.ticket_id = a.ticket_id) c ON a.role <> 'co' AND ${handledSql('a')}`;

/**
 * The rows of PERIOD_ASSIGNMENTS_SQL for the assignments of `source`, the judged deadline looked
 * up per row (the first re-opening call or untrue-reply flag of the assignment, by index).
 */
const periodRowsSql = (source: string, now: string) => `
  SELECT a.id, a.ticket_id, a.unit_code, a.role, a.status, a.accepted_at, a.accept_deadline, a.reply_deadline,
         a.rework_count, a.first_approved_at, a.final_approved_at, a.live, t.status AS ticket_status, t.received_at,
         t.caller_phone_hash, t.category_code, t.route, COALESCE(v.previous_deadline, a.reply_deadline) AS judged_deadline,
         a.dispatched_at,
         CASE WHEN t.status = 'revoked' THEN ${revokedAtSql('t')} ELSE ${now}::timestamptz END AS judged_at
    FROM (${source}) a
    -- One index probe per row (OFFSET 0 keeps the planner from hashing every ticket for a few days' rows).
    JOIN LATERAL (SELECT t.id, t.status, t.received_at, t.caller_phone_hash, t.category_code, t.route
                    FROM tickets t WHERE t.id = a.ticket_id OFFSET 0) t ON true
    LEFT JOIN LATERAL (
      SELECT x.previous_deadline
        FROM (SELECT v.previous_deadline, v.recorded_at AS at FROM visits v WHERE v.rework_assignment_id = a.id
              UNION ALL
              SELECT f.previous_deadline, f.flagged_at FROM untrue_reply_flags f
               WHERE f.assignment_id = a.id AND f.previous_deadline IS NOT NULL) x
       ORDER BY x.at LIMIT 1) v ON true`;

/** Which rows count at all (UNIT_FIGURES_DIRECT_SQL's `a`): never withdrawn; revoked only when overdue at the revoke. */
const keptSql = (p: string) =>
  `(${p}.status <> 'withdrawn'
    AND (${p}.ticket_status <> 'revoked'
         OR (${p}.status = 'cancelled' AND COALESCE(${p}.first_approved_at, ${p}.judged_at) > ${p}.judged_deadline)))`;

/** Assignments dispatched in the ranges [$starts[i], $ends[i]). */
const inRangesSql = (starts: string, ends: string, where = 'true') => `
  SELECT a.*, ${liveSql('a')} AS live FROM assignments a
    JOIN unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS r(s, e) ON a.dispatched_at >= r.s AND a.dispatched_at < r.e
   WHERE ${where}`;

/**
 * Recomputes the stored sums of the days $1 (date[]): the settled assignments dispatched on them.
 * Days are bounded in SQL (Asia/Shanghai), the same as dayOfSql.
 */
export const REFRESH_DAYS_SQL = `
  INSERT INTO unit_figure_days (day, unit_code, ${SUMS.join(', ')})
  SELECT f.day, f.unit_code,
         ${SUMS.map((c) => (CLOCK_SUMS.includes(c) ? `COALESCE(sum(f.${c}) FILTER (WHERE NOT f.live), 0)::int` : `sum(f.${c})::int`)).join(', ')}
    FROM (${factsSql(
      `SELECT a.*, ${liveSql('a')} AS live FROM unnest($1::date[]) AS d(day)
         JOIN assignments a ON a.dispatched_at >= (d.day::timestamp AT TIME ZONE 'Asia/Shanghai')
                           AND a.dispatched_at < ((d.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`,
      'now()',
      '$2::int',
    )}) f
   GROUP BY f.day, f.unit_code`;

/**
 * R-18 at city scale: the same figures as UNIT_FIGURES_DIRECT_SQL, from the stored sums of the
 * period's whole clean days ($9 ≤ day < $10, not among the dirty days $11) plus the facts read
 * directly for the rest: every assignment dispatched in the ranges $5/$6 (the partial days at the
 * edges, the dirty days) and the live ones in the ranges $7/$8 (the clean whole days).
 * $1/$2 the period, $3 now, $4 the repeat window.
 */
export const UNIT_FIGURES_SQL = `
WITH f AS (${factsSql(inRangesSql('$5', '$6'), '$3', '$4::int')}
), live AS (
  -- The live assignments of the clean whole days: everything but their clock-dependent sums is
  -- in unit_figure_days. Live means handled (neither returned, cancelled nor withdrawn), so they
  -- count unless their ticket was revoked; judged at now.
  SELECT a.unit_code,
         CASE WHEN a.first_approved_at IS NOT NULL OR a.judged_deadline <= $3 THEN 1 ELSE 0 END AS due,
         CASE WHEN COALESCE(a.first_approved_at, $3) > a.judged_deadline THEN 1 ELSE 0 END AS overdue,
         CASE WHEN COALESCE(a.final_approved_at, $3) > a.reply_deadline THEN 1 ELSE 0 END AS closed_late
    FROM (SELECT a.unit_code, a.first_approved_at, a.final_approved_at, a.reply_deadline,
                 COALESCE(v.previous_deadline, a.reply_deadline) AS judged_deadline
            FROM (${inRangesSql('$7', '$8', liveSql('a'))}) a
            LEFT JOIN (${PREVIOUS_DEADLINES_SQL}) v ON v.rework_assignment_id = a.id
           WHERE a.ticket_id NOT IN (SELECT t.id FROM tickets t WHERE t.status = 'revoked')) a
), per_unit AS (
  SELECT x.unit_code, ${SUMS.map((c) => `sum(x.${c})::int AS ${c}`).join(', ')}
    FROM (SELECT f.unit_code, ${SUMS.map((c) => `f.${c}`).join(', ')} FROM f
          UNION ALL
          SELECT l.unit_code, ${SUMS.map((c) => (CLOCK_SUMS.includes(c) ? `l.${c}` : '0')).join(', ')} FROM live l
          UNION ALL
          SELECT d.unit_code, ${SUMS.map((c) => `d.${c}`).join(', ')} FROM unit_figure_days d
           WHERE d.day >= $9::date AND d.day < $10::date AND d.day <> ALL ($11::date[])) x
   GROUP BY x.unit_code
), responsible AS (
  -- R-16: at-fault complaints (few; partial index) whose responsible unit has a counted
  -- assignment in the period.
  SELECT t.responsible_unit AS unit_code, count(*)::int AS n FROM tickets t
   WHERE t.responsibility = 'at_fault'
     AND EXISTS (SELECT 1 FROM (${periodRowsSql(
       `SELECT a.*, false AS live FROM assignments a
         WHERE a.ticket_id = t.id AND a.unit_code = t.responsible_unit AND a.dispatched_at >= $1 AND a.dispatched_at < $2`,
       '$3',
     )}) p WHERE ${keptSql('p')})
   GROUP BY 1
), figures AS (
  SELECT p.*, u.name AS unit_name,
         p.closed_on_time + p.closed_late AS close_due,
         COALESCE(rs.n, 0) AS responsible_complaints,
         ${RATE_COLUMNS},
         p.calls_solved::float8 / NULLIF(p.calls_reached, 0) AS solved_rate,
         p.calls_satisfied::float8 / NULLIF(p.calls_reached, 0) AS satisfied_rate
    FROM per_unit p JOIN units u ON u.code = p.unit_code
    LEFT JOIN responsible rs ON rs.unit_code = p.unit_code
)
SELECT f.*,
       rank() OVER (ORDER BY f.reply_on_time_rate DESC NULLS LAST, f.satisfied_rate DESC NULLS LAST,
                             f.responsible_complaints + f.untrue_replies, f.overdue)::int AS rank
  FROM figures f
 ORDER BY rank, f.unit_code`;

/**
 * R-17 当日收、当日转: tickets received in [$1, $2) that had to be dispatched (dispatched at least
 * once, or still waiting for it), judged by their first dispatch against the close of business of
 * the working day they count on (dispatch_due_at); per initiator (发起人) and for the office.
 * Assignments are dispatched after the ticket is received, so only those from $1 on are read.
 */
export const DISPATCH_FIGURES_SQL = `
WITH t AS (
  SELECT t.id, t.initiator, t.dispatch_due_at, d.first_dispatched_at
    FROM tickets t
    LEFT JOIN (SELECT a.ticket_id, min(a.dispatched_at) AS first_dispatched_at FROM assignments a
                WHERE a.dispatched_at >= $1 GROUP BY a.ticket_id) d ON d.ticket_id = t.id
   WHERE t.received_at >= $1 AND t.received_at < $2 AND t.dispatch_due_at IS NOT NULL
     AND (d.first_dispatched_at IS NOT NULL OR t.status = 'registered')
)
SELECT t.initiator, p.name,
       count(*) FILTER (WHERE t.first_dispatched_at IS NOT NULL OR t.dispatch_due_at < $3)::int AS due,
       count(*) FILTER (WHERE t.first_dispatched_at <= t.dispatch_due_at)::int AS on_time,
       count(*) FILTER (WHERE COALESCE(t.first_dispatched_at, $3) > t.dispatch_due_at)::int AS late,
       count(*) FILTER (WHERE t.first_dispatched_at IS NULL AND t.dispatch_due_at < $3)::int AS waiting
  FROM t LEFT JOIN people p ON p.userid = t.initiator
 GROUP BY GROUPING SETS ((t.initiator, p.name), ())
 ORDER BY t.initiator NULLS FIRST`;

/** One row of the unit-figures statements as the API's UnitFigures. */
export const toUnitFigures = (r: Record<string, any>): UnitFigures => ({
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
  closed: r.closed,
  closedOnTime: r.closed_on_time,
  closeDue: r.close_due,
  onTimeCloseRate: r.on_time_close_rate,
  firstTimeClosed: r.first_time_closed,
  firstTimeCloseRate: r.first_time_close_rate,
  repeatCalls: r.repeat_calls,
  repeatRate: r.repeat_rate,
  rank: r.rank,
});
