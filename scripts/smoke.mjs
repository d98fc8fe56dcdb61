// Boots the BUILT product natively (not Jest's CommonJS copy), the way `npm start` does, on a
// fresh data folder with embedded PostgreSQL: /health and /api/docs answer; a ticket survives
// a kill -9 and a restart; SIGTERM stops it cleanly. Used by .ci/run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitHealthy } from './lib.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'hotline-smoke-'));
chmodSync(dataDir, 0o755);
const [port, pgPort, simPort] = [await freePort(), await freePort(), await freePort()];
const env = {
  ...process.env,
  PORT: String(port),
  EMBEDDED_PG_PORT: String(pgPort),
  DINGTALK_SIM_PORT: String(simPort),
  DATA_DIR: dataDir,
  // Request logs on: the run checks that they carry no caller data and no tokens.
  LOG_LEVEL: 'info',
};
delete env.DATABASE_URL;
const base = `http://127.0.0.1:${port}`;

let logs = '';
/** Log lines reach the pipe asynchronously: wait for what the checks read before stopping. */
async function waitForLog(pattern, ms = 10_000) {
  for (const until = Date.now() + ms; !pattern.test(logs) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 100));
  }
}
function start() {
  const child = spawn(process.execPath, ['dist/apps/standalone/src/main.js'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [child.stdout, child.stderr]) {
    s.on('data', (d) => {
      logs += d.toString();
      if (/"level":(50|60)|failed to start/.test(d.toString())) process.stderr.write(d);
    });
  }
  return child;
}

async function json(method, path, token, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

const check = (cond, msg) => {
  if (!cond) throw new Error(`smoke: ${msg}`);
  console.log(`smoke: ok - ${msg}`);
};

let child;
try {
  const t0 = Date.now();
  child = start();
  await waitHealthy(base, child);
  check(true, `first start healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  check((await fetch(`${base}/api/docs`)).status === 200, 'GET /api/docs 200');
  const { body: session } = await json('POST', '/api/auth/dev', null, { userid: 'dispatcher1' });
  check(typeof session.token === 'string', 'dev sign-in of the demo dispatcher');
  const created = await json('POST', '/api/tickets', session.token, {
    source: 'group_hotline',
    channel: 'phone',
    category: 'complaint',
    subject: '冒烟测试',
    content: '冒烟测试内容',
    caller: { name: '测试', phone: '13800000000' },
  });
  check(created.status === 201, 'a ticket is registered');
  const dispatched = await json('POST', `/api/tickets/${created.body.id}/actions/dispatch`, session.token, {
    assignments: [{ unit: 'branch1', role: 'sole' }],
  });
  check(dispatched.status === 200, 'it is dispatched to branch1');
  const revealed = await json('POST', `/api/tickets/${created.body.id}/caller/reveal`, session.token, {
    reason: '冒烟测试',
  });
  check(revealed.body.phone === '13800000000', 'the dispatcher reveals the caller on record');
  // The worker's outbox sender (a cron every 2 s) delivers the work notice to the simulator.
  let notices = [];
  for (let i = 0; i < 60 && notices.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    notices = await fetch(`http://127.0.0.1:${simPort}/_sim/messages?userid=b1_receiver`).then((r) => r.json());
  }
  check(
    notices.length === 1 && notices[0].title.includes(created.body.number),
    'the receiver got the DingTalk work notice',
  );
  check((await fetch(`${base}/`)).status === 200, 'GET / serves the micro-app');

  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  child = start();
  await waitHealthy(base, child);
  check(true, 'restart after kill -9 is healthy (leftover PostgreSQL handled)');
  const { body: again } = await json('POST', '/api/auth/dev', null, { userid: 'dispatcher1' });
  const fetched = await json('GET', `/api/tickets/${created.body.id}`, again.token);
  check(fetched.status === 200 && fetched.body.number === created.body.number, 'the ticket survived the restart');

  await waitForLog(/"req":\{/);
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.once('exit', (c) => r(c)));
  check(code === 0, 'SIGTERM stops it with exit code 0');
  check(/"url":"\/api\/tickets\/[0-9a-f-]{36}\/caller\/reveal"/.test(logs), 'API request logs were written');
  check(
    !logs.includes('13800000000') && !logs.includes(session.token) && !logs.includes(again.token),
    'no log line holds the caller phone or a token (R-19)',
  );
  child = undefined;
  console.log('1 passed, 0 failed');
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
}
