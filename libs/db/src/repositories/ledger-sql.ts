// R-15: the ledger's query and the export's streamed read, without Nest or TypeORM, so the export
// process (libs/tickets/src/loop/ledger-export.process.ts) loads only pg and this (issue 19 goal 3).
import type { Client } from 'pg';
import { NOT_CONTACTED_REASON_LABELS } from '@hotline/workflow';
import {
  firstApprovedSql,
  handledSql,
  judgedDeadlineSql,
  lightSql,
  overdueSql,
  readCharShares,
  searchIndexSql,
  searchSql,
} from './loop-sql';
import type { Light, TicketScope } from './ticket.repository';
import { copyOut, inlineParams } from './copy-out';

/** R-15: the ledger's filters (the same for the page and the export). */
export interface LedgerFilter {
  /** received at or after */
  from?: Date;
  /** received before */
  to?: Date;
  source?: string;
  category?: string;
  unit?: string;
  status?: string;
  /** X-8: the route (线路), for the hot-spot click-through. */
  route?: string;
  light?: Light;
  /** keyword in subject or content, or a ticket number */
  q?: string;
}

export interface LedgerCursor {
  receivedAt: Date;
  id: string;
}

/**
 * One row per ticket with the facts Article 15 names. No caller data: the ledger and its export
 * never carry the caller's name, phone or address (R-19); the ticket page reveals on record.
 */
export interface LedgerRow {
  id: string;
  number: string;
  receivedAt: Date;
  source: string;
  channel: string;
  category: string;
  subject: string;
  status: string;
  step: string | null;
  route: string | null;
  /** 单位（主办/会办/承办）, in dispatch order, returned, cancelled and withdrawn (改派) ones left out. */
  units: string;
  /** The answer for the ticket: the sole or lead unit's approved reply, or the direct answer (R-7). */
  handlerUnit: string | null;
  handler: string | null;
  handledAt: Date | null;
  reply: string | null;
  /** How the caller was answered (R-13). */
  callerAnswer: string | null;
  /** R-7: answered directly (by the dispatcher, or by the branch for a lost item) instead of by a unit's reply. */
  directAnswer: boolean;
  /** R-6c, R-6d: every unit's approved reply (sole, lead and co), in dispatch order. */
  unitReplies: LedgerUnitReply[];
  /** X-6: the ticket this one was merged into (并单), if any. */
  mergedInto: { id: string; number: string } | null;
  /** Last follow-up call: outcome, solved, satisfaction (X-5). */
  visitStatus: string | null;
  visitSolved: boolean | null;
  visitSatisfaction: string | null;
  closedAt: Date | null;
  overdue: boolean;
  returns: number;
  extensions: number;
  rework: number;
  responsibility: string | null;
  responsibleUnit: string | null;
}

export interface LedgerUnitReply {
  unit: string;
  /** 主办 / 会办 / 承办 */
  role: string;
  handler: string;
  handledAt: Date;
  content: string;
  callerAnswer: string;
}

/** A co unit's role in words (R-6c): its reply answers for the ticket only when no other unit's does. */
const CO_ROLE = '会办';
const ROLE_NAMES = `CASE a.role WHEN 'lead' THEN '主办' WHEN 'co' THEN '${CO_ROLE}' ELSE '承办' END`;

const METHOD_NAME = `CASE r.contact_method WHEN 'phone' THEN '电话' WHEN 'sms' THEN '短信' WHEN 'visit' THEN '上门'
         WHEN 'wechat' THEN '微信' ELSE r.contact_method END`;

/** R-13, issue 15.8: the reason a reply did not reach the caller, in words (the workflow's labels). */
const NOT_CONTACTED_REASON = `CASE r.not_contacted_reason ${Object.entries(NOT_CONTACTED_REASON_LABELS)
  .map(([code, label]) => `WHEN '${code}' THEN '${label}'`)
  .join(' ')} END`;

/**
 * R-13: how the caller was answered, from reply `r`: `电话：…` when reached, `未联系（空号/停机）：…`
 * when not (issue 15.8); a reply from before the reason was recorded reads `电话（未联系上）：…`.
 */
