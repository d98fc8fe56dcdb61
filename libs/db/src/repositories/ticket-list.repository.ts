import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { endSerialPool, serialQuery } from './sql';
import {
  before,
  LIGHT_IS,
  LIST_COLUMNS,
  listWhere,
  listWhereParts,
  newestFirst,
  openLightSql,
  PAGE_COLUMNS,
  RANK,
  toListItem,
  walkable,
  type WhereParts,
  withListColumns,
  WORSE_THAN,
} from './ticket-list-sql';
import { hasTrigram, searchIndexSql, searchSql } from './loop-sql';
import { type SearchStatements, searchStretches, searchWalk, type Statement, TicketSearch } from './ticket-search';
import {
  OPEN_ASSIGNMENT_STATUSES,
  lightSql,
  type Light,
  type LightParams,
  type TicketScope,
} from './ticket.repository';

export interface TicketListFilter {
  status?: string;
  source?: string;
  category?: string;
  unit?: string;
  q?: string;
  from?: Date;
  to?: Date;
  /** X-9: the ticket's worst light among its open assignments. */
  light?: Light;
}

export interface TicketListCursor {
  createdAt: Date;
  id: string;
}

/**
 * X-9: where a light-ordered listing stopped. Phase `open`: among tickets with open assignments,
 * by (rank DESC, deadline ASC, id ASC); phase `rest`: the others, newest first (created_at, id).
 */
export interface LightListCursor {
  phase: 'open' | 'rest';
  /** 3 red, 2 yellow, 1 green; 0 in phase `rest`. */
  rank: number;
  /** The earliest open reply deadline; null in phase `rest`. */
  deadline: Date | null;
  createdAt: Date;
  id: string;
}

export interface TicketListItem {
  id: string;
  number: string;
  subject: string;
  status: string;
  step: string | null;
  sourceCode: string;
  categoryCode: string;
  urgency: string;
  createdAt: Date;
  replyDeadline: Date | null;
  /** X-9: worst light among the open assignments; null when nothing is open. */
  light: Light | null;
  units: Array<{ code: string; role: string; status: string; light: Light | null }>;
}

type LightListRow = TicketListItem & { sortKey: LightListCursor };

/**
 * The ticket list (GET /api/tickets): newest first or in light order (X-9), keyset-paginated,
 * scoped to what the person may see (R-19). Every statement reads one page in an index's order
 * and computes the per-row columns (deadline, light, units) for that page's rows only
 * (docs/benchmarks.md, "The inbox at city scale", through the API).
 */
@Injectable()
export class TicketListRepository implements OnModuleDestroy {
  constructor(
    private readonly ds: DataSource,
    private readonly search: TicketSearch,
  ) {}

  /** The serial statements' pool (shared with the inbox) ends with the module. */
  async onModuleDestroy(): Promise<void> {
    await endSerialPool(this.ds);
  }

  /** Keyset-paginated list, newest first, scoped to what the person may see. */
  async list(
    scope: TicketScope,
    filter: TicketListFilter,
    limit: number,
    cursor: TicketListCursor | undefined,
    lightParams: LightParams,
  ): Promise<TicketListItem[]> {
    if (filter.light) return this.lightNewestFirst(filter.light, scope, filter, limit, cursor, lightParams);
    // $1 = the clock value, $2 = the yellow share (X-9).
    const params: unknown[] = [lightParams.now, lightParams.yellowShare];
    const where = listWhereParts(scope, { ...filter, q: undefined }, params);
    if (cursor) where.rows.push(before('t.created_at, t.id', cursor, params));
    return this.newestTickets(where, filter, limit, params);
  }

  /**
   * One page of tickets newest first (the created-at index's order, or the status one with a
   * status filter), then the per-row columns for that page's rows. Without parallel workers
   * (serialQuery): a page read in an index's order stops at its 21st row; workers scan ahead of
   * each other (a free-text search at 10 M tickets: 156 ms with two, 14 ms without).
   */
  private async newestTickets(
    where: WhereParts,
    filter: TicketListFilter,
    limit: number,
    params: unknown[],
  ): Promise<TicketListItem[]> {
    if (filter.q) return this.searchNewest(where, filter, filter.q, limit, params);
    params.push(limit);
    const rows = await serialQuery(
      this.ds,
      withListColumns(`SELECT ${PAGE_COLUMNS} FROM tickets t
                        WHERE ${[...where.rows, ...where.probes].join(' AND ')}
                        ORDER BY ${newestFirst(filter)}
                        LIMIT $${params.length}`),
      params,
    );
    return rows.map(toListItem);
  }

