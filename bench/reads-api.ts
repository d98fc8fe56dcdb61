// Benchmark (not a test): the reads of issue 19 goal 2 through the API, as the micro-app and the
// desk ask them, over the data bench:generate made (hotline_bench_inbox): the inbox tab
// (GET /api/inbox/page) of a receiver, a unit leader and a dispatcher, the ticket detail
// (GET /api/tickets/:id, open and closed tickets in turn) and the first page of the ticket list
// (GET /api/tickets?limit=20) with each filter; p50 / p99 of BENCH_RUNS requests (default 100),
// one client, first idle, then with BENCH_WRITERS plain-SQL writers (default 4, bench/city-writers.ts;
// BENCH_WRITE_RATE caps their loops a second, unthrottled without it).
// It starts apps/api alone (no worker: its deadline scans would be writes of their own) on a free
// port and stops it at the end. Beside the detail and each list page, its ceiling: the same rows
// (the page's tickets with their assignments; the ticket with its assignments and timeline) read
// by primary key in one plain SQL statement over one connection, and the ratio of the two p99s.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:generate   (once)
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:reads
import { Client } from 'pg';
import { startApi, timed as timedRuns } from './bench-http';
import { log } from './bench-database';
import { CITY_NOW, ticketId } from './city-data';
import { startWriters, vacuumWritten, writersTitle } from './city-writers';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 4);
const DB = process.env.BENCH_DB ?? 'hotline_bench_inbox';

async function get(base: string, path: string, token: string): Promise<unknown> {
  const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET ${path} → ${r.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const timed = (work: (i: number) => Promise<unknown>) => timedRuns(RUNS, work);

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (the server bench:generate filled)');
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = `/${DB}`;
  const url = u.toString();
  log(`VACUUM (ANALYZE) of the tables the writers write: ${(await vacuumWritten(url)).toFixed(0)} s`);
  const { base, api } = await startApi(url);
  try {
    const token = async (userid: string) =>
      (
        (await (
          await fetch(`${base}/api/auth/dev`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ userid }),
          })
        ).json()) as { token: string }
      ).token;
    const dispatcher = await token('dispatcher1');
    const people: Array<[string, string]> = [
      ['receiver (branch1)', await token('b1_receiver')],
      ['unit leader (branch1)', await token('b1_leader')],
      ['dispatcher', dispatcher],
    ];
    // Tickets to open: every 97th of the newest 20,000 (open and closed ones in turn).
    const ids = Array.from({ length: 200 }, (_, k) => ticketId(1 + ((k * 97 * 13) % 40_000)));
    const month = `from=${CITY_NOW.toISOString().slice(0, 8)}01&to=${CITY_NOW.toISOString().slice(0, 10)}`;
    const lists: Array<[string, string]> = [
      ['no filter', ''],
      ['status=in_progress', '&status=in_progress'],
      ['status=closed', '&status=closed'],
      ['source=mayor_hotline', '&source=mayor_hotline'],
      ['category=complaint', '&category=complaint'],
      ['unit=branch1', '&unit=branch1'],
      ['light=red', '&light=red'],
      ['light=yellow', '&light=yellow'],
      ['light=green', '&light=green'],
      ['sort=light', '&sort=light'],
      ['this month (from, to)', `&${month}`],
      ['q=乘客反映 123', `&q=${encodeURIComponent('乘客反映 123')}`],
      // One ticket's subject (of ticket 9,876,543: at 10 M, nearly two years old), a number that
      // none has and a character that none has: the search walks the newest √(370·N) tickets (at
      // most 50,000), then asks the trigram indexes, or the characters index for fewer than three.
      ['q=乘客反映 9876543 (one match at 10 M)', `&q=${encodeURIComponent('乘客反映 9876543')}`],
      ['q=C0000abc (no match)', '&q=C0000abc'],
      ['q=犇 (no match, one character)', `&q=${encodeURIComponent('犇')}`],
    ];
    const fmt = (t: { p50: number; p99: number }, goal: number) =>
      `| ${t.p50.toFixed(1)} / ${t.p99.toFixed(1)} ms | ${goal} ms | ${(goal / t.p99).toFixed(2)} |`;
    // The ceilings: the same rows by primary key, one statement, one connection.
    const sql = new Client({ connectionString: url });
    await sql.connect();
    const pageRows = (ids: string[]) =>
      sql.query(
        `SELECT t.id, t.number, t.subject, t.status, t.step, t.source_code, t.category_code, t.urgency, t.created_at,
                a.unit_code, a.role, a.status AS a_status, a.seq, a.reply_deadline, a.dispatched_at
           FROM tickets t LEFT JOIN assignments a ON a.ticket_id = t.id
          WHERE t.id = ANY($1::uuid[])`,
        [ids],
      );
    const ticketRows = (id: string) =>
      sql.query(
        `SELECT t.*,
                (SELECT json_agg(a ORDER BY a.seq) FROM assignments a WHERE a.ticket_id = t.id) AS assignments,
                (SELECT json_agg(e ORDER BY e.id) FROM timeline_events e WHERE e.ticket_id = t.id) AS timeline
           FROM tickets t WHERE t.id = $1`,
        [id],
      );
    const withCeiling = (t: { p50: number; p99: number }, c: { p50: number; p99: number }, goal: number) =>
      `${fmt(t, goal)} ${c.p50.toFixed(1)} / ${c.p99.toFixed(1)} ms | ${(t.p99 / c.p99).toFixed(1)} |`;
    for (const phase of ['idle', writersTitle(WRITERS)]) {
      const writers = phase === 'idle' ? undefined : startWriters(url, WRITERS);
      log(`\n${phase}: p50 / p99 of ${RUNS} requests each, one client`);
      log('| read (through the API) | p50 / p99 | goal (p99) | goal / p99 | ceiling p50 / p99 | API / ceiling p99 |');
      log('|---|---|---|---|---|---|');
      for (const [name, t] of people) {
        log(
          `| ${name}: inbox tab (first page + counts) ${fmt(await timed(() => get(base, '/api/inbox/page?limit=20', t)), 20)}`,
        );
      }
      const detail = await timed((i) => get(base, `/api/tickets/${ids[i % ids.length]}`, dispatcher));
      const detailCeiling = await timed((i) => ticketRows(ids[i % ids.length]!));
      log(`| ticket detail (200 tickets in turn) ${withCeiling(detail, detailCeiling, 30)}`);
      for (const [name, q] of lists) {
        try {
          const path = `/api/tickets?limit=20${q}`;
          const viaApi = await timed(() => get(base, path, dispatcher));
          const page = ((await get(base, path, dispatcher)) as { items: Array<{ id: string }> }).items.map((x) => x.id);
          log(`| ticket list, first page, ${name} ${withCeiling(viaApi, await timed(() => pageRows(page)), 50)}`);
        } catch (err) {
          log(`| ticket list, first page, ${name} | ${(err as Error).message.slice(0, 120)} | 50 ms | — |`);
        }
      }
      if (writers)
        log(
          `(the writers did ${(await writers.stop()).toFixed(0)} register + dispatch + accept + approved reply loops a second)`,
        );
    }
    await sql.end();
  } finally {
    api.kill('SIGTERM');
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
