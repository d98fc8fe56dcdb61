// Benchmark (not a test): a year's unit figures (R-18, X-10; GET /api/stats/units) over two years
// of history, 1,000,000 tickets by default. Fills the tables with INSERT … SELECT generate_series
// (a realistic mix: 4 units, a lead + co pair on every 5th ticket, 4 % open at the end, returns,
// extensions, rework, follow-up calls, repeat callers, late dispatches), then times the product's
// statement (AssessmentRepository.unitFigures, exactly as the API runs it) next to the plain-SQL
// ceiling: one bare aggregate over the same assignment rows with their tickets and replies, and
// prints the ratio and the plan. Results and method: docs/benchmarks.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:unit-figures
//   (BENCH_ROWS=100000 for a quicker run; BENCH_REUSE=1 keeps an already filled hotline_bench_figures)
import 'reflect-metadata';
import { AssessmentRepository, createDataSource, runMigrations } from '@hotline/db';
import { loadConfig } from '@hotline/config';
import { parseShanghai } from '@hotline/calendar';
import { freshBenchDatabase, log } from './bench-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = 'hotline_bench_figures';
/** Two years of history: 2025 and 2026 (Asia/Shanghai); the clock stands near the end. */
const START = parseShanghai('2025-01-01 00:00');
const END = parseShanghai('2027-01-01 00:00');
const NOW = parseShanghai('2026-12-31 10:00');
const YEAR = { from: parseShanghai('2026-01-01 00:00'), to: END };

async function timed<T>(label: string, work: () => Promise<T>, runs = 5): Promise<{ result: T; median: number }> {
  let result!: T;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    result = await work();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(runs / 2)]!;
  log(
    `${label}: median ${median.toFixed(0)} ms (min ${ms[0]!.toFixed(0)}, max ${ms[runs - 1]!.toFixed(0)}, ${runs} runs)`,
  );
  return { result, median };
}

/**
 * Ticket i (1..n) is received at START + i · step. Open: the last 4 %. Revoked: every 101st.
 * Callers: tickets i and i+1 share a caller when i % 10 is 0 (10 % repeat calls the next minutes).
 * Assignment: unit (i % 4), sole; every 5th ticket lead + co (next unit). 10 % dispatched 5 h late
 * after the 3-hour dispatch due time; 1 in 50 returned; 1 in 9 reworked once (a sent-back reply
 * first); 1 in 7 replied after the 5-day deadline; 1 in 40 asked for an extension; closed tickets
 * with i % 3 = 0 had a follow-up call.
 */
