// Issue 16 item 4: one DingTalk call budget for the whole deployment. Two DingTalk clients with
// their own connection pools to one database stand for two processes (an api replica and a
// worker); the simulator (real HTTP) counts what reaches "DingTalk". Real PostgreSQL.
import type { DataSource } from 'typeorm';
import { createDataSource, DingTalkRepository } from '@hotline/db';
import { DingTalkApiError, DingTalkClient, type DingTalkClientOptions } from '@hotline/dingtalk';
import {
  startDingTalkSimulator,
  SIM_APP,
  type RunningDingTalkSimulator,
} from '../../../../apps/dingtalk-sim/src/simulator';
import { createTestDatabase } from '../../../../test/support/database';
import { PostgresCallBudget } from './dingtalk-call-budget';

const USER_GET = 'POST /topapi/v2/user/get';
const SEND = 'POST /topapi/message/corpconversation/asyncsend_v2';

let sim: RunningDingTalkSimulator;
let dsA: DataSource;
let dsB: DataSource;
let repoA: DingTalkRepository;
let repoB: DingTalkRepository;

beforeAll(async () => {
  const url = await createTestDatabase('budget');
  dsA = await createDataSource(url, 4).initialize();
  dsB = await createDataSource(url, 4).initialize();
  repoA = new DingTalkRepository(dsA);
  repoB = new DingTalkRepository(dsB);
  sim = await startDingTalkSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
  await dsA.destroy();
  await dsB.destroy();
});
beforeEach(async () => {
  sim.state.reset();
  await dsA.query('DELETE FROM dingtalk_rate_buckets');
  await dsA.query('DELETE FROM dingtalk_quota_months');
});

/** A client as one process has it: its own pool, the shared budget in PostgreSQL. */
function processClient(repo: DingTalkRepository, overrides: Partial<DingTalkClientOptions> = {}): DingTalkClient {
  return new DingTalkClient({
    oapiBaseUrl: sim.url,
    apiBaseUrl: sim.url,
    ...SIM_APP,
    budget: new PostgresCallBudget(repo),
    timeoutMs: 5000,
    ...overrides,
  });
}

