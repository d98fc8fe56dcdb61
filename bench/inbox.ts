// Benchmark (not a test): the inbox at city scale (issue 19), the product's queries beside the
// plain SQL that reads the same rows (the physical ceiling on the same server), with the ratio.
// 1,000,000 tickets, 50,000 open assignments over four units (12,500 wait at branch1's
// receiver). Times, for a receiver, a unit leader with nothing waiting and a dispatcher: the
// first page (20), a page 100 pages in (by cursor), and the true counts the tabs show; then
// EXPLAIN (ANALYZE, BUFFERS) of the receiver's first page and counts. Results: docs/benchmarks.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:inbox
//   (BENCH_ROWS=100000 for a quicker run; the database hotline_bench_inbox is dropped and re-created)
import 'reflect-metadata';
import { InboxRepository, type InboxActor, type InboxCursor, type InboxRow } from '@hotline/db';
import { parseShanghai } from '@hotline/calendar';
import { fillOpenAndClosed, freshBenchDatabase, log } from './bench-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = 'hotline_bench_inbox';
const NOW = parseShanghai('2026-12-07 10:00');
const PAGE = 20;
const RUNS = 15;

async function timed(work: () => Promise<unknown>): Promise<{ p50: number; max: number }> {
  const ms: number[] = [];
  await work(); // warm
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await work();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(RUNS / 2)]!, max: ms[RUNS - 1]! };
}

const cursorOf = (r: InboxRow): InboxCursor => ({
  deadline: r.deadline,
  number: r.ticket.number,
  action: r.action,
  unit: r.unit,
});

async function main(): Promise<void> {
  const { config, ds } = await freshBenchDatabase(DB, 4);
  const t0 = process.hrtime.bigint();
  await fillOpenAndClosed(ds, ROWS, NOW);
  log(
    `rows: ${ROWS} tickets, ${ROWS / 20} open over 4 units; fill + VACUUM ANALYZE ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`,
  );
  const inbox = new InboxRepository(ds);
  const lights = { now: NOW, yellowShare: config.deadlines.yellowShare };
  const people: Array<[string, InboxActor]> = [
    ['receiver (branch1)', { userid: 'b1_receiver', roles: ['receiver'], unitCodes: ['branch1'] }],
    ['unit leader (branch1, nothing waiting)', { userid: 'b1_leader', roles: ['unit_leader'], unitCodes: ['branch1'] }],
    ['dispatcher', { userid: 'dispatcher1', roles: ['dispatcher'], unitCodes: [] }],
  ];
  // The ceiling: the same rows read by plain SQL with nothing around it (the receiver's open
  // assignments, soonest deadline first; their count).
  const ceilingPage = `SELECT a.id, a.reply_deadline, t.number FROM assignments a JOIN tickets t ON t.id = a.ticket_id
                        WHERE a.unit_code = 'branch1' AND a.status IN ('pending_accept', 'accepted') AND t.status = 'in_progress'
                        ORDER BY a.reply_deadline, t.number LIMIT ${PAGE + 1}`;
  const ceilingCount = `SELECT count(*) FROM assignments a JOIN tickets t ON t.id = a.ticket_id
                         WHERE a.unit_code = 'branch1' AND a.status IN ('pending_accept', 'accepted') AND t.status = 'in_progress'`;
  log('\n| read | product p50 | product max | plain SQL p50 | ratio (plain / product) |');
  log('|---|---|---|---|---|');
  const row = (label: string, p: { p50: number; max: number }, c?: { p50: number }) =>
    log(
      `| ${label} | ${p.p50.toFixed(1)} ms | ${p.max.toFixed(1)} ms | ${c ? `${c.p50.toFixed(1)} ms` : '—'} | ${c ? (c.p50 / p.p50).toFixed(2) : '—'} |`,
    );
  for (const [name, actor] of people) {
    const receiver = name.startsWith('receiver');
    const first = await timed(() => inbox.inbox(actor, PAGE + 1, lights));
    row(`${name}: first page`, first, receiver ? await timed(() => ds.query(ceilingPage)) : undefined);
    // 100 pages in: walk there once by cursor, then time that page.
    let after: InboxCursor | undefined;
    let walked = 0;
    for (let i = 0; i < 100; i++) {
      const page = await inbox.inbox(actor, PAGE, lights, { after });
      if (page.length === 0) break;
      walked += page.length;
      after = cursorOf(page[page.length - 1]!);
    }
    if (after)
      row(
        `${name}: the page after ${walked} items (cursor)`,
        await timed(() => inbox.inbox(actor, PAGE + 1, lights, { after })),
      );
    const counts = await inbox.counts(actor, lights);
    row(
      `${name}: counts (${
        Object.entries(counts)
          .map(([a, n]) => `${a} ${n}`)
          .join(', ') || 'nothing'
      })`,
      await timed(() => inbox.counts(actor, lights)),
      receiver ? await timed(() => ds.query(ceilingCount)) : undefined,
    );
  }
  // The plans, with the statements as the repository sends them.
  const sent: Array<{ sql: string; params: unknown[] }> = [];
  const query = ds.query.bind(ds);
  (ds as { query: unknown }).query = (sql: string, params: unknown[]) => {
    sent.push({ sql, params });
    return query(sql, params);
  };
  await inbox.inbox(people[0]![1], PAGE + 1, lights);
  await inbox.counts(people[0]![1], lights);
  for (const [title, s] of [
    ["the receiver's first page", sent[0]!],
    ["the receiver's counts", sent[1]!],
  ] as const) {
    const plan = await query(`EXPLAIN (ANALYZE, BUFFERS) ${s.sql}`, s.params);
    log(
      `\nEXPLAIN (ANALYZE, BUFFERS) of ${title}:\n${plan.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}`,
    );
  }
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
