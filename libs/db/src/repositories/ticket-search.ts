// the free-text search's two phases, newest first, for the ticket list (TicketListRepository)
// and the ledger's page (LedgerRepository): the walk along an index in the page's order, each
// ticket tested, then the indexes of the text (searchIndexSql) when the walk comes short
// (docs/benchmarks.md, "The free-text search past its walk" and the sections after it).
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { caseless, type CharShares, readCharShares, searchIndexSql, searchSql } from './loop-sql';
import { serialQuery } from './sql';

/** A statement and its parameters. */
export type Statement = { sql: string; params: unknown[] };

/**
 * a search's two phases (TicketSearch.phases), both in the page's order, selecting the
 * order's columns and `matched`.
 */
export interface SearchStatements {
  /**
   * The walk of at most `bound` tickets, from the newest or, with `after`, from the one after that
   * ticket (its id): the matches among them, and a row not matched when the walk had as many
   * tickets as its bound (its last one).
   */
  walk(bound: number, after?: string): Statement;
  /**
   * Every match (searchIndexSql); with a cap, every match when there are at most that many, else
   * one row not matched.
   */
  index(cap?: number): Statement;
  /** The walk's bound (searchWalk). */
  bound: number;
  /** The walk can go on from a ticket (`after`), and so goes in two stretches. */
  resumable: boolean;
}

/**
 * The order of a search's page, newest first: `by` (an ORDER BY of ticket `t` that an index gives,
 * ending in `key` DESC, t.id DESC), `key` (the ticket's time column that orders it, as `t.column`)
 * and `columns` (what each statement selects of a ticket: t.id, t.number, t.subject and the key
 * among them; the walk adds t.content).
 */
export interface SearchOrder {
  by: string;
  key: string;
  columns: string;
}

/** The clauses a search's tickets pass (TicketListRepository's WhereParts). */
export interface SearchWhere {
  /** On the ticket's own row: the walk counts the tickets that pass these. */
  rows: string[];
  /** Probes of other tables per ticket: tested with the search, for the walk's matches only. */
  probes: string[];
}

/**
 * How many tickets a search tests newest first before it asks the trigram indexes (TicketSearch.phases),
 * from the number of tickets N. Measured at 100 k, 1 M and 10 M (docs/benchmarks.md): the walk
 * costs about 0.85 µs a ticket compared by bytes (three times that lowered first); the indexes
 * about 12 ns a ticket in the table plus 15 µs a match. A term that one ticket in k has needs 21·k
 * tickets walked for a page of 21, against N/k matches for the indexes: the walk is the cheaper
 * while 21·k·0.85 < 15·N/k, i.e. for a walk of up to √(370·N) tickets (1,900 at 10 k, 19,000 at
 * 1 M), here at most 50,000 (23–31 ms at 10 M since the walk lost its window, 0.5 µs a ticket)
 * and a third of it for a search with a letter. Unknown N (never analysed): the most. The walk
 * goes in two stretches (searchStretches).
 */
export function searchWalk(q: string, tickets: number | null): number {
  const bound = Math.min(50_000, Math.max(1_000, Math.round(Math.sqrt(370 * (tickets ?? Infinity)))));
  return caseless(q) ? bound : Math.round(bound * 0.3);
}

/**
 * how a search's walk of `bound` tickets (searchWalk) goes in two stretches
 * (TicketSearch.phases). The first, a tenth of the walk, tells whether the term is
 * rare among the newest tickets: when it finds no match at all, the indexes are asked at once for
 * at most `cap` matches, and the walk goes on only when there are more. A walk costs about 0.5 µs
 * a ticket, the indexes about 15 µs a match when their keys are rare (docs/benchmarks.md), so the
 * cap is what the rest of the walk would cost: a rare term no longer pays the whole walk (at 10 M
 * tickets 50,000 of them, 23–31 ms) before the indexes find it. No match at all, not merely fewer
 * than the walk's share of a page: a common term whose keys are common too (`乘客反映 123`, one
 * ticket in 900, the key `123` in many more) costs the indexes far more than 15 µs a match; under
 * writes its 5,000 newest tickets hold 5.5 matches on average, 2 or fewer one time in 11 (a p99 of
 * 0.27 s at 10 M), none one time in 250.
 */
