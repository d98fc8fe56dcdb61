import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { lightSql, OPEN_ASSIGNMENT_STATUSES } from './ticket.repository';
import {
  DISPATCH_FIGURES_SQL,
  dayOfSql,
  REFRESH_DAYS_SQL,
  toUnitFigures,
  UNIT_FIGURES_DIRECT_SQL,
  UNIT_FIGURES_SQL,
} from './unit-figures-sql';

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
  /** X-10 办结 (docs/kpi.md): handled assignments whose ticket's handling was approved as finished. */
  closed: number;
  closedOnTime: number;
  /** closedOnTime + handled assignments certainly finished late (closed late, or not yet and past the deadline). */
  closeDue: number;
  onTimeCloseRate: number | null;
  /** Closed without rework or a reviewer's send-back. */
  firstTimeClosed: number;
  firstTimeCloseRate: number | null;
  /** Handled assignments whose ticket repeats the same caller's same matter within REPEAT_WINDOW_DAYS. */
  repeatCalls: number;
  repeatRate: number | null;
  rank: number;
}

/** tickets dispatched the same working day (before close of business), per initiator or for the office. */
export interface DispatchFigures {
  /** The initiator (发起人); null on the office-wide total. */
  userid: string | null;
  name: string | null;
  /** Dispatched, or still waiting past their dispatch due time. */
  due: number;
  onTime: number;
  late: number;
  /** Of `late`: not dispatched yet. */
  waiting: number;
  lateRate: number | null;
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

/** the hot-spot window's top entries; `strongConcern` at or past the threshold. */
const HOT_SPOT_LIMIT = 10;

/**
 * How many dirty days a figures read recomputes itself before reading (issue 19: 10 days took
 * about 2 s at 1 M tickets); with more, it reads them directly and the worker catches up.
 */
const INLINE_REFRESH_DAYS = 3;

/** The advisory lock of refreshUnitFigureDays (one refresh at a time). */
const FIGURES_LOCK = 1766410000;

@Injectable()
export class AssessmentRepository {
  /** The statements, for the benchmark's EXPLAIN (bench/unit-figures.ts) and the tests' oracle. */
  static readonly unitFiguresSql = UNIT_FIGURES_SQL;
  static readonly unitFiguresDirectSql = UNIT_FIGURES_DIRECT_SQL;
  static readonly refreshDaysSql = REFRESH_DAYS_SQL;

  constructor(private readonly ds: DataSource) {}

  /**
   * per unit, for assignments dispatched in [from, to); `now` is the clock value for open
   * items; `repeatWindowDays` the X-6 repeat window (REPEAT_WINDOW_DAYS). The stored sums of the
   * period's whole days (unit_figure_days, recomputed first where dirty) plus a direct read of
   * the rest; exactly UNIT_FIGURES_DIRECT_SQL's numbers (docs/benchmarks.md).
   */
  async unitFigures(from: Date, to: Date, now: Date, repeatWindowDays = 30): Promise<UnitFigures[]> {
    // A few dirty days are recomputed here first; more (after a deployment, a bulk correction or a
    // change of window) are read directly and left to the worker's refresh (UnitFigureDaysJob), so
    // a read never waits for a long recomputation.
    await this.refreshUnitFigureDays(repeatWindowDays, INLINE_REFRESH_DAYS, true);
    // One snapshot for the stored sums, the dirty days and the direct read.
    const rows: Array<Record<string, any>> = await this.ds.transaction('REPEATABLE READ', async (m) => {
      await m.query(`SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`);
      const params = await this.unitFiguresParams(m, from, to, now, repeatWindowDays);
      // Another window than the stored sums' (a refresh running elsewhere): read it all directly.
      if (!params) return m.query(UNIT_FIGURES_DIRECT_SQL, [from, to, now, repeatWindowDays]);
      return m.query(UNIT_FIGURES_SQL, params);
    });
    return rows.map(toUnitFigures);
  }

