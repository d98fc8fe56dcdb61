// Issue 19 goal 2: the writes that run while the readers' benchmarks time their reads (bench/inbox.ts,
// bench/reads-api.ts), by plain SQL into the tables the API's actions write.
import { createDataSource } from '@hotline/db';

/**
 * Plain-SQL writers: each loop registers a ticket (ticket + timeline event), dispatches it to a
 * unit (assignment, ticket to in_progress, event) and accepts an older waiting assignment of the
 * same unit (update, event): two short transactions, the rows the API's actions write.
 */
export function startWriters(url: string, n: number): { stop: () => Promise<number> } {
  let running = true;
  let done = 0;
  const loops = Array.from({ length: n }, async (_, w) => {
    const ds = createDataSource(url, 1);
    await ds.initialize();
    for (let k = 0; running; k++) {
      const unit = ['branch1', 'branch2', 'safety', 'fare'][(w + k) % 4]!;
      await ds.transaction(async (m) => {
        const [t] = await m.query(
          `INSERT INTO tickets (number, source_code, chain, channel, category_code, subject, content, status, initiator, received_at)
           VALUES ($1, 'group_hotline', 'A', 'phone', 'complaint', '写入中', '基准测试写入', 'registered', 'dispatcher1', now())
           RETURNING id`,
          [`W${process.pid}-${w}-${k}`],
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
        // (TypeORM answers an UPDATE with [rows, count])
        const [[a]] = await m.query(
          `UPDATE assignments SET status = 'accepted', accepted_by = 'dispatcher1', accepted_at = now(), updated_at = now()
            WHERE id = (SELECT id FROM assignments WHERE unit_code = $1 AND status = 'pending_accept'
                         ORDER BY reply_deadline LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING ticket_id`,
          [unit],
        );
        if (a)
          await m.query(
            `INSERT INTO timeline_events (ticket_id, action, actor, at, unit_code) VALUES ($1, 'accept', 'dispatcher1', now(), $2)`,
            [a.ticket_id, unit],
          );
      });
      done++;
    }
    await ds.destroy();
  });
  // The worker's fold of the inbox's kept counts (InboxCountsJob, every 10 s): the benches start
  // apps/api alone, so without it the deltas these writes add would pile up for the whole run.
  const folding = (async () => {
    const ds = createDataSource(url, 1);
    await ds.initialize();
    try {
      while (running) {
        await ds.query(`SELECT inbox_work_compact()`);
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