  /**
   * R-15: a free-text search (`q`), newest first, in two phases. `where` holds every other filter.
   * - The walk: the newest tickets that pass the other filters (at most searchWalk), in the page's
   *   index order, each tested against the search, until the page is full. A common term fills
   *   the page within a few thousand tickets.
   * - The index: when the walk ends short of a page and had more tickets to go, every match is
   *   found by the trigram indexes (a bitmap, the statement's CTE keeps the planner from walking
   *   instead), then sorted. A rare term has few matches to sort.
   * Left to the planner, one statement walked for rare terms as well: at 10 M tickets a subject
   * of one ticket took 15 s (every ticket tested), the two phases 0.15 s (docs/benchmarks.md).
   */
  private async searchNewest(
    where: WhereParts,
    filter: TicketListFilter,
    q: string,
    limit: number,
    params: unknown[],
  ): Promise<TicketListItem[]> {
    const s = await this.searchStatements(where, filter, q, params);
    const found = await this.search.phases(s, limit, (st, n) => this.readPage(st, n));
    return found.rows.map(toListItem);
  }

  /** searchNewest's two phases over the tickets that pass `where` (whose parameters are in `params`). */
  private searchStatements(where: WhereParts, filter: TicketListFilter, q: string, params: unknown[]) {
    return this.search.statements(where, q, params, {
      by: newestFirst(filter),
      key: 't.created_at',
      columns: PAGE_COLUMNS,
    });
  }

  /**
   * R-15 with X-9: the ids of every ticket that the search finds among those that pass the other
   * filters, when they are fewer than a page: the walk (searchStatements) found fewer, and either
   * walked every such ticket or was cut, and then the index phase gives them all. Null when the
   * walk filled a page. The light order sorts these few by their open assignments instead of
   * sorting every open assignment and testing the search ticket by ticket (listByLight).
   */
  private async fewSearchMatches(
    scope: TicketScope,
    filter: TicketListFilter,
    q: string,
    limit: number,
    lightParams: LightParams,
  ): Promise<string[] | null> {
    const params: unknown[] = [lightParams.now, lightParams.yellowShare];
    const where = listWhereParts(scope, { ...filter, q: undefined }, params);
    const s = await this.searchStatements(where, filter, q, params);
    // $1 and $2 (the light's) typed, for a statement with no light filter that uses neither.
    const light = `(SELECT $1::timestamptz, $2::float8) light`;
    const found = await this.search.matchIds(s, limit, true, `, ${light}`);
    return found.every ? found.ids : null;
  }

  /**
   * R-15 with X-9: the ids of the tickets in progress that the search finds among those that pass
   * the other filters, newest first, when there are at most the walk's cap (searchStretches: 1,500
   * at 10 M tickets); null when there are more, or when the search has no three letters or digits
   * in a row (it has no trigram to look up). Only a ticket in progress has open assignments (a
   * workflow invariant, which the inbox's kept counts rely on too), and the trigram indexes of the
   * tickets in progress (migration 1766480000000) hold only those: at 10 M tickets about 200,000,
   * so a term that one ticket in 900 has gives some 220 of them in a few milliseconds, where a
   * light's walk tests about 19,000 open tickets one by one before a page of its matches is full.
   * More than the cap: the term is common among the open tickets, and the walk soon fills a page.
   */
  private async openSearchMatches(
    scope: TicketScope,
    filter: TicketListFilter,
    q: string,
    lightParams: LightParams,
  ): Promise<string[] | null> {
    if (!hasTrigram(q)) return null;
    const params: unknown[] = [lightParams.now, lightParams.yellowShare];
    const where = listWhereParts(scope, { ...filter, light: undefined, q: undefined }, params);
    where.rows.push(`t.status = 'in_progress'`);
    const s = await this.searchStatements(where, filter, q, params);
    // $1 and $2 (the light's) typed, as in fewSearchMatches.
    return this.search.cappedMatchIds(s, searchStretches(s.bound).cap, `, (SELECT $1::timestamptz, $2::float8) light`);
  }