const CALLER_ANSWER = `CASE
      WHEN r.caller_contacted THEN ${METHOD_NAME} || '：'
      WHEN r.not_contacted_reason IS NOT NULL THEN '未联系（' || ${NOT_CONTACTED_REASON} || '）：'
      ELSE ${METHOD_NAME} || '（未联系上）：' END || r.contact_summary`;

function scopeSql(scope: TicketScope, params: unknown[]): string {
  if (scope.kind === 'all') return 'true';
  if (scope.kind === 'chain') {
    params.push(scope.chain);
    return `t.chain = $${params.length}`;
  }
  params.push(scope.unitCodes);
  return `EXISTS (SELECT 1 FROM assignments sa WHERE sa.ticket_id = t.id AND sa.unit_code = ANY($${params.length}))`;
}

/**
 * The WHERE of a ledger query: the person's scope (R-19) and the filter. `$1` is the clock value
 * (open items past their deadline are overdue); the caller appends its own parameters. `probes`:
 * those of `where` that read another table per ticket (a unit's or the person's units'
 * assignments, a light), which a search tests on its matches only (TicketSearch).
 */
export function filterSql(
  scope: TicketScope,
  filter: LedgerFilter,
  clock: { now: Date; yellowShare: number },
): { params: unknown[]; where: string[]; probes: string[] } {
  const params: unknown[] = [clock.now];
  const where: string[] = [scopeSql(scope, params)];
  const probes: string[] = scope.kind === 'units' ? [where[0]!] : [];
  const add = (sql: string, v: unknown, probe = false) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
    if (probe) probes.push(where[where.length - 1]!);
  };
  if (filter.from) add('t.received_at >= ?', filter.from);
  if (filter.to) add('t.received_at < ?', filter.to);
  if (filter.source) add('t.source_code = ?', filter.source);
  if (filter.category) add('t.category_code = ?', filter.category);
  if (filter.status) add('t.status = ?', filter.status);
  if (filter.route) add('t.route = ?', filter.route);
  if (filter.unit) {
    add('EXISTS (SELECT 1 FROM assignments fa WHERE fa.ticket_id = t.id AND fa.unit_code = ?)', filter.unit, true);
  }
  if (filter.light) {
    params.push(clock.yellowShare); // X-9
    add(
      `(SELECT CASE max(CASE ${lightSql('la', '$1', `$${params.length}`)} WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 WHEN 'green' THEN 1 END)
                   WHEN 3 THEN 'red' WHEN 2 THEN 'yellow' WHEN 1 THEN 'green' END
            FROM assignments la WHERE la.ticket_id = t.id) = ?`,
      filter.light,
      true,
    );
  }
  if (filter.q) where.push(searchSql(filter.q, params));
  return { params, where, probes };
}

/** One unit's approved reply as the query's JSON list holds it. */
type ReplyJson = Record<'unit' | 'role' | 'handler' | 'handledAt' | 'content' | 'callerAnswer', string> & {
  approvedAt: string | null;
};

/** The direct answer's columns of the query (R-7): its text, and who gave it when (the timeline's event). */
interface DirectAnswer {
  text: string | null;
  unit: string | null;
  handler: string | null;
  at: Date | null;
}

/**
 * R-7, R-6c: the answer for the ticket. A direct answer, by the unit and person the timeline
 * names; else the reply approved last among the sole or lead unit's (a co unit's only when no
 * other unit has an approved one).
 */
function answerOf(
  direct: DirectAnswer,
  list: ReplyJson[] | null,
): Pick<LedgerRow, 'handlerUnit' | 'handler' | 'handledAt' | 'reply' | 'callerAnswer' | 'directAnswer'> {
  let answering: ReplyJson | undefined;
  let answeringCo = true;
  let answeringAt = -Infinity;
  for (const u of list ?? []) {
    const co = u.role === CO_ROLE;
    // ORDER BY approved_at DESC would put a reply without the time first.
    const at = u.approvedAt === null ? Infinity : Date.parse(u.approvedAt);
    if ((answeringCo && !co) || (co === answeringCo && at > answeringAt)) {
      answering = u;
      answeringCo = co;
      answeringAt = at;
    }
  }
  return {
    handlerUnit: direct.unit ?? answering?.unit ?? null,
    handler: direct.handler ?? answering?.handler ?? null,
    handledAt: direct.at ?? (answering ? new Date(answering.handledAt) : null),
    reply: direct.text ?? answering?.content ?? null,
    callerAnswer: direct.text !== null ? '直接答复来电人' : (answering?.callerAnswer ?? null),
    directAnswer: direct.text !== null,
  };
}

