// Issue 19 goal 2: the inbox's large tab counts are kept as the work changes (inbox_work_counts plus
// the deltas the worker has not folded in yet, migration 1766450000000). They must equal a recount
// of the tables at every moment a reader can see: after writers in concurrent transactions (some
// rolled back), while compactions run beside them, after a TRUNCATE and on a database migrated with
// data already in it. The oracle below spells the kinds of work out with the tables' own statuses.
// That the kinds are the inbox's (each count the number of items its tab lists) is held by the
// action-matrix e2e test in every reachable state.
import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { InboxRepository, createDataSource, seedDemoOrganisation } from '@hotline/db';
import { createTestDatabase } from './support/database';

const run = promisify(execFile);

const UNITS = ['branch1', 'branch2', 'safety', 'fare'];
const ASSIGNMENT_STATUSES = [
  'pending_accept',
  'accepted',
  'awaiting_leader',
  'replied',
  'return_requested',
  'returned',
  'cancelled',
];
const TICKET_STATES: [string, string | null][] = [
  ['registered', null],
  ['in_progress', null],
  ['in_review', 'initiator_review'],
  ['in_review', 'ops_review'],
  ['in_review', 'office_review'],
  ['in_review', 'upstream_report'],
  ['follow_up', null],
  ['closed', null],
];

let ds: DataSource;
let url: string;

/** What the kept counts must say, counted from the tables (zero counts left out). */
async function recount(): Promise<Record<string, number>> {
  const rows: { work: string; unit_code: string; n: string }[] = await ds.query(`
    SELECT 'accept' AS work, unit_code, count(*) AS n FROM assignments WHERE status = 'pending_accept' GROUP BY unit_code
    UNION ALL SELECT 'submit_reply', unit_code, count(*) FROM assignments WHERE status = 'accepted' GROUP BY unit_code
    UNION ALL SELECT 'approve_reply', unit_code, count(*) FROM assignments WHERE status = 'awaiting_leader' GROUP BY unit_code
    UNION ALL SELECT 'record_unit_follow_up', a.unit_code, count(*) FROM assignments a JOIN tickets t ON t.id = a.ticket_id
               WHERE a.status = 'replied' AND t.status = 'follow_up' GROUP BY a.unit_code
    UNION ALL SELECT 'dispatch', '', count(*) FROM tickets WHERE status = 'registered' HAVING count(*) > 0
    UNION ALL SELECT 'finish_follow_up', '', count(*) FROM tickets WHERE status = 'follow_up' HAVING count(*) > 0
    UNION ALL SELECT 'review:' || step, '', count(*) FROM tickets WHERE status = 'in_review' GROUP BY step`);
  return Object.fromEntries(rows.map((r) => [`${r.work}@${r.unit_code}`, Number(r.n)]));
}

/** The kept counts as a reader sees them: the sums plus the deltas, in one statement. */
async function kept(): Promise<Record<string, number>> {
  const rows: { work: string; unit_code: string; n: string }[] = await ds.query(`
    SELECT work, unit_code, sum(n) AS n FROM (
      SELECT work, unit_code, n FROM inbox_work_counts UNION ALL SELECT work, unit_code, n FROM inbox_work_deltas
    ) k GROUP BY work, unit_code HAVING sum(n) <> 0`);
  return Object.fromEntries(rows.map((r) => [`${r.work}@${r.unit_code}`, Number(r.n)]));
}

async function deltas(): Promise<number> {
  return Number((await ds.query(`SELECT count(*) AS n FROM inbox_work_deltas`))[0].n);
}

/** `n` tickets in a mix of states, each with one to three assignments in a mix of statuses. */
async function fill(n: number, prefix: string): Promise<void> {
  await ds.query(
    `INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content,
                          status, step, initiator, received_at, created_at, updated_at, closed_at, version)
     SELECT $2 || i, 'group_hotline', 'A', 'phone', 'complaint', 'normal', '工单 ' || i, '测试',
            ($3::text[])[1 + i % 8], ($4::text[])[1 + i % 8], 'dispatcher1', now(), now(), now(),
            CASE WHEN ($3::text[])[1 + i % 8] = 'closed' THEN now() END, 1
       FROM generate_series(1, $1::int) AS i`,
    [n, prefix, TICKET_STATES.map((s) => s[0]), TICKET_STATES.map((s) => s[1])],
  );
  await ds.query(
    `INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline, seq, updated_at)
     SELECT t.id, ($2::text[])[1 + (t.n + k) % 4], CASE WHEN k = 0 THEN 'lead' ELSE 'co' END,
            ($3::text[])[1 + (t.n * 3 + k) % 7], now(), 'dispatcher1', now() + interval '5 days', k, now()
       FROM (SELECT id, substr(number, length($1) + 1)::int AS n FROM tickets WHERE number LIKE $1 || '%') AS t,
            LATERAL generate_series(0, t.n % 3) AS k`,
    [prefix, UNITS, ASSIGNMENT_STATUSES],
  );
}

