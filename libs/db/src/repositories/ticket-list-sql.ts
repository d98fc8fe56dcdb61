// The ticket list's SQL pieces (TicketListRepository, GET /api/tickets): the filters' clauses, the
// lights of open assignments and the page's columns.
import { lightSql, OPEN_ASSIGNMENT_STATUSES, searchSql } from './loop-sql';
import { scopeSql, type Light, type TicketScope } from './ticket.repository';
import type { TicketListCursor, TicketListFilter, TicketListItem } from './ticket-list.repository';

/** a light's rank in the light order (red first). */
export const RANK: Record<Light, number> = { red: 3, yellow: 2, green: 1 };

/**
 * X-9: an open assignment `a` that is red or yellow, from the columns of assignments_open_newest
 * alone (the same rule as lightSql, less its status test, which the callers' partial indexes hold).
 */
export const LIGHT_IS: Record<'red' | 'yellow', (a: string) => string> = {
  red: (a) => `${a}.reply_deadline <= $1::timestamptz`,
  yellow: (a) => `${a}.reply_deadline > $1::timestamptz AND ${yellowSql(a)}`,
};

/** the light of an open assignment `a` from assignments_open_newest's columns alone. */
export function openLightSql(a: string): string {
  return `CASE WHEN ${LIGHT_IS.red(a)} THEN 'red' WHEN ${yellowSql(a)} THEN 'yellow' ELSE 'green' END`;
}

/** an open assignment `a` with a worse light than this one; none is worse than red. */
export const WORSE_THAN: Record<Light, ((a: string) => string) | null> = {
  red: null,
  yellow: (a) => LIGHT_IS.red(a),
  green: (a) => `(${LIGHT_IS.red(a)} OR ${yellowSql(a)})`,
};

/** More than the yellow share ($2) of the reply time used by the clock value ($1). */
function yellowSql(a: string): string {
  return `${a}.dispatched_at + (${a}.reply_deadline - ${a}.dispatched_at) * $2::float8 <= $1::timestamptz`;
}

/** The keyset condition "strictly before the cursor" in a newest-first order on `columns`. */
export function before(columns: string, cursor: TicketListCursor, params: unknown[]): string {
  params.push(cursor.createdAt, cursor.id);
  return `(${columns}) < ($${params.length - 1}, $${params.length})`;
}

/** The per-row columns for one page's rows (`page` selects PAGE_COLUMNS and `extra`), newest first. */
export function withListColumns(page: string, extra = ''): string {
  return `SELECT ${LIST_COLUMNS}${extra} FROM (${page}) t ORDER BY t.created_at DESC, t.id DESC`;
}

/** The open phase walks the deadlines only when nothing but the light narrows the tickets. */
export function walkable(scope: TicketScope, f: TicketListFilter): boolean {
  return scope.kind === 'all' && !f.status && !f.source && !f.category && !f.unit && !f.q && !f.from && !f.to;
}

/**
 * Newest first. With a status filter the status leads, so that only the (status, created_at, id)
 * index gives the order (listWhere writes the status as a range for that reason): the planner,
 * which cannot know that the newest tickets are the open ones, otherwise walks the created-at
 * index and filters — 28,000 tickets skipped for the first page of `status=closed` at 1 M.
 */
export function newestFirst(filter: TicketListFilter): string {
  return filter.status ? 't.status, t.created_at DESC, t.id DESC' : 't.created_at DESC, t.id DESC';
}

/** The ticket list's WHERE clauses (scope and filters); $1 and $2 must already be the light parameters. */
export function listWhere(scope: TicketScope, filter: TicketListFilter, params: unknown[]): string[] {
  const { rows, probes } = listWhereParts(scope, filter, params);
  return [...rows, ...probes];
}

/**
 * listWhere's clauses in two kinds: those on the ticket's own row (`rows`), and those that probe
 * another table per ticket (`probes`: a unit's or the person's units' assignments, a light). A
 * search's walk counts the tickets that pass the first and tests the others only for a match.
 */
export type WhereParts = { rows: string[]; probes: string[] };

