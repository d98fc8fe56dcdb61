// Benchmark (not a test): the ticket list's free-text search combined with other filters (R-15,
// X-9; issue 19 goal 2), through the API, over the data bench:generate made: a light filter, the
// light order, a unit, a status, and the ledger page, each with a term that no ticket or one old
// ticket has, or a common one. One client, idle; the first request, then p50 / p99 of BENCH_RUNS
// (default 20), beside its ceiling: the same page's rows (its tickets with their assignments) read
// by primary key in one plain SQL statement, and the ratio of the two p99s. It starts apps/api
// alone on a free port and stops it at the end.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DB=hotline_bench_curve_10000000 npm run bench:search
import { Client } from 'pg';
import { startApi, timed } from './bench-http';
import { log } from './bench-database';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const DB = process.env.BENCH_DB ?? 'hotline_bench_inbox';

const rare = encodeURIComponent('乘客反映 9876543');
const common = encodeURIComponent('乘客反映 123');
const short = encodeURIComponent('犇');
const every = encodeURIComponent('乘客反映');
const PAGES: Array<[string, string]> = [
  // A search of one or two characters, which give pg_trgm no trigram (no ticket has these).
  ['`q=犇`', `/api/tickets?limit=20&q=${short}`],
  ['`q=zq`', '/api/tickets?limit=20&q=zq'],
  ['`status=closed&q=犇`', `/api/tickets?limit=20&status=closed&q=${short}`],
  ['`light=green&q=犇`', `/api/tickets?limit=20&light=green&q=${short}`],
  ['`light=red&q=C0000abc`', '/api/tickets?limit=20&light=red&q=C0000abc'],
  ['`light=green&q=C0000abc`', '/api/tickets?limit=20&light=green&q=C0000abc'],
  ['`light=red&q=乘客反映 123`', `/api/tickets?limit=20&light=red&q=${common}`],
  ['`sort=light&q=C0000abc`', '/api/tickets?limit=20&sort=light&q=C0000abc'],
  ['`sort=light&q=乘客反映 9876543`', `/api/tickets?limit=20&sort=light&q=${rare}`],
  ['`sort=light&q=犇`', `/api/tickets?limit=20&sort=light&q=${short}`],
  ['`sort=light&q=乘客反映 123`', `/api/tickets?limit=20&sort=light&q=${common}`],
  // A term every ticket has: more matches among the open tickets than the search reads by their indexes.
  ['`light=red&q=乘客反映`', `/api/tickets?limit=20&light=red&q=${every}`],
  ['`sort=light&q=乘客反映`', `/api/tickets?limit=20&sort=light&q=${every}`],
  ['`sort=light&unit=branch1&q=乘客反映 9876543`', `/api/tickets?limit=20&sort=light&unit=branch1&q=${rare}`],
  ['`unit=branch1&q=乘客反映 9876543`', `/api/tickets?limit=20&unit=branch1&q=${rare}`],
  ['`status=closed&q=乘客反映 9876543`', `/api/tickets?limit=20&status=closed&q=${rare}`],
  ['ledger page, `q=乘客反映 123`', `/api/ledger?limit=20&q=${common}`],
  ['ledger page, `q=乘客反映 9876543`', `/api/ledger?limit=20&q=${rare}`],
  ['ledger page, `q=C0000abc`', '/api/ledger?limit=20&q=C0000abc'],
  ['ledger page, `q=犇`', `/api/ledger?limit=20&q=${short}`],
  ['ledger page, `unit=branch1&q=乘客反映 9876543`', `/api/ledger?limit=20&unit=branch1&q=${rare}`],
];

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (the server bench:generate filled)');
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = `/${DB}`;
  const { base, api } = await startApi(u.toString());
  try {
    const signIn = await fetch(`${base}/api/auth/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userid: 'dispatcher1' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const get = async (path: string) => {
      const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`GET ${path} → ${r.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as { items: Array<{ id: string }> };
    };
    // The ceiling: the page's tickets with their assignments, by primary key, one statement.
    const sql = new Client({ connectionString: u.toString() });
    await sql.connect();
    const pageRows = (ids: string[]) =>
      sql.query(
        `SELECT t.id, t.number, t.subject, t.status, t.created_at, a.unit_code, a.status AS a_status, a.reply_deadline
           FROM tickets t LEFT JOIN assignments a ON a.ticket_id = t.id
          WHERE t.id = ANY($1::uuid[])`,
        [ids],
      );
    log(`${DB}: first request, then p50 / p99 of ${RUNS}, one client, idle`);
    log('| first page | first (ms) | p50 / p99 (ms) | ceiling p50 / p99 (ms) | API / ceiling p99 |');
    log('|---|---|---|---|---|');
    for (const [name, path] of PAGES) {
      const start = performance.now();
      const ids = (await get(path)).items.map((x) => x.id);
      const first = performance.now() - start;
      const t = await timed(RUNS, () => get(path));
      const c = await timed(RUNS, () => pageRows(ids));
      log(
        `| ${name} | ${first.toFixed(0)} | ${t.p50.toFixed(1)} / ${t.p99.toFixed(1)} | ${c.p50.toFixed(1)} / ${c.p99.toFixed(1)} | ${(t.p99 / c.p99).toFixed(1)} |`,
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
