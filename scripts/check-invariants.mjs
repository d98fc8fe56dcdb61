// `npm run check:invariants` (issue 18): what must hold in any database of the product, after
// any fault. Read-only; safe on a production database:
//   DATABASE_URL=postgres://… npm run check:invariants [-- --acknowledged=<file>] [--settled]
// --acknowledged: a file with one ticket id per line, each answered 2xx to a client: all must exist.
// --settled: the outbox has had time to drain (no row may still be pending).
// Prints one line per invariant and exits 1 when one is broken. Also used by `npm run test:faults`.
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** A claimed row older than this while its worker is alive counts as stuck (the lease is 60 s). */
const STUCK_AFTER = '10 minutes';

export async function checkInvariants(url, { acknowledged = [], settled = false } = {}) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const results = [];
  const check = async (name, sql, params = []) => {
    const { rows } = await db.query(sql, params);
    results.push({ name, ok: rows.length === 0, sample: rows.slice(0, 5) });
  };
  try {
    await check(
      'every 2xx registration is persisted',
      `SELECT a.id FROM unnest($1::uuid[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = a.id)`,
      [acknowledged],
    );
    await check(
      'no half-written ticket (each has its registration event; each dispatched one its assignments)',
      `SELECT t.id, t.status FROM tickets t
        WHERE NOT EXISTS (SELECT 1 FROM timeline_events e WHERE e.ticket_id = t.id AND e.action = 'register')
           OR (t.status NOT IN ('registered', 'revoked', 'merged', 'closed')
               AND t.direct_answer IS NULL
               AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id))`,
    );
    await check(
      'no duplicate registration (an Idempotency-Key names one ticket, and its ticket exists)',
      `SELECT k.actor, k.key FROM idempotency_keys k
        WHERE k.status_code = 201 AND k.response ? 'id'
          AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id::text = k.response->>'id')`,
    );
    await check(
      'no duplicate registration (one upstream reference, one ticket)',
      `SELECT source_code, upstream_ref, count(*) FROM tickets
        WHERE upstream_ref IS NOT NULL AND status <> 'merged'
        GROUP BY source_code, upstream_ref HAVING count(*) > 1`,
    );
    await check(
      'no outbox row stuck (pending and claimed long ago, or still pending once the outbox had time to drain)',
      `SELECT id, kind, attempts, next_attempt_at FROM outbox
        WHERE status = 'pending' AND ($1::boolean OR (claimed_by IS NOT NULL AND next_attempt_at < now() - $2::interval))`,
      [settled, STUCK_AFTER],
    );
    await check(
      'no outbox row sent twice (one DingTalk to-do per to-do row)',
      `SELECT source_id, count(*) FROM dingtalk_todos GROUP BY source_id HAVING count(*) > 1`,
    );
    await check(
      'no to-do left open on finished work (a sent todo_done leaves none of its key open)',
      `SELECT d.id, d.todo_key FROM dingtalk_todos d
        WHERE d.status = 'open'
          AND EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'todo_done' AND o.payload->>'key' = d.todo_key
                         AND o.status IN ('sent', 'skipped') AND o.id > (SELECT max(p.id) FROM outbox p WHERE p.dedupe_key = d.source_id))`,
    );
    await check(
      "an open assignment carries its ticket's creation time and number (the inbox's and the list's indexes; issue 19)",
      `SELECT a.id FROM assignments a JOIN tickets t ON t.id = a.ticket_id
        WHERE a.status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested')
          AND (a.ticket_number IS DISTINCT FROM t.number OR a.ticket_created_at IS DISTINCT FROM t.created_at)`,
    );
    await check(
      "the inbox's kept tab counts are the tables' (sums plus unfolded deltas against a recount; issue 19)",
      `WITH kept AS (
         SELECT work, unit_code, sum(n)::bigint AS n FROM (
           SELECT work, unit_code, n FROM inbox_work_counts UNION ALL SELECT work, unit_code, n FROM inbox_work_deltas
         ) k GROUP BY work, unit_code HAVING sum(n) <> 0),
       counted AS (
         SELECT CASE a.status WHEN 'pending_accept' THEN 'accept' WHEN 'accepted' THEN 'submit_reply'
                              WHEN 'awaiting_leader' THEN 'approve_reply' ELSE 'record_unit_follow_up' END AS work,
                a.unit_code, count(*) AS n
           FROM assignments a
          WHERE a.status IN ('pending_accept', 'accepted', 'awaiting_leader')
             OR (a.status = 'replied' AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = a.ticket_id AND t.status = 'follow_up'))
          GROUP BY 1, 2
         UNION ALL
         SELECT CASE status WHEN 'registered' THEN 'dispatch' WHEN 'follow_up' THEN 'finish_follow_up' ELSE 'review:' || step END,
                '', count(*)
           FROM tickets WHERE status IN ('registered', 'follow_up', 'in_review') GROUP BY 1)
       SELECT COALESCE(k.work, c.work) AS work, COALESCE(k.unit_code, c.unit_code) AS unit, k.n AS kept, c.n AS counted
         FROM kept k FULL JOIN counted c ON c.work = k.work AND c.unit_code = k.unit_code
        WHERE k.n IS DISTINCT FROM c.n`,
    );
    const { rows: failed } = await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'failed'`);
    const { rows: counts } = await db.query(
      `SELECT (SELECT count(*)::int FROM tickets) AS tickets, (SELECT count(*)::int FROM outbox) AS outbox`,
    );
    return { results, failedRows: failed[0].n, ...counts[0] };
  } finally {
    await db.end();
  }
}

export function printInvariants({ results, failedRows, tickets, outbox }) {
  for (const r of results) {
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.ok ? '' : `: ${JSON.stringify(r.sample)}`}`);
  }
  console.log(`     (${tickets} tickets, ${outbox} outbox rows, ${failedRows} failed for an admin to retry)`);
  return results.every((r) => r.ok);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('set DATABASE_URL to the database to check');
    process.exit(2);
  }
  const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}`));
  const ackFile = arg('acknowledged')?.split('=')[1];
  const acknowledged = ackFile ? readFileSync(ackFile, 'utf8').split('\n').filter(Boolean) : [];
  const report = await checkInvariants(url, { acknowledged, settled: !!arg('settled') });
  process.exit(printInvariants(report) ? 0 : 1);
}
