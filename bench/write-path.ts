// Benchmark (not a test), issue 19 goal 1: the write path every ticket takes — register, then
// dispatch — held against its physical ceiling in the same run. Starts the product as `npm start`
// does (apps/standalone: api, worker and DingTalk simulator in one process) against a fresh
// database on DATABASE_URL (or the embedded PostgreSQL without it), signs in as the demo dispatcher
// (dev sign-in), records the SQL of one register + dispatch pair through the API (bench/pg-recorder,
// preloaded), then for the same duration with the same number of clients:
//   raw  — plain pg clients replaying that statement list (same SQL, same order, same transactions;
//          ids the database returned and ids the API generated replaced by fresh ones);
//   api  — HTTP clients: POST /api/tickets, then POST /api/tickets/:id/actions/dispatch.
// Prints pairs/s, p50/p99 of each, the ratio api/raw and the SQL round trips per pair.
// Results: docs/benchmarks.md ("Write path (issue 19 goal 1)").
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:write
//   npm run bench:write -- --seconds=15 --clients=8
//   npm run bench:write -- --split   (api, worker, simulator as separate processes; DATABASE_URL only)
//   npm run bench:write -- --split --apis=2   (two api processes, the clients spread over them)
//   (the database hotline_bench_write is dropped and re-created; without DATABASE_URL the product
//   starts its embedded PostgreSQL in a temporary folder)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource, runMigrations, seedDemoOrganisation } from '@hotline/db';
import type { RecordedQuery } from './pg-recorder';
import { freePort, http, sleep, until } from './bench-http';

const DB = 'hotline_bench_write';
const arg = (name: string, fallback: number): number => {
  const given = process.argv.find((a) => a.startsWith(`--${name}=`));
  return given ? Number(given.slice(name.length + 3)) : fallback;
};
const SECONDS = arg('seconds', Number(process.env.BENCH_SECONDS ?? 15));
const CLIENTS = arg('clients', Number(process.env.BENCH_CLIENTS ?? 8));
/** --split: api, worker and simulator as three processes (production's layout) instead of one. */
const SPLIT = process.argv.includes('--split');
/** --apis=N (with --split): N api processes, the clients spread over them as a load balancer would. */
const APIS = arg('apis', 1);
/** --rounds=R: each side's SECONDS split into R alternating rounds (default 3). */
const ROUNDS = Math.max(1, arg('rounds', 3));
const log = (text: string) => process.stdout.write(`${text}\n`);

const TICKET = {
  source: 'group_hotline',
  channel: 'phone',
  category: 'complaint',
  subject: '12路公交车未停靠人民广场站',
  content: '市民反映12路公交车上行方向在人民广场站未停车，耽误上班。',
  caller: { name: '张三丰', phone: '13812345678', address: '人民路100号3单元' },
  route: '12',
  direction: '上行',
  stop: '人民广场',
  vehiclePlate: '京A12345',
};
const DISPATCH = { assignments: [{ unit: 'branch1', role: 'sole' }] };

interface Figures {
  pairs: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  latencies: number[];
  seconds: number;
}

/** Rounds of one side taken together: pairs over the summed time, percentiles over every pair. */
function merge(rounds: Figures[]): Figures {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = rounds.reduce((s, r) => s + r.seconds, 0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    pairs: latencies.length,
    errors: rounds.reduce((s, r) => s + r.errors, 0),
    perSecond: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    latencies,
    seconds,
  };
}

