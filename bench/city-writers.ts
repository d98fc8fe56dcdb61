// Issue 19 goal 2: the writes that run while the readers' benchmarks time their reads (bench/inbox.ts,
// bench/reads-api.ts), by plain SQL into the tables the API's actions write.
import { Client } from 'pg';
import { createDataSource } from '@hotline/db';

/**
 * BENCH_WRITE_RATE: at most this many loops a second over all the writers (unset: as fast as they
 * can, which on a 2-core machine takes both cores from the readers being timed).
 */
export const WRITE_RATE = Number(process.env.BENCH_WRITE_RATE ?? 0);

/** How the writers ran, for a bench's phase title. */
export function writersTitle(n: number): string {
  return WRITE_RATE > 0 ? `${n} writers at ≤ ${WRITE_RATE} loops/s` : `${n} writers, unthrottled`;
}

/**
 * Vacuums the tables the writers write, as autovacuum would have done on a production server
 * since the last run: the PostgreSQL of the development machine runs with autovacuum off
 * (conf.d/90-ci.conf), so on a kept database (BENCH_REUSE, bench:reads) every earlier run's
 * writes would otherwise stay as dead rows (found 2026-12-07: \`light=red\` under writes grew
 * from 60 to 586 ms p99 over five runs on one database). Returns the seconds it took.
 */
export async function vacuumWritten(url: string): Promise<number> {
  const t0 = Date.now();
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`VACUUM (ANALYZE) tickets, assignments, timeline_events, inbox_work_deltas, inbox_work_counts`);
  } finally {
    await c.end();
  }
  return (Date.now() - t0) / 1000;
}

/**
 * Plain-SQL writers: each loop registers a ticket (ticket + timeline event), dispatches it to a
 * unit (assignment, ticket to in_progress, event) and accepts an older waiting assignment of the
 * same unit (update, event) and closes the unit's earliest accepted item (reply approved, the
 * ticket closed when nothing else is open): two short transactions, the rows the API's actions
 * write; the open work stays as generated. The new
 * tickets' subject and content follow the generator's mix (city-data.ts), so a free-text search
 * meets matches among the newest tickets as often as among the generated ones (before 2026-12-07
 * every new ticket read '写入中', so a search walked further past them the longer the writers ran).
 */
