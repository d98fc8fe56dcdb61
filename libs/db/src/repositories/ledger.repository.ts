import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NOT_CONTACTED_REASON_LABELS } from '@hotline/workflow';
import { firstApprovedSql, handledSql, judgedDeadlineSql, likePattern, overdueSql } from './loop-sql';
import { lightSql, type Light, type TicketScope } from './ticket.repository';
import { exec, pooledClient } from './sql';
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

const ROLE_NAMES = `CASE a.role WHEN 'lead' THEN '主办' WHEN 'co' THEN '会办' ELSE '承办' END`;

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
 * (open items past their deadline are overdue); the caller appends its own parameters.
 */
function filterSql(
  scope: TicketScope,
  filter: LedgerFilter,
  clock: { now: Date; yellowShare: number },
): { params: unknown[]; where: string[] } {
  const params: unknown[] = [clock.now];
  const where: string[] = [scopeSql(scope, params)];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (filter.from) add('t.received_at >= ?', filter.from);
  if (filter.to) add('t.received_at < ?', filter.to);
  if (filter.source) add('t.source_code = ?', filter.source);
  if (filter.category) add('t.category_code = ?', filter.category);
  if (filter.status) add('t.status = ?', filter.status);
  if (filter.route) add('t.route = ?', filter.route);
  if (filter.unit) {
    add('EXISTS (SELECT 1 FROM assignments fa WHERE fa.ticket_id = t.id AND fa.unit_code = ?)', filter.unit);
  }
  if (filter.light) {
    params.push(clock.yellowShare); // X-9
    add(
      `(SELECT CASE max(CASE ${lightSql('la', '$1', `$${params.length}`)} WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 WHEN 'green' THEN 1 END)
                   WHEN 3 THEN 'red' WHEN 2 THEN 'yellow' WHEN 1 THEN 'green' END
            FROM assignments la WHERE la.ticket_id = t.id) = ?`,
      filter.light,
    );
  }
  if (filter.q) {
    params.push(likePattern(filter.q), filter.q);
    where.push(
      `(t.subject ILIKE $${params.length - 1} OR t.content ILIKE $${params.length - 1} OR t.number = $${params.length})`,
    );
  }
  return { params, where };
}

function ledgerRowOf(r: Record<string, any>): LedgerRow {
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
    handlerUnit: r.handler_unit,
    handler: r.handler,
    handledAt: r.handled_at ? new Date(r.handled_at) : null,
    reply: r.reply,
    callerAnswer: r.caller_answer,
    directAnswer: r.direct_answer,
    unitReplies: ((r.unit_replies ?? []) as Array<Record<string, string>>).map((u) => ({
      unit: u.unit,
      role: u.role,
      handler: u.handler,
      handledAt: new Date(u.handledAt),
      content: u.content,
      callerAnswer: u.callerAnswer,
    })),
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
function pageSql(
  scope: TicketScope,
  filter: LedgerFilter,
  limit: number,
  cursor: LedgerCursor | undefined,
  clock: { now: Date; yellowShare: number },
  direction: 'asc' | 'desc',
): { sql: string; params: unknown[] } {
  const { params, where } = filterSql(scope, filter, clock);
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
              COALESCE(da.unit_name, ag.rp->>'unit_name') AS handler_unit, COALESCE(da.handler, ag.rp->>'handler') AS handler,
              COALESCE(da.at, (ag.rp->>'handled_at')::timestamptz) AS handled_at,
              COALESCE(t.direct_answer, ag.rp->>'content') AS reply,
              CASE WHEN t.direct_answer IS NOT NULL THEN '直接答复来电人' ELSE ag.rp->>'caller_answer' END AS caller_answer,
              t.direct_answer IS NOT NULL AS direct_answer, ag.unit_replies, mt.id AS merged_into_id,
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
                  -- The reply that answers for the ticket: the latest approved one of a sole or lead unit.
                  (array_agg(json_build_object('unit_name', u.name, 'handler', r.handler, 'handled_at', r.handled_at,
                     'content', r.content, 'caller_answer', ${CALLER_ANSWER})
                     ORDER BY (a.role = 'co'), r.approved_at DESC) FILTER (WHERE r.id IS NOT NULL))[1] AS rp,
                  -- R-6c, R-6d: every unit's standing approved reply, co units' too.
                  json_agg(json_build_object('unit', u.name, 'role', ${ROLE_NAMES}, 'handler', r.handler,
                    'handledAt', r.handled_at, 'content', r.content, 'callerAnswer', ${CALLER_ANSWER})
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

/** A COPY text timestamptz (DateStyle ISO: `2026-01-01 08:00:00.123456+08`) as a Date. */
function copyTime(s: string): Date {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/.exec(s);
  if (!m) return new Date(s);
  const offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0));
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms) - offset * 1000);
}

