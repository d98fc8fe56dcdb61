// Issue 19 goal 2: a year's unit figures read the per-day sums (unit_figure_days,
// migration 1766410000000) plus a direct read of the rest. They must be exactly the numbers of the
// full direct statement (AssessmentRepository.unitFiguresDirect, the test oracle) for any period,
// whole days or not, at any clock value, and after corrections made later (rework, untrue
// replies, withdrawn units, responsibility decided later, revoked tickets, new replies, calls,
// repeat callers). The dataset is generated in SQL with a varied, deterministic mix.
import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { Client } from 'pg';
import { AssessmentRepository, createDataSource, seedDemoOrganisation } from '@hotline/db';
import { parseShanghai } from '@hotline/calendar';
import { createTestDatabase } from './support/database';

const N = 1800;
const START = parseShanghai('2026-01-01 00:00');
const END = parseShanghai('2026-04-01 00:00');

let ds: DataSource;
let url: string;
let repo: AssessmentRepository;

/** Tickets received every ~72 minutes over the quarter; the mix is driven by i modulo small primes. */
async function fill(): Promise<void> {
  const step = `${(END.getTime() - START.getTime()) / N / 1000} seconds`;
  await ds.query(
    `INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content, route, stop,
                          caller_phone_hash, status, initiator, received_at, created_at, updated_at, closed_at,
                          dispatch_due_at, responsibility, responsible_unit, version)
     SELECT 'UD' || i, 'group_hotline', 'A', 'phone',
            (ARRAY['complaint', 'consultation', 'help'])[1 + (i / 7) % 3], 'normal', '工单 ' || i, '测试',
            (ARRAY['5', '5路', ' 5 ', '12', NULL])[1 + (i / 3) % 5], '站点' || (i % 30),
            CASE WHEN i % 7 IN (0, 1, 2) THEN 'c' || (i / 21) WHEN i % 7 = 3 THEN NULL ELSE 'u' || i END,
            s.status, 'dispatcher1', r, r, r, CASE WHEN s.status = 'closed' THEN r + interval '6 days' END,
            r + interval '3 hours',
            CASE WHEN i % 11 = 0 AND s.status <> 'revoked' THEN 'at_fault' END,
            CASE WHEN i % 11 = 0 AND s.status <> 'revoked' THEN (ARRAY['branch1', 'branch2', 'safety', 'fare'])[1 + i % 4] END,
            3
       FROM generate_series(1, $1::int) AS i,
            LATERAL (SELECT $2::timestamptz + i * $3::interval AS r) AS x,
            LATERAL (SELECT CASE WHEN i % 37 = 0 THEN 'revoked' WHEN i % 53 = 0 THEN 'follow_up'
                                 WHEN i > $1 * 0.85 OR i % 19 = 0 THEN 'in_progress' ELSE 'closed' END AS status) AS s`,
    [N, START, step],
  );
  await ds.query(
    `INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline,
                              accept_deadline, accepted_by, accepted_at, rework_count, extension_count, seq, updated_at)
     SELECT t.id, (ARRAY['branch1', 'branch2', 'safety', 'fare'])[1 + (n + k) % 4],
            CASE WHEN n % 5 <> 0 THEN 'sole' WHEN k = 0 THEN 'lead' ELSE 'co' END,
            CASE WHEN t.status = 'revoked' AND n % 74 = 0 THEN 'replied'
                 WHEN t.status = 'revoked' THEN 'cancelled'
                 WHEN n % 43 = 5 AND k = 0 THEN 'withdrawn'
                 WHEN n % 50 = 7 AND k = 0 THEN 'returned'
                 WHEN n % 47 = 3 THEN 'cancelled'
                 WHEN t.status IN ('closed', 'follow_up') THEN 'replied' ELSE 'accepted' END,
            d, 'dispatcher1', d + CASE WHEN n % 6 = 0 THEN interval '2 days' ELSE interval '5 days' END,
            CASE WHEN n % 8 = 0 THEN NULL ELSE d + interval '1 day' END, 'b1_receiver',
            d + CASE WHEN n % 6 = 1 THEN interval '30 hours' ELSE interval '1 hour' END,
            CASE WHEN n % 9 = 0 THEN 1 WHEN n % 31 = 0 THEN 2 ELSE 0 END, CASE WHEN n % 10 = 0 THEN 1 ELSE 0 END,
            k, t.updated_at
       FROM (SELECT id, status, received_at, updated_at, substr(number, 3)::int AS n FROM tickets) AS t,
            LATERAL generate_series(0, CASE WHEN t.n % 5 = 0 THEN 1 ELSE 0 END) AS k,
            LATERAL (SELECT t.received_at + CASE WHEN t.n % 10 = 3 THEN interval '8 hours' ELSE interval '20 minutes' END
                            + (t.n % 13) * interval '37 minutes' AS d) AS x`,
  );
  // Replies: the approved one of each replied assignment (late for some); a sent-back one before
  // it when reworked; on some open assignments an approved reply later sent back (first but no
  // standing reply).
  await ds.query(
    `INSERT INTO replies (assignment_id, ticket_id, content, handled_at, handler, caller_contacted, contact_method,
                          contact_at, contact_summary, satisfaction, status, submitted_by, submitted_at, approved_by, approved_at)
     SELECT a.id, a.ticket_id, '已处理', x.at, '经办人', true, 'phone', x.at, '已电话告知', 'satisfied',
            CASE WHEN a.status = 'replied' AND k = 0 THEN 'approved' ELSE 'sent_back' END, 'b1_receiver', x.at,
            'b1_leader', x.at
       FROM (SELECT a.*, substr(t.number, 3)::int AS n FROM assignments a JOIN tickets t ON t.id = a.ticket_id
              WHERE a.status = 'replied' OR (a.status = 'accepted' AND substr(t.number, 3)::int % 4 = 1)) AS a,
            LATERAL generate_series(0, CASE WHEN a.status = 'replied' THEN a.rework_count ELSE 0 END) AS k,
            LATERAL (SELECT a.dispatched_at + CASE WHEN a.n % 7 = 0 THEN interval '6 days' ELSE interval '2 days' END
                            - k * interval '1 day' AS at) AS x`,
  );
  await ds.query(
    `INSERT INTO timeline_events (ticket_id, action, actor, at)
     SELECT t.id, 'revoke', 'dispatcher1', t.received_at + (substr(t.number, 3)::int % 9) * interval '1 day'
       FROM tickets t WHERE t.status = 'revoked'`,
  );
  await ds.query(
    `INSERT INTO return_requests (assignment_id, ticket_id, reason, basis, requested_by, requested_at, decision, decided_by, decided_at)
     SELECT a.id, a.ticket_id, '非本单位职责', '职责分工', 'b1_receiver', a.dispatched_at + interval '2 hours',
            CASE WHEN a.status = 'returned' THEN 'approved' ELSE 'rejected' END, 'dispatcher1', a.dispatched_at + interval '3 hours'
       FROM assignments a JOIN tickets t ON t.id = a.ticket_id
      WHERE a.status = 'returned' OR substr(t.number, 3)::int % 23 = 0`,
  );
  await ds.query(
    `INSERT INTO extension_requests (assignment_id, ticket_id, days, reason, requested_by, requested_at, previous_deadline,
                                     new_deadline, decision, decided_by, decided_at)
     SELECT a.id, a.ticket_id, 1, '需调查', 'b1_receiver', a.dispatched_at + interval '1 day', a.reply_deadline,
            a.reply_deadline + interval '1 day', CASE WHEN a.rework_count = 0 THEN 'approved' ELSE 'rejected' END,
            'dispatcher1', a.dispatched_at + interval '25 hours'
       FROM assignments a WHERE a.extension_count = 1`,
  );
  // Calls: reached (solved or not, satisfied or not), unreachable rounds, and unsatisfied calls that
  // re-opened the sole or lead assignment with a fresh deadline (the previous one recorded).
  await ds.query(
    `INSERT INTO visits (ticket_id, round, outcome, solved, satisfaction, visit_status, recorded_by, recorded_at,
                         unit_at_fault, rework_assignment_id, previous_deadline)
     SELECT t.id, 1, CASE WHEN n % 13 = 0 THEN 'no_answer' ELSE 'reached' END,
            CASE WHEN n % 13 = 0 THEN NULL ELSE n % 2 = 0 END,
            CASE WHEN n % 13 = 0 THEN NULL WHEN n % 9 = 0 OR n % 4 = 0 THEN 'unsatisfied'
                 WHEN n % 5 = 0 THEN 'basically_satisfied' ELSE 'satisfied' END,
            CASE WHEN n % 13 = 0 THEN 'unreachable' ELSE 'reached' END, 'dispatcher1', t.received_at + interval '7 days',
            CASE WHEN n % 9 = 0 AND n % 13 <> 0 THEN a.unit_code END, CASE WHEN n % 9 = 0 AND n % 13 <> 0 THEN a.id END,
            CASE WHEN n % 9 = 0 AND n % 13 <> 0 THEN a.reply_deadline - interval '1 day' END
       FROM (SELECT id, received_at, substr(number, 3)::int AS n FROM tickets WHERE status IN ('closed', 'follow_up')) AS t
       JOIN assignments a ON a.ticket_id = t.id AND a.role <> 'co'
      WHERE n % 3 = 0`,
  );
  await ds.query(
    `INSERT INTO untrue_reply_flags (reply_id, ticket_id, assignment_id, unit_code, note, flagged_by, flagged_at,
                                     previous_deadline, new_deadline)
     SELECT r.id, r.ticket_id, r.assignment_id, a.unit_code, '回复不实', 'dispatcher1', r.approved_at + interval '1 day',
            CASE WHEN substr(t.number, 3)::int % 2 = 0 THEN a.reply_deadline END,
            CASE WHEN substr(t.number, 3)::int % 2 = 0 THEN a.reply_deadline + interval '3 days' END
       FROM replies r JOIN assignments a ON a.id = r.assignment_id JOIN tickets t ON t.id = r.ticket_id
      WHERE r.status = 'approved' AND substr(t.number, 3)::int % 17 = 0`,
  );
}