async function fill(ds: import('typeorm').DataSource): Promise<void> {
  const step = `${(END.getTime() - START.getTime()) / ROWS / 1000} seconds`;
  const open = Math.floor(ROWS * 0.96);
  await ds.query(
    `INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content, route, stop,
                          caller_phone_hash, status, initiator, received_at, created_at, updated_at, closed_at,
                          dispatch_due_at, version)
     SELECT 'UF' || i, CASE WHEN i % 5 = 0 THEN 'mayor_hotline' ELSE 'group_hotline' END,
            CASE WHEN i % 5 = 0 THEN 'B' ELSE 'A' END, 'phone',
            (ARRAY['complaint', 'consultation', 'help', 'report', 'suggestion'])[1 + (i / 10) % 5], 'normal',
            '基准工单 ' || i, '基准测试', ((i / 10) % 60)::text, '站点' || (i % 300),
            CASE WHEN i % 10 IN (0, 1) THEN 'c' || (i / 10) ELSE 'u' || i END,
            CASE WHEN i % 101 = 0 THEN 'revoked' WHEN i > $2 THEN 'in_progress' ELSE 'closed' END,
            CASE WHEN i % 2 = 0 THEN 'dispatcher1' ELSE 'dispatcher2' END,
            r, r, r + interval '2 days', CASE WHEN i % 101 <> 0 AND i <= $2 THEN r + interval '7 days' END,
            r + interval '3 hours', 3
       FROM generate_series(1, $1::int) AS i, LATERAL (SELECT $3::timestamptz + i * $4::interval AS r) AS x`,
    [ROWS, open, START, step],
  );
  await ds.query(
    `INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline,
                              accept_deadline, accepted_by, accepted_at, rework_count, extension_count, seq, updated_at)
     SELECT t.id, (ARRAY['branch1', 'branch2', 'safety', 'fare'])[1 + (n + k) % 4],
            CASE WHEN n % 5 <> 0 THEN 'sole' WHEN k = 0 THEN 'lead' ELSE 'co' END,
            CASE WHEN t.status = 'revoked' THEN 'cancelled' WHEN n % 50 = 7 AND k = 0 THEN 'returned'
                 WHEN t.status = 'closed' THEN 'replied' ELSE 'accepted' END,
            d, 'dispatcher1', d + interval '5 days', d + interval '1 day', 'b1_receiver', d + interval '1 hour',
            CASE WHEN n % 9 = 0 THEN 1 ELSE 0 END, CASE WHEN n % 40 = 0 THEN 1 ELSE 0 END, k, t.updated_at
       FROM (SELECT id, status, received_at, updated_at, substr(number, 3)::int AS n FROM tickets) AS t,
            LATERAL generate_series(0, CASE WHEN t.n % 5 = 0 THEN 1 ELSE 0 END) AS k,
            LATERAL (SELECT t.received_at + CASE WHEN t.n % 10 = 3 THEN interval '8 hours' ELSE interval '20 minutes' END AS d) AS x`,
  );
  // Replies: the approved one of each replied assignment; before it a sent-back one when reworked.
  await ds.query(
    `INSERT INTO replies (assignment_id, ticket_id, content, handled_at, handler, caller_contacted, contact_method,
                          contact_at, contact_summary, satisfaction, status, submitted_by, submitted_at, approved_by, approved_at)
     SELECT a.id, a.ticket_id, '已处理', x.at, '经办人', true, 'phone', x.at, '已电话告知', 'satisfied',
            CASE WHEN k = 0 THEN 'approved' ELSE 'sent_back' END, 'b1_receiver', x.at, 'b1_leader', x.at
       FROM (SELECT a.*, substr(t.number, 3)::int AS n FROM assignments a JOIN tickets t ON t.id = a.ticket_id
              WHERE a.status = 'replied') AS a,
            LATERAL generate_series(0, a.rework_count) AS k,
            LATERAL (SELECT a.dispatched_at + CASE WHEN a.n % 7 = 0 THEN interval '6 days' ELSE interval '2 days' END
                            - k * interval '1 day' AS at) AS x`,
  );
  await ds.query(
    `INSERT INTO return_requests (assignment_id, ticket_id, reason, basis, requested_by, requested_at, decision, decided_by, decided_at)
     SELECT a.id, a.ticket_id, '非本单位职责', '职责分工', 'b1_receiver', a.dispatched_at + interval '2 hours', 'approved',
            'dispatcher1', a.dispatched_at + interval '3 hours'
       FROM assignments a WHERE a.status = 'returned'`,
  );
  await ds.query(
    `INSERT INTO extension_requests (assignment_id, ticket_id, days, reason, requested_by, requested_at, previous_deadline,
                                     new_deadline, decision, decided_by, decided_at)
     SELECT a.id, a.ticket_id, 1, '需调查', 'b1_receiver', a.dispatched_at + interval '1 day', a.reply_deadline,
            a.reply_deadline + interval '1 day', 'approved', 'dispatcher1', a.dispatched_at + interval '25 hours'
       FROM assignments a WHERE a.extension_count = 1`,
  );
  await ds.query(
    `INSERT INTO visits (ticket_id, round, outcome, solved, satisfaction, visit_status, recorded_by, recorded_at)
     SELECT t.id, 1, 'reached', n % 2 = 0, CASE WHEN n % 4 = 0 THEN 'unsatisfied' ELSE 'satisfied' END, 'reached',
            'dispatcher1', t.closed_at + interval '1 day'
       FROM (SELECT id, closed_at, substr(number, 3)::int AS n FROM tickets WHERE status = 'closed') AS t
      WHERE n % 3 = 0`,
  );
}