/** The most calls the simulator admitted in any 1,000 ms window (its own clock). */
function maxInAnyWindow(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe('issue 16.4: one call budget for every process', () => {
  test('issue 16.4: two clients sharing one database send 60 calls to one API at once; DingTalk sees at most 19 in any second and refuses none', async () => {
    const a = processClient(repoA);
    const b = processClient(repoB);
    await Promise.all([a.getAccessToken('oapi'), b.getAccessToken('oapi')]);

    await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).getUser(i % 3 === 0 ? 'admin' : 'dispatcher1')),
    );

    const calls = sim.state.calls.filter((c) => c.api === USER_GET);
    // Not one call refused with 90018 (the client would have retried it: the log would show it).
    expect(calls.map((c) => c.outcome)).toEqual(Array.from({ length: 60 }, () => 'ok'));
    // The default bucket (16/s, burst 3) gives 19 in any second to the two processes together;
    // each alone would have had 19, and 38 a second is what DingTalk refuses.
    expect(maxInAnyWindow(calls.map((c) => c.at))).toBeLessThanOrEqual(19);
    // Both processes really took part.
    expect(a.calls.forMonth(Object.keys(a.calls.snapshot())[0]!)[USER_GET]).toBe(30);
    expect(b.calls.forMonth(Object.keys(b.calls.snapshot())[0]!)[USER_GET]).toBe(30);
    const rows = await dsA.query(`SELECT api FROM dingtalk_rate_buckets ORDER BY api`);
    expect(rows.map((r: { api: string }) => r.api)).toEqual(['GET /gettoken', USER_GET]);
  }, 30_000);

  test('issue 16.4: the shared bucket grants burst + rate × elapsed to two pools together, never more (virtual time)', async () => {
    const t0 = Date.UTC(2026, 4, 11, 2, 0);
    const rate = { perSecond: 16, burst: 3 };
    const budgetA = new PostgresCallBudget(repoA);
    const budgetB = new PostgresCallBudget(repoB);
    const takeAll = async (at: number, n: number) => {
      const waits = await Promise.all(
        Array.from({ length: n }, (_, i) => (i % 2 === 0 ? budgetA : budgetB).takeRate('POST /x', at, rate)),
      );
      return { granted: waits.filter((w) => w === 0).length, waits: waits.filter((w) => w > 0) };
    };

    // 40 at once from two pools: only the burst.
    const first = await takeAll(t0, 40);
    expect(first.granted).toBe(3);
    // Empty: the wait is one token's time (1000 / 16 ms), nothing busy.
    expect(new Set(first.waits)).toEqual(new Set([63]));
    // Then every 10 ms for 3 s, four at once (two per pool): 16 a second after the burst, and
    // never more than 19 in any one second.
    const grants: number[] = Array.from({ length: 3 }, () => t0);
    for (let t = t0 + 10; t <= t0 + 3000; t += 10) {
      const { granted } = await takeAll(t, 4);
      for (let g = 0; g < granted; g++) grants.push(t);
    }
    expect(maxInAnyWindow(grants)).toBeLessThanOrEqual(19);
    expect(grants.length).toBe(3 + 48);
    // A process whose clock is behind the row's refills nothing (no tokens from clock skew).
    expect((await takeAll(t0 + 2900, 10)).granted).toBe(0);
    // A long pause fills the bucket to its burst, not beyond.
    expect((await takeAll(t0 + 60_000, 40)).granted).toBe(3);
    // Another API has its own bucket.
    expect(await budgetB.takeRate('POST /y', t0 + 60_000, rate)).toBe(0);
  });

  test('issue 16.4: the monthly quota is one for all processes: with a quota of 10, two clients send 10 counted calls between them and the rest are refused as 90020 without reaching DingTalk', async () => {
    // The application clock decides the month (Asia/Shanghai): 2026-05-31 16:30 UTC is June 1st there.
    let appNow = Date.UTC(2026, 4, 31, 16, 30);
    const monthClock = () => appNow;
    const a = processClient(repoA, { monthlyQuota: 10, monthClock });
    const b = processClient(repoB, { monthlyQuota: 10, monthClock });
    const notice = (client: DingTalkClient, i: number) =>
      client.sendWorkNotice({ useridList: ['dispatcher1'], msg: { msgtype: 'text', text: { content: `配额 ${i}` } } });

    const results = await Promise.allSettled(Array.from({ length: 14 }, (_, i) => notice(i % 2 === 0 ? a : b, i)));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(refused).toHaveLength(4);
    for (const err of refused) {
      expect(err).toBeInstanceOf(DingTalkApiError);
      expect(err).toMatchObject({ kind: 'quota_exceeded', code: 88, subCode: '90020', retryable: false, api: SEND });
      expect(err.message).toContain('2026-06');
    }
    // DingTalk saw exactly the 10 counted calls; the refused ones were never sent.
    expect(sim.state.calls.filter((c) => c.api === SEND)).toHaveLength(10);
    expect(await repoA.quotaCallsInMonth('2026-06')).toBe(10);

    // Token and contacts calls are exempt (reference §8): they still go out, and are not counted.
    await expect(b.getUser('admin')).resolves.toMatchObject({ userid: 'admin' });
    expect(await repoB.quotaCallsInMonth('2026-06')).toBe(10);

    // The new family is refused in its own shape.
    await expect(a.createTodo('union-dispatcher1', { subject: '配额' })).rejects.toMatchObject({
      kind: 'quota_exceeded',
      httpStatus: 403,
      code: 'Forbidden.AccessDenied.ApiCountLimitForOrg',
    });

    // Next month (Shanghai) the budget starts again, for both processes.
    appNow = Date.UTC(2026, 5, 30, 16, 30);
    await notice(b, 100);
    expect(await repoA.quotaCallsInMonth('2026-07')).toBe(1);
    expect(sim.state.calls.filter((c) => c.api === SEND)).toHaveLength(11);
  });
});