/** Periods: whole months and the quarter, days, mid-day edges, less than a day, empty. */
const PERIODS: Array<[string, string]> = [
  ['2026-01-01 00:00', '2026-04-01 00:00'],
  ['2026-02-01 00:00', '2026-03-01 00:00'],
  ['2026-01-13 10:17', '2026-03-20 15:45'],
  ['2026-03-05 00:00', '2026-03-06 00:00'],
  ['2026-03-05 08:00', '2026-03-05 19:30'],
  ['2026-03-05 21:10', '2026-03-07 02:20'],
  ['2025-12-01 00:00', '2026-01-02 12:00'],
  ['2026-03-28 07:00', '2026-05-01 00:00'],
  ['2026-06-01 00:00', '2026-07-01 00:00'],
];
const NOWS = ['2026-02-15 12:00', '2026-03-31 09:30', '2026-06-01 00:00'];

async function expectSameAsDirect(windowDays = 30): Promise<number> {
  let compared = 0;
  for (const [f, t] of PERIODS) {
    for (const n of NOWS) {
      const args = [parseShanghai(f), parseShanghai(t), parseShanghai(n), windowDays] as const;
      const fast = await repo.unitFigures(...args);
      const direct = await repo.unitFiguresDirect(...args);
      expect({ period: [f, t], now: n, figures: fast }).toEqual({ period: [f, t], now: n, figures: direct });
      compared += fast.length;
    }
  }
  return compared;
}