beforeAll(async () => {
  url = await createTestDatabase('inbox_counts');
  ds = createDataSource(url, 4);
  await ds.initialize();
  await seedDemoOrganisation(ds);
});

afterAll(async () => {
  await ds?.destroy();
});

describe('issue 19: the inbox tab counts kept as the work changes', () => {
  it('issue 19: counts kept by the triggers equal a recount after bulk writes, before and after folding the deltas', async () => {
    await fill(400, 'IW');
    expect(await deltas()).toBeGreaterThan(0);
    const expected = await recount();
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    expect(await kept()).toEqual(expected);
    const folded = await new InboxRepository(ds).compactCounts();
    expect(folded).toBeGreaterThan(0);
    expect(await deltas()).toBe(0);
    expect(await kept()).toEqual(expected);
    expect(await new InboxRepository(ds).compactCounts()).toBe(0);
  });

  it('issue 19: concurrent writers (some rolled back) and compactions between their statements leave the counts exact at every read', async () => {
    // Four writers keep transactions open at the same time, each on its own tickets (and their
    // assignments), so no writer waits for another and every step is bounded; while all four are
    // open, the deltas are folded and a reader compares what it sees with a recount of the same
    // snapshot; then some commit and some roll back, and it is checked again.
    const connect = async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`SET lock_timeout = '5s'`);
      return c;
    };
    const writers = await Promise.all(Array.from({ length: 4 }, connect));
    const folder = await connect();
    const tickets: { id: string }[] = await ds.query(`SELECT id FROM tickets ORDER BY id`);
    const byTicket = new Map<string, string[]>();
    for (const r of (await ds.query(`SELECT id, ticket_id FROM assignments ORDER BY id`)) as {
      id: string;
      ticket_id: string;
    }[]) {
      byTicket.set(r.ticket_id, [...(byTicket.get(r.ticket_id) ?? []), r.id]);
    }
    const own = (w: number) => tickets.filter((_, k) => k % 4 === w).map((t) => t.id);
    // Each writer draws from its own sequence, so the interleaving of the four cannot change
    // what any of them does.
    const seeds = [19, 23, 29, 31];
    const randOf = (w: number) => (k: number) => {
      seeds[w] = (seeds[w]! * 48271) % 2147483647;
      return seeds[w]! % k;
    };
    const same = async (): Promise<boolean> => {
      const r: { same: boolean }[] = await ds.query(`
        WITH o AS (
          SELECT 'accept' AS work, unit_code, count(*) AS n FROM assignments WHERE status = 'pending_accept' GROUP BY unit_code
          UNION ALL SELECT 'submit_reply', unit_code, count(*) FROM assignments WHERE status = 'accepted' GROUP BY unit_code
          UNION ALL SELECT 'approve_reply', unit_code, count(*) FROM assignments WHERE status = 'awaiting_leader' GROUP BY unit_code
          UNION ALL SELECT 'dispatch', '', count(*) FROM tickets WHERE status = 'registered' HAVING count(*) > 0),
        k AS (
          SELECT work, unit_code, sum(n) AS n FROM (
            SELECT work, unit_code, n FROM inbox_work_counts UNION ALL SELECT work, unit_code, n FROM inbox_work_deltas
          ) x WHERE work IN ('accept', 'submit_reply', 'approve_reply', 'dispatch') GROUP BY work, unit_code HAVING sum(n) <> 0)
        SELECT NOT EXISTS (SELECT * FROM o EXCEPT SELECT * FROM k) AND NOT EXISTS (SELECT * FROM k EXCEPT SELECT * FROM o) AS same`);
      return r[0]!.same;
    };
    const mismatches: string[] = [];
    let committed = 0;
    try {
      for (let round = 0; round < 12; round++) {
        await Promise.all(
          writers.map(async (c, w) => {
            const mine = own(w);
            const rand = randOf(w);
            await c.query('BEGIN');
            for (let j = 0; j < 5; j++) {
              const ticket = mine[rand(mine.length)]!;
              // A second open assignment of one unit on a ticket is refused by the unique index:
              // that statement alone is undone, the transaction stays open.
              await c.query('SAVEPOINT s');
              try {
                if (rand(3) === 0) {
                  const [status, step] = TICKET_STATES[rand(TICKET_STATES.length)]!;
                  await c.query(
                    `UPDATE tickets SET status = $2, step = $3, closed_at = CASE WHEN $2 = 'closed' THEN now() END WHERE id = $1`,
                    [ticket, status, step],
                  );
                } else {
                  const ids = byTicket.get(ticket) ?? [];
                  if (ids.length > 0) {
                    await c.query(`UPDATE assignments SET status = $2, unit_code = $3 WHERE id = $1`, [
                      ids[rand(ids.length)],
                      ASSIGNMENT_STATUSES[rand(ASSIGNMENT_STATUSES.length)],
                      UNITS[rand(UNITS.length)],
                    ]);
                  }
                }
                await c.query('RELEASE SAVEPOINT s');
              } catch (e) {
                if ((e as { code?: string }).code !== '23505') throw e;
                await c.query('ROLLBACK TO SAVEPOINT s');
              }
            }
          }),
        );
        // All four transactions open: fold, and read a snapshot without them.
        await folder.query(`SELECT inbox_work_compact()`);
        if (!(await same())) mismatches.push(`round ${round}, transactions open`);
        await Promise.all(
          writers.map(async (c, w) => {
            if ((round + w) % 3 === 0) {
              await c.query('ROLLBACK');
            } else {
              await c.query('COMMIT');
              committed++;
            }
          }),
        );
        if (!(await same())) mismatches.push(`round ${round}, after the commits`);
        if (round % 2 === 1) await folder.query(`SELECT inbox_work_compact()`);
      }
    } finally {
      await Promise.all([...writers, folder].map((c) => c.end()));
    }
    expect(mismatches).toEqual([]);
    expect(committed).toBe(32);
    expect(await kept()).toEqual(await recount());
    await new InboxRepository(ds).compactCounts();
    expect(await kept()).toEqual(await recount());
  });

  it('issue 19: a follow-up ticket moves its replied assignments into and out of the units\u2019 follow-up work', async () => {
    // Only the ticket's open assignments become replied: the writers above may have left it two
    // assignments of one unit (one ended), and R-6's unique index refuses a second open one.
    const open = `status NOT IN ('returned', 'cancelled', 'withdrawn')`;
    const [t] = await ds.query(
      `SELECT t.id FROM tickets t WHERE t.status = 'in_progress'
          AND EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id AND a.${open})
        ORDER BY t.id LIMIT 1`,
    );
    expect(t).toBeDefined();
    await ds.query(`UPDATE assignments SET status = 'replied' WHERE ticket_id = $1 AND ${open}`, [t.id]);
    const before = await kept();
    await ds.query(`UPDATE tickets SET status = 'follow_up' WHERE id = $1`, [t.id]);
    const during = await kept();
    expect(during).toEqual(await recount());
    expect(during).not.toEqual(before);
    await ds.query(`UPDATE tickets SET status = 'closed', closed_at = now() WHERE id = $1`, [t.id]);
    expect(await kept()).toEqual(await recount());
  });

  it('issue 19: deleting rows and TRUNCATE keep the counts true', async () => {
    await ds.query(`DELETE FROM assignments WHERE id IN (SELECT id FROM assignments ORDER BY id LIMIT 50)`);
    expect(await kept()).toEqual(await recount());
    await ds.query(`TRUNCATE assignments CASCADE`);
    expect(await deltas()).toBe(0);
    expect(await kept()).toEqual(await recount());
    await fill(40, 'IX');
    expect(await kept()).toEqual(await recount());
  });

  it('issue 19: check:invariants (the faults suite\u2019s checker) compares the kept counts with the tables and names a wrong one', async () => {
    // Run without blocking this process (a spawnSync froze its event loop, and with it every
    // connection of its own that the checker's statements might wait for) and with a time limit.
    const line = async () => {
      const r = await run(process.execPath, [resolve(__dirname, '../scripts/check-invariants.mjs')], {
        env: { ...process.env, DATABASE_URL: url },
        encoding: 'utf8',
        timeout: 20_000,
      }).catch((err: { stdout?: string; stderr?: string }) => ({
        stdout: err.stdout ?? '',
        stderr: err.stderr ?? String(err),
      }));
      return r.stdout.split('\n').find((l: string) => l.includes('kept tab counts')) ?? r.stderr;
    };
    expect(await line()).toMatch(/^ok /);
    await ds.query(`INSERT INTO inbox_work_deltas (work, unit_code, n) VALUES ('accept', 'branch2', 7)`);
    expect(await line()).toMatch(/^FAIL .*"work":"accept","unit":"branch2"/);
    await ds.query(`INSERT INTO inbox_work_deltas (work, unit_code, n) VALUES ('accept', 'branch2', -7)`);
    expect(await line()).toMatch(/^ok /);
  });

  it('issue 19: inbox_work_rebuild() counts a database loaded with triggers off (bench:generate) from its tables', async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`SET session_replication_role = replica`);
      await c.query(`UPDATE assignments SET status = 'pending_accept' WHERE status = 'accepted'`);
      await c.query(`UPDATE tickets SET status = 'registered', step = NULL WHERE status = 'in_review'`);
    } finally {
      await c.end();
    }
    expect(await kept()).not.toEqual(await recount());
    await ds.query(`SELECT inbox_work_rebuild()`);
    expect(await deltas()).toBe(0);
    expect(await kept()).toEqual(await recount());
  });
});