/** `clients` loops doing `pair` for `seconds`; latencies in ms per completed pair. */
async function drive(clients: number, seconds: number, pair: (client: number) => Promise<void>): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  let firstError: unknown;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (Date.now() < end) {
        const s = process.hrtime.bigint();
        try {
          await pair(c);
          latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        } catch (err) {
          errors++;
          firstError ??= err;
        }
      }
    }),
  );
  const elapsed = (Date.now() - t0) / 1000;
  if (firstError) log(`  first error: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    pairs: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    latencies,
    seconds: elapsed,
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every uuid in a value, in order (row objects, arrays, JSON). */
function uuidsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(...(v.match(UUID) ?? []).map((u) => u.toLowerCase()));
  else if (Array.isArray(v)) v.forEach((x) => uuidsIn(x, out));
  else if (v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) {
    Object.values(v).forEach((x) => uuidsIn(x, out));
  }
  return out;
}

/**
 * One replay of the recorded pair on one connection. A uuid the database returned in the recording
 * is replaced by the one it returns now (the new ticket's id); a uuid the API made up (event and
 * assignment ids) by a fresh one; uuids of rows that existed before the pair (none in practice)
 * would be kept, since they come back unchanged from the reads.
 */
async function replay(c: Client, recorded: RecordedQuery[]): Promise<void> {
  const map = new Map<string, string>();
  const sub = (s: string) =>
    s.replace(UUID, (u) => {
      const k = u.toLowerCase();
      let v = map.get(k);
      if (!v) map.set(k, (v = randomUUID()));
      return v;
    });
  const decode = (v: unknown): unknown =>
    typeof v === 'string'
      ? sub(v)
      : Array.isArray(v)
        ? v.map(decode)
        : v && typeof v === 'object' && '$b64' in v
          ? Buffer.from((v as { $b64: string }).$b64, 'base64')
          : v;
  // The ticket number (RX<day>-<n>) is built in the API from the per-day counter's new value.
  let number: [string, string] | undefined;
  const values = (q: RecordedQuery) => q.values.map((v) => (number && v === number[0] ? number[1] : decode(v)));
  for (const q of recorded) {
    const r = await c.query(q.text, values(q));
    const last = (q.rows[0] as { last?: number } | undefined)?.last;
    if (last !== undefined) {
      const was = q.values.find((v): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v))!;
      const n = (k: number) => `RX${was.replace(/-/g, '')}-${String(k).padStart(4, '0')}`;
      number = [n(last), n((r.rows[0] as { last: number }).last)];
    }
    const before = uuidsIn(q.rows);
    if (before.length) {
      const now = uuidsIn(r.rows);
      before.forEach((u, i) => {
        if (!map.has(u) && now[i]) map.set(u, now[i]!);
      });
    }
  }
}

const children: ChildProcess[] = [];

/**
 * CPU seconds (user + system) used so far by the processes whose command line matches: CPU per
 * pair holds better than pairs/s on a machine shared with other work. Linux /proc only.
 */
function cpuSeconds(match: (cmdline: string, pid: number) => boolean): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!match(cmd, Number(entry))) continue;
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / 100;
}

/** System-call counts (reads, writes) of the product's processes so far, from /proc/<pid>/io. */
function syscalls(): { reads: number; writes: number } {
  const total = { reads: 0, writes: 0 };
  for (const c of children) {
    try {
      const io = readFileSync(`/proc/${c.pid}/io`, 'utf8');
      total.reads += Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0);
      total.writes += Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** The product's kernel-side CPU seconds so far (system time: sockets, pipes). */
function productSystemSeconds(): number {
  let ticks = 0;
  for (const c of children) {
    try {
      ticks += Number(readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / 100;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'hotline-bench-write-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let url: string;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    DEV_LOGIN: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: join(work, 'data'),
    ATTACHMENTS_DIR: join(work, 'attachments'),
    AUTH_TOKEN_SECRET: randomBytes(32).toString('hex'),
    CALLER_DATA_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    CALLER_HASH_KEY: randomBytes(32).toString('base64'),
    DINGTALK_SIM_PORT: String(await freePort()),
    PUBLIC_URL: 'http://hotline.bench',
    BENCH_SQL_RECORD: join(work, 'recorded.json'),
  };
  if (process.env.DATABASE_URL) {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${DB}`;
    url = u.toString();
    env.DATABASE_URL = url;
  } else {
    const pgPort = await freePort();
    env.EMBEDDED_PG_PORT = String(pgPort);
    url = `postgres://postgres:postgres@127.0.0.1:${pgPort}/hotline`;
  }
  // The product as `npm start` runs it, with the recorder preloaded (it only listens for SIGWINCH);
  // or (--split) as production runs it: api, worker and simulator in three processes.
  if (SPLIT) {
    if (!process.env.DATABASE_URL) throw new Error('--split needs DATABASE_URL');
    await runMigrations(url);
    const ds = createDataSource(url, 1);
    await ds.initialize();
    await seedDemoOrganisation(ds);
    await ds.destroy();
    env.DB_MIGRATE_ON_START = 'false';
  }
  const product = spawn(
    process.execPath,
    [
      // e.g. BENCH_PRODUCT_FLAGS=--cpu-prof to see where the product's CPU per pair goes
      ...(process.env.BENCH_PRODUCT_FLAGS?.split(' ').filter(Boolean) ?? []),
      '-r',
      join(__dirname, 'pg-recorder.js'),
      SPLIT ? 'dist/apps/api/src/main.js' : 'dist/apps/standalone/src/main.js',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(product);
  product.on('exit', (code, signal) => log(`product exited: ${code ?? signal}`));
  const bases = [base];
  if (SPLIT) {
    for (const script of ['dist/apps/dingtalk-sim/src/main.js', 'dist/apps/worker/src/main.js']) {
      const child = spawn(process.execPath, [script], { env, stdio: 'ignore' });
      children.push(child);
    }
    for (let i = 1; i < APIS; i++) {
      const apiPort = await freePort();
      const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
        env: { ...env, PORT: String(apiPort) },
        stdio: 'ignore',
      });
      children.push(child);
      bases.push(`http://127.0.0.1:${apiPort}`);
    }
  } else if (APIS !== 1) {
    throw new Error('--apis needs --split');
  }
  let output = '';
  let logLines = 0;
  productOutput = () => output;
  for (const s of [product.stdout, product.stderr]) {
    s?.on('data', (d: Buffer) => {
      const text = d.toString();
      logLines += text.split('\n').length - 1;
      output = (output + text).slice(-20_000);
      if (/"level":(50|60)|failed to start/i.test(text)) process.stderr.write(`[product] ${text}`);
    });
  }
  await until('the product', () => fetch(`${base}/health`).then((r) => r.ok)).catch((err) => {
    process.stderr.write(output);
    throw err;
  });
  const version = await (async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    const v = (await c.query(`SELECT version()`)).rows[0].version as string;
    await c.end();
    return v;
  })();
  log(`PostgreSQL: ${version}`);
  for (const b of bases.slice(1)) await until('an api process', () => fetch(`${b}/health`).then((r) => r.ok));
  const layout = SPLIT
    ? `apps/api ×${APIS}, apps/worker and apps/dingtalk-sim, ${APIS + 2} processes`
    : 'apps/standalone (api + worker + simulator, one process)';
  log(`product: ${layout}, ${CLIENTS} clients, ${SECONDS} s each side in ${ROUNDS} alternating rounds`);

  const token = (await http(base, 'POST', '/api/auth/dev', undefined, { userid: 'dispatcher1' })).token as string;
  // Client c talks to api process c mod N (the first, recorded one, alone without --apis).
  const pair = async (c = 0) => {
    const to = bases[c % bases.length]!;
    const t = (await http(to, 'POST', '/api/tickets', token, TICKET)) as { id: string; version: number };
    await http(to, 'POST', `/api/tickets/${t.id}/actions/dispatch`, token, DISPATCH);
  };
  // Warm up (JIT, the pool's connections, whatever the product caches), then record one pair.
  for (let i = 0; i < 20 * bases.length; i++) await pair(i);
  const recordFile = env.BENCH_SQL_RECORD!;
  product.kill('SIGWINCH');
  await sleep(100);
  await pair();
  await sleep(200);
  product.kill('SIGWINCH');
  const readRecording = () =>
    until('the recorded SQL', async () => {
      if (!existsSync(recordFile)) return undefined;
      const all = JSON.parse(readFileSync(recordFile, 'utf8')) as RecordedQuery[];
      rmSync(recordFile);
      return all;
    });
  const recorded = (await readRecording()).filter((q) => !q.background);
  const trips = recorded.length;
  const writes = recorded.filter((q) => /^\s*(INSERT|UPDATE|DELETE)/i.test(q.text)).length;
  const txs = recorded.filter((q) => /^\s*(START TRANSACTION|BEGIN)/i.test(q.text)).length;
  log(`SQL round trips per register + dispatch pair: ${trips} (${writes} writes, ${txs} transactions)`);
  if (process.env.BENCH_SHOW_SQL) {
    recorded.forEach((q, i) => log(`  ${String(i + 1).padStart(2)}. ${q.text.replace(/\s+/g, ' ').slice(0, 160)}`));
  }

  // Check the replay once before timing it: it must write a ticket and an assignment.
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  const count = async () =>
    (
      await clients[0]!.query(
        `SELECT (SELECT count(*) FROM tickets)::int AS t, (SELECT count(*) FROM assignments)::int AS a`,
      )
    ).rows[0] as { t: number; a: number };
  const before = await count();
  await replay(clients[0]!, recorded);
  const after = await count();
  if (after.t !== before.t + 1 || after.a !== before.a + 1) {
    throw new Error(
      `the replay wrote ${after.t - before.t} tickets and ${after.a - before.a} assignments, not 1 and 1`,
    );
  }

  const dbName = new URL(url).pathname.slice(1);
  const backends = () => cpuSeconds((cmd) => cmd.startsWith('postgres: ') && cmd.includes(` ${dbName} `));
  const productCpu = () => cpuSeconds((_, pid) => children.some((c) => c.pid === pid));
  const benchCpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  // The two sides alternate in ROUNDS rounds of SECONDS / ROUNDS each (raw, api, raw, api, …), so a
  // change in the shared machine's load falls on both alike; CPU and system calls are summed per side.
  const sides = {
    raw: { rounds: [] as Figures[], cpu: [0, 0, 0, 0], reads: 0, writes: 0 },
    api: { rounds: [] as Figures[], cpu: [0, 0, 0, 0], reads: 0, writes: 0 },
  };
  const round = async (side: keyof typeof sides, run: () => Promise<Figures>) => {
    const calls0 = syscalls();
    const before = [backends(), productCpu(), benchCpu(), productSystemSeconds()];
    const f = await run();
    const after = [backends(), productCpu(), benchCpu(), productSystemSeconds()];
    const calls1 = syscalls();
    const s = sides[side];
    s.rounds.push(f);
    after.forEach((v, i) => (s.cpu[i]! += v - before[i]!));
    s.reads += calls1.reads - calls0.reads;
    s.writes += calls1.writes - calls0.writes;
  };
  const linesBefore = logLines;
  const slice = SECONDS / ROUNDS;
  for (let r = 0; r < ROUNDS; r++) {
    await round('raw', () => drive(CLIENTS, slice, (c) => replay(clients[c]!, recorded)));
    await round('api', () => drive(CLIENTS, slice, pair));
  }
  await Promise.all(clients.map((c) => c.end()));
  const report = (side: keyof typeof sides, title: string) => {
    const s = sides[side];
    const f = merge(s.rounds);
    const per = (i: number) => ((s.cpu[i]! * 1000) / Math.max(1, f.pairs)).toFixed(1);
    const perPair = (n: number) => (n / Math.max(1, f.pairs)).toFixed(1);
    log(`${title}`);
    log(`  ${fmt(f)}; rounds: ${s.rounds.map((x) => x.perSecond.toFixed(1)).join(', ')} pairs/s`);
    log(
      `  CPU per pair: PostgreSQL backends ${per(0)} ms, product ${per(1)} ms (${per(3)} ms of it in the kernel), this client ${per(2)} ms`,
    );
    log(`  product system calls per pair: ${perPair(s.writes)} writes, ${perPair(s.reads)} reads`);
    return f;
  };
  const raw = report('raw', `\nraw: ${CLIENTS} pg clients replaying the pair's ${trips} statements`);
  const api = report('api', `api: ${CLIENTS} HTTP clients, register then dispatch`);
  log(`  log lines written by the product: ${((logLines - linesBefore) / Math.max(1, api.pairs)).toFixed(1)} per pair`);
  log(`\nratio api/raw: ${(api.perSecond / raw.perSecond).toFixed(2)} (goal ≥ 0.5)`);

  // Not timed: what the product's process sends per pair in all, the worker's rounds included
  // (under `npm start` they share the process; with --split the worker is elsewhere and not seen).
  product.kill('SIGWINCH');
  await sleep(100);
  const counted = await drive(CLIENTS, 5, () => pair(0)); // the recorded process only
  await sleep(2_500); // one more outbox round for the last pairs' notices
  product.kill('SIGWINCH');
  const window = await readRecording();
  const bg = window.filter((q) => q.background);
  log(
    `statements per pair in the product's process over ${counted.pairs} more pairs: ` +
      `${((window.length - bg.length) / counted.pairs).toFixed(1)} in requests, ` +
      `${(bg.length / counted.pairs).toFixed(1)} in the background (worker)`,
  );
  if (process.env.BENCH_SHOW_SQL) {
    const byText = new Map<string, number>();
    for (const q of bg) {
      const key = q.text.replace(/\s+/g, ' ').slice(0, 140);
      byText.set(key, (byText.get(key) ?? 0) + 1);
    }
    for (const [text, n] of [...byText].sort((a, b) => b[1] - a[1])) {
      log(`  ${(n / counted.pairs).toFixed(2).padStart(6)}  ${text}`);
    }
  }
  for (const c of children.slice(1)) c.kill('SIGTERM');
  product.kill('SIGTERM');
  await new Promise((r) => product.once('exit', r));
  rmSync(work, { recursive: true, force: true });
}

function fmt(f: Figures): string {
  return `${f.perSecond.toFixed(1)} pairs/s (${f.pairs} pairs, ${f.errors} errors), p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms`;
}

let productOutput = () => '';
main().catch((err) => {
  process.stderr.write(productOutput());
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
