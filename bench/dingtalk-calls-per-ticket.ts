// Measurement (not a test), issue 16: what one ticket costs in DingTalk calls, and whether two
// api processes and two workers together stay within DingTalk's 20 calls/s per API (16.4).
// Separate OS processes against one PostgreSQL and the simulator, as in production: the built
// simulator, two api processes (dev sign-in) and two workers. It walks one chain-A and one
// chain-B ticket to closure through the two apis in turn, waits until every notice was sent and
// its delivery checked (16.3), and counts the simulator's calls per API for each ticket. Then a
// burst: 12 sign-ins spread over both apis at once and 40 tickets dispatched at once (the two
// workers send them), with the most calls the simulator saw in any one second per API and any
// refusal for the rate. Results: docs/dingtalk.md ("Quota arithmetic").
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:dingtalk-calls
//   (BENCH_APIS=1 BENCH_WORKERS=1 for one of each; the database hotline_bench_calls is dropped and
//   re-created; writes bench/results/dingtalk-calls-per-ticket-<n>api-<m>worker.json)
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countsAgainstQuota } from '@hotline/dingtalk';
import { freshBenchDatabase, log } from './bench-database';
import { freePort, http, until } from './bench-http';

const DB = 'hotline_bench_calls';
/** reference §8: a standard-edition company's counted calls a month. */
const STANDARD_QUOTA = 10_000;
const QPS_LIMIT = 20;
// The sign-in limiter allows 20 attempts a minute from one address (issue 17.3): stay below it.
const SIGN_INS = 12;
const BURST_TICKETS = 40;
const APIS = Number(process.env.BENCH_APIS ?? 2);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);

interface SimCall {
  at: number;
  api: string;
  outcome: string;
}

const children: ChildProcess[] = [];

function start(name: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [child.stdout, child.stderr]) {
    s?.on('data', (d: Buffer) => {
      if (/"level":(50|60)|failed to start/i.test(d.toString())) process.stderr.write(`[${name}] ${d}`);
    });
  }
  children.push(child);
  return child;
}