  /**
   * R-15: a page of `few` (a search's matches, fewSearchMatches) that pass `where`, in the page's
   * order. They are read by primary key first: given the ids in the page's statement, the planner
   * walked the created-at index with a filter of thousands of ids (at 10 M, 5,000 of them), which
   * reads the whole index when the matches are old.
   */
  private async fewTickets(
    few: string[],
    where: WhereParts,
    filter: TicketListFilter,
    limit: number,
    params: unknown[],
  ): Promise<TicketListItem[]> {
    params.push(few, limit);
    const [ids, max] = [params.length - 1, params.length];
    const rows = await serialQuery(
      this.ds,
      withListColumns(`WITH found AS MATERIALIZED (SELECT ${PAGE_COLUMNS} FROM tickets t
                                                    WHERE t.id = ANY($${ids}::uuid[])
                                                      AND ${[...where.rows, ...where.probes].join(' AND ')})
                       SELECT * FROM found t ORDER BY ${newestFirst(filter)} LIMIT $${max}`),
      params,
    );
    return rows.map(toListItem);
  }

  /** Up to `n` rows of a search's statement (TicketSearch.phases), with the page's columns. */
  private readPage(
    st: Statement,
    n: number | null,
  ): Promise<Array<Record<string, any> & { id: string; matched: boolean }>> {
    return serialQuery(this.ds, withListColumns(`${st.sql} LIMIT $${st.params.length + 1}`, ', t.matched'), [
      ...st.params,
      n,
    ]);
  }