export function searchStretches(bound: number): { first: number; cap: number } {
  const first = Math.min(bound, Math.max(100, Math.round(bound / 10)));
  return { first, cap: Math.max(1, Math.round((bound - first) / 30)) };
}

@Injectable()
export class TicketSearch {
  /** pg_class.reltuples of tickets and when it was read (searchWalk). */
  private tableSize = { count: -1, readAt: -Infinity };
  /** The characters' shares (searchIndexSql) and when they were read. */
  private chars: { shares: CharShares; readAt: number } = { shares: null, readAt: -Infinity };

  constructor(private readonly ds: DataSource) {}

  /**
   * A newest-first search's two phases over the tickets that pass `where` (whose parameters are
   * in `params`), in `order`, each statement with its own parameters.
   */
  async statements(where: SearchWhere, q: string, params: unknown[], order: SearchOrder): Promise<SearchStatements> {
    const indexParams = [...params];
    const indexSearch = searchIndexSql(q, indexParams, await this.charShares());
    const column = order.key.replace(/^t\./, '');
    return {
      walk: (bound, after) => {
        const walkParams = [...params];
        // The search before the probes of other tables (a unit, the person's units): each costs an
        // index probe, the search a comparison of the ticket's text.
        const matched = [searchSql(q, walkParams), ...where.probes].join(' AND ');
        const rows = [...where.rows];
        if (after) {
          walkParams.push(after);
          const id = `$${walkParams.length}::uuid`;
          rows.push(`(${order.key}, t.id) < ((SELECT w.${column} FROM tickets w WHERE w.id = ${id}), ${id})`);
        }
        return {
          sql: `(SELECT ${order.columns}, true AS matched
                   FROM (SELECT ${order.columns}, t.content FROM tickets t WHERE ${rows.join(' AND ')}
                          ORDER BY ${order.by} LIMIT ${bound}) t
                  WHERE ${matched}
                  ORDER BY ${order.by})
                UNION ALL
                (SELECT ${walkEnd(order)} FROM tickets t WHERE ${rows.join(' AND ')}
                  ORDER BY ${order.by} OFFSET ${bound - 1} LIMIT 1)`,
          params: walkParams,
        };
      },
      index: (cap) => ({
        sql: everyMatch(
          `SELECT ${order.columns} FROM tickets t WHERE ${[...where.rows, indexSearch, ...where.probes].join(' AND ')}`,
          order.by,
          cap,
        ),
        params: indexParams,
      }),
      bound: searchWalk(q, await this.ticketCount()),
      resumable: true,
    };
  }

  /**
   * R-15: the two phases of a search: the walk (SearchStatements.walk) read up to a page, `limit`;
   * a short page with a row not matched means the walk was cut, and then the indexes give the
   * matches. A resumable walk goes in two stretches (searchStretches): when the first one finds no
   * match, the indexes are asked first, for at most the cap; the rest of the walk runs only when
   * there are more. `read` runs a statement and reads up to `n` of its rows (every row with n
   * null). `every`: the rows are every match (the walk ran out of tickets, or the indexes gave
   * them); with `everyMatch` the indexes' matches are read whole, else up to a page.
   *
   * The newest-first walk is two queries joined by UNION ALL, the matches then the last ticket
   * (walkEnd): a full page never reads the second (the Append stops). A row_number() over the walk
   * instead held each walked row, text and all, in the window's store: at 10 M tickets the walk of
   * 50,000 took 47–56 ms, now 23–31.
   */
  async phases<R extends { id: string; matched: boolean }>(
    s: SearchStatements,
    limit: number,
    read: (statement: Statement, n: number | null) => Promise<R[]>,
    everyMatch = false,
  ): Promise<{ rows: R[]; every: boolean }> {
    const { first, cap } = searchStretches(s.bound);
    const stretch = s.resumable ? first : s.bound;
    const walked = await read(s.walk(stretch), limit);
    const found = walked.filter((r) => r.matched);
    if (found.length === limit) return { rows: found, every: false };
    if (found.length === walked.length) return { rows: found, every: true };
    if (stretch < s.bound) {
      if (found.length === 0) {
        const few = await read(s.index(cap), everyMatch ? null : limit);
        if (few.every((r) => r.matched)) return { rows: few, every: true };
      }
      // The first stretch's last ticket (the row not matched) is where the rest begins.
      const rest = await read(s.walk(s.bound - stretch, walked[walked.length - 1]!.id), limit - found.length);
      const more = rest.filter((r) => r.matched);
      if (found.length + more.length === limit) return { rows: [...found, ...more], every: false };
      if (more.length === rest.length) return { rows: [...found, ...more], every: true };
    }
    return { rows: await read(s.index(), everyMatch ? null : limit), every: true };
  }

