// `npm run test:faults` (issue 18): the built product (`npm start`'s all-in-one process, embedded
// PostgreSQL, DingTalk simulator) under faults, each scenario ending with the invariant checker
// (scripts/check-invariants.mjs) and printing its figures. `-- --short` is the CI version.
//   0. kill -9 of the very first start while initdb runs (the process group, as Ctrl-C-less
//      killing of a terminal's `npm start` does): the next start sets the half-made cluster aside
//      and comes up healthy (issue 18.1);
//   1. kill -9 of the whole process under load (clients register and dispatch with retries),
//      with DingTalk failing a share of calls meanwhile;
//   2. the embedded PostgreSQL stopped under load three ways: kill -9 of the postmaster, a fast
//      shutdown (SIGINT) and an immediate shutdown (SIGQUIT): 503s, the process starts it again,
//      the load goes on;
//   3. SIGTERM after that database restart: how long the shutdown takes;
//   4. two api + two workers (separate processes, as in production) on that one database:
//      rounds of concurrent accepts of one assignment through both apis (exactly one winner each),
//      the outbox drained by both workers (every row sent once: DingTalk's send calls = sent rows).
//   5. the backup drill on the embedded cluster all this left behind (issue 18.8): `npm run
//      backup` with the product stopped, the data folder's database, keys and attachments wiped,
//      `npm run restore`, then every ticket is back, the invariants hold and caller data decrypts.
// `--only=two-of-each` runs scenarios 4 and 5 alone (on a fresh data folder).
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { checkInvariants, printInvariants } from './check-invariants.mjs';
import { freePort, waitHealthy } from './lib.mjs';

const short = process.argv.includes('--short');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const ROUNDS = short ? 20 : 50;
const CLIENTS = short ? 3 : 8;
const KILLS = short ? 1 : 3;
const LOAD_MS = short ? 4_000 : 10_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!process.argv.includes('--no-build')) {
  const build = spawn(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const code = await new Promise((r) => build.on('exit', r));
  if (code !== 0) process.exit(code ?? 1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'hotline-faults-'));
chmodSync(dataDir, 0o755);
const [port, pgPort, simPort] = [await freePort(), await freePort(), await freePort()];
const env = {
  ...process.env,
  PORT: String(port),
  EMBEDDED_PG_PORT: String(pgPort),
  DINGTALK_SIM_PORT: String(simPort),
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
};
delete env.DATABASE_URL;
const base = `http://127.0.0.1:${port}`;
const dbUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/hotline`;
let logs = '';

function start({ ownGroup = false } = {}) {
  const child = spawn(process.execPath, ['dist/apps/standalone/src/main.js'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // in its own process group, so that kill -9 of the group takes initdb down with it
    detached: ownGroup,
  });
  for (const s of [child.stdout, child.stderr]) s.on('data', (d) => (logs += d.toString()));
  return child;
}

const figures = {};
const statuses = {};
const acknowledged = new Set();
let tokens = {};

async function call(method, path, userid, body, headers = {}) {
  try {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(userid ? { authorization: `Bearer ${tokens[userid]}` } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    return { status: r.status, body: await r.json().catch(() => null) };
  } catch {
    statuses.network = (statuses.network ?? 0) + 1;
    return { status: 0, body: null };
  }
}

async function signInAll() {
  for (const u of ['dispatcher1', 'dispatcher2']) {
    const r = await call('POST', '/api/auth/dev', null, { userid: u });
    if (r.status !== 200) throw new Error(`sign-in ${u}: ${r.status}`);
    tokens[u] = r.body.token;
  }
}

/** Sends until a definite answer: same Idempotency-Key on every retry (the micro-app's rule). */
async function untilAnswered(send) {
  const key = randomUUID();
  for (let i = 0; i < 200; i++) {
    const r = await send(key);
    if (r.status === 401) await signInAll().catch(() => undefined);
    else if (r.status !== 0 && r.status < 500) return r;
    await sleep(250);
  }
  return { status: 0 };
}

let loading = false;
async function client(n) {
  const me = n % 2 ? 'dispatcher2' : 'dispatcher1';
  while (loading) {
    const created = await untilAnswered((key) =>
      call(
        'POST',
        '/api/tickets',
        me,
        {
          source: 'group_hotline',
          channel: 'phone',
          category: 'complaint',
          subject: `故障测试 ${n}-${Date.now()}`,
          content: '故障注入期间登记的工单。',
          caller: { name: '王五', phone: '13700000000' },
        },
        { 'idempotency-key': key },
      ),
    );
    if (created.status !== 201) continue;
    acknowledged.add(created.body.id);
    await untilAnswered((key) =>
      call(
        'POST',
        `/api/tickets/${created.body.id}/actions/dispatch`,
        me,
        { assignments: [{ unit: n % 3 ? 'branch1' : 'safety', role: 'sole' }] },
        { 'idempotency-key': key, 'if-match': `"${created.body.version}"` },
      ),
    );
  }
}

async function pending() {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    return (await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`)).rows[0].n;
  } finally {
    await db.end();
  }
}