  /**
   * X-9, issue 19: a light filter, newest first. The walk goes along the open assignments of that
   * light in their ticket's creation order (assignments_open_newest, migration 1766460000000: an
   * index-only read, the deadline and the dispatch time give the light), one row per ticket; each
   * ticket is read by primary key with the other filters, and kept when no other open assignment
   * of it is worse (red wins over yellow, yellow over green), until the page is full. Walking the
   * tickets instead probes every newest ticket: for red at 10 M tickets, 74,360 green ones before
   * the first page (481 ms); yellow and green took seconds.
   */
  private async lightNewestFirst(
    light: Light,
    scope: TicketScope,
    filter: TicketListFilter,
    limit: number,
    cursor: TicketListCursor | undefined,
    lightParams: LightParams,
  ): Promise<TicketListItem[]> {
    const params: unknown[] = [lightParams.now, lightParams.yellowShare];
    const where = listWhereParts(scope, { ...filter, light: undefined, q: undefined }, params);
    const worse = WORSE_THAN[light];
    if (worse) {
      where.probes.push(`NOT EXISTS (SELECT 1 FROM assignments wa WHERE wa.ticket_id = t.id
                                AND wa.status IN ${OPEN_ASSIGNMENT_STATUSES} AND ${worse('wa')})`);
    }
    // The light as one CASE, not its conditions: the planner cannot then read the open assignments
    // by deadline and sort them (it did for green at 10 M, misjudging how many deadlines are still
    // ahead: 125,622 rows read and sorted on disk, 93 ms), and walks the newest first.
    const walk = [`ra.status IN ${OPEN_ASSIGNMENT_STATUSES}`, `${openLightSql('ra')} = '${light}'`];
    // R-15: a search's matches among the open tickets when they are few (openSearchMatches, by the
    // indexes of the tickets in progress); a search of one or two characters, its matches when
    // fewer than a page in its walk (the tickets' walk, a comparison each, not this light's, a
    // ticket read each). Those of this light, newest first.
    const few = !filter.q
      ? null
      : hasTrigram(filter.q)
        ? await this.openSearchMatches(scope, filter, filter.q, lightParams)
        : await this.fewSearchMatches(scope, { ...filter, light: undefined }, filter.q, limit, lightParams);
    if (few) {
      where.probes.push(`EXISTS (SELECT 1 FROM assignments ra WHERE ra.ticket_id = t.id AND ${walk.join(' AND ')})`);
      if (cursor) where.rows.push(before('t.created_at, t.id', cursor, params));
      return this.fewTickets(few, where, filter, limit, params);
    }
    if (cursor) walk.push(before('ra.ticket_created_at, ra.ticket_id', cursor, params));
    const tickets = `SELECT DISTINCT ON (ra.ticket_created_at, ra.ticket_id) ra.ticket_id, ra.ticket_created_at
                       FROM assignments ra WHERE ${walk.join(' AND ')}
                      ORDER BY ra.ticket_created_at DESC, ra.ticket_id DESC`;
    if (filter.q) {
      // R-15: a search among this light's tickets with a page of matches in the tickets' walk, in
      // the search's two phases: this light's walk tests at most `bound` of them; then every
      // match of the search is tested for the light.
      const indexParams = [...params];
      const search = searchSql(filter.q, params);
      const indexSearch = searchIndexSql(filter.q, indexParams, await this.search.charShares());
      const s: SearchStatements = {
        // The walk's last ticket is counted by row_number() over the assignments' narrow rows (a
        // second query for it, as searchNewest's walk has, would walk that index again: 32 ms at
        // 10 M), and is returned as not matched whether it matches or not. One stretch only.
        walk: (n) => ({
          sql: `SELECT ${PAGE_COLUMNS}, (t.matched AND r.walked < ${n}) AS matched
                  FROM (SELECT r.*, row_number() OVER (ORDER BY r.ticket_created_at DESC, r.ticket_id DESC) AS walked
                          FROM (${tickets}) r ORDER BY r.ticket_created_at DESC, r.ticket_id DESC LIMIT ${n}) r
                 CROSS JOIN LATERAL (SELECT ${PAGE_COLUMNS}, (${[...where.rows, search, ...where.probes].join(' AND ')}) AS matched
                                       FROM tickets t WHERE t.id = r.ticket_id OFFSET 0) t
                 WHERE t.matched OR r.walked = ${n}
                 ORDER BY r.ticket_created_at DESC, r.ticket_id DESC`,
          params,
        }),
        index: () => ({
          sql: `WITH found AS MATERIALIZED (SELECT ${PAGE_COLUMNS} FROM tickets t
                                             WHERE ${[...where.rows, indexSearch, ...where.probes].join(' AND ')})
                SELECT t.*, true AS matched FROM found t
                 WHERE EXISTS (SELECT 1 FROM assignments ra WHERE ra.ticket_id = t.id AND ${walk.join(' AND ')})
                 ORDER BY t.created_at DESC, t.id DESC`,
          params: indexParams,
        }),
        bound: searchWalk(filter.q, await this.search.ticketCount()),
        resumable: false,
      };
      const found = await this.search.phases(s, limit, (st, n) => this.readPage(st, n));
      return found.rows.map(toListItem);
    }
    params.push(limit);
    const rows = await serialQuery(
      this.ds,
      withListColumns(`SELECT t.* FROM (${tickets}) r
                         CROSS JOIN LATERAL (SELECT ${PAGE_COLUMNS} FROM tickets t
                                              WHERE t.id = r.ticket_id AND ${[...where.rows, ...where.probes].join(' AND ')} OFFSET 0) t
                        ORDER BY r.ticket_created_at DESC, r.ticket_id DESC
                        LIMIT $${params.length}`),
      params,
    );
    return rows.map(toListItem);
  }