beforeAll(async () => {
  url = await createTestDatabase('ufd');
  ds = createDataSource(url, 3);
  await ds.initialize();
  await seedDemoOrganisation(ds);
  await fill();
  repo = new AssessmentRepository(ds);
}, 120_000);

afterAll(async () => {
  await ds?.destroy();
});

describe('issue 19: unit figures from the per-day sums (R-18, X-10)', () => {
  it('issue 19, R-18: equal the direct statement for whole and partial days, at several clock values', async () => {
    // The dataset is varied enough that every kind of figure is non-zero somewhere.
    const year = await repo.unitFiguresDirect(START, END, parseShanghai('2026-03-31 09:30'));
    for (const field of [
      'overdue',
      'repliedOnTime',
      'returnRequests',
      'returnsApproved',
      'extensionsApproved',
      'rework',
      'visitRework',
      'callsUnreachable',
      'callsSatisfied',
      'responsibleComplaints',
      'untrueReplies',
      'closedOnTime',
      'closeDue',
      'firstTimeClosed',
      'repeatCalls',
    ] as const) {
      expect({ field, total: year.reduce((s, u) => s + u[field], 0) > 0 }).toEqual({ field, total: true });
    }
    // Every day is dirty after the fill: a read leaves that many to the worker and reads them
    // directly, still exact.
    const dirtyDays = async () => (await ds.query(`SELECT count(DISTINCT day)::int AS n FROM unit_figure_dirty`))[0].n;
    const before = await dirtyDays();
    expect(before).toBeGreaterThan(60);
    expect(await expectSameAsDirect()).toBeGreaterThan(20);
    expect(await dirtyDays()).toBe(before);
    // The worker's refresh (UnitFigureDaysJob) takes them a chunk at a time, oldest first.
    expect(await repo.refreshUnitFigureDays(30, 31)).toEqual({ refreshed: 31, left: before - 31 });
    let left = before - 31;
    while (left > 0) left = (await repo.refreshUnitFigureDays(30, 31)).left;
    expect(await expectSameAsDirect()).toBeGreaterThan(20);
    expect((await ds.query(`SELECT count(*)::int AS n FROM unit_figure_dirty`))[0].n).toBe(0);
    expect((await ds.query(`SELECT count(*)::int AS n FROM unit_figure_days`))[0].n).toBeGreaterThan(300);
  }, 120_000);

  it('issue 19, R-18: stay equal after corrections (rework, untrue reply, withdrawn, responsibility, revoke, replies, calls, callers)', async () => {
    // After each correction: some days are dirty, and the figures equal the direct statement's.
    let steps = 0;
    // (Responsibility is read directly, never kept per day: nothing to mark.)
    const step = async (marks = true) => {
      const dirty = (await ds.query(`SELECT count(DISTINCT day)::int AS n FROM unit_figure_dirty`))[0].n;
      expect(dirty > 0).toBe(marks);
      expect(await expectSameAsDirect()).toBeGreaterThan(20);
      // What the reads left (more than a few dirty days) the worker's refresh recomputes.
      await repo.refreshUnitFigureDays(30);
      expect(await expectSameAsDirect()).toBeGreaterThan(20);
      steps++;
    };
    const ids = async (sql: string) => ((await ds.query(sql)) as Array<{ id: string }>).map((r) => r.id);
    // Rework after the fact (R-8 send-back, X-5 call) on closed assignments.
    await ds.query(`UPDATE assignments SET rework_count = rework_count + 1
                     WHERE id IN (SELECT id FROM assignments WHERE status = 'replied' ORDER BY id LIMIT 25)`);
    await step();
    // A reply found untrue later (issue 15.7), with a fresh deadline.
    await ds.query(
      `INSERT INTO untrue_reply_flags (reply_id, ticket_id, assignment_id, unit_code, note, flagged_by, flagged_at,
                                       previous_deadline, new_deadline)
       SELECT r.id, r.ticket_id, r.assignment_id, a.unit_code, '回复不实', 'dispatcher1', r.approved_at + interval '2 days',
              a.reply_deadline, a.reply_deadline + interval '2 days'
         FROM replies r JOIN assignments a ON a.id = r.assignment_id
        WHERE r.status = 'approved' AND NOT EXISTS (SELECT 1 FROM untrue_reply_flags f WHERE f.reply_id = r.id)
        ORDER BY r.id LIMIT 15`,
    );
    await step();
    // Units withdrawn (改派, issue 15.9): open and closed ones.
    await ds.query(`UPDATE assignments SET status = 'withdrawn'
                     WHERE id IN (SELECT id FROM assignments WHERE status IN ('accepted', 'replied') ORDER BY ticket_id LIMIT 12)`);
    await step();
    // Responsibility decided later, and one decision reversed.
    await ds.query(`UPDATE tickets SET responsibility = 'at_fault', responsible_unit = a.unit_code
                      FROM assignments a
                     WHERE a.ticket_id = tickets.id AND a.role <> 'co' AND tickets.responsibility IS NULL
                       AND tickets.status = 'closed' AND substr(tickets.number, 3)::int % 29 = 0`);
    await ds.query(`UPDATE tickets SET responsibility = 'not_at_fault', responsible_unit = NULL
                     WHERE id IN (SELECT id FROM tickets WHERE responsibility = 'at_fault' ORDER BY number LIMIT 5)`);
    await step(false);
    // Tickets revoked later (R-9b): open ones (some already overdue) and a closed one.
    const revoked = await ids(`SELECT id FROM tickets WHERE status IN ('in_progress', 'closed')
                                 AND substr(number, 3)::int % 41 = 0 ORDER BY number LIMIT 20`);
    await ds.query(
      `UPDATE tickets SET status = 'revoked', closed_at = NULL, responsibility = NULL, responsible_unit = NULL
        WHERE id = ANY($1::uuid[])`,
      [revoked],
    );
    await ds.query(
      `UPDATE assignments SET status = 'cancelled' WHERE ticket_id = ANY($1::uuid[]) AND status = 'accepted'`,
      [revoked],
    );
    await ds.query(
      `INSERT INTO timeline_events (ticket_id, action, actor, at)
       SELECT id, 'revoke', 'dispatcher1', received_at + interval '8 days' FROM tickets WHERE id = ANY($1::uuid[])`,
      [revoked],
    );
    await step();
    // Open assignments replied and approved now (first and standing reply), one late.
    await ds.query(
      `INSERT INTO replies (assignment_id, ticket_id, content, handled_at, handler, caller_contacted, contact_method,
                            contact_at, contact_summary, satisfaction, status, submitted_by, submitted_at, approved_by, approved_at)
       SELECT a.id, a.ticket_id, '已处理', x.at, '经办人', true, 'phone', x.at, '已电话告知', 'satisfied', 'approved',
              'b1_receiver', x.at, 'b1_leader', x.at
         FROM assignments a
         JOIN LATERAL (SELECT a.dispatched_at + (row_number() OVER () % 9) * interval '1 day' AS at) x ON true
        WHERE a.status = 'accepted' AND a.final_approved_at IS NULL
          AND a.id IN (SELECT id FROM assignments WHERE status = 'accepted' ORDER BY id LIMIT 30)`,
    );
    await ds.query(
      `UPDATE assignments SET status = 'replied'
        WHERE status = 'accepted' AND final_approved_at IS NOT NULL`,
    );
    await step();
    // A follow-up call re-opening a closed assignment.
    await ds.query(
      `INSERT INTO visits (ticket_id, round, outcome, solved, satisfaction, visit_status, recorded_by, recorded_at,
                           unit_at_fault, rework_assignment_id, previous_deadline)
       SELECT a.ticket_id, 2, 'reached', false, 'unsatisfied', 'reached', 'dispatcher1', a.dispatched_at + interval '8 days',
              a.unit_code, a.id, a.reply_deadline
         FROM assignments a WHERE a.status = 'replied' AND a.role = 'sole' ORDER BY a.id DESC LIMIT 10`,
    );
    await step();
    // Tickets re-opened by a call: not closed until they close again.
    await ds.query(`UPDATE tickets SET status = 'in_progress', closed_at = NULL
                     WHERE id IN (SELECT id FROM tickets WHERE status = 'closed' ORDER BY number DESC LIMIT 6)`);
    await step();
    // Repeat callers: a caller's data purged (R-19 retention).
    await ds.query(`UPDATE tickets SET caller_phone_hash = NULL
                     WHERE id IN (SELECT id FROM tickets WHERE caller_phone_hash LIKE 'c%' ORDER BY number LIMIT 8)`);
    await step();
    // An earlier call of the same callers registered late (an import).
    await ds.query(
      `INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content, route,
                            caller_phone_hash, status, initiator, received_at, created_at, updated_at, closed_at, version)
       SELECT 'UDX' || substr(t.number, 3), 'group_hotline', 'A', 'phone', t.category_code, 'normal', '补录', '补录',
              t.route, t.caller_phone_hash, 'closed', 'dispatcher1', t.received_at - interval '2 days',
              t.received_at, t.received_at, t.received_at, 1
         FROM tickets t WHERE t.caller_phone_hash LIKE 'u%' AND substr(t.number, 3)::int % 31 = 4`,
    );
    await step();
    // A matter corrected (another category: no longer the same matter).
    await ds.query(`UPDATE tickets SET category_code = 'help'
                     WHERE id IN (SELECT id FROM tickets WHERE caller_phone_hash LIKE 'c%' AND category_code <> 'help'
                                  ORDER BY number DESC LIMIT 8)`);
    await step();
    expect(steps).toBe(11);
  }, 180_000);

  it('issue 19, R-18: equal while a refresh runs elsewhere (dirty days read directly) and with another repeat window', async () => {
    await ds.query(`UPDATE assignments SET rework_count = rework_count + 1
                     WHERE id IN (SELECT id FROM assignments WHERE status = 'replied' ORDER BY id DESC LIMIT 40)`);
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      await other.query(`BEGIN`);
      await other.query(`SELECT pg_advisory_xact_lock(1766410000)`);
      const dirty = (await ds.query(`SELECT count(*)::int AS n FROM unit_figure_dirty`))[0].n;
      expect(dirty).toBeGreaterThan(0);
      expect(await expectSameAsDirect()).toBeGreaterThan(20);
      // Nothing was recomputed: the refresh found the lock taken.
      expect((await ds.query(`SELECT count(*)::int AS n FROM unit_figure_dirty`))[0].n).toBe(dirty);
      // Another window than the stored sums' while they cannot be recomputed: the direct statement.
      expect(await expectSameAsDirect(7)).toBeGreaterThan(20);
      await other.query(`ROLLBACK`);
    } finally {
      await other.end();
    }
    expect(await expectSameAsDirect(7)).toBeGreaterThan(20);
    expect((await ds.query(`SELECT window_days FROM unit_figure_state`))[0].window_days).toBe(7);
    expect(await expectSameAsDirect(30)).toBeGreaterThan(20);
  }, 180_000);
});
