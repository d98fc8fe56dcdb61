// SQL fragments shared by the ledger (R-15) and the unit assessment (R-18), so a ticket counted
// "overdue" in one is overdue in the other. Definitions: docs/kpi.md.

/** The first leader-approved reply of assignment `a` (R-10: a reply counts once approved). */
export function firstApprovedSql(a: string): string {
  return `(SELECT min(r.approved_at) FROM replies r WHERE r.assignment_id = ${a}.id AND r.approved_at IS NOT NULL)`;
}

/**
 * The deadline the first reply is judged against: the one in force before a follow-up call
 * re-opened the assignment with a fresh deadline (X-5), else the current one (extended, X-4).
 */
export function judgedDeadlineSql(a: string): string {
  return `COALESCE((SELECT v.previous_deadline FROM visits v WHERE v.rework_assignment_id = ${a}.id
                     ORDER BY v.id LIMIT 1), ${a}.reply_deadline)`;
}

/** Assignments that the unit handles: neither returned (R-12) nor cancelled (revoke, direct answer). */
export function handledSql(a: string): string {
  return `${a}.status NOT IN ('returned', 'cancelled')`;
}

/**
 * R-9d: overdue when the first approved reply came after its judged deadline (as extended, X-4;
 * before a re-opening call, X-5), or when there is none yet and the clock value `now` has passed it.
 */
export function overdueSql(a: string, firstApproved: string, now: string, deadline = judgedDeadlineSql(a)): string {
  return `(${handledSql(a)} AND COALESCE(${firstApproved}, ${now}::timestamptz) > ${deadline})`;
}

/** Escapes a keyword for ILIKE. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