/** The units' replies (R-6c, R-6d) from the query's JSON list. */
function unitRepliesOf(list: ReplyJson[] | null): LedgerUnitReply[] {
  return (list ?? []).map((u) => ({
    unit: u.unit,
    role: u.role,
    handler: u.handler,
    handledAt: new Date(u.handledAt),
    content: u.content,
    callerAnswer: u.callerAnswer,
  }));
}

export function ledgerRowOf(r: Record<string, any>): LedgerRow {
  return {
    id: r.id,
    number: r.number,
    receivedAt: new Date(r.received_at),
    source: r.source,
    channel: r.channel,
    category: r.category,
    subject: r.subject,
    status: r.status,
    step: r.step,
    route: r.route,
    units: r.units ?? '',
    ...answerOf(
      {
        text: r.direct_answer,
        unit: r.direct_unit,
        handler: r.direct_handler,
        at: r.direct_at ? new Date(r.direct_at) : null,
      },
      r.unit_replies,
    ),
    unitReplies: unitRepliesOf(r.unit_replies),
    mergedInto: r.merged_into_id ? { id: r.merged_into_id, number: r.merged_into_number } : null,
    visitStatus: r.visit_status,
    visitSolved: r.visit_solved,
    visitSatisfaction: r.visit_satisfaction,
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    overdue: r.overdue,
    returns: r.returns,
    extensions: r.extensions,
    rework: r.rework,
    responsibility: r.responsibility,
    responsibleUnit: r.responsible_unit,
  };
}

/**
 * The ledger's query (a page, or a batch of the export): one row per ticket in `LEDGER_FIELDS`
 * order, the facts by lateral reads (with one assignment per ticket these are single index probes;
 * one set-based statement per batch measured slower, docs/benchmarks.md); the assignments and
 * their approved replies in one of them.
 */
export function pageSql(
  scope: TicketScope,
  filter: LedgerFilter,
  limit: number,
  cursor: LedgerCursor | undefined,
  clock: { now: Date; yellowShare: number },
  direction: 'asc' | 'desc',
  ids?: string[],
): { sql: string; params: unknown[] } {
  const { params, where } = filterSql(scope, filter, clock);
  if (ids) {
    params.push(ids);
    where.push(`t.id = ANY($${params.length}::uuid[])`);
  }
  const cmp = direction === 'desc' ? '<' : '>';
  if (cursor) {
    params.push(cursor.receivedAt, cursor.id);
    where.push(`(t.received_at, t.id) ${cmp} ($${params.length - 1}, $${params.length})`);
  }
  params.push(limit);
  const order = direction === 'desc' ? 'DESC' : 'ASC';
  const sql = `SELECT t.id, t.number, t.received_at, s.name AS source, t.channel, c.name AS category, t.subject, t.status,
              t.step, t.route, t.closed_at, t.responsibility, ru.name AS responsible_unit,
              ag.units, ag.overdue, ag.returns, ag.extensions, ag.rework,
              t.direct_answer, da.unit_name AS direct_unit, da.handler AS direct_handler, da.at AS direct_at,
              ag.unit_replies, mt.id AS merged_into_id,
              mt.number AS merged_into_number,
              v.visit_status, v.solved AS visit_solved, v.satisfaction AS visit_satisfaction
         FROM tickets t
         JOIN sources s ON s.code = t.source_code
         JOIN categories c ON c.code = t.category_code
         LEFT JOIN units ru ON ru.code = t.responsible_unit
         LEFT JOIN LATERAL (
           -- One pass over the ticket's assignments, each with its approved reply (at most one:
           -- replies_one_current), for the units, the counts and the replies.
           SELECT string_agg(u.name || '（' || ${ROLE_NAMES} || '）', '、' ORDER BY a.seq)
                    FILTER (WHERE ${handledSql('a')}) AS units,
                  COALESCE(bool_or(${overdueSql('a', firstApprovedSql('a'), '$1', judgedDeadlineSql('a'), 't')}), false) AS overdue,
                  count(*) FILTER (WHERE a.status = 'returned')::int AS returns,
                  COALESCE(sum(a.extension_count), 0)::int AS extensions,
                  COALESCE(sum(a.rework_count), 0)::int AS rework,
                  -- R-6c, R-6d: every unit's standing approved reply, co units' too; the one that
                  -- answers for the ticket is picked from these (answerOf: one list of objects a row,
                  -- not a second, sorted one, which cost the export a quarter of PostgreSQL's time).
                  json_agg(json_build_object('unit', u.name, 'role', ${ROLE_NAMES}, 'handler', r.handler,
                    'handledAt', r.handled_at, 'approvedAt', r.approved_at, 'content', r.content,
                    'callerAnswer', ${CALLER_ANSWER})
                    ORDER BY a.seq) FILTER (WHERE r.id IS NOT NULL) AS unit_replies
             FROM assignments a JOIN units u ON u.code = a.unit_code
             LEFT JOIN replies r ON r.assignment_id = a.id AND r.status = 'approved'
            WHERE a.ticket_id = t.id) ag ON true
         LEFT JOIN LATERAL (
           -- R-7: who answered directly and when (the timeline's answer_directly event); the
           -- branch that answered a lost item, else the operations department.
           SELECT COALESCE(eu.name, '运营服务部') AS unit_name, COALESCE(p.name, e.actor) AS handler, e.at
             FROM timeline_events e LEFT JOIN people p ON p.userid = e.actor LEFT JOIN units eu ON eu.code = e.unit_code
            WHERE t.direct_answer IS NOT NULL AND e.ticket_id = t.id AND e.action = 'answer_directly'
            ORDER BY e.id DESC LIMIT 1) da ON true
         LEFT JOIN tickets mt ON mt.id = t.merged_into
         LEFT JOIN LATERAL (
           SELECT vv.visit_status, vv.solved, vv.satisfaction FROM visits vv WHERE vv.ticket_id = t.id
            ORDER BY vv.id DESC LIMIT 1) v ON true
        WHERE ${where.join(' AND ')}
        ORDER BY t.received_at ${order}, t.id ${order}
        LIMIT $${params.length}`;
  return { sql, params };
}