  /** The plan of unitFigures' statement (bench/unit-figures.ts), as it runs now. */
  async unitFiguresPlan(from: Date, to: Date, now: Date, repeatWindowDays = 30): Promise<string> {
    await this.refreshUnitFigureDays(repeatWindowDays, INLINE_REFRESH_DAYS, true);
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      await m.query(`SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`);
      const params = await this.unitFiguresParams(m, from, to, now, repeatWindowDays);
      const plan = await m.query(
        `EXPLAIN (ANALYZE, BUFFERS) ${params ? UNIT_FIGURES_SQL : UNIT_FIGURES_DIRECT_SQL}`,
        params ?? [from, to, now, repeatWindowDays],
      );
      return (plan as Array<Record<string, string>>).map((x) => x['QUERY PLAN']).join('\n');
    });
  }

  /**
   * UNIT_FIGURES_SQL's parameters: the period's whole days (Asia/Shanghai), the dirty ones among
   * them, the ranges read in full (partial edge days, dirty days) and those whose live
   * assignments are read (clean whole days). Null when the stored sums are of another window.
   */
  private async unitFiguresParams(
    m: EntityManager,
    from: Date,
    to: Date,
    now: Date,
    repeatWindowDays: number,
  ): Promise<unknown[] | null> {
    const [b] = await m.query(
      `SELECT x.d0::text AS day_from, x.d1::text AS day_to, (SELECT window_days FROM unit_figure_state) AS window_days,
                (x.d0::timestamp AT TIME ZONE 'Asia/Shanghai') AS whole_from,
                (x.d1::timestamp AT TIME ZONE 'Asia/Shanghai') AS whole_to,
                ARRAY(SELECT DISTINCT d.day FROM unit_figure_dirty d WHERE d.day >= x.d0 AND d.day < x.d1 ORDER BY 1)::text[]
                  AS dirty,
                ARRAY(SELECT DISTINCT d.day::timestamp AT TIME ZONE 'Asia/Shanghai' FROM unit_figure_dirty d
                       WHERE d.day >= x.d0 AND d.day < x.d1 ORDER BY 1) AS dirty_from,
                ARRAY(SELECT DISTINCT (d.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' FROM unit_figure_dirty d
                       WHERE d.day >= x.d0 AND d.day < x.d1 ORDER BY 1) AS dirty_to
           FROM (SELECT CASE WHEN ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::time = '00:00'
                             THEN ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date
                             ELSE ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date + 1 END AS d0,
                        ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date AS d1) x`,
      [from, to],
    );
    if (b.window_days !== repeatWindowDays) return null;
    const all: Array<[Date, Date]> = [];
    const live: Array<[Date, Date]> = [];
    if (b.day_from >= b.day_to) {
      all.push([from, to]); // no whole day in the period
    } else {
      const wholeFrom: Date = b.whole_from;
      const wholeTo: Date = b.whole_to;
      if (from < wholeFrom) all.push([from, wholeFrom]);
      if (wholeTo < to) all.push([wholeTo, to]);
      let cleanFrom = wholeFrom;
      for (const [i, d] of (b.dirty_from as Date[]).entries()) {
        const end: Date = b.dirty_to[i];
        all.push([d, end]);
        if (cleanFrom < d) live.push([cleanFrom, d]);
        cleanFrom = end;
      }
      if (cleanFrom < wholeTo) live.push([cleanFrom, wholeTo]);
    }
    const noWhole = b.day_from >= b.day_to;
    return [
      from,
      to,
      now,
      repeatWindowDays,
      all.map((r) => r[0]),
      all.map((r) => r[1]),
      live.map((r) => r[0]),
      live.map((r) => r[1]),
      noWhole ? '1970-01-01' : b.day_from,
      noWhole ? '1970-01-01' : b.day_to,
      b.dirty,
    ];
  }

  /** The same figures from UNIT_FIGURES_DIRECT_SQL alone (a full read of the period; the tests' oracle). */
  async unitFiguresDirect(from: Date, to: Date, now: Date, repeatWindowDays = 30): Promise<UnitFigures[]> {
    const rows: Array<Record<string, any>> = await this.ds.transaction(async (m) => {
      // One aggregate over a year of rows: JIT compilation costs more than it saves here (seconds
      // at 1 M tickets), and hashes of a year's assignments need more than the default 4 MB.
      await m.query(`SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`);
      return m.query(UNIT_FIGURES_DIRECT_SQL, [from, to, now, repeatWindowDays]);
    });
    return rows.map(toUnitFigures);
  }

  /**
   * Recomputes the stored sums of dirty days (unit_figure_dirty) from the settled assignments,
   * whole days at a time, the oldest `maxDays` of them (all by default); with another repeat window
   * than the stored one, every day is marked dirty first. `onlyIfFew`: do nothing when more than
   * `maxDays` days are dirty (a read's inline refresh). One refresh at a time (an advisory lock); a
   * caller that finds one running goes on without (dirty days are read directly, so the figures
   * stay exact). Returns how many days it recomputed and how many stay dirty.
   */
  async refreshUnitFigureDays(
    repeatWindowDays = 30,
    maxDays = Number.MAX_SAFE_INTEGER,
    onlyIfFew = false,
  ): Promise<{ refreshed: number; left: number }> {
    return this.ds.transaction(async (m) => {
      const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock(${FIGURES_LOCK}) AS locked`);
      if (!locked) return { refreshed: 0, left: -1 };
      await m.query(`SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`);
      const [state] = await m.query(`SELECT window_days FROM unit_figure_state`);
      if (state.window_days !== repeatWindowDays) {
        await m.query(`UPDATE unit_figure_state SET window_days = $1`, [repeatWindowDays]);
        await m.query(`DELETE FROM unit_figure_days`);
        await m.query(
          `INSERT INTO unit_figure_dirty (day) SELECT DISTINCT ${dayOfSql('dispatched_at')} FROM assignments`,
        );
      }
      const [{ dirty }] = await m.query(`SELECT count(DISTINCT day)::int AS dirty FROM unit_figure_dirty`);
      if (dirty === 0 || (onlyIfFew && dirty > maxDays)) return { refreshed: 0, left: dirty };
      // Exactly the dirty rows of the chosen days this snapshot sees; those committed meanwhile
      // stay for the next time.
      const [{ days }] = await m.query(
        `WITH pick AS (SELECT DISTINCT day FROM unit_figure_dirty ORDER BY day LIMIT $1),
              seen AS (DELETE FROM unit_figure_dirty d USING pick WHERE d.day = pick.day RETURNING d.day)
         SELECT ARRAY(SELECT DISTINCT day::text FROM seen ORDER BY 1) AS days`,
        [Math.min(maxDays, dirty)],
      );
      if (days.length === 0) return { refreshed: 0, left: dirty };
      await m.query(`DELETE FROM unit_figure_days WHERE day = ANY($1::date[])`, [days]);
      await m.query(REFRESH_DAYS_SQL, [days, repeatWindowDays]);
      return { refreshed: days.length, left: dirty - days.length };
    });
  }

  /** tickets received in [from, to) and their first dispatch; the office-wide total first. */
  async dispatchFigures(
    from: Date,
    to: Date,
    now: Date,
  ): Promise<{ total: DispatchFigures; dispatchers: DispatchFigures[] }> {
    const rows: Array<Record<string, any>> = await this.ds.query(DISPATCH_FIGURES_SQL, [from, to, now]);
    const map = (r: Record<string, any> | undefined): DispatchFigures => ({
      userid: r?.initiator ?? null,
      name: r?.name ?? null,
      due: r?.due ?? 0,
      onTime: r?.on_time ?? 0,
      late: r?.late ?? 0,
      waiting: r?.waiting ?? 0,
      lateRate: r && r.due > 0 ? r.late / r.due : null,
    });
    return {
      total: map(rows.find((r) => r.initiator === null)),
      dispatchers: rows.filter((r) => r.initiator !== null).map(map),
    };
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
