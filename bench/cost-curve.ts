// Benchmark (not a test), issue 19 goal 4: the cost curve. For each size (default 10 k, 100 k and
// 1 M tickets; BENCH_SIZES=10000,100000,1000000,10000000 adds 10 M) the same figures through the
// API, in one table, so a reader sees which costs grow with the table and which only with the open
// work: the inbox tab of a receiver, a unit leader and a dispatcher, the ticket detail, the ticket
// list's first page with the filters that read the most, a month's overview, a year's unit figures,
// a week's ledger export and one register + dispatch pair. Idle, one client (the writers' effect is
// bench:inbox's and bench:reads'); p50 / p99 of BENCH_RUNS requests (default 30).
//
// Each size is its own database, hotline_bench_curve_<n>, filled by the generator of
// bench:generate (bench/city-data.ts: COPY, the mix in docs/benchmarks.md); with BENCH_REUSE=1 an
// existing one is kept (migrated to the current schema and analysed) instead of generated again.
// It starts apps/api alone on each (no worker) and stops it afterwards. Results are printed as a
// table (with the sizes measured earlier) and kept in bench/results/cost-curve.json.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:curve
//   BENCH_SIZES=10000000 BENCH_REUSE=1 BENCH_RUNS=10 npm run bench:curve   (one size, kept data)
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { http, startApi, timed, type Timing } from './bench-http';
import { runMigrations } from '@hotline/db';
import { freshBenchDatabase, log, refreshFigureDays } from './bench-database';
import { CITY_NOW, generateCity, MARK_EVERY_FIGURE_DAY, ticketId } from './city-data';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const REUSE = process.env.BENCH_REUSE === '1';
const RESULTS = 'bench/results/cost-curve.json';

interface SizeResult {
  tickets: number;
  openAssignments: number;
  size: string;
  generatedSeconds: number | null;
  figures: Record<string, Timing | { rows: number; rowsPerSecond: number; seconds: number } | string>;
}

/** The database for `n` tickets: generated, or (BENCH_REUSE=1) kept, migrated and analysed. */
async function prepare(n: number): Promise<{ url: string; generatedSeconds: number | null }> {
  const name = `hotline_bench_curve_${n}`;
  const server = process.env.DATABASE_URL!;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1;
  await admin.end();
  const u = new URL(server);
  u.pathname = `/${name}`;
  if (REUSE && exists) {
    const applied = await runMigrations(u.toString());
    if (applied.length) log(`${name}: applied ${applied.join(', ')}`);
    const c = new Client({ connectionString: u.toString() });
    await c.connect();
    // Generated before the generator marked the unit figures' days (none stored): every day is
    // marked now, so the first computation below computes them all, as after generating.
    const none = (await c.query(`SELECT NOT EXISTS (SELECT 1 FROM unit_figure_days) AS none`)).rows[0].none;
    if (none) await c.query(MARK_EVERY_FIGURE_DAY);
    await c.query(`ANALYZE`);
    await c.end();
    return { url: u.toString(), generatedSeconds: null };
  }
  const { ds, url } = await freshBenchDatabase(name, 1);
  const t0 = Date.now();
  await generateCity(url, n, CITY_NOW);
  await ds.query(`VACUUM ANALYZE`);
  await ds.destroy();
  return { url, generatedSeconds: (Date.now() - t0) / 1000 };
}

const day = (d: Date) => d.toISOString().slice(0, 10);