export function listWhereParts(scope: TicketScope, filter: TicketListFilter, params: unknown[]): WhereParts {
  const rows: string[] = [];
  const probes: string[] = [];
  // `rows` is never empty (a unit scope's clause is a probe; 'true' stands for the rows then).
  if (scope.kind === 'units') rows.push('true');
  (scope.kind === 'units' ? probes : rows).push(scopeSql(scope, params));
  const add = (sql: string, v: unknown, to = rows) => {
    params.push(v);
    to.push(sql.replaceAll('?', `$${params.length}`));
  };
  // `status = ?` written as a range (the same rows): an equality would make the status a constant
  // the planner drops from the ORDER BY (newestFirst).
  if (filter.status) add('t.status >= ? AND t.status <= ?', filter.status);
  if (filter.source) add('t.source_code = ?', filter.source);
  if (filter.category) add('t.category_code = ?', filter.category);
  if (filter.unit)
    add('EXISTS (SELECT 1 FROM assignments fa WHERE fa.ticket_id = t.id AND fa.unit_code = ?)', filter.unit, probes);
  if (filter.from) add('t.created_at >= ?', filter.from);
  if (filter.to) add('t.created_at < ?', filter.to);
  // the light filter is a semi-join on the open-deadline partial index; red wins over yellow.
  const red = `SELECT ra.ticket_id FROM assignments ra
                WHERE ra.status IN ${OPEN_ASSIGNMENT_STATUSES} AND ${LIGHT_IS.red('ra')}`;
  const yellow = `SELECT ya.ticket_id FROM assignments ya
                   WHERE ya.status IN ${OPEN_ASSIGNMENT_STATUSES} AND ${LIGHT_IS.yellow('ya')}`;
  const open = `SELECT oa.ticket_id FROM assignments oa WHERE oa.status IN ${OPEN_ASSIGNMENT_STATUSES}`;
  if (filter.light === 'red') probes.push(`t.id IN (${red})`);
  if (filter.light === 'yellow') probes.push(`t.id IN (${yellow}) AND t.id NOT IN (${red})`);
  if (filter.light === 'green') probes.push(`t.id IN (${open}) AND t.id NOT IN (${red}) AND t.id NOT IN (${yellow})`);
  if (filter.q) rows.push(searchSql(filter.q, params));
  return { rows, probes };
}

/** What the page's statement reads of a ticket before the per-row columns. */
export const PAGE_COLUMNS = `t.id, t.number, t.subject, t.status, t.step, t.source_code, t.category_code, t.urgency, t.created_at`;

/** The ticket list's columns; $1 and $2 are the light parameters. */
export const LIST_COLUMNS = `t.id, t.number, t.subject, t.status, t.step, t.source_code, t.category_code, t.urgency, t.created_at,
       (SELECT min(a.reply_deadline) FROM assignments a WHERE a.ticket_id = t.id
           AND a.status NOT IN ('returned', 'cancelled', 'withdrawn', 'replied')) AS reply_deadline,
       (SELECT CASE max(CASE ${lightSql('a', '$1', '$2')} WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 WHEN 'green' THEN 1 END)
                 WHEN 3 THEN 'red' WHEN 2 THEN 'yellow' WHEN 1 THEN 'green' END
          FROM assignments a WHERE a.ticket_id = t.id) AS light,
       COALESCE((SELECT json_agg(json_build_object('code', a.unit_code, 'role', a.role, 'status', a.status,
                                                   'light', ${lightSql('a', '$1', '$2')}) ORDER BY a.seq)
           FROM assignments a WHERE a.ticket_id = t.id), '[]') AS units`;

export function toListItem(r: Record<string, any>): TicketListItem {
  return {
    id: r.id,
    number: r.number,
    subject: r.subject,
    status: r.status,
    step: r.step,
    sourceCode: r.source_code,
    categoryCode: r.category_code,
    urgency: r.urgency,
    createdAt: new Date(r.created_at),
    replyDeadline: r.reply_deadline ? new Date(r.reply_deadline) : null,
    light: r.light ?? null,
    units: r.units,
  };
}