  /**
   * phases, reading the matches' ids only. `join` is added to each statement's FROM (a row that
   * types parameters no clause of the search uses).
   */
  async matchIds(
    s: SearchStatements,
    limit: number,
    everyMatch = false,
    join = '',
  ): Promise<{ ids: string[]; every: boolean }> {
    const found = await this.phases<{ id: string; matched: boolean }>(
      s,
      limit,
      (st, n) =>
        serialQuery(this.ds, `SELECT w.id, w.matched FROM (${st.sql} LIMIT $${st.params.length + 1}) w${join}`, [
          ...st.params,
          n,
        ]),
      everyMatch,
    );
    return { ids: found.rows.map((r) => r.id), every: found.every };
  }

  /**
   * The ids of every match of `s`'s index phase, in the page's order, when there are at most
   * `cap` of them; null when there are more (everyMatch reads one past the cap). `join` as
   * matchIds'.
   */
  async cappedMatchIds(s: SearchStatements, cap: number, join = ''): Promise<string[] | null> {
    const st = s.index(cap);
    const rows: Array<{ id: string; matched: boolean }> = await serialQuery(
      this.ds,
      `SELECT w.id, w.matched FROM (${st.sql}) w${join}`,
      st.params,
    );
    return rows.every((r) => r.matched) ? rows.map((r) => r.id) : null;
  }

  /**
   * About how many tickets there are: the planner's figure (pg_class.reltuples, which ANALYZE and
   * VACUUM keep), read at most once a minute; null before the table was first analysed.
   */
  async ticketCount(): Promise<number | null> {
    if (performance.now() - this.tableSize.readAt > 60_000) {
      const [r] = await this.ds.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'tickets'::regclass`);
      this.tableSize = { count: Number(r.n), readAt: performance.now() };
    }
    return this.tableSize.count >= 0 ? this.tableSize.count : null;
  }

  /** The characters' shares (readCharShares), read at most once a minute. */
  async charShares(): Promise<CharShares> {
    if (performance.now() - this.chars.readAt > 60_000) {
      this.chars = { shares: await readCharShares(this.ds), readAt: performance.now() };
    }
    return this.chars.shares;
  }
}

/**
 * A search walk's last ticket (TicketSearch.phases) in the order's columns' places and `matched`
 * false: its id and its order key, the rest NULL (the walk's index alone answers it, without the
 * tickets' rows).
 */
export function walkEnd(order: SearchOrder): string {
  const columns = order.columns
    .split(',')
    .map((c) => c.trim())
    .map((c) => (c === 't.id' || c === order.key ? c : 'NULL'));
  return `${columns.join(', ')}, false`;
}

/**
 * a search's index phase (SearchStatements.index): every ticket that `matches` selects in
 * the page's `order`, `matched` true. Read whole first (a CTE the planner cannot walk in the
 * page's order, testing the search on each ticket). With a cap, read no further than one past it:
 * at most `cap` matches are given, more are one row not matched. The cap's CTE reads the first
 * lazily, which is planned for every row (the bitmap of the indexes), not for a few.
 */
export function everyMatch(matches: string, order: string, cap?: number): string {
  if (cap === undefined) {
    return `WITH found AS MATERIALIZED (${matches})
            SELECT t.*, true AS matched FROM found t ORDER BY ${order}`;
  }
  return `WITH every AS MATERIALIZED (${matches}),
               found AS MATERIALIZED (SELECT * FROM every LIMIT ${cap + 1})
          (SELECT t.*, true AS matched FROM found t WHERE (SELECT count(*) FROM found) <= ${cap} ORDER BY ${order})
          UNION ALL
          (SELECT t.*, false FROM found t WHERE (SELECT count(*) FROM found) > ${cap} LIMIT 1)`;
}