  /**
   * X-9: the list ordered by light — red, then yellow, then green, each by its earliest open reply
   * deadline (then by id, for a stable order) — then the tickets with nothing open, newest first.
   * Two keyset phases: the open tickets, then the rest from the created-at index. `lightParams.now`
   * must be the same for every page of one listing (the cursor carries it), so that a ticket
   * turning red between two pages is neither skipped nor shown twice.
   */
  async listByLight(
    scope: TicketScope,
    filter: TicketListFilter,
    limit: number,
    cursor: LightListCursor | undefined,
    lightParams: LightParams,
  ): Promise<LightListRow[]> {
    const out: LightListRow[] = [];
    // R-15: a search with fewer matches than a page in its walk is sorted from those matches (the
    // search's two phases find them); the open phase would otherwise sort every open assignment
    // and test the search on each open ticket in turn (at 10 M tickets 1.3-1.8 s for a rare term).
    const few = filter.q ? await this.fewSearchMatches(scope, filter, filter.q, limit, lightParams) : null;
    if (few?.length === 0) return out;
    if (!cursor || cursor.phase === 'open') {
      // A page's worth in the walk: the open phase sorts the search's matches among the open
      // tickets when they are few (openSearchMatches). A term common among them (more than the
      // cap) is tested on each open ticket as the walk in light order reaches it, which soon
      // fills a page; the aggregate sorted every open assignment first (at 10 M, 199 ms).
      const openFew = few ?? (filter.q ? await this.openSearchMatches(scope, filter, filter.q, lightParams) : null);
      const common = !!filter.q && openFew === null && hasTrigram(filter.q);
      const open =
        (!filter.q || common) && walkable(scope, { ...filter, q: undefined })
          ? await this.openByWalk(scope, filter, limit, cursor, lightParams)
          : await this.openByAggregate(scope, filter, limit, cursor, lightParams, openFew);
      out.push(...open);
      // A light filter keeps only open tickets: there is no second phase.
      if (out.length >= limit || filter.light) return out;
    }
    const params: unknown[] = [lightParams.now, lightParams.yellowShare];
    const where = listWhereParts(scope, { ...filter, q: undefined }, params);
    where.probes.push(
      `NOT EXISTS (SELECT 1 FROM assignments na WHERE na.ticket_id = t.id AND na.status IN ${OPEN_ASSIGNMENT_STATUSES})`,
    );
    if (cursor?.phase === 'rest') where.rows.push(before('t.created_at, t.id', cursor, params));
    const rest = few
      ? await this.fewTickets(few, where, filter, limit - out.length, params)
      : await this.newestTickets(where, filter, limit - out.length, params);
    for (const item of rest) {
      out.push({
        ...item,
        sortKey: { phase: 'rest', rank: 0, deadline: null, createdAt: item.createdAt, id: item.id },
      });
    }
    return out;
  }

