// Issue 19 goal 2: a COPY generator for city-scale data (not a test). `tickets` tickets received
// evenly over the two years before `now`, in the shape the product writes them, each table
// streamed as CSV into `psql -c "COPY … FROM STDIN"` (no extra library: psql is the COPY client).
//
// The mix, for N tickets (ticket 1 is the newest):
// - the newest N/2,000 are registered (waiting to be dispatched);
// - up to N/50 are in progress with one open assignment at one of the four receiving units
//   (≈ 200,000 open assignments at 10 M): 25 % waiting to be accepted, 60 % accepted, 15 % with
//   the unit leader; reply deadlines from 10 days past to 20 days ahead (about a third red);
// - then 0.2 % in review (the four steps) and 0.3 % under follow-up, all replied;
// - the rest closed (every 101st revoked); every 5th ticket also has a co-handling unit;
// - a timeline of 2 (registered) to 6 events a ticket, one approved reply per replied assignment,
//   one follow-up call (visit) per closed ticket.
// Loaded with `session_replication_role = replica` (no triggers, so no FK checks and no reply
// time sync trigger per row): the generator writes the columns those triggers would fill itself
// (the reply times, assignments.in_follow_up) and marks the unit figures' days for recomputation.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { parseShanghai } from '@hotline/calendar';

const UNITS = ['branch1', 'branch2', 'safety', 'fare'] as const;
const STEPS = ['initiator_review', 'ops_review', 'office_review', 'upstream_report'] as const;
const CATEGORIES = ['complaint', 'consultation', 'report', 'help', 'suggestion'] as const;
const SOURCES = ['group_hotline', 'mayor_hotline', 'mayor_mailbox', 'transport_bureau', 'direct'] as const;
const HOUR = 3_600_000;
/** The instant the data is generated against (the readers' benchmarks' "now"). */
export const CITY_NOW = parseShanghai('2026-12-07 10:00');

export type CityState = 'registered' | 'in_progress' | 'in_review' | 'follow_up' | 'closed' | 'revoked';

/** What ticket i (1 = newest) is, for N tickets. */
export function stateOf(i: number, n: number): CityState {
  if (i <= Math.floor(n / 2000)) return 'registered';
  if (i <= Math.floor(n / 50)) return 'in_progress';
  if (i <= Math.floor(n / 50) + Math.floor(n / 500)) return 'in_review';
  if (i <= Math.floor(n / 50) + Math.floor(n / 200)) return 'follow_up';
  return i % 101 === 0 ? 'revoked' : 'closed';
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
export const ticketId = (i: number) => `00000000-0000-4000-8000-${hex(i, 12)}`;
/** k = 0: the sole or lead unit, 1: the co-handling unit. */
const assignmentId = (i: number, k: number) => `00000000-0000-4000-9${k}00-${hex(i, 12)}`;
const iso = (ms: number) => new Date(ms).toISOString();
const csv = (cols: Array<string | number | boolean | null>) =>
  cols
    .map((c) =>
      c === null ? '' : typeof c === 'string' && /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : String(c),
    )
    .join(',');

/** Rows for tickets 1..n, produced lazily in batches (`lines(i)` gives ticket i's rows). */
function stream(n: number, lines: (i: number) => string[]): Readable {
  let i = 1;
  return new Readable({
    read() {
      // (a batch may yield nothing, e.g. no replies for the newest tickets: go on until one does,
      // since a read() that pushes nothing is never called again)
      const out: string[] = [];
      while (out.length === 0 && i <= n) {
        for (const end = Math.min(n, i + 4999); i <= end; i++) out.push(...lines(i));
      }
      if (out.length) this.push(`${out.join('\n')}\n`);
      if (i > n) this.push(null);
    },
  });
}

function copy(url: string, table: string, columns: string, rows: Readable): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const psql = spawn(
      'psql',
      [
        url,
        '-v',
        'ON_ERROR_STOP=1',
        '-qc',
        `SET session_replication_role = replica; COPY ${table} (${columns}) FROM STDIN WITH (FORMAT csv)`,
      ],
      { stdio: ['pipe', 'inherit', 'inherit'] },
    );
    rows.pipe(psql.stdin);
    psql.on('error', reject);
    psql.on('exit', (code) =>
      code === 0 ? resolve((Date.now() - t0) / 1000) : reject(new Error(`COPY ${table}: psql ${code}`)),
    );
  });
}