/**
 * A COPY text timestamptz (DateStyle ISO: `2026-01-01 08:00:00.123456+08`) as a Date. Read by
 * character positions (the export reads three a row; a regular expression each cost ≈ 1 µs), with
 * the general pattern for any other shape (a year past 9999, an offset with seconds).
 */
export function copyTime(s: string): Date {
  const n = s.length;
  if (n >= 22 && s.charCodeAt(4) === 45 && s.charCodeAt(10) === 32 && s.charCodeAt(13) === 58) {
    const d = (i: number) => s.charCodeAt(i) - 48;
    let i = 19;
    let ms = 0;
    if (s.charCodeAt(i) === 46 /* . */) {
      i += 1;
      for (let scale = 100; i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++, scale /= 10) {
        if (scale >= 1) ms += d(i) * scale;
      }
    }
    const sign = s.charCodeAt(i);
    if ((sign === 43 || sign === 45) && (n === i + 3 || (n === i + 6 && s.charCodeAt(i + 3) === 58))) {
      const offset =
        (sign === 45 ? -1 : 1) * ((d(i + 1) * 10 + d(i + 2)) * 60 + (n > i + 3 ? d(i + 4) * 10 + d(i + 5) : 0));
      const utc = Date.UTC(
        d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3),
        d(5) * 10 + d(6) - 1,
        d(8) * 10 + d(9),
        d(11) * 10 + d(12),
        d(14) * 10 + d(15),
        d(17) * 10 + d(18),
        ms,
      );
      return new Date(utc - offset * 60_000);
    }
  }
  const m = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/.exec(s);
  if (!m) return new Date(s);
  const offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0));
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms) - offset * 1000);
}

/** Rows one export statement reads (readLedgerBatches). */
export const EXPORT_CHUNK = 20_000;

