// Benchmark (not a test): one reminder scan over 1,000,000 open assignments of which 1 %
// are due. Fills a throwaway database with INSERT … SELECT generate_series, shows the claim
// query's plan with EXPLAIN (ANALYZE, BUFFERS), and times a full scan (every due row, in
// batches) and a scan with nothing due. Results: docs/benchmarks.md.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:reminders
//   (BENCH_ROWS=100000 for a quicker run; the database hotline_bench is dropped and re-created)
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import {
  CallerCipher,
  CalendarRepository,
  DeadlineRepository,
  OrganisationRepository,
  TicketRepository,
} from '@hotline/db';
import { CalendarService, DeadlineJobsService, OutboxComposer, SettableClock } from '@hotline/tickets';
import { parseShanghai } from '@hotline/calendar';
import { freshBenchDatabase, log } from './bench-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = 'hotline_bench';
// A Monday morning in working time, so reminders are sent rather than deferred.
const NOW = parseShanghai('2026-12-07 10:00');

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = process.hrtime.bigint();
  const result = await work();
  log(`${label}: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`);
  return result;
}

async function main(): Promise<void> {
  const { config, ds } = await freshBenchDatabase(DB, 4);
  log(`rows: ${ROWS} open assignments, ${ROWS / 100} due (1 %)`);

  await timed('fill (tickets + assignments, generate_series)', () =>
    ds.query(
      `WITH t AS (
         INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content,
                              status, initiator, received_at, created_at, updated_at, version)
         SELECT 'BENCH-' || i, 'group_hotline', 'A', 'phone', 'complaint', 'normal', '基准测试工单 ' || i, '基准测试',
                'in_progress', 'dispatcher1', $2::timestamptz - interval '2 days', $2::timestamptz - interval '2 days',
                $2::timestamptz, 2
           FROM generate_series(1, $1::int) AS i
         RETURNING id, number)
       INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline, seq,
                                next_reminder_at, calendar_version, accept_deadline)
       SELECT t.id, (ARRAY['branch1', 'branch2', 'safety', 'fare'])[1 + (n / 100) % 4], 'sole', 'pending_accept',
              $2::timestamptz - interval '2 days', 'dispatcher1',
              $2::timestamptz + interval '12 hours' + (n % 600) * interval '1 minute', 0,
              CASE WHEN n % 100 = 0 THEN $2::timestamptz - (n % 60) * interval '1 minute'
                   ELSE $2::timestamptz + interval '1 hour' + (n % 10000) * interval '1 minute' END,
              'bench',
              -- The accept deadline (X-1) of a different 1 % has passed.
              CASE WHEN n % 100 = 50 THEN $2::timestamptz - (n % 60) * interval '1 minute'
                   ELSE $2::timestamptz + interval '1 hour' + (n % 10000) * interval '1 minute' END
         FROM (SELECT id, substr(number, 7)::int AS n FROM t) AS t`,
      [ROWS, NOW],
    ),
  );
  await timed('VACUUM ANALYZE', async () => {
    await ds.query(`VACUUM ANALYZE tickets`);
    await ds.query(`VACUUM ANALYZE assignments`);
  });
  const size = await ds.query(
    `SELECT pg_size_pretty(pg_relation_size('assignments')) AS heap,
            pg_size_pretty(pg_relation_size('assignments_reminder_due')) AS reminder_index`,
  );
  log(`assignments heap ${size[0].heap}, assignments_reminder_due index ${size[0].reminder_index}`);

  const batch = config.deadlines.scanBatchSize;
  const explain = async (title: string, sql = DeadlineRepository.DUE_REMINDERS_SQL) => {
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    try {
      const plan = await runner.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [NOW, batch]);
      log(`\n${title}\n${plan.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n`);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  };
  await explain(`EXPLAIN (ANALYZE, BUFFERS) of one claim (LIMIT ${batch}), ${ROWS / 100} rows due:`);

  // The bench writes no caller data; a throwaway key serves.
  const cipher = new CallerCipher({
    keys: new Map([['bench', randomBytes(32)]]),
    current: 'bench',
    hashKey: randomBytes(32),
  });
  const clock = new SettableClock(NOW);
  const tickets = new TicketRepository(ds, cipher);
  const calendars = new CalendarService(new CalendarRepository(ds), tickets, config, clock);
  const jobs = new DeadlineJobsService(
    new DeadlineRepository(ds, cipher),
    tickets,
    new OutboxComposer(new OrganisationRepository(ds), tickets),
    calendars,
    config,
    clock,
  );
  await calendars.current();
  const first = await timed(`scan 1: every due row, batches of ${batch}`, () => jobs.scanReminders());
  log(`  ${JSON.stringify(first)}`);
  const second = await timed('scan 2: nothing due', () => jobs.scanReminders());
  log(`  ${JSON.stringify(second)}`);
  await explain('EXPLAIN (ANALYZE, BUFFERS) of the claim with nothing due:');
  const check = await ds.query(
    `SELECT (SELECT count(*) FROM deadline_reminders)::int AS keys,
            (SELECT count(*) FROM outbox WHERE payload->>'notice' = 'remind')::int AS notices`,
  );
  log(`reminder keys written: ${check[0].keys}; folded notices (outbox rows): ${check[0].notices}`);

  // the accept-deadline scan over the same rows (assignments_accept_due), and the review-step
  // scan (tickets_step_overdue_due, nothing in review here: the every-minute idle case).
  await explain(
    `EXPLAIN (ANALYZE, BUFFERS) of one accept claim (LIMIT ${batch}), ${ROWS / 100} rows due:`,
    DeadlineRepository.DUE_ACCEPTS_SQL,
  );
  const accepts = await timed(`accept scan 1: every due row, batches of ${batch}`, () => jobs.scanAccepts());
  log(`  ${JSON.stringify(accepts)}`);
  const acceptsIdle = await timed('accept scan 2: nothing due', () => jobs.scanAccepts());
  log(`  ${JSON.stringify(acceptsIdle)}`);
  await explain('EXPLAIN (ANALYZE, BUFFERS) of the accept claim with nothing due:', DeadlineRepository.DUE_ACCEPTS_SQL);
  await timed('put 10 % of the tickets in review, 1 % past their step deadline', async () => {
    await ds.query(
      `UPDATE tickets SET status = 'in_review', step = 'initiator_review',
              step_started_at = $1::timestamptz - interval '1 day',
              step_deadline = CASE WHEN substr(number, 7)::int % 100 = 0 THEN $1::timestamptz - interval '1 minute'
                                   ELSE $1::timestamptz + interval '1 day' END
        WHERE substr(number, 7)::int % 10 = 0`,
      [NOW],
    );
    await ds.query(`VACUUM ANALYZE tickets`);
  });
  await explain(
    `EXPLAIN (ANALYZE, BUFFERS) of one review-step claim (LIMIT ${batch}), ${ROWS / 100} rows due:`,
    DeadlineRepository.DUE_REVIEW_STEPS_SQL,
  );
  const steps = await timed(`review-step scan 1: every due row, batches of ${batch}`, () => jobs.scanReviewSteps());
  log(`  ${JSON.stringify(steps)}`);
  await timed('review-step scan 2: nothing due', () => jobs.scanReviewSteps());
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