async function main(): Promise<void> {
  const reuse = process.env.BENCH_REUSE === '1';
  let ds: import('typeorm').DataSource;
  if (reuse) {
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
    const u = new URL(config.database.url!);
    u.pathname = `/${DB}`;
    // Migrations added since the fill (their backfills are timed here).
    const t0 = process.hrtime.bigint();
    const applied = await runMigrations(u.toString());
    if (applied.length) {
      log(`migrations ${applied.join(', ')}: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
    }
    ds = createDataSource(u.toString(), 2);
    await ds.initialize();
    log(`PostgreSQL: ${(await ds.query('SELECT version()'))[0].version} (reusing ${DB})`);
  } else {
    ds = (await freshBenchDatabase(DB, 2)).ds;
    const t0 = process.hrtime.bigint();
    await fill(ds);
    for (const table of ['tickets', 'assignments', 'replies', 'visits', 'return_requests', 'extension_requests']) {
      await ds.query(`VACUUM ANALYZE ${table}`);
    }
    log(`fill + VACUUM ANALYZE: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(0)} s`);
  }
  const counts = (
    await ds.query(
      `SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM assignments)::int AS assignments,
              (SELECT count(*) FROM assignments WHERE dispatched_at >= $1 AND dispatched_at < $2)::int AS year_assignments,
              (SELECT count(*) FROM assignments WHERE status IN ('pending_accept', 'accepted'))::int AS open_assignments,
              (SELECT count(*) FROM replies)::int AS replies, (SELECT count(*) FROM visits)::int AS visits`,
      [YEAR.from, YEAR.to],
    )
  )[0];
  log(
    `rows: ${counts.tickets} tickets, ${counts.assignments} assignments (${counts.open_assignments} open; ` +
      `${counts.year_assignments} dispatched in the year measured), ${counts.replies} replies, ${counts.visits} calls`,
  );

  const repo = new AssessmentRepository(ds);
  // Both sides run with the same session settings as the product's statement (JIT off, 64 MB).
  const settled = <T>(work: (q: (sql: string, params: unknown[]) => Promise<T>) => Promise<T>) =>
    ds.transaction(async (m) => {
      await m.query(`SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`);
      return work((sql, params) => m.query(sql, params));
    });

  // The ceiling: the same assignment rows, their tickets and standing approved replies, nothing
  // computed but three counts per unit.
  const CEILING_SQL = `
    SELECT a.unit_code, count(*)::int AS n, count(r.approved_at)::int AS replied,
           count(*) FILTER (WHERE t.status = 'closed')::int AS closed
      FROM assignments a JOIN tickets t ON t.id = a.ticket_id
      LEFT JOIN replies r ON r.assignment_id = a.id AND r.status = 'approved'
     WHERE a.dispatched_at >= $1 AND a.dispatched_at < $2
     GROUP BY a.unit_code`;
  // The per-day sums (migration 1766410000000) of every day the fill (or the migration) marked
  // dirty: the one-off backfill, then nothing is left to recompute.
  const b0 = process.hrtime.bigint();
  await repo.refreshUnitFigureDays(30);
  log(
    `per-day sums, first computation of the dirty days: ${(Number(process.hrtime.bigint() - b0) / 1e9).toFixed(1)} s`,
  );

  const ceiling = await timed('plain-SQL ceiling (bare aggregate over the same rows)', () =>
    settled((q) => q(CEILING_SQL, [YEAR.from, YEAR.to])),
  );
  const product = await timed('product: AssessmentRepository.unitFigures, one year', () =>
    repo.unitFigures(YEAR.from, YEAR.to, NOW),
  );
  log(`ratio product / ceiling: ${(product.median / ceiling.median).toFixed(2)}`);
  // Exactness: the same numbers as the full direct statement (the old one), on the whole year and
  // on a period starting and ending mid-day.
  const direct = await timed(
    'the full direct statement (unitFiguresDirect), one year',
    () => repo.unitFiguresDirect(YEAR.from, YEAR.to, NOW),
    1,
  );
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  if (!same(product.result, direct.result)) throw new Error('product and direct statement differ (one year)');
  const mid = { from: parseShanghai('2026-03-03 10:17'), to: parseShanghai('2026-11-20 15:45') };
  if (!same(await repo.unitFigures(mid.from, mid.to, NOW), await repo.unitFiguresDirect(mid.from, mid.to, NOW))) {
    throw new Error('product and direct statement differ (mid-day period)');
  }
  log('product = direct statement (one year; 2026-03-03 10:17 to 2026-11-20 15:45)');
  // A working day's writes leave the days they touched dirty (replies, calls and requests on
  // recent assignments): mark the last 10 days dirty and time the read that recomputes them.
  const dirtyRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    await ds.query(
      `INSERT INTO unit_figure_dirty (day) SELECT generate_series('2026-12-21'::date, '2026-12-30'::date, interval '1 day')::date`,
    );
    const t = process.hrtime.bigint();
    await repo.unitFigures(YEAR.from, YEAR.to, NOW);
    dirtyRuns.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  dirtyRuns.sort((x, y) => x - y);
  log(`product, one year, after 10 days were marked dirty (recomputed first): median ${dirtyRuns[2]!.toFixed(0)} ms`);
  await timed('product: one month (December)', () => repo.unitFigures(parseShanghai('2026-12-01 00:00'), YEAR.to, NOW));
  log(
    `\nfigures (year): ${product.result
      .map(
        (u) =>
          `${u.unitCode} dispatched ${u.dispatched} overdue ${u.overdue} onTimeClose ${u.onTimeCloseRate?.toFixed(3)} ` +
          `firstTime ${u.firstTimeCloseRate?.toFixed(3)} repeat ${u.repeatRate?.toFixed(3)}`,
      )
      .join('\n                ')}`,
  );
  const explain = async (title: string, sql: string, params: unknown[]) => {
    const plan = await settled((q) => q(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params));
    log(`\n${title}\n${(plan as Array<Record<string, string>>).map((x) => x['QUERY PLAN']).join('\n')}`);
  };
  log(`\nEXPLAIN (ANALYZE, BUFFERS), product, one year:\n${await repo.unitFiguresPlan(YEAR.from, YEAR.to, NOW)}`);
  await explain('EXPLAIN (ANALYZE, BUFFERS), ceiling:', CEILING_SQL, [YEAR.from, YEAR.to]);
  const d = await timed('late dispatch (R-17), one year', () => repo.dispatchFigures(YEAR.from, YEAR.to, NOW));
  log(`  total: ${JSON.stringify(d.result.total)}`);
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