/**
 * Fills the (migrated, seeded, empty) database at `url` with `n` tickets as above; returns the
 * seconds each table's COPY took (they run two at a time).
 */
export async function generateCity(url: string, n: number, now: Date): Promise<Record<string, number>> {
  const end = now.getTime();
  const span = 2 * 365 * 24 * HOUR;
  const received = (i: number) => end - Math.round((i * span) / n);
  const unitOf = (i: number, k: number) => UNITS[(i + k) % 4]!;
  const hasCo = (i: number) => i % 5 === 0;
  const open = (s: CityState) => s === 'in_progress';
  /** An open assignment's status and deadline. */
  const openStatus = (i: number) =>
    Math.floor(i / 4) % 20 < 5 ? 'pending_accept' : Math.floor(i / 4) % 20 < 17 ? 'accepted' : 'awaiting_leader';
  const openDeadline = (i: number) => end + (((i * 7919) % (30 * 24)) - 10 * 24) * HOUR;

  const tickets = stream(n, (i) => {
    const s = stateOf(i, n);
    const at = received(i);
    const closed = s === 'closed' ? iso(at + 5 * 24 * HOUR) : null;
    const step = s === 'in_review' ? STEPS[i % 4]! : null;
    return [
      csv([
        ticketId(i),
        `C${hex(i, 8)}`,
        SOURCES[i % SOURCES.length]!,
        i % 3 === 0 ? 'B' : 'A',
        'phone',
        CATEGORIES[i % CATEGORIES.length]!,
        i % 10 === 0 ? 'urgent' : 'normal',
        `线路 ${i % 300} 路 乘客反映 ${i}`,
        '乘客来电反映车辆到站不停、司机服务态度等问题，要求核实处理并回复。',
        s,
        step,
        'dispatcher1',
        iso(at),
        iso(at),
        closed ?? iso(at),
        closed,
        step ? iso(end - 24 * HOUR) : null,
        step ? (i % 7 === 0 ? null : iso(end + ((i % 96) - 24) * HOUR)) : null,
        s === 'closed' ? 'reached' : null,
        4,
      ]),
    ];
  });
  // Every ticket past registration has its assignment(s); open ones are the in-progress tickets'.
  const assignments = stream(n, (i) => {
    const s = stateOf(i, n);
    if (s === 'registered') return [];
    const at = received(i) + HOUR;
    const rows: string[] = [];
    for (let k = 0; k < (hasCo(i) ? 2 : 1); k++) {
      const status = open(s) ? (k === 0 ? openStatus(i) : 'accepted') : s === 'revoked' ? 'cancelled' : 'replied';
      const deadline = open(s) ? openDeadline(i + k) : at + 5 * 24 * HOUR;
      const accepted = status !== 'pending_accept' && status !== 'cancelled';
      const replied = status === 'replied';
      rows.push(
        csv([
          assignmentId(i, k),
          ticketId(i),
          unitOf(i, k),
          hasCo(i) ? (k === 0 ? 'lead' : 'co') : 'sole',
          status,
          iso(at),
          'dispatcher1',
          iso(deadline),
          accepted
            ? `${unitOf(i, k) === 'branch1' ? 'b1' : unitOf(i, k) === 'branch2' ? 'b2' : unitOf(i, k)}_receiver`
            : null,
          accepted ? iso(at + HOUR) : null,
          k,
          'bench',
          iso(at),
          replied ? iso(at + 3 * 24 * HOUR) : null,
          replied ? iso(at + 3 * 24 * HOUR) : null,
          s === 'follow_up' ? 't' : 'f',
          iso(received(i)),
          `C${hex(i, 8)}`,
        ]),
      );
    }
    return rows;
  });
  const replies = stream(n, (i) => {
    const s = stateOf(i, n);
    if (s === 'registered' || s === 'in_progress' || s === 'revoked') return [];
    const at = iso(received(i) + 3 * 24 * HOUR);
    const rows: string[] = [];
    for (let k = 0; k < (hasCo(i) ? 2 : 1); k++) {
      const leader = `${unitOf(i, k) === 'branch1' ? 'b1' : unitOf(i, k) === 'branch2' ? 'b2' : unitOf(i, k)}_leader`;
      rows.push(
        csv([
          assignmentId(i, k),
          ticketId(i),
          '已联系乘客，核实情况属实，已对驾驶员进行教育。',
          at,
          '张师傅',
          true,
          'phone',
          at,
          '乘客表示理解',
          'satisfied',
          'approved',
          leader.replace('_leader', '_receiver'),
          at,
          leader,
          at,
        ]),
      );
    }
    return rows;
  });
  const timeline = stream(n, (i) => {
    const s = stateOf(i, n);
    const at = received(i);
    const ev = (
      action: string,
      actor: string,
      h: number,
      from: string | null,
      to: string | null,
      unit: string | null = null,
    ) => csv([ticketId(i), action, actor, iso(at + h * HOUR), unit, from, to]);
    const rows = [ev('register', 'dispatcher1', 0, null, 'registered')];
    if (s === 'registered') return rows;
    rows.push(ev('dispatch', 'dispatcher1', 1, 'registered', 'in_progress', unitOf(i, 0)));
    if (s === 'in_progress' && openStatus(i) === 'pending_accept') return rows;
    rows.push(ev('accept', 'b1_receiver', 2, 'in_progress', 'in_progress', unitOf(i, 0)));
    if (s === 'in_progress' || s === 'revoked')
      return s === 'revoked' ? [...rows, ev('revoke', 'dispatcher1', 3, 'in_progress', 'revoked')] : rows;
    rows.push(ev('approve_reply', 'b1_leader', 72, 'in_progress', 'in_review', unitOf(i, 0)));
    if (s === 'in_review') return rows;
    rows.push(ev('pass_review', 'dispatcher1', 80, 'in_review', 'follow_up'));
    if (s === 'closed') rows.push(ev('finish_follow_up', 'dispatcher1', 120, 'follow_up', 'closed'));
    return rows;
  });
  const visits = stream(n, (i) =>
    stateOf(i, n) === 'closed'
      ? [
          csv([
            ticketId(i),
            1,
            'reached',
            true,
            'satisfied',
            '满意',
            'reached',
            'dispatcher1',
            iso(received(i) + 100 * HOUR),
          ]),
        ]
      : [],
  );
  const took: Record<string, number> = {};
  const run = async (table: string, columns: string, rows: Readable) => {
    took[table] = await copy(url, table, columns, rows);
  };
  await Promise.all([
    run(
      'tickets',
      'id, number, source_code, chain, channel, category_code, urgency, subject, content, status, step, initiator, received_at, created_at, updated_at, closed_at, step_started_at, step_deadline, visit_status, version',
      tickets,
    ),
    run(
      'assignments',
      'id, ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline, accepted_by, accepted_at, seq, calendar_version, updated_at, first_approved_at, final_approved_at, in_follow_up, ticket_created_at, ticket_number',
      assignments,
    ),
  ]);
  await Promise.all([
    run(
      'replies',
      'assignment_id, ticket_id, content, handled_at, handler, caller_contacted, contact_method, contact_at, contact_summary, satisfaction, status, submitted_by, submitted_at, approved_by, approved_at',
      replies,
    ),
    run('timeline_events', 'ticket_id, action, actor, at, unit_code, from_status, to_status', timeline),
  ]);
  await run(
    'visits',
    'ticket_id, round, outcome, solved, satisfaction, comment, visit_status, recorded_by, recorded_at',
    visits,
  );
  // The unit figures' per-day sums: the assignment triggers that mark each dispatched day for
  // recomputation did not run (replica role), so every day is marked here, as they would have
  // marked it; the worker's job (or bench:curve's first computation) then computes them. The
  // inbox's kept counts (their triggers did not run either) are counted from the tables.
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(MARK_EVERY_FIGURE_DAY);
    await c.query(`SELECT inbox_work_rebuild()`);
  } finally {
    await c.end();
  }
  return took;
}

/** Marks the day of every dispatch for the unit figures' recomputation (what the triggers do row by row). */
export const MARK_EVERY_FIGURE_DAY = `INSERT INTO unit_figure_dirty (day)
  SELECT DISTINCT (dispatched_at AT TIME ZONE 'Asia/Shanghai')::date FROM assignments`;