async function measure(n: number): Promise<SizeResult> {
  const { url, generatedSeconds } = await prepare(n);
  const c = new Client({ connectionString: url });
  await c.connect();
  const facts = (
    await c.query(`SELECT (SELECT count(*) FROM tickets)::int AS tickets,
       (SELECT count(*) FROM assignments WHERE status IN ('pending_accept','accepted','awaiting_leader','return_requested'))::int AS open,
       pg_size_pretty(pg_database_size(current_database())) AS size`)
  ).rows[0] as { tickets: number; open: number; size: string };
  await c.end();
  log(`\n${n} tickets: ${facts.tickets} tickets, ${facts.open} open assignments, ${facts.size}`);
  // The unit figures' per-day sums, as the worker's UnitFigureDaysJob brings them up to date after
  // a deployment (a month per transaction), within BENCH_REFRESH_SECONDS (default 600).
  const refresh = await refreshFigureDays(url);
  log(`  unit figure days recomputed: ${refresh.refreshed} in ${refresh.seconds.toFixed(0)} s, ${refresh.left} left`);
  const { base, api } = await startApi(url);
  const figures: SizeResult['figures'] = {};
  const note = (name: string, f: SizeResult['figures'][string]) => {
    figures[name] = f;
    log(`  ${name}: ${cell(f)}`);
  };
  try {
    const token = async (userid: string) =>
      (await http(base, 'POST', '/api/auth/dev', undefined, { userid })).token as string;
    const dispatcher = await token('dispatcher1');
    const opsHead = await token('ops_head');
    for (const [name, who] of [
      ['inbox tab, receiver', 'b1_receiver'],
      ['inbox tab, unit leader', 'b1_leader'],
      ['inbox tab, dispatcher', 'dispatcher1'],
    ] as const) {
      const t = who === 'dispatcher1' ? dispatcher : await token(who);
      note(name, await timed(RUNS, () => http(base, 'GET', '/api/inbox/page?limit=20', t)));
    }
    // Open and closed tickets in turn among the newest (the generator's ids are dense from 1).
    const ids = Array.from({ length: 200 }, (_, k) => ticketId(1 + ((k * 97 * 13) % Math.min(n, 40_000))));
    note(
      'ticket detail',
      await timed(RUNS, (i) => http(base, 'GET', `/api/tickets/${ids[i % ids.length]}`, dispatcher)),
    );
    const monthStart = new Date(`${CITY_NOW.toISOString().slice(0, 8)}01T00:00:00+08:00`);
    for (const [name, q] of [
      ['list, no filter', ''],
      ['list, status=closed', '&status=closed'],
      ['list, sort=light', '&sort=light'],
      ['list, q= (free text)', `&q=${encodeURIComponent('乘客反映 123')}`],
      // The oldest ticket's subject (ticket n; "乘客反映 10000" at 10 k matches nothing else there).
      ['list, q= (the oldest ticket)', `&q=${encodeURIComponent(`乘客反映 ${n}`)}`],
      ['list, this month', `&from=${day(monthStart)}&to=${day(CITY_NOW)}`],
    ] as const) {
      try {
        note(name, await timed(RUNS, () => http(base, 'GET', `/api/tickets?limit=20${q}`, dispatcher)));
      } catch (err) {
        note(name, (err as Error).message.slice(0, 80));
      }
    }
    const period = (from: Date) => `from=${from.toISOString()}&to=${CITY_NOW.toISOString()}`;
    const yearAgo = new Date(CITY_NOW.getTime() - 365 * 24 * 3600_000);
    const heavyRuns = n >= 10_000_000 ? 1 : 3;
    note(
      'overview, one month',
      await timed(heavyRuns + 2, () => http(base, 'GET', `/api/stats/overview?${period(monthStart)}`, opsHead)),
    );
    note(
      'unit figure days: first computation (s)',
      `${refresh.seconds.toFixed(0)} s for ${refresh.refreshed} days${refresh.left ? `, ${refresh.left} left` : ''}`,
    );
    if (refresh.left === 0) {
      note(
        'unit figures, one year',
        await timed(heavyRuns, () => http(base, 'GET', `/api/stats/units?${period(yearAgo)}`, opsHead)),
      );
    } else {
      note('unit figures, one year', `not timed: ${refresh.left} days still dirty after the refresh budget`);
    }
    // A week of the ledger as Excel, read to the end (from alone: without `to` the export has no
    // unit sheet, which is timed above).
    const weekAgo = new Date(CITY_NOW.getTime() - 7 * 24 * 3600_000);
    const t0 = process.hrtime.bigint();
    const r = await fetch(`${base}/api/ledger/export?from=${day(weekAgo)}`, {
      headers: { authorization: `Bearer ${dispatcher}` },
    });
    if (r.status !== 200) throw new Error(`export → ${r.status} ${(await r.text()).slice(0, 200)}`);
    const rows = Number(r.headers.get('x-row-count') ?? 0);
    await r.arrayBuffer();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    note('ledger export, one week', { rows, rowsPerSecond: rows / seconds, seconds });
    const ticket = {
      source: 'group_hotline',
      channel: 'phone',
      category: 'complaint',
      subject: '12路公交车未停靠人民广场站',
      content: '市民反映12路公交车上行方向在人民广场站未停车。',
      caller: { name: '张三丰', phone: '13812345678' },
    };
    note(
      'register + dispatch (one pair)',
      await timed(RUNS, async () => {
        const t = await http(base, 'POST', '/api/tickets', dispatcher, ticket);
        await http(base, 'POST', `/api/tickets/${t.id}/actions/dispatch`, dispatcher, {
          assignments: [{ unit: 'branch1', role: 'sole' }],
        });
      }),
    );
  } finally {
    api.kill('SIGTERM');
  }
  return { tickets: facts.tickets, openAssignments: facts.open, size: facts.size, generatedSeconds, figures };
}

function cell(f: SizeResult['figures'][string] | undefined): string {
  if (f === undefined) return '—';
  if (typeof f === 'string') return f;
  if ('rows' in f)
    return `${f.rows.toLocaleString('en')} rows in ${f.seconds.toFixed(2)} s (${Math.round(f.rowsPerSecond).toLocaleString('en')}/s)`;
  return `${f.p50.toFixed(1)} / ${f.p99.toFixed(1)}`;
}

/** Earlier runs' sizes are kept in the results file, so one size can be measured on its own. */
function earlier(): Record<string, SizeResult> {
  try {
    return (JSON.parse(readFileSync(RESULTS, 'utf8')) as { results: Record<string, SizeResult> }).results;
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to a PostgreSQL server (any database on it)');
  const results = earlier();
  for (const n of SIZES) {
    results[n] = await measure(n);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify({ runs: RUNS, results }, null, 2)}\n`);
  }
  const sizes = Object.keys(results)
    .map(Number)
    .sort((a, b) => a - b);
  const names = [...new Set(sizes.flatMap((n) => Object.keys(results[n]!.figures)))];
  log(`\n| figure (p50 / p99 ms, idle, one client) | ${sizes.map((n) => n.toLocaleString('en')).join(' | ')} |`);
  log(`|---|${sizes.map(() => '---').join('|')}|`);
  log(`| open assignments | ${sizes.map((n) => results[n]!.openAssignments.toLocaleString('en')).join(' | ')} |`);
  log(`| database size | ${sizes.map((n) => results[n]!.size).join(' | ')} |`);
  for (const name of names) log(`| ${name} | ${sizes.map((n) => cell(results[n]!.figures[name])).join(' | ')} |`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