export function startWriters(url: string, n: number): { stop: () => Promise<number> } {
  let running = true;
  let done = 0;
  const gap = WRITE_RATE > 0 ? (1000 * n) / WRITE_RATE : 0;
  const loops = Array.from({ length: n }, async (_, w) => {
    const ds = createDataSource(url, 1);
    await ds.initialize();
    let next = Date.now() + (gap * w) / n;
    for (let k = 0; running; k++) {
      if (gap > 0) {
        const wait = next - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next += gap;
        if (!running) break;
      }
      const unit = ['branch1', 'branch2', 'safety', 'fare'][(w + k) % 4]!;
      const said = 1 + Math.floor(Math.random() * 9_999_999);
      await ds.transaction(async (m) => {
        const [t] = await m.query(
          `INSERT INTO tickets (number, source_code, chain, channel, category_code, subject, content, status, initiator, received_at)
           VALUES ($1, 'group_hotline', 'A', 'phone', 'complaint', $2,
                   '乘客来电反映车辆到站不停、司机服务态度等问题，要求核实处理并回复。', 'registered', 'dispatcher1', now())
           RETURNING id`,
          [`W${process.pid}-${w}-${k}`, `线路 ${said % 300} 路 乘客反映 ${said}`],
        );
        await m.query(
          `INSERT INTO timeline_events (ticket_id, action, actor, at, to_status) VALUES ($1, 'register', 'dispatcher1', now(), 'registered')`,
          [t.id],
        );
        await m.query(
          `INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline, seq)
           VALUES ($1, $2, 'sole', 'pending_accept', now(), 'dispatcher1', now() + interval '5 days', 0)`,
          [t.id, unit],
        );
        await m.query(
          `UPDATE tickets SET status = 'in_progress', version = version + 1, updated_at = now() WHERE id = $1`,
          [t.id],
        );
        await m.query(
          `INSERT INTO timeline_events (ticket_id, action, actor, at, unit_code, from_status, to_status)
           VALUES ($1, 'dispatch', 'dispatcher1', now(), $2, 'registered', 'in_progress')`,
          [t.id, unit],
        );
      });
      await ds.transaction(async (m) => {
        // The receiver accepts the first item of the unit's accept tab: the head of the inbox's index
        // (unit, status, reply deadline). Written `unit_code = $1` and ordered by the deadline, the
        // planner at times walked the index of every unit's open work by deadline instead and threw
        // 26,000-46,000 entries away per accept (70 ms at 10 M tickets): the writers spent a core on
        // their own lookups (found 2026-12-07 by auto_explain). `= ANY` with the unit in the order
        // leaves it only the inbox's index to give that order.
        // (TypeORM answers an UPDATE with [rows, count])
        const [[a]] = await m.query(
          `UPDATE assignments SET status = 'accepted', accepted_by = 'dispatcher1', accepted_at = now(), updated_at = now()
            WHERE id = (SELECT id FROM assignments WHERE unit_code = ANY (ARRAY[$1::text]) AND status = 'pending_accept'
                         ORDER BY unit_code, reply_deadline LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING ticket_id`,
          [unit],
        );
        if (a)
          await m.query(
            `INSERT INTO timeline_events (ticket_id, action, actor, at, unit_code) VALUES ($1, 'accept', 'dispatcher1', now(), $2)`,
            [a.ticket_id, unit],
          );
        // And the unit's reply to its earliest accepted item is approved (the ticket closes when
        // nothing else of it is open), so the open work stays as generated: before 2026-12-07 every
        // loop left one more open assignment, and a kept database's open work grew by about 16,000
        // a minute of writes, a million tickets' worth in an hour.
        const [[r]] = await m.query(
          `UPDATE assignments SET status = 'replied', updated_at = now()
            WHERE id = (SELECT id FROM assignments WHERE unit_code = ANY (ARRAY[$1::text]) AND status = 'accepted'
                         ORDER BY unit_code, reply_deadline LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING ticket_id`,
          [unit],
        );
        if (r) {
          await m.query(
            `INSERT INTO timeline_events (ticket_id, action, actor, at, unit_code) VALUES ($1, 'approve_reply', 'dispatcher1', now(), $2)`,
            [r.ticket_id, unit],
          );
          await m.query(
            `UPDATE tickets SET status = 'closed', closed_at = now(), version = version + 1, updated_at = now()
              WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM assignments o WHERE o.ticket_id = $1
                                              AND o.status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested'))`,
            [r.ticket_id],
          );
        }
      });
      done++;
    }
    await ds.destroy();
  });
  // The worker's fold of the inbox's kept counts (InboxCountsJob, every 10 s): the benches start
  // apps/api alone, so without it the deltas these writes add would pile up for the whole run.
  // Every 60 s a VACUUM of the deltas, as autovacuum would do on a production server (a table
  // past its threshold, migration 1766450000000, once a naptime): the PostgreSQL of the
  // development machine runs with autovacuum off (conf.d/90-ci.conf).
  const folding = (async () => {
    const ds = createDataSource(url, 1);
    await ds.initialize();
    try {
      for (let round = 1; running; round++) {
        await ds.query(`SELECT inbox_work_compact()`);
        if (round % 6 === 0) await ds.query(`VACUUM inbox_work_deltas`);
        for (let waited = 0; running && waited < 10_000; waited += 250) await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await ds.destroy();
    }
  })();
  const t0 = Date.now();
  return {
    stop: async () => {
      running = false;
      await Promise.all([...loops, folding]);
      return done / ((Date.now() - t0) / 1000);
    },
  };
}
