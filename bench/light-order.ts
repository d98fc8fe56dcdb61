// Benchmark (not a test): the ticket list in light order (X-9, GET /api/tickets?sort=light) over
// 1,000,000 tickets of which 5 % are open (one open assignment each; the others closed with a
// replied assignment). Times the first page, a page deep in the open phase, the first page of the
// closed rest, and the default newest-first page for comparison, for the whole office and for one
// unit; shows the plans with EXPLAIN (ANALYZE, BUFFERS). Results: docs/benchmarks.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:light-order
//   (BENCH_ROWS=100000 for a quicker run; the database hotline_bench_light is dropped and re-created)
import 'reflect-metadata';
import { TicketListRepository, TicketSearch, type LightListCursor, type TicketScope } from '@hotline/db';
import { parseShanghai } from '@hotline/calendar';
import { fillOpenAndClosed, freshBenchDatabase, log } from './bench-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = 'hotline_bench_light';
const NOW = parseShanghai('2026-12-07 10:00');
const PAGE = 20;

async function timed<T>(label: string, work: () => Promise<T>, runs = 5): Promise<T> {
  let result!: T;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    result = await work();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  log(
    `${label}: median ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms (min ${ms[0]!.toFixed(1)}, max ${ms[runs - 1]!.toFixed(1)}, ${runs} runs)`,
  );
  return result;
}

async function main(): Promise<void> {
  const { config, ds } = await freshBenchDatabase(DB, 4);
  log(`rows: ${ROWS} tickets, ${ROWS / 20} open (5 %), one assignment each, 4 units`);

  await fillOpenAndClosed(ds, ROWS, NOW);

  // Record the repository's last query so its plan can be shown.
  let last: { sql: string; params: unknown[] } = { sql: '', params: [] };
  const query = ds.query.bind(ds);
  (ds as { query: unknown }).query = (sql: string, params: unknown[]) => {
    last = { sql, params };
    return query(sql, params);
  };
  const explain = async (title: string) => {
    const { sql, params } = last;
    const plan = await query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    log(`\n${title}\n${plan.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n`);
  };

  const repo = new TicketListRepository(ds, new TicketSearch(ds));
  const light = { now: NOW, yellowShare: config.deadlines.yellowShare };
  const scopes: Array<[string, TicketScope]> = [
    ['the whole office', { kind: 'all' }],
    ['one unit (branch1)', { kind: 'units', unitCodes: ['branch1'] }],
  ];
  for (const [name, scope] of scopes) {
    log(`\n## ${name}`);
    const first = await timed('sort=light, first page', () => repo.listByLight(scope, {}, PAGE + 1, undefined, light));
    log(`  lights on the first page: ${first.map((r) => r.light?.[0] ?? '-').join('')}`);
    if (name === 'the whole office') await explain('EXPLAIN (ANALYZE, BUFFERS) of the first page, sort=light:');
    // 50 pages in: walk there once, then time that page.
    let cursor: LightListCursor | undefined;
    for (let i = 0; i < 50; i++) cursor = (await repo.listByLight(scope, {}, PAGE, cursor, light)).at(-1)?.sortKey;
    await timed('sort=light, page 51 (open phase)', () => repo.listByLight(scope, {}, PAGE + 1, cursor, light));
    const rest: LightListCursor = {
      phase: 'rest',
      rank: 0,
      deadline: null,
      createdAt: new Date(NOW.getTime() + 1),
      id: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    };
    await timed('sort=light, first page of the closed rest', () => repo.listByLight(scope, {}, PAGE + 1, rest, light));
    if (name === 'the whole office') await explain('EXPLAIN (ANALYZE, BUFFERS) of the first page of the closed rest:');
    await timed('sort=light with light=red, first page', () =>
      repo.listByLight(scope, { light: 'red' }, PAGE + 1, undefined, light),
    );
    await timed('default order (newest first), first page', () => repo.list(scope, {}, PAGE + 1, undefined, light));
  }
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
