// Generates a ledger of `n` closed tickets directly in SQL (INSERT … SELECT generate_series), one
// branch1 assignment and one approved reply each; every 7th reply came after its deadline. Used
// by the export test (test/ledger-export.e2e-spec.ts, 100,000 rows) and the benchmark
// (bench/ledger-export.ts, 1,000,000 rows). No caller data.
import type { Client } from 'pg';

/** Ticket i is received at BASE + i minutes. */
export const GENERATED_BASE = new Date('2026-01-01T00:00:00Z');

export async function generateLedger(db: Client, n: number, batch = 200_000): Promise<void> {
  for (let lo = 1; lo <= n; lo += batch) {
    const hi = Math.min(n, lo + batch - 1);
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content, route, stop,
          status, initiator, received_at, created_at, updated_at, closed_at, version)
       SELECT 'GX' || lpad(i::text, 8, '0'), 'group_hotline', 'A', 'phone',
              (ARRAY['complaint', 'consultation', 'help', 'suggestion'])[1 + i % 4], 'normal',
              '第' || i || '号生成工单', '生成的工单内容 ' || i, (i % 60)::text, '站点' || (i % 300),
              'closed', 'dispatcher1', $1::timestamptz + i * interval '1 minute', $1::timestamptz + i * interval '1 minute',
              $1::timestamptz + i * interval '1 minute', $1::timestamptz + i * interval '1 minute' + interval '3 hours', 5
         FROM generate_series($2::int, $3::int) AS i`,
      [GENERATED_BASE, lo, hi],
    );
    await db.query(
      `INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline,
          accepted_by, accepted_at, seq)
       SELECT t.id, 'branch1', 'sole', 'replied', t.received_at, 'dispatcher1', t.received_at + interval '2 hours',
              'b1_receiver', t.received_at + interval '10 minutes', 0
         FROM tickets t WHERE t.number BETWEEN 'GX' || lpad($1::text, 8, '0') AND 'GX' || lpad($2::text, 8, '0')`,
      [lo, hi],
    );
    await db.query(
      `INSERT INTO replies (assignment_id, ticket_id, content, handled_at, handler, caller_contacted, contact_method,
          contact_at, contact_summary, satisfaction, status, submitted_by, submitted_at, approved_by, approved_at)
       SELECT a.id, a.ticket_id, '已处理 ' || t.number, t.received_at + interval '1 hour', '经办人' || (substr(t.number, 3)::int % 20),
              true, 'phone', t.received_at + interval '1 hour', '已电话告知', 'satisfied', 'approved', 'b1_receiver',
              t.received_at + interval '1 hour', 'b1_leader',
              t.received_at + CASE WHEN substr(t.number, 3)::int % 7 = 0 THEN interval '150 minutes' ELSE interval '90 minutes' END
         FROM assignments a JOIN tickets t ON t.id = a.ticket_id
        WHERE t.number BETWEEN 'GX' || lpad($1::text, 8, '0') AND 'GX' || lpad($2::text, 8, '0')`,
      [lo, hi],
    );
    await db.query('COMMIT');
  }
  await db.query('ANALYZE tickets; ANALYZE assignments; ANALYZE replies');
}
