import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TicketScope } from './ticket.repository';
import { connectionSettings, exec } from './sql';
import { searchIndexSql } from './loop-sql';
import { TicketSearch } from './ticket-search';
import { filterSql, ledgerRowOf, pageSql, type LedgerCursor, type LedgerFilter, type LedgerRow } from './ledger-sql';

export type { LedgerCursor, LedgerFilter, LedgerRow, LedgerUnitReply } from './ledger-sql';

/** A ledger page's order, newest first, for its search (TicketSearch): the received-at index's. */
const NEWEST_RECEIVED = {
  by: 't.received_at DESC, t.id DESC',
  key: 't.received_at',
  columns: 't.id, t.number, t.subject, t.received_at',
};

/** the register of every ticket, filtered, keyset-paginated on (received_at, id). */
@Injectable()
export class LedgerRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly search: TicketSearch,
  ) {}

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
    const ids =
      filter.q && direction === 'desc' ? await this.searchPage(scope, filter, limit, cursor, clock) : undefined;
    if (ids?.length === 0) return [];
    const { sql, params } = ids
      ? pageSql(scope, { ...filter, q: undefined }, limit, undefined, clock, direction, ids)
      : pageSql(scope, filter, limit, cursor, clock, direction);
    const { rows } = await exec<Record<string, any>>(this.ds.manager, sql, params);
    return rows.map(ledgerRowOf);
  }

  /**
   * the ids of a searched page, newest first, by the ticket list's search (TicketSearch: the
   * received-at index walked, then the text's indexes). The page's statement with the search
   * among its conditions was left to the planner, which walked that index and tested every ticket
   * for a term that few or none have: at 10 M tickets 4.0 s for one match, 12.4 s for none.
   */
  private async searchPage(
    scope: TicketScope,
    filter: LedgerFilter,
    limit: number,
    cursor: LedgerCursor | undefined,
    clock: { now: Date; yellowShare: number },
  ): Promise<string[]> {
    const { params, where, probes } = filterSql(scope, { ...filter, q: undefined }, clock);
    // The walk counts the tickets that pass the ticket's own clauses; the probes are tested with
    // the search. $1, the clock value, typed for the statements that use it nowhere else.
    const rows = [...where.filter((c) => !probes.includes(c)), '$1::timestamptz IS NOT NULL'];
    if (cursor) {
      params.push(cursor.receivedAt, cursor.id);
      rows.push(`(t.received_at, t.id) < ($${params.length - 1}, $${params.length})`);
    }
    const s = await this.search.statements({ rows, probes }, filter.q!, params, NEWEST_RECEIVED);
    return (await this.search.matchIds(s, limit)).ids;
  }

  /**
   * Issue 19 goal 3: how the export process reaches the database (the pool's settings as plain
   * data: host, port, role, password, TLS), so it connects to the same server as the same role.
   */
  exportConnectionSettings(): Record<string, unknown> {
    return connectionSettings(this.ds) as Record<string, unknown>;
  }

  /**
   * How many rows the ledger holds for this scope and filter (an export's total, issue 19). A
   * search in the form the text's indexes answer (searchIndexSql): every match is counted anyway,
   * and for one or two characters the trigram indexes return every ticket to be tested (`犇` at
   * 10 M tickets: 10.1 s).
   */
  async count(scope: TicketScope, filter: LedgerFilter, clock: { now: Date; yellowShare: number }): Promise<number> {
    const { params, where } = filterSql(scope, { ...filter, q: undefined }, clock);
    if (filter.q) where.push(searchIndexSql(filter.q, params, await this.search.charShares()));
    const { rows } = await exec<{ n: string }>(
      this.ds.manager,
      `SELECT count(*) AS n FROM tickets t WHERE $1::timestamptz IS NOT NULL AND ${where.join(' AND ')}`,
      params,
    );
    return Number(rows[0].n);
  }

  /** every export on record, from its start (with the rows it will hold). */
  async startExport(userid: string, filters: Record<string, unknown>, total: number, now: Date): Promise<number> {
    const rows = await this.ds.query(
      `INSERT INTO ledger_exports (userid, started_at, filters, total, heartbeat_at) VALUES ($1, $2, $3, $4, $2) RETURNING id`,
      [userid, now, JSON.stringify(filters), total],
    );
    return Number(rows[0].id);
  }

  /** Issue 19: the rows written so far of a running export (its progress), and its heartbeat. */
  async progressExport(id: number, rowCount: number, now: Date): Promise<void> {
    await exec(
      this.ds.manager,
      `UPDATE ledger_exports SET row_count = $2, heartbeat_at = $3 WHERE id = $1 AND status = 'running'`,
      [id, rowCount, now],
    );
  }

  /** Issue 19: a running export is still alive (it waits on a slow client). */
  async heartbeatExport(id: number, now: Date): Promise<void> {
    await exec(this.ds.manager, `UPDATE ledger_exports SET heartbeat_at = $2 WHERE id = $1 AND status = 'running'`, [
      id,
      now,
    ]);
  }

  /**
   * Issue 19: running exports whose process died (no heartbeat since `before`; the start stands in
   * for one on records from before heartbeats) end as 'failed'; how many.
   */
  async failStaleExports(before: Date, now: Date): Promise<number> {
    const { affected } = await exec(
      this.ds.manager,
      `UPDATE ledger_exports SET status = 'failed', finished_at = $2
        WHERE status = 'running' AND COALESCE(heartbeat_at, started_at) < $1`,
      [before, now],
    );
    return affected;
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