  /**
   * The open phase for the whole office: one walk per light, in the order of the open deadlines
   * (assignments_open_walk), keeping each ticket at its earliest open assignment. A ticket is red
   * when that earliest deadline has passed; else yellow when one of its open assignments is past
   * the yellow share, else green (the same rule as lightSql). A page costs its own rows plus the
   * tickets of the other lights the walk passes, never a sort of every open ticket. Not used when
   * the tickets are filtered (a unit's scope, a status, a search …): the walk would pass most open
   * tickets one index probe each, more than the aggregate below. A search that many open tickets
   * match (listByLight) is the exception: the walk soon finds a page of them.
   */
  private async openByWalk(
    scope: TicketScope,
    filter: TicketListFilter,
    limit: number,
    cursor: LightListCursor | undefined,
    lightParams: LightParams,
  ): Promise<LightListRow[]> {
    const out: LightListRow[] = [];
    const wanted = filter.light ? [RANK[filter.light]] : [3, 2, 1];
    for (const rank of wanted) {
      if (out.length >= limit) break;
      if (cursor && rank > cursor.rank) continue;
      const params: unknown[] = [lightParams.now, lightParams.yellowShare];
      // The light filter is the walk's own (one light per walk): not again per ticket.
      const where = listWhere(scope, { ...filter, light: undefined }, params);
      const walk = [
        `a.status IN ${OPEN_ASSIGNMENT_STATUSES}`,
        rank === 3 ? LIGHT_IS.red('a') : `a.reply_deadline > $1::timestamptz`,
        // The ticket's earliest open assignment (of two with the same deadline, the first by id).
        `a.reply_deadline = (SELECT min(b.reply_deadline) FROM assignments b
                              WHERE b.ticket_id = a.ticket_id AND b.status IN ${OPEN_ASSIGNMENT_STATUSES})`,
        `NOT EXISTS (SELECT 1 FROM assignments b WHERE b.ticket_id = a.ticket_id
                        AND b.status IN ${OPEN_ASSIGNMENT_STATUSES} AND b.reply_deadline = a.reply_deadline AND b.id < a.id)`,
      ];
      // A scalar subquery, not EXISTS: checked per ticket as the walk reaches it (an EXISTS becomes
      // a semi-join that first reads every yellow assignment and then sorts).
      const yellow = `(SELECT 1 FROM assignments y WHERE y.ticket_id = a.ticket_id
                         AND y.status IN ${OPEN_ASSIGNMENT_STATUSES} AND ${LIGHT_IS.yellow('y')}
                       LIMIT 1)`;
      if (rank === 2) walk.push(`${yellow} IS NOT NULL`);
      if (rank === 1) walk.push(`${yellow} IS NULL`);
      if (cursor && rank === cursor.rank) {
        params.push(cursor.deadline, cursor.id);
        walk.push(`(a.reply_deadline, a.ticket_id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
      }
      params.push(limit - out.length);
      // The walk is read in index order, the tickets by primary key one by one until the page is
      // full (OFFSET 0 keeps the lateral read a per-row lookup).
      const rows = await this.ds.query(
        `SELECT ${LIST_COLUMNS}, w.reply_deadline AS sort_deadline
           FROM (SELECT a.ticket_id, a.reply_deadline FROM assignments a
                  WHERE ${walk.join(' AND ')}
                  ORDER BY a.reply_deadline, a.ticket_id) w
           CROSS JOIN LATERAL (SELECT * FROM tickets t WHERE t.id = w.ticket_id AND ${where.join(' AND ')} OFFSET 0) t
          ORDER BY w.reply_deadline, w.ticket_id
          LIMIT $${params.length}`,
        params,
      );
      for (const r of rows) {
        const item = toListItem(r);
        out.push({
          ...item,
          sortKey: { phase: 'open', rank, deadline: new Date(r.sort_deadline), createdAt: item.createdAt, id: item.id },
        });
      }
    }
    return out;
  }

  /**
   * The open phase with filters: the order comes from the open assignments alone (an index-only
   * scan of assignments_open_light, aggregated and sorted in memory); the tickets are then read by
   * primary key in that order (OFFSET 0 keeps the lateral read a per-row index lookup) until the
   * page is full — never a scan of the whole tickets table (docs/benchmarks.md). With `few` (a
   * search's few matches, fewSearchMatches) only their open assignments are aggregated.
   */
  private async openByAggregate(
    scope: TicketScope,
    filter: TicketListFilter,
    limit: number,
    cursor: LightListCursor | undefined,
    lightParams: LightParams,
    few: string[] | null,
  ): Promise<LightListRow[]> {
    const params: unknown[] = [lightParams.now, lightParams.yellowShare];
    const where = listWhere(scope, filter, params);
    const open = [`a.status IN ${OPEN_ASSIGNMENT_STATUSES}`];
    if (few) {
      params.push(few);
      open.push(`a.ticket_id = ANY($${params.length}::uuid[])`);
    }
    const keyset: string[] = [];
    if (cursor) {
      params.push(cursor.rank, cursor.deadline, cursor.id);
      const [r, d, i] = [params.length - 2, params.length - 1, params.length].map((n) => `$${n}`);
      // (rank DESC, deadline ASC, ticket id ASC) strictly after the cursor.
      keyset.push(`(o.rank < ${r} OR (o.rank = ${r} AND (o.deadline > ${d}::timestamptz
                    OR (o.deadline = ${d}::timestamptz AND o.ticket_id > ${i}::uuid))))`);
    }
    params.push(limit);
    const rows = await this.ds.query(
      `WITH o AS (
         SELECT a.ticket_id,
                max(CASE ${lightSql('a', '$1', '$2')} WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 ELSE 1 END) AS rank,
                min(a.reply_deadline) AS deadline
           FROM assignments a
          WHERE ${open.join(' AND ')}
          GROUP BY a.ticket_id)
       SELECT ${LIST_COLUMNS}, o.rank AS sort_rank, o.deadline AS sort_deadline
         FROM (SELECT * FROM o ${keyset.length ? `WHERE ${keyset[0]}` : ''}
                ORDER BY o.rank DESC, o.deadline ASC, o.ticket_id ASC) o
         CROSS JOIN LATERAL (SELECT * FROM tickets t WHERE t.id = o.ticket_id AND ${where.join(' AND ')} OFFSET 0) t
        ORDER BY o.rank DESC, o.deadline ASC, o.ticket_id ASC
        LIMIT $${params.length}`,
      params,
    );
    return rows.map((r: Record<string, any>) => {
      const item = toListItem(r);
      return {
        ...item,
        sortKey: {
          phase: 'open' as const,
          rank: Number(r.sort_rank),
          deadline: new Date(r.sort_deadline),
          createdAt: item.createdAt,
          id: item.id,
        },
      };
    });
  }
}