/** Rows one export statement reads (exportBatches). */
export const EXPORT_CHUNK = 20_000;

/** pageSql's columns in order, with how COPY's text of each is read (the names ledgerRowOf reads). */
const PAGE_FIELDS: Array<[string, 'text' | 'time' | 'bool' | 'int' | 'json']> = [
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
  ['handler_unit', 'text'],
  ['handler', 'text'],
  ['handled_at', 'time'],
  ['reply', 'text'],
  ['caller_answer', 'text'],
  ['direct_answer', 'bool'],
  ['unit_replies', 'json'],
  ['merged_into_id', 'text'],
  ['merged_into_number', 'text'],
  ['visit_status', 'text'],
  ['visit_solved', 'bool'],
  ['visit_satisfaction', 'text'],
];

/** One COPY row of pageSql as a LedgerRow: the same values as page() (pg's type parsers) gives. */
function copiedLedgerRowOf(fields: Array<string | null>): LedgerRow {
  if (fields.length !== PAGE_FIELDS.length) throw new Error(`ledger export: ${fields.length} fields in a row`);
  const r: Record<string, unknown> = {};
  for (let i = 0; i < PAGE_FIELDS.length; i++) {
    const [name, kind] = PAGE_FIELDS[i];
    const v = fields[i];
    r[name] =
      v === null
        ? null
        : kind === 'text'
          ? v
          : kind === 'time'
            ? copyTime(v)
            : kind === 'bool'
              ? v === 't'
              : kind === 'int'
                ? Number(v)
                : JSON.parse(v);
  }
  return ledgerRowOf(r);
}