/** pageSql's columns in order, with how COPY's text of each is read (the names ledgerRowOf reads). */
export const PAGE_FIELDS: Array<[string, 'text' | 'time' | 'bool' | 'int' | 'json']> = [
  ['id', 'text'],
  ['number', 'text'],
  ['received_at', 'time'],
  ['source', 'text'],
  ['channel', 'text'],
  ['category', 'text'],
  ['subject', 'text'],
  ['status', 'text'],
  ['step', 'text'],
  ['route', 'text'],
  ['closed_at', 'time'],
  ['responsibility', 'text'],
  ['responsible_unit', 'text'],
  ['units', 'text'],
  ['overdue', 'bool'],
  ['returns', 'int'],
  ['extensions', 'int'],
  ['rework', 'int'],
  ['direct_answer', 'text'],
  ['direct_unit', 'text'],
  ['direct_handler', 'text'],
  ['direct_at', 'time'],
  ['unit_replies', 'json'],
  ['merged_into_id', 'text'],
  ['merged_into_number', 'text'],
  ['visit_status', 'text'],
  ['visit_solved', 'bool'],
  ['visit_satisfaction', 'text'],
];

/** Where each of pageSql's columns is in a COPY row (by name, from PAGE_FIELDS). */
const AT = Object.fromEntries(PAGE_FIELDS.map(([name], i) => [name, i]));

const copiedTime = (v: string | null) => (v === null ? null : copyTime(v));
const copiedBool = (v: string | null) => (v === null ? null : v === 't');
const copiedInt = (v: string | null) => (v === null ? null : Number(v));

/**
 * One COPY row of pageSql as a LedgerRow: the same values as page() (pg's type parsers, then
 * ledgerRowOf) gives, built at once (the export makes a million of these; ledger-sql.spec.ts
 * holds the two ways side by side).
 */
export function copiedLedgerRowOf(f: Array<string | null>): LedgerRow {
  if (f.length !== PAGE_FIELDS.length) throw new Error(`ledger export: ${f.length} fields in a row`);
  const json = f[AT.unit_replies];
  const replies = json === null ? null : (JSON.parse(json) as ReplyJson[]);
  const mergedId = f[AT.merged_into_id];
  return {
    id: f[AT.id]!,
    number: f[AT.number]!,
    receivedAt: copyTime(f[AT.received_at]!),
    source: f[AT.source]!,
    channel: f[AT.channel]!,
    category: f[AT.category]!,
    subject: f[AT.subject]!,
    status: f[AT.status]!,
    step: f[AT.step],
    route: f[AT.route],
    units: f[AT.units] ?? '',
    ...answerOf(
      {
        text: f[AT.direct_answer],
        unit: f[AT.direct_unit],
        handler: f[AT.direct_handler],
        at: copiedTime(f[AT.direct_at]),
      },
      replies,
    ),
    unitReplies: unitRepliesOf(replies),
    mergedInto: mergedId ? { id: mergedId, number: f[AT.merged_into_number]! } : null,
    visitStatus: f[AT.visit_status],
    visitSolved: copiedBool(f[AT.visit_solved]),
    visitSatisfaction: f[AT.visit_satisfaction],
    closedAt: copiedTime(f[AT.closed_at]),
    overdue: copiedBool(f[AT.overdue])!,
    returns: copiedInt(f[AT.returns])!,
    extensions: copiedInt(f[AT.extensions])!,
    rework: copiedInt(f[AT.rework])!,
    responsibility: f[AT.responsibility],
    responsibleUnit: f[AT.responsible_unit],
  };
}

/** The connection an export reads on, and how to stop the statement running on it. */
export interface ExportConnection {
  client: Client;
  /** Cancels the statement running on `client` (PostgreSQL's cancel comes from another connection). */
  cancel(): Promise<void>;
}

/**
 * Issue 19 goal 3: the export's rows, oldest first, in batches of `batch`. They are read by
 * `COPY (…) TO STDOUT` statements of `chunk` rows each (keyset, on the one connection given;
 * PostgreSQL's text format instead of the row protocol, see copy-out.ts), streamed: while the
 * caller writes one batch PostgreSQL goes on producing the next rows, and when two batches wait
 * unread the connection's socket is paused, so memory stays at about two batches for any number
 * of rows. Statements of `chunk` rows, not the whole export in one, so no snapshot is held for
 * longer than a chunk takes (vacuum goes on during a long download); a statement per batch
 * measured ≈ 25 % slower (planning and the index descent each time; docs/benchmarks.md). The
 * caller runs the connection with JIT off: compiling this statement cost more than running it.
 * Stop early by leaving the loop (`break`/`return`): the statement running is cancelled and
 * awaited, so the connection is idle again when the loop has left.
 */
