// Benchmark (not a test): the inbox at city scale (issue 19 goal 2), the product's queries beside
// the plain SQL that reads the same rows (the physical ceiling on the same server), with the ratio.
// Data: the COPY generator (bench/city-data.ts), BENCH_ROWS tickets (default 1,000,000; 2 % open,
// over four units). For a receiver, a unit leader and a dispatcher it times what the micro-app's
// inbox tab asks (GET /api/inbox/page: the first page of 20 and the true counts, in parallel as
// InboxService.page runs them), the page after walking 50 pages by cursor, and the plain-SQL
// ceiling of each; first idle, then with BENCH_WRITERS clients (default 4) registering,
// dispatching and accepting by plain SQL into the same tables (BENCH_WRITE_RATE caps their loops a
// second). p50 and p99 of BENCH_RUNS runs
// (default 200). BENCH_PLANS=1 prints EXPLAIN (ANALYZE, BUFFERS) of each person's page and counts.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:inbox
//   BENCH_ROWS=100000 for a quicker run; BENCH_REUSE=1 times an already generated database again
//   (hotline_bench_inbox, or BENCH_DB, is dropped and re-created otherwise). Results: docs/benchmarks.md.
import 'reflect-metadata';
import { InboxRepository, createDataSource, type InboxActor, type InboxCursor, type InboxRow } from '@hotline/db';
import { loadConfig } from '@hotline/config';
import type { DataSource } from 'typeorm';
import { freshBenchDatabase, log } from './bench-database';
import { CITY_NOW, generateCity } from './city-data';
import { startWriters, vacuumWritten, writersTitle } from './city-writers';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 4);
const DB = process.env.BENCH_DB ?? 'hotline_bench_inbox';
const NOW = CITY_NOW;
const PAGE = 20;

interface Timing {
  p50: number;
  p99: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) await work(); // warm
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await work();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(RUNS / 2)]!, p99: ms[Math.min(RUNS - 1, Math.ceil(RUNS * 0.99) - 1)]! };
}

const cursorOf = (r: InboxRow): InboxCursor => ({
  deadline: r.deadline,
  number: r.ticket.number,
  action: r.action,
  unit: r.unit,
});