async function main(): Promise<void> {
  const { ds, url } = await freshBenchDatabase(DB, 2);
  const work = mkdtempSync(join(tmpdir(), 'hotline-bench-calls-'));
  const simPort = await freePort();
  const sim = `http://127.0.0.1:${simPort}`;
  start('simulator', 'dist/apps/dingtalk-sim/src/main.js', {
    ...process.env,
    DINGTALK_SIM_PORT: String(simPort),
    HOST: '127.0.0.1',
  });
  await until('the simulator', () => fetch(`${sim}/_sim/app`).then((r) => r.ok));

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    DEV_LOGIN: 'true',
    DATABASE_URL: url,
    DB_MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
    DATA_DIR: join(work, 'data'),
    ATTACHMENTS_DIR: join(work, 'attachments'),
    AUTH_TOKEN_SECRET: randomBytes(32).toString('hex'),
    CALLER_DATA_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    CALLER_HASH_KEY: randomBytes(32).toString('base64'),
    DINGTALK_SIM_PORT: String(simPort),
    PUBLIC_URL: 'http://hotline.bench',
  };
  const ports: number[] = [];
  for (let i = 0; i < APIS; i++) ports.push(await freePort());
  const apis = ports.map((p) => `http://127.0.0.1:${p}`);
  ports.forEach((p, i) => start(`api${i + 1}`, 'dist/apps/api/src/main.js', { ...env, PORT: String(p) }));
  for (let i = 0; i < WORKERS; i++) start(`worker${i + 1}`, 'dist/apps/worker/src/main.js', env);
  for (const base of apis) await until(`${base}/health`, () => fetch(`${base}/health`).then((r) => r.ok));
  log(`processes: simulator, ${APIS} api (${ports.join(', ')}), ${WORKERS} workers; database ${DB}`);

  // Requests go to the two apis in turn, as behind a load balancer.
  let turn = 0;
  const nextApi = () => apis[turn++ % apis.length]!;
  const tokens = new Map<string, string>();
  const as = async (userid: string) => {
    let t = tokens.get(userid);
    if (!t) {
      t = (await http(nextApi(), 'POST', '/api/auth/dev', undefined, { userid })).token as string;
      tokens.set(userid, t);
    }
    return t;
  };
  /** No outbox row waiting: people take minutes between steps, the workers seconds. */
  const drained = () =>
    until('the outbox', async () => {
      const [{ pending }] = await ds.query(`SELECT count(*)::int AS pending FROM outbox WHERE status = 'pending'`);
      return pending === 0;
    });
  const act = async (userid: string, id: string, action: string, body: unknown = {}) => {
    const r = await http(nextApi(), 'POST', `/api/tickets/${id}/actions/${action}`, await as(userid), body);
    await drained();
    return r;
  };
  const reply = (content = '经核查，该车驾驶员确未进站停靠，已对其批评教育并扣除当月绩效。') => {
    const now = new Date().toISOString();
    return {
      content,
      handledAt: now,
      handler: '赵强',
      callerContact: {
        contacted: true,
        method: 'phone',
        at: now,
        summary: '已电话告知来电人处理结果，来电人表示认可。',
      },
      satisfaction: 'satisfied',
    };
  };
  const create = async (overrides: Record<string, unknown>) =>
    (await http(nextApi(), 'POST', '/api/tickets', await as('dispatcher1'), {
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
      ...overrides,
    })) as { id: string };
  const calls = async (): Promise<SimCall[]> => http(sim, 'GET', '/_sim/calls');

  /** Every outbox row sent and every notice's delivery checked, and no call for 3 s. */
  async function settle(): Promise<SimCall[]> {
    let last = -1;
    let stableSince = Date.now();
    return until(
      'the outbox and the delivery checks',
      async () => {
        const [{ pending, unchecked }] = await ds.query(
          `SELECT (SELECT count(*) FROM outbox WHERE status = 'pending')::int AS pending,
                  (SELECT count(*) FROM outbox o WHERE o.kind = 'notice' AND o.status = 'sent'
                      AND NOT EXISTS (SELECT 1 FROM notice_delivery_checks c WHERE c.outbox_id = o.id))::int AS unchecked`,
        );
        const now = await calls();
        if (now.length !== last) {
          last = now.length;
          stableSince = Date.now();
        }
        return pending === 0 && unchecked === 0 && Date.now() - stableSince > 3000 ? now : undefined;
      },
      240_000,
    );
  }

  async function measure(name: string, walk: () => Promise<string>): Promise<Record<string, number>> {
    const before = (await settle()).length;
    const status = await walk();
    const after = await settle();
    const byApi: Record<string, number> = {};
    for (const c of after.slice(before)) {
      const key = c.outcome === 'ok' ? c.api : `${c.api} (${c.outcome})`;
      byApi[key] = (byApi[key] ?? 0) + 1;
    }
    const counted = Object.entries(byApi)
      .filter(([api]) => countsAgainstQuota(api.replace(/ \(.*\)$/, '')))
      .reduce((n, [, v]) => n + v, 0);
    const total = Object.values(byApi).reduce((n, v) => n + v, 0);
    log(`${name}: ${status}; ${total} calls, ${counted} counted against the quota`);
    for (const [api, n] of Object.entries(byApi).sort()) log(`  ${String(n).padStart(3)}  ${api}`);
    log(`  → ${Math.floor(STANDARD_QUOTA / counted)} such tickets a month fit in ${STANDARD_QUOTA} counted calls`);
    return { ...byApi, total, counted };
  }

  // Warm-up: sign everyone in once (sign-in costs calls that do not belong to a ticket).
  for (const u of ['dispatcher1', 'b1_receiver', 'b1_leader', 'b2_receiver', 'b2_leader', 'fare_receiver']) await as(u);
  for (const u of ['fare_leader', 'ops_head', 'office_reviewer']) await as(u);

  const chainA = await measure('chain A (one unit, no rework)', async () => {
    const { id } = await create({ subject: '配额测算 A' });
    await act('dispatcher1', id, 'dispatch', { assignments: [{ unit: 'branch2', role: 'sole' }] });
    await act('b2_receiver', id, 'accept');
    await act('b2_receiver', id, 'submit_reply', reply());
    await act('b2_leader', id, 'approve_reply');
    await act('dispatcher1', id, 'pass_review');
    return (await act('ops_head', id, 'pass_review')).status as string;
  });

  const chainB = await measure('chain B (lead + co unit, one send-back and rework)', async () => {
    const { id } = await create({ source: 'mayor_hotline', subject: '配额测算 B' });
    await act('dispatcher1', id, 'dispatch', {
      assignments: [
        { unit: 'branch1', role: 'lead' },
        { unit: 'fare', role: 'co' },
      ],
    });
    await act('fare_receiver', id, 'accept');
    await act('b1_receiver', id, 'accept');
    await act('fare_receiver', id, 'submit_reply', reply());
    await act('fare_leader', id, 'approve_reply');
    await act('b1_receiver', id, 'submit_reply', reply());
    await act('b1_leader', id, 'approve_reply');
    await act('dispatcher1', id, 'pass_review');
    await act('ops_head', id, 'pass_review');
    await act('office_reviewer', id, 'send_back', { comment: '措辞需修改' });
    await act('b1_receiver', id, 'submit_reply', reply('修改后的答复'));
    await act('b1_leader', id, 'approve_reply');
    await act('dispatcher1', id, 'pass_review');
    await act('ops_head', id, 'pass_review');
    await act('office_reviewer', id, 'pass_review');
    return (await act('dispatcher1', id, 'report_upstream')).status as string;
  });

  // ---- the burst: both apis and both workers at once (16.4) -----------------------------------
  const from = (await settle()).length;
  const codes = await Promise.all(
    Array.from({ length: SIGN_INS }, (_, i) =>
      http(sim, 'POST', '/_sim/auth-code', undefined, { userid: i % 2 ? 'b1_receiver' : 'dispatcher1' }),
    ),
  );
  await Promise.all(
    codes.map((c, i) => http(apis[i % apis.length]!, 'POST', '/api/auth/dingtalk', undefined, { code: c.code })),
  );
  const burst = await Promise.all(
    Array.from({ length: BURST_TICKETS }, (_, i) => create({ subject: `并发预算 ${i}` })),
  );
  const dispatcher = await as('dispatcher1');
  await Promise.all(
    burst.map(({ id }) =>
      http(nextApi(), 'POST', `/api/tickets/${id}/actions/dispatch`, dispatcher, {
        assignments: [{ unit: 'safety', role: 'sole' }],
      }),
    ),
  );
  const burstCalls = (await settle()).slice(from);
  const perApi: Record<string, { calls: number; maxInAnySecond: number; refusedForRate: number }> = {};
  for (const api of [...new Set(burstCalls.map((c) => c.api))].sort()) {
    const mine = burstCalls.filter((c) => c.api === api);
    const times = mine.filter((c) => c.outcome === 'ok').map((c) => c.at);
    times.sort((a, b) => a - b);
    let max = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      max = Math.max(max, i - j + 1);
    }
    const refusedForRate = mine.filter((c) => /90018|90002|QpsLimit/.test(c.outcome)).length;
    perApi[api] = { calls: mine.length, maxInAnySecond: max, refusedForRate };
  }
  log(
    `burst with ${APIS} api processes and ${WORKERS} workers: ${SIGN_INS} sign-ins over the apis, ${BURST_TICKETS} tickets dispatched at once`,
  );
  for (const [api, v] of Object.entries(perApi)) {
    log(
      `  ${api}: ${v.calls} calls, at most ${v.maxInAnySecond} in any second, ${v.refusedForRate} refused for the rate`,
    );
  }
  const budgetRows = await ds.query(`SELECT month, calls FROM dingtalk_quota_months ORDER BY month`);
  log(`counted calls in dingtalk_quota_months (all processes): ${JSON.stringify(budgetRows)}`);

  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    `bench/results/dingtalk-calls-per-ticket-${APIS}api-${WORKERS}worker.json`,
    `${JSON.stringify({ apis: APIS, workers: WORKERS, standardQuota: STANDARD_QUOTA, chainA, chainB, burst: perApi }, null, 2)}\n`,
  );
  const over = Object.values(perApi).some((v) => v.maxInAnySecond >= QPS_LIMIT || v.refusedForRate > 0);
  await ds.destroy();
  if (over) throw new Error('a DingTalk API got 20 or more calls in one second, or refusals for the rate');
}

main()
  .catch((err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