/** R-15: the register of every ticket, filtered, keyset-paginated on (received_at, id). */
@Injectable()
export class LedgerRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * One page. `direction` 'desc' for the screen (newest first), 'asc' for the export (the
   * register in order). `now` is the clock value for lights and open overdue items.
   */
  async page(
    scope: TicketScope,
    filter: LedgerFilter,
    limit: number,
    cursor: LedgerCursor | undefined,
    clock: { now: Date; yellowShare: number },
    direction: 'asc' | 'desc' = 'desc',
  ): Promise<LedgerRow[]> {
    const { sql, params } = pageSql(scope, filter, limit, cursor, clock, direction);
    const { rows } = await exec<Record<string, any>>(this.ds.manager, sql, params);
    return rows.map(ledgerRowOf);
  }

  /**
   * Issue 19 goal 3: the export's rows, oldest first, in batches of `batch`. They are read by
   * `COPY (…) TO STDOUT` statements of EXPORT_CHUNK rows each (keyset, on one connection held for
   * the export; PostgreSQL's text format instead of the row protocol, see copy-out.ts), streamed:
   * while the caller writes one batch PostgreSQL goes on producing the next rows, and when two
   * batches wait unread the connection's socket is paused, so memory stays at about two batches
   * for any number of rows. Statements of EXPORT_CHUNK rows, not the whole export in one, so no
   * snapshot is held for longer than a chunk takes (vacuum goes on during a long download); a
   * statement per batch measured ≈ 25 % slower (planning and the index descent each time;
   * docs/benchmarks.md). JIT is off on that connection: compiling this statement cost more than
   * running it. Stop early by leaving the loop (`break`/`return`): the statement running is
   * cancelled and the connection goes back to the pool.
   */
  async *exportBatches(
    scope: TicketScope,
    filter: LedgerFilter,
    clock: { now: Date; yellowShare: number },
    batch: number,
    chunk = EXPORT_CHUNK,
  ): AsyncGenerator<LedgerRow[]> {
    const [client, release] = await pooledClient(this.ds);
    const socket = (client as unknown as { connection: { stream: { pause(): void; resume(): void } } }).connection
      .stream;
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
    const read = (cursor?: LedgerCursor) => {
      const { sql, params } = pageSql(scope, filter, chunk, cursor, clock, 'asc');
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
    let failure: unknown;
    try {
      await client.query('SET jit = off');
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
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      stopped = true;
      queue.length = 0;
      resume();
      if (reading) {
        // Left early (the client hung up): the statement still running is cancelled (from
        // another connection, as PostgreSQL's cancel works) and awaited before the connection
        // goes back; its "canceling statement" error is the expected end.
        await this.ds
          .query('SELECT pg_cancel_backend($1)', [(client as unknown as { processID: number }).processID])
          .catch(() => undefined);
        while (reading) await reading;
        if ((failed as { code?: string } | undefined)?.code !== '57014') failure ??= failed;
      }
      // The pooled connection goes back as it came (JIT as configured); if that fails, it is dropped.
      failure ??= await client.query('RESET jit').then(
        () => undefined,
        (e: unknown) => e,
      );
      release(failure);
    }
  }

  /** How many rows the ledger holds for this scope and filter (an export's total, issue 19). */
  async count(scope: TicketScope, filter: LedgerFilter, clock: { now: Date; yellowShare: number }): Promise<number> {
    const { params, where } = filterSql(scope, filter, clock);
    const { rows } = await exec<{ n: string }>(
      this.ds.manager,
      `SELECT count(*) AS n FROM tickets t WHERE $1::timestamptz IS NOT NULL AND ${where.join(' AND ')}`,
      params,
    );
    return Number(rows[0].n);
  }

  /** R-15, R-19: every export on record, from its start (with the rows it will hold). */
  async startExport(userid: string, filters: Record<string, unknown>, total: number, now: Date): Promise<number> {
    const rows = await this.ds.query(
      `INSERT INTO ledger_exports (userid, started_at, filters, total) VALUES ($1, $2, $3, $4) RETURNING id`,
      [userid, now, JSON.stringify(filters), total],
    );
    return Number(rows[0].id);
  }

  /** Issue 19: the rows written so far of a running export (its progress). */
  async progressExport(id: number, rowCount: number): Promise<void> {
    await exec(this.ds.manager, `UPDATE ledger_exports SET row_count = $2 WHERE id = $1 AND status = 'running'`, [
      id,
      rowCount,
    ]);
  }

  async finishExport(id: number, status: 'done' | 'failed' | 'cancelled', rowCount: number, now: Date): Promise<void> {
    await exec(
      this.ds.manager,
      `UPDATE ledger_exports SET status = $2, row_count = $3, finished_at = $4 WHERE id = $1 AND status = 'running'`,
      [id, status, rowCount, now],
    );
  }

  /** One export's record (its progress while it runs), or null. */
  async exportRecord(id: number): Promise<LedgerExportRecord | null> {
    const rows = await this.ds.query(`SELECT * FROM ledger_exports WHERE id = $1`, [id]);
    return rows.length ? exportRecordOf(rows[0]) : null;
  }

  async exports(limit: number): Promise<LedgerExportRecord[]> {
    const rows = await this.ds.query(`SELECT * FROM ledger_exports ORDER BY started_at DESC, id DESC LIMIT $1`, [
      limit,
    ]);
    return rows.map(exportRecordOf);
  }
}

export interface LedgerExportRecord {
  id: number;
  userid: string;
  startedAt: Date;
  filters: unknown;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  /** Rows written: so far while running, all of them when done. */
  rowCount: number | null;
  /** The rows the export holds when complete (counted at its start); null for exports from before. */
  total: number | null;
  finishedAt: Date | null;
}

function exportRecordOf(r: Record<string, any>): LedgerExportRecord {
  return {
    id: Number(r.id),
    userid: r.userid,
    startedAt: new Date(r.started_at),
    filters: r.filters,
    status: r.status,
    rowCount: r.row_count,
    total: r.total,
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
  };
}