async function main(): Promise<void> {
  let ds: DataSource;
  let url: string;
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  if (process.env.BENCH_REUSE) {
    const u = new URL(config.database.url!);
    u.pathname = `/${DB}`;
    url = u.toString();
    ds = createDataSource(url, 4);
    await ds.initialize();
    log(`VACUUM (ANALYZE) of the tables the writers write: ${(await vacuumWritten(url)).toFixed(0)} s`);
  } else {
    ({ ds, url } = await freshBenchDatabase(DB, 4));
    const t0 = Date.now();
    const took = await generateCity(url, ROWS, NOW);
    const t1 = Date.now();
    await ds.query(`VACUUM ANALYZE`);
    log(
      `generated ${ROWS} tickets by COPY in ${((t1 - t0) / 1000).toFixed(0)} s (${Object.entries(took)
        .map(([t, s]) => `${t} ${s.toFixed(0)} s`)
        .join(', ')}), VACUUM ANALYZE ${((Date.now() - t1) / 1000).toFixed(0)} s`,
    );
  }
  const [shape] = await ds.query(
    `SELECT (SELECT count(*) FROM tickets) AS tickets,
            (SELECT count(*) FROM assignments WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested')) AS open,
            (SELECT count(*) FROM timeline_events) AS events, (SELECT count(*) FROM replies) AS replies,
            (SELECT count(*) FROM visits) AS visits, pg_size_pretty(pg_database_size(current_database())) AS size`,
  );
  log(
    `data: ${shape.tickets} tickets, ${shape.open} open assignments, ${shape.events} timeline events, ${shape.replies} replies, ${shape.visits} visits; ${shape.size}`,
  );
  const inbox = new InboxRepository(ds);
  const lights = { now: NOW, yellowShare: config.deadlines.yellowShare };
  const people: Array<{ name: string; actor: InboxActor; page: string; count: string }> = [
    {
      name: 'receiver (branch1)',
      actor: { userid: 'b1_receiver', roles: ['receiver'], unitCodes: ['branch1'] },
      page: `SELECT a.id, a.reply_deadline, t.number FROM assignments a JOIN tickets t ON t.id = a.ticket_id
              WHERE a.unit_code = 'branch1' AND a.status = 'accepted' AND t.status = 'in_progress'
              ORDER BY a.reply_deadline, t.number LIMIT ${PAGE + 1}`,
      // The counts need not read the tickets (an invariant of the workflow, see InboxRepository).
      count: `SELECT a.status, count(*) FROM assignments a
               WHERE a.unit_code = 'branch1' AND a.status IN ('pending_accept', 'accepted')
               GROUP BY a.status`,
    },
    {
      name: 'unit leader (branch1)',
      actor: { userid: 'b1_leader', roles: ['unit_leader'], unitCodes: ['branch1'] },
      page: `SELECT a.id, a.reply_deadline, t.number FROM assignments a JOIN tickets t ON t.id = a.ticket_id
              WHERE a.unit_code = 'branch1' AND a.status = 'awaiting_leader'
              ORDER BY a.reply_deadline, t.number LIMIT ${PAGE + 1}`,
      count: `SELECT count(*) FROM assignments a WHERE a.unit_code = 'branch1' AND a.status = 'awaiting_leader'`,
    },
    {
      name: 'dispatcher',
      actor: { userid: 'dispatcher1', roles: ['dispatcher'], unitCodes: [] },
      page: `SELECT id, number FROM tickets WHERE status = 'registered' ORDER BY number LIMIT ${PAGE + 1}`,
      count: `SELECT status, count(*) FROM tickets WHERE status IN ('registered', 'in_review', 'follow_up') GROUP BY status`,
    },
  ];
  // The page after 50 pages: found once by walking with the cursor.
  const deep = new Map<string, InboxCursor>();
  for (const p of people) {
    let after: InboxCursor | undefined;
    for (let i = 0; i < 50; i++) {
      const rows = await inbox.inbox(p.actor, PAGE, lights, { after });
      if (rows.length === 0) break;
      after = cursorOf(rows[rows.length - 1]!);
    }
    if (after) deep.set(p.name, after);
  }
  const counts = await Promise.all(people.map((p) => inbox.counts(p.actor, lights)));
  people.forEach((p, i) =>
    log(
      `${p.name} holds: ${
        Object.entries(counts[i]!)
          .map(([a, n]) => `${a} ${n}`)
          .join(', ') || 'nothing'
      }`,
    ),
  );
  const fmt = (t: Timing) => `${t.p50.toFixed(1)} / ${t.p99.toFixed(1)} ms`;
  for (const phase of ['idle', writersTitle(WRITERS)]) {
    const writers = phase === 'idle' ? undefined : startWriters(url, WRITERS);
    log(`\n${phase}: p50 / p99 of ${RUNS} runs each`);
    log('| read | product p50 / p99 | plain SQL p50 / p99 | ratio (plain / product, p99) |');
    log('|---|---|---|---|');
    for (const p of people) {
      const page = await timed(() =>
        Promise.all([inbox.inbox(p.actor, PAGE + 1, lights), inbox.counts(p.actor, lights)]),
      );
      const ceiling = await timed(() => Promise.all([ds.query(p.page), ds.query(p.count)]));
      log(
        `| ${p.name}: first page + counts (the inbox tab) | ${fmt(page)} | ${fmt(ceiling)} | ${(ceiling.p99 / page.p99).toFixed(2)} |`,
      );
      const first = await timed(() => inbox.inbox(p.actor, PAGE + 1, lights));
      const firstCeiling = await timed(() => ds.query(p.page));
      log(
        `| ${p.name}: first page | ${fmt(first)} | ${fmt(firstCeiling)} | ${(firstCeiling.p99 / first.p99).toFixed(2)} |`,
      );
      const after = deep.get(p.name);
      if (after)
        log(
          `| ${p.name}: the page after 50 pages (cursor) | ${fmt(await timed(() => inbox.inbox(p.actor, PAGE + 1, lights, { after })))} | — | — |`,
        );
      const c = await timed(() => inbox.counts(p.actor, lights));
      const cc = await timed(() => ds.query(p.count));
      log(`| ${p.name}: counts | ${fmt(c)} | ${fmt(cc)} | ${(cc.p99 / c.p99).toFixed(2)} |`);
    }
    if (writers)
      log(
        `(the writers did ${(await writers.stop()).toFixed(0)} register + dispatch + accept + approved reply loops a second)`,
      );
  }
  if (process.env.BENCH_PLANS) {
    // The plans, with the statements as the repository sends them.
    const sent: Array<{ sql: string; params: unknown[] }> = [];
    const query = ds.query.bind(ds);
    (ds as { query: unknown }).query = (sql: string, params: unknown[]) => {
      sent.push({ sql, params });
      return query(sql, params);
    };
    for (const p of people) {
      sent.length = 0;
      await inbox.inbox(p.actor, PAGE + 1, lights);
      await inbox.counts(p.actor, lights);
      for (const [title, s] of [
        [`${p.name}: first page`, sent[0]!],
        [`${p.name}: counts`, sent[1]!],
      ] as const) {
        const plan = await query(`EXPLAIN (ANALYZE, BUFFERS) ${s.sql}`, s.params);
        log(
          `\nEXPLAIN (ANALYZE, BUFFERS), ${title}:\n${plan.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}`,
        );
      }
    }
  }
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