async function injectDingTalkFaults(stop) {
  const kinds = ['busy', 'server_error', 'rate_limit', 'expired_token'];
  for (let i = 0; !stop(); i++) {
    await fetch(`http://127.0.0.1:${simPort}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: kinds[i % 4], count: 3, ...(i % 2 ? { afterHandling: i % 4 !== 3 } : {}) }),
    }).catch(() => undefined);
    await sleep(1000);
  }
}

let child;
let ok = true;
const others = [];
let embedded;
try {
  if (only !== 'two-of-each') await scenariosOneToThree();
  ok = (await twoOfEach()) && ok;
  ok = (await backupDrill()) && ok;
} catch (err) {
  ok = false;
  console.error(err);
  process.stderr.write(logs.slice(-4000));
} finally {
  loading = false;
  if (child && child.exitCode === null) child.kill('SIGKILL');
  for (const c of others) if (c.exitCode === null) c.kill('SIGKILL');
  await embedded?.stop().catch(() => undefined);
  console.log('\n== figures');
  console.log(JSON.stringify(figures, null, 2));
  // A postgres left running by the killed process: stop it before removing its folder.
  try {
    const pid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGINT');
    await sleep(1000);
  } catch {
    // none left
  }
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(ok ? '\nfaults: all invariants hold' : '\nfaults: FAILED');
process.exit(ok ? 0 : 1);

async function scenariosOneToThree() {
  // ---- 0. kill -9 during the very first start (initdb running) ---------------------------------
  const pgDir = join(dataDir, 'pg');
  child = start({ ownGroup: true });
  const t0 = Date.now();
  // initdb writes PG_VERSION early; the ready marker comes after the first start that answered
  while (!existsSync(join(pgDir, 'PG_VERSION')) && Date.now() - t0 < 60_000) await sleep(10);
  const midInitdb = existsSync(join(pgDir, 'PG_VERSION')) && !existsSync(join(pgDir, 'hotline-cluster-ready'));
  process.kill(-child.pid, 'SIGKILL');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  const killedAfter = Date.now() - t0;
  const t1 = Date.now();
  child = start();
  await waitHealthy(base, child);
  const setAside = existsSync(`${pgDir}.interrupted`);
  figures['0. kill -9 during the first start'] = {
    'killed after (ms)': killedAfter,
    'killed while initdb ran': midInitdb,
    'half-made cluster set aside': setAside,
    'next start healthy after (ms)': Date.now() - t1,
  };
  console.log('\n== 0. kill -9 of the first start while initdb ran');
  const firstStartOk = midInitdb && setAside;
  console.log(`${firstStartOk ? 'ok  ' : 'FAIL'} the next start set the half-made cluster aside and came up healthy`);
  ok = firstStartOk && ok;

  // ---- 1. kill -9 under load, DingTalk failing meanwhile -------------------------------------
  await signInAll();
  loading = true;
  let faulting = true;
  const load = Array.from({ length: CLIENTS }, (_, i) => client(i));
  const dingtalkFaults = injectDingTalkFaults(() => !faulting);
  const restarts = [];
  for (let k = 0; k < KILLS; k++) {
    await sleep(LOAD_MS);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const t0 = Date.now();
    child = start();
    await waitHealthy(base, child);
    restarts.push(Date.now() - t0);
  }
  await sleep(LOAD_MS);
  faulting = false;
  await dingtalkFaults;
  loading = false;
  await Promise.all(load);
  const drainStart = Date.now();
  while ((await pending()) > 0 && Date.now() - drainStart < 120_000) await sleep(500);
  figures['1. kill -9 under load'] = {
    clients: CLIENTS,
    kills: KILLS,
    'tickets answered 201': acknowledged.size,
    'restart until healthy (ms)': restarts,
    'outbox drained after load (ms)': Date.now() - drainStart,
    'answers by status': { ...statuses },
  };
  console.log('\n== 1. kill -9 of npm start under load, DingTalk failing a share of calls');
  ok = printInvariants(await checkInvariants(dbUrl, { acknowledged: [...acknowledged], settled: true })) && ok;

  // ---- 2. the embedded PostgreSQL stopped under load: kill -9, fast and immediate shutdowns -----
  for (const k of Object.keys(statuses)) delete statuses[k];
  loading = true;
  const load2 = Array.from({ length: CLIENTS }, (_, i) => client(i));
  const backAfter = {};
  for (const [signal, name] of [
    ['SIGKILL', 'kill -9 of the postmaster'],
    ['SIGINT', 'fast shutdown'],
    ['SIGQUIT', 'immediate shutdown'],
  ]) {
    await sleep(LOAD_MS / 2);
    const pmPid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pmPid, signal);
    const stoppedAt = Date.now();
    // wait until that postmaster is gone (a fast shutdown waits for its sessions to end)
    for (; Date.now() - stoppedAt < 30_000; await sleep(50)) {
      try {
        process.kill(pmPid, 0);
      } catch {
        break;
      }
    }
    let back = 0;
    for (; Date.now() - stoppedAt < 60_000; await sleep(100)) {
      const r = await fetch(`${base}/health`).catch(() => null);
      if (r?.status === 200) {
        back = Date.now() - stoppedAt;
        break;
      }
    }
    backAfter[name] = back || 'not within 60 s';
    if (!back) ok = false;
  }
  await sleep(LOAD_MS / 2);
  loading = false;
  await Promise.all(load2);
  const drain2 = Date.now();
  while ((await pending()) > 0 && Date.now() - drain2 < 120_000) await sleep(500);
  const errorLines = {};
  for (const line of logs.split('\n').filter((l) => l.includes('"level":50'))) {
    const reason = /"err":\{"type":"([^"]*)","message":"([^"]{0,120})/.exec(line);
    const msg =
      (/"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80)) + (reason ? ` (${reason[1]}: ${reason[2]})` : '');
    errorLines[msg] = (errorLines[msg] ?? 0) + 1;
  }
  figures['2. embedded PostgreSQL stopped'] = {
    'healthy again after (ms)': backAfter,
    'answers by status': { ...statuses },
    'error-level log lines in the whole run': errorLines,
  };
  if (statuses[500]) ok = false;
  console.log('\n== 2. the embedded PostgreSQL stopped under load (kill -9, fast, immediate)');
  ok = printInvariants(await checkInvariants(dbUrl, { acknowledged: [...acknowledged], settled: true })) && ok;

  // ---- 3. shutdown after the database restart -------------------------------------------------
  const t3 = Date.now();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  figures['3. SIGTERM after a database restart'] = { 'process exited after (ms)': Date.now() - t3 };
  if (Date.now() - t3 > 5_000) ok = false;
  child = undefined;
}

// ---- 4. two api + two workers on one database --------------------------------------------------
async function twoOfEach() {
  const require = createRequire(import.meta.url);
  const db = require('../dist/libs/db/src/index.js');
  embedded = await db.startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), port: pgPort, persistent: true });
  await db.ensureDatabase(embedded.url('postgres'), 'hotline');
  await db.runMigrations(dbUrl);
  const ds = db.createDataSource(dbUrl, 2);
  await ds.initialize();
  await db.seedDemoOrganisation(ds);
  await ds.destroy();

  const sim4 = await freePort();
  const env4 = { ...env, DATABASE_URL: dbUrl, DB_MIGRATE_ON_START: 'false', DINGTALK_SIM_PORT: String(sim4) };
  const spawnOne = (script, extra = {}) => {
    const c = spawn(process.execPath, [script], { env: { ...env4, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const st of [c.stdout, c.stderr]) st.on('data', (d) => (logs += d.toString()));
    others.push(c);
    return c;
  };
  const simUrl = `http://127.0.0.1:${sim4}`;
  spawnOne('dist/apps/dingtalk-sim/src/main.js', { HOST: '127.0.0.1' });
  const ports = [await freePort(), await freePort()];
  const apis = ports.map((p) => spawnOne('dist/apps/api/src/main.js', { PORT: String(p) }));
  spawnOne('dist/apps/worker/src/main.js');
  spawnOne('dist/apps/worker/src/main.js');
  const bases = ports.map((p) => `http://127.0.0.1:${p}`);
  for (let i = 0; i < 2; i++) await waitHealthy(bases[i], apis[i]);
  for (;;) {
    const up = await fetch(`${simUrl}/_sim/app`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await sleep(200);
  }
  const send = async (base, method, path, userid, body, headers = {}) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(userid ? { authorization: `Bearer ${tokens4[userid]}` } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(20_000),
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  figures['4. two api + two workers'] = {};
  const tokens4 = {};
  for (const u of ['dispatcher1', 'b1_receiver']) {
    tokens4[u] = (await send(bases[0], 'POST', '/api/auth/dev', null, { userid: u })).body.token;
  }

  // Four accepts of one assignment at once, two through each api, each with its own key.
  const winners = {};
  const answers = {};
  const ids = [];
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    const t = await send(bases[round % 2], 'POST', '/api/tickets', 'dispatcher1', {
      source: 'group_hotline',
      channel: 'phone',
      category: 'complaint',
      subject: `两个api两个worker ${round}`,
      content: '并发接单测试。',
      caller: { name: '赵六', phone: '13600000000' },
    });
    if (t.status !== 201) throw new Error(`registration answered ${t.status}`);
    ids.push(t.body.id);
    const d = await send(bases[(round + 1) % 2], 'POST', `/api/tickets/${t.body.id}/actions/dispatch`, 'dispatcher1', {
      assignments: [{ unit: 'branch1', role: 'sole' }],
    });
    if (d.status !== 200) throw new Error(`dispatch answered ${d.status}`);
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        send(
          bases[i % 2],
          'POST',
          `/api/tickets/${t.body.id}/actions/accept`,
          'b1_receiver',
          {},
          { 'idempotency-key': randomUUID() },
        ),
      ),
    );
    for (const r of results) answers[r.status] = (answers[r.status] ?? 0) + 1;
    const n = results.filter((r) => r.status === 200).length;
    winners[n] = (winners[n] ?? 0) + 1;
  }
  const roundsMs = Date.now() - started;

  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  let accepted;
  let rows;
  try {
    accepted = (
      await client.query(
        `SELECT t.id, (SELECT count(*)::int FROM timeline_events e WHERE e.ticket_id = t.id AND e.action = 'accept') AS n
           FROM unnest($1::uuid[]) AS t(id)`,
        [ids],
      )
    ).rows;
    const drainStart = Date.now();
    while ((await pending()) > 0 && Date.now() - drainStart < 120_000) await sleep(500);
    rows = (
      await client.query(
        `SELECT kind, status, count(*)::int AS n FROM outbox
          WHERE ticket_id = ANY($1::uuid[]) GROUP BY 1, 2 ORDER BY 1, 2`,
        [ids],
      )
    ).rows;
    figures['4. two api + two workers']['outbox drained after the rounds (ms)'] = Date.now() - drainStart;
  } catch (err) {
    await client.end();
    throw err;
  }
  await client.end();
  const calls = await fetch(`${simUrl}/_sim/calls?path=/topapi/message/corpconversation/asyncsend_v2`).then((r) =>
    r.json(),
  );
  const sentNotices = rows.filter((r) => r.kind === 'notice' && r.status === 'sent').reduce((a, r) => a + r.n, 0);
  const noticeCalls = calls.filter((c) => c.outcome === 'ok').length;
  Object.assign(figures['4. two api + two workers'], {
    rounds: ROUNDS,
    'rounds with exactly one winner': winners[1] ?? 0,
    'winners per round (count of rounds)': winners,
    'accept answers by status': answers,
    'rounds took (ms)': roundsMs,
    'tickets with exactly one accept event': accepted.filter((a) => a.n === 1).length,
    'outbox rows (kind, status, rows)': rows.map((r) => `${r.kind} ${r.status} ${r.n}`),
    'notice rows sent': sentNotices,
    'work-notice send calls answered ok': noticeCalls,
  });
  let good = (winners[1] ?? 0) === ROUNDS && accepted.every((a) => a.n === 1) && sentNotices === noticeCalls;
  if (Object.keys(answers).some((st) => Number(st) >= 500)) good = false;
  // All four processes lived through it.
  if (others.some((c) => c.exitCode !== null)) good = false;
  console.log('\n== 4. two api + two workers on one database: concurrent accepts, the outbox drained by both');
  good = printInvariants(await checkInvariants(dbUrl, { acknowledged: ids, settled: true })) && good;
  for (const c of others) c.kill('SIGTERM');
  await Promise.all(others.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  await embedded.stop();
  embedded = undefined;
  return good;
}

// ---- 5. backup, wipe, restore of the embedded database ----------------------------------------
async function backupDrill() {
  const require = createRequire(import.meta.url);
  const db = require('../dist/libs/db/src/index.js');
  const { loadConfig } = require('../dist/libs/config/src/index.js');
  const folder = join(dataDir, 'drill-backup');
  const run = (script, args) =>
    spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  const t0 = Date.now();
  const b = run('scripts/backup.mjs', [`--out=${folder}`]);
  const backupMs = Date.now() - t0;
  if (b.status !== 0) throw new Error(`backup failed: ${b.stderr}`);
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
  for (const part of ['pg', 'keys', 'attachments']) rmSync(join(dataDir, part), { recursive: true, force: true });
  const t1 = Date.now();
  const r = run('scripts/restore.mjs', [folder]);
  const restoreMs = Date.now() - t1;
  if (r.status !== 0) throw new Error(`restore failed: ${r.stderr}`);
  embedded = await db.startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), port: pgPort, persistent: true });
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  let tickets;
  let phones;
  try {
    tickets = (await client.query('SELECT count(*)::int AS n FROM tickets')).rows[0].n;
    phones = (await client.query('SELECT caller_phone FROM tickets ORDER BY random() LIMIT 20')).rows;
  } finally {
    await client.end();
  }
  const cipher = db.callerCipherFromConfig(loadConfig({ DATA_DIR: dataDir }, process.cwd(), { role: 'tool' }));
  const readable = phones.filter((p) => /^13[67]0{8}$/.test(cipher.decrypt(p.caller_phone) ?? '')).length;
  figures['5. backup drill (embedded PostgreSQL)'] = {
    format: manifest.format,
    'backup with the product stopped (ms)': backupMs,
    'restore into a wiped data folder (ms)': restoreMs,
    'tickets in the backup / after the restore': `${manifest.tables?.tickets} / ${tickets}`,
    'caller phones decrypted (sample)': `${readable} of ${phones.length}`,
  };
  let good = tickets === manifest.tables?.tickets && tickets > 0 && readable === phones.length;
  console.log('\n== 5. backup, wipe (database, keys, attachments), restore of the embedded database');
  good = printInvariants(await checkInvariants(dbUrl, { settled: true })) && good;
  await embedded.stop();
  embedded = undefined;
  return good;
}