export async function* readLedgerBatches(
  conn: ExportConnection,
  scope: TicketScope,
  filter: LedgerFilter,
  clock: { now: Date; yellowShare: number },
  batch: number,
  chunk = EXPORT_CHUNK,
): AsyncGenerator<LedgerRow[]> {
  const { client } = conn;
  const socket = (client as unknown as { connection: { stream: { pause(): void; resume(): void } } }).connection.stream;
  const queue: LedgerRow[] = [];
  let paused = false;
  const resume = () => {
    if (paused) {
      paused = false;
      socket.resume();
    }
  };
  let wake: (() => void) | undefined;
  let stopped = false;
  let finished = false;
  let failed: unknown;
  // The statement in flight (it starts the next chunk itself when it ends with a full one).
  let reading: Promise<void> | undefined;
  // R-15: a search's matches, when one chunk holds them all (exportSearchMatches).
  let ids: string[] | undefined;
  const read = (cursor?: LedgerCursor) => {
    const { sql, params } = ids
      ? pageSql(scope, { ...filter, q: undefined }, chunk, cursor, clock, 'asc', ids)
      : pageSql(scope, filter, chunk, cursor, clock, 'asc');
    let rows = 0;
    let last: LedgerRow | undefined;
    // COPY takes no bind parameters: the values go in as quoted, typed literals.
    reading = copyOut(client, inlineParams(sql, params), (f) => {
      if (stopped) return;
      last = copiedLedgerRowOf(f);
      rows += 1;
      queue.push(last);
      if (!paused && queue.length >= 2 * batch) {
        paused = true;
        socket.pause();
      }
      if (queue.length >= batch) wake?.();
    }).then(
      () => {
        if (!stopped && rows === chunk && last) read({ receivedAt: last.receivedAt, id: last.id });
        else {
          reading = undefined;
          finished = true;
        }
        wake?.();
      },
      (e: unknown) => {
        reading = undefined;
        failed ??= e;
        finished = true;
        wake?.();
      },
    );
  };
  try {
    if (filter.q) ids = (await exportSearchMatches(client, scope, filter, clock, chunk)) ?? undefined;
    read();
    for (;;) {
      if (failed) throw failed;
      if (queue.length >= batch || (finished && queue.length > 0)) {
        const rows = queue.splice(0, batch);
        if (queue.length < batch) resume();
        yield rows;
        continue;
      }
      if (finished) return;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    stopped = true;
    queue.length = 0;
    resume();
    if (reading) {
      // Left early (the client hung up): the statement still running is cancelled and awaited
      // before the connection is used again; its "canceling statement" error is the expected end.
      await conn.cancel().catch(() => undefined);
      while (reading) await reading;
    }
  }
}

/**
 * R-15: the ids of every ticket an export's search finds among those its other filters keep, by
 * the text's indexes (searchIndexSql, as LedgerRepository.count counts them), when there are at
 * most `most` (a chunk); null when there are more. A chunk read with the search among its
 * conditions walks the tickets in the order received, testing each: for a term that few tickets
 * have, nearly the whole table (at 10 M tickets, 12 s for one that none has; docs/benchmarks.md).
 * The matches read whole first (a CTE, planned for every row: the indexes' bitmap), one past
 * `most` at the most.
 */
export async function exportSearchMatches(
  client: Client,
  scope: TicketScope,
  filter: LedgerFilter,
  clock: { now: Date; yellowShare: number },
  most: number,
): Promise<string[] | null> {
  const { params, where } = filterSql(scope, { ...filter, q: undefined }, clock);
  const shares = await readCharShares({ query: async (sql) => (await client.query(sql)).rows });
  where.push(searchIndexSql(filter.q!, params, shares));
  const { rows } = await client.query<{ id: string }>(
    `WITH every AS MATERIALIZED (SELECT t.id FROM tickets t WHERE $1::timestamptz IS NOT NULL AND ${where.join(' AND ')})
     SELECT id FROM every LIMIT ${most + 1}`,
    params,
  );
  return rows.length <= most ? rows.map((r) => r.id) : null;
}
