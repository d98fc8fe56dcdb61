// The DingTalk client against the local simulator (started in-process on a free port).
import { createHash } from 'node:crypto';
import { DEMO_PEOPLE, DEMO_UNITS } from '@hotline/demo';
import {
  startDingTalkSimulator,
  SIM_APP,
  type RunningDingTalkSimulator,
} from '../../../apps/dingtalk-sim/src/simulator';
import { DingTalkClient } from './dingtalk.client';
import { DingTalkApiError, DingTalkNetworkError } from './dingtalk.errors';
import type { DingTalkClientOptions, MarkdownMessage } from './dingtalk.types';
import { jsapiSignature } from './jsapi-signature';
import { TokenBucket } from './rate-limiter';

let sim: RunningDingTalkSimulator;

beforeAll(async () => {
  sim = await startDingTalkSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.state.reset();
});

/** A client clock where sleeping only moves time forward, so backoff costs no real time. */
function virtualClock(start = Date.now()) {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

function makeClient(overrides: Partial<DingTalkClientOptions> = {}) {
  const clock = virtualClock();
  const client = new DingTalkClient({
    oapiBaseUrl: sim.url,
    apiBaseUrl: sim.url,
    ...SIM_APP,
    now: clock.now,
    sleep: clock.sleep,
    timeoutMs: 2000,
    ...overrides,
  });
  return { client, clock };
}

async function simPost(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}

async function simGet<T>(path: string): Promise<T> {
  const res = await fetch(`${sim.url}${path}`);
  return (await res.json()) as T;
}

function callsTo(api: string): number {
  return sim.state.calls.filter((c) => c.api === api).length;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const receiver = DEMO_PEOPLE.find((p) => p.userid === 'b1_receiver')!;
const dispatcher = DEMO_PEOPLE.find((p) => p.userid === 'dispatcher1')!;

describe('tokens', () => {
  test('DT-token: one token fetch is shared by concurrent callers and reused afterwards', async () => {
    const { client } = makeClient();
    await Promise.all(DEMO_PEOPLE.slice(0, 8).map((p) => client.getUser(p.userid)));
    await client.getUser('admin');
    expect(callsTo('GET /gettoken')).toBe(1);
    expect(callsTo('POST /topapi/v2/user/get')).toBe(9);
  });

  test('DT-token: the cached token is refreshed shortly before its 7200 s expire', async () => {
    const { client, clock } = makeClient();
    const first = await client.getAccessToken('oapi');
    clock.t += 6000 * 1000;
    expect(await client.getAccessToken('oapi')).toBe(first);
    expect(callsTo('GET /gettoken')).toBe(1);
    clock.t += 1000 * 1000; // 7000 s: inside the refresh margin
    await client.getAccessToken('oapi');
    expect(callsTo('GET /gettoken')).toBe(2);
  });

  test.each([
    ['wrapped', '40014'],
    ['wrapped', '42001'],
    ['flat', '40014'],
  ] as const)(
    'DT-token: after a forced expiry mid-run, a topapi token error (%s, sub_code %s) triggers one refresh and a retry',
    async (style, subCode) => {
      await simPost('/_sim/settings', { tokenErrorStyle: style, expiredTokenSubCode: subCode });
      const { client } = makeClient();
      const before = await client.getAccessToken('oapi');
      await client.getUser('b1_receiver');
      await simPost('/_sim/expire-tokens', {});

      const user = await client.getUser('b1_receiver');

      expect(user.userid).toBe('b1_receiver');
      expect(await client.getAccessToken('oapi')).not.toBe(before);
      expect(callsTo('GET /gettoken')).toBe(2);
      const outcomes = sim.state.calls.filter((c) => c.api === 'POST /topapi/v2/user/get').map((c) => c.outcome);
      expect(outcomes).toEqual(['ok', style === 'wrapped' ? `88/${subCode}` : subCode, 'ok']);
    },
  );

  test('DT-token: the new family answers HTTP 400 InvalidAuthentication for an expired token; the client refreshes and retries', async () => {
    const { client } = makeClient();
    const first = await client.createTodo(dispatcher.unionid, { subject: 'first', executorIds: [receiver.unionid] });
    await simPost('/_sim/expire-tokens', {});

    const second = await client.createTodo(dispatcher.unionid, { subject: 'second', executorIds: [receiver.unionid] });

    expect(second.id).not.toBe(first.id);
    expect(callsTo('POST /v1.0/oauth2/accessToken')).toBe(2);
    const outcomes = sim.state.calls
      .filter((c) => c.api === 'POST /v1.0/todo/users/{unionId}/tasks')
      .map((c) => c.outcome);
    expect(outcomes).toEqual(['ok', '400/InvalidAuthentication', 'ok']);
  });

  test("DT-token: a token error that persists after one refresh is thrown (retryable, for the caller's backoff), not retried forever here", async () => {
    const { client } = makeClient();
    await client.getAccessToken('oapi');
    await simPost('/_sim/faults', { kind: 'expired_token', count: 5, path: '/topapi/v2/user/get' });
    const err = await caught(client.getUser('b1_receiver'));
    expect(err).toBeInstanceOf(DingTalkApiError);
    expect(err).toMatchObject({ kind: 'token_invalid', code: 88, subCode: '40014', retryable: true });
    expect(callsTo('POST /topapi/v2/user/get')).toBe(2);
  });

  test('DT-token: bad app credentials are typed on both families and not retried', async () => {
    const { client } = makeClient({ appSecret: 'wrong' });
    const legacy = await caught(client.getAccessToken('oapi'));
    expect(legacy).toMatchObject({ family: 'oapi', httpStatus: 200, code: 40096, kind: 'invalid_credentials' });
    const modern = await caught(client.getAccessToken('api'));
    expect(modern).toMatchObject({
      family: 'api',
      httpStatus: 400,
      code: 'invalidClientIdOrSecret',
      kind: 'invalid_credentials',
    });
    expect(callsTo('GET /gettoken')).toBe(1);
    expect(callsTo('POST /v1.0/oauth2/accessToken')).toBe(1);
  });
});

describe('retries and errors', () => {
  test('DT-retry: a rate limit (88 + sub_code 90018) is retried with exponential backoff and jitter, then succeeds', async () => {
    const { client, clock } = makeClient();
    await client.getAccessToken('oapi');
    await simPost('/_sim/faults', { kind: 'rate_limit', count: 2, path: '/topapi/v2/department/listsub' });

    const depts = await client.listSubDepartments(1);

    expect(depts).toHaveLength(DEMO_UNITS.length);
    const outcomes = sim.state.calls
      .filter((c) => c.api === 'POST /topapi/v2/department/listsub')
      .map((c) => c.outcome);
    expect(outcomes).toEqual(['88/90018', '88/90018', 'ok']);
    // ref §8: the QPS window is 1 s, so the first wait is 0.5–1 s, the second 1–2 s.
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(500);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(1000);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(1000);
    expect(clock.sleeps[1]).toBeLessThanOrEqual(2000);
  });

  test('DT-retry: HTTP 403 QpsLimitForAppkeyAndApi on the new family is retried too', async () => {
    const { client } = makeClient();
    await client.getAccessToken('api');
    await simPost('/_sim/faults', { kind: 'rate_limit', count: 1, path: '/v1.0/todo' });
    const todo = await client.createTodo(dispatcher.unionid, { subject: 'x', executorIds: [receiver.unionid] });
    expect(todo.id).toMatch(/^task/);
    const outcomes = sim.state.calls.filter((c) => c.path.startsWith('/v1.0/todo')).map((c) => c.outcome);
    expect(outcomes).toEqual(['403/Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', 'ok']);
  });

  test('DT-retry (16.1): to-do flow control and lock errors (HTTP 400) are typed as transient and retried', async () => {
    const { client } = makeClient();
    await client.getAccessToken('api');
    await simPost('/_sim/faults', { kind: 'todo_flow_control', count: 1, path: '/v1.0/todo' });
    await simPost('/_sim/faults', { kind: 'todo_lock', count: 1, path: '/v1.0/todo' });
    const todo = await client.createTodo(dispatcher.unionid, { subject: 'x', executorIds: [receiver.unionid] });
    expect(todo.id).toMatch(/^task/);
    const outcomes = sim.state.calls.filter((c) => c.path.startsWith('/v1.0/todo')).map((c) => c.outcome);
    expect(outcomes).toEqual(['400/todo.taskCreate.flowControlError', '400/todo.taskCreate.lockError', 'ok']);

    const bounded = makeClient({ maxRetries: 1 }).client;
    await simPost('/_sim/faults', { kind: 'todo_flow_control', count: 5, path: '/v1.0/todo' });
    const err = await caught(bounded.createTodo(dispatcher.unionid, { subject: 'y' }));
    expect(err).toMatchObject({
      kind: 'rate_limited',
      code: 'todo.taskCreate.flowControlError',
      httpStatus: 400,
      retryable: true,
    });
    await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    await simPost('/_sim/faults', { kind: 'todo_lock', count: 5, path: '/v1.0/todo' });
    expect(await caught(bounded.completeTodo(dispatcher.unionid, todo.id))).toMatchObject({
      kind: 'busy',
      code: 'todo.taskUpdate.lockError',
      retryable: true,
    });
  });

  test('DT-errors (16.5): 60011 is permission_denied and 60020 ip_not_allowed, neither retried', async () => {
    const { client } = makeClient();
    await client.getAccessToken('oapi');
    await simPost('/_sim/faults', { kind: 'permission_denied', count: 1, path: '/topapi/v2/user/get' });
    expect(await caught(client.getUser('admin'))).toMatchObject({
      kind: 'permission_denied',
      subCode: '60011',
      retryable: false,
    });
    await simPost('/_sim/faults', { kind: 'ip_not_allowed', count: 1, path: '/topapi/v2/user/get' });
    expect(await caught(client.getUser('admin'))).toMatchObject({
      kind: 'ip_not_allowed',
      subCode: '60020',
      retryable: false,
    });
    expect(callsTo('POST /topapi/v2/user/get')).toBe(2);
  });

  test('DT-retry: retries are bounded; the last rate-limit error is thrown, typed and retryable', async () => {
    const { client } = makeClient({ maxRetries: 2 });
    await client.getAccessToken('oapi');
    await simPost('/_sim/faults', { kind: 'rate_limit', count: 10, path: '/topapi/v2/user/get' });
    const err = await caught(client.getUser('admin'));
    expect(err).toBeInstanceOf(DingTalkApiError);
    expect(err).toMatchObject({ kind: 'rate_limited', code: 88, subCode: '90018', retryable: true, httpStatus: 200 });
    expect(callsTo('POST /topapi/v2/user/get')).toBe(3);
  });

  test('DT-retry: errcode -1 (系统繁忙) is retried, then succeeds', async () => {
    const { client, clock } = makeClient();
    await client.getAccessToken('oapi');
    await simPost('/_sim/faults', { kind: 'busy', count: 1, path: '/topapi/v2/user/get' });
    const user = await client.getUser('b1_receiver');
    expect(user.name).toBe(receiver.name);
    expect(sim.state.calls.filter((c) => c.api === 'POST /topapi/v2/user/get').map((c) => c.outcome)).toEqual([
      '-1',
      'ok',
    ]);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(100);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(200);
  });

  test('DT-retry: HTTP 5xx on either family is retried', async () => {
    const { client } = makeClient();
    await client.getAccessToken('oapi');
    await client.getAccessToken('api');
    await simPost('/_sim/faults', { kind: 'server_error', count: 1, path: '/topapi/v2/user/get' });
    await simPost('/_sim/faults', { kind: 'server_error', count: 1, path: '/v1.0/todo' });
    await client.getUser('admin');
    await client.createTodo(dispatcher.unionid, { subject: 'x' });
    const outcomes = sim.state.calls
      .filter((c) => c.api !== 'GET /gettoken' && !c.path.startsWith('/v1.0/oauth2'))
      .map((c) => c.outcome);
    expect(outcomes).toEqual(['502', 'ok', '500/InternalError', 'ok']);
  });

  test('DT-retry: a timeout is a network error, retried, then succeeds', async () => {
    const { client } = makeClient({ timeoutMs: 150 });
    await client.getAccessToken('oapi');
    await simPost('/_sim/faults', { kind: 'delay', count: 1, delayMs: 600, path: '/topapi/v2/user/get' });
    const user = await client.getUser('admin');
    expect(user.userid).toBe('admin');
    // The abandoned first request is still held by the simulator; let it finish inside this test.
    while (callsTo('POST /topapi/v2/user/get') < 2) await new Promise((r) => setTimeout(r, 50));
  });

  test('DT-retry: a refused connection ends in a typed DingTalkNetworkError after the bounded retries', async () => {
    const attempts: string[] = [];
    const { client } = makeClient({
      oapiBaseUrl: 'http://127.0.0.1:9',
      maxRetries: 1,
      onCall: (api) => attempts.push(api),
    });
    const err = await caught(client.getUser('admin'));
    expect(err).toBeInstanceOf(DingTalkNetworkError);
    expect(err).toMatchObject({ family: 'oapi', api: 'GET /gettoken', retryable: true });
    expect(attempts).toEqual(['GET /gettoken', 'GET /gettoken']);
  });

  test('DT-errors: a permission error (88 + 60011) is thrown at once, without a retry', async () => {
    const { client, clock } = makeClient();
    await simPost('/_sim/settings', { deniedScopes: ['qyapi_get_department_list'] });
    const err = await caught(client.listSubDepartments(1));
    expect(err).toBeInstanceOf(DingTalkApiError);
    expect(err).toMatchObject({
      family: 'oapi',
      httpStatus: 200,
      code: 88,
      subCode: '60011',
      kind: 'permission_denied',
      retryable: false,
    });
    expect(callsTo('POST /topapi/v2/department/listsub')).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('DT-errors: HTTP 403 AccessTokenPermissionDenied on the new family is thrown at once', async () => {
    const { client } = makeClient();
    await simPost('/_sim/faults', { kind: 'permission_denied', count: 1, path: '/v1.0/todo' });
    const err = await caught(client.createTodo(dispatcher.unionid, { subject: 'x' }));
    expect(err).toMatchObject({
      family: 'api',
      httpStatus: 403,
      code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
      kind: 'permission_denied',
      retryable: false,
    });
    expect(sim.state.calls.filter((c) => c.path.startsWith('/v1.0/todo'))).toHaveLength(1);
  });

  test('DT-errors: the oapi envelope (HTTP 200 + errcode) is typed', async () => {
    const { client } = makeClient();
    const err = await caught(client.getUser('nobody'));
    expect(err).toBeInstanceOf(DingTalkApiError);
    const e = err as DingTalkApiError;
    expect(e).toMatchObject({ family: 'oapi', httpStatus: 200, code: 60121, message: '找不到该用户', kind: 'other' });
    expect(e.subCode).toBeUndefined();
    expect(e.requestId).toMatch(/^[0-9a-f]+$/);
    expect(e.api).toBe('POST /topapi/v2/user/get');
    expect(callsTo('POST /topapi/v2/user/get')).toBe(1);
  });

  test('DT-errors: the api envelope (HTTP 4xx + {code, message, requestid}) is typed', async () => {
    const { client } = makeClient();
    const err = await caught(client.completeTodo(dispatcher.unionid, 'task-that-does-not-exist'));
    expect(err).toBeInstanceOf(DingTalkApiError);
    const e = err as DingTalkApiError;
    expect(e).toMatchObject({
      family: 'api',
      httpStatus: 400,
      code: 'todo.taskUpdate.paramError',
      message: 'task not exist',
      kind: 'other',
      retryable: false,
    });
    expect(e.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });
});

describe('limiter and call counting', () => {
  test('DT-limiter: 45 concurrent calls to one API stay under 20 in every second at DingTalk, none throttled', async () => {
    const client = new DingTalkClient({ oapiBaseUrl: sim.url, apiBaseUrl: sim.url, ...SIM_APP });
    await client.getAccessToken('oapi');
    const started = Date.now();
    await Promise.all(Array.from({ length: 45 }, () => client.getUser('admin')));
    const elapsed = Date.now() - started;

    const calls = sim.state.calls.filter((c) => c.api === 'POST /topapi/v2/user/get');
    expect(calls).toHaveLength(45);
    expect(calls.every((c) => c.outcome === 'ok')).toBe(true);
    const times = calls.map((c) => c.at).sort((a, b) => a - b);
    let maxInOneSecond = 0;
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length;
      maxInOneSecond = Math.max(maxInOneSecond, inWindow);
    }
    expect(maxInOneSecond).toBeLessThan(20);
    // 3 at once, then 16/s: about 2.6 s.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
  }, 20_000);

  test('DT-limiter: the token bucket grants at most 19 in any one second (default 16/s, burst 3)', () => {
    let t = 0;
    const bucket = new TokenBucket(16, 3, () => t);
    const grants: number[] = [];
    for (t = 0; t < 5000; t += 7) {
      while (bucket.tryTake() === 0) grants.push(t);
    }
    for (const start of grants) {
      expect(grants.filter((g) => g >= start && g < start + 1000).length).toBeLessThanOrEqual(19);
    }
    expect(grants.length).toBeGreaterThan(75);
  });

  test('DT-count: every HTTP call is counted per month in Asia/Shanghai, including token calls and retries', async () => {
    const seen: Array<[string, string]> = [];
    // 2026-01-31 16:30 UTC is 2026-02-01 00:30 in Shanghai.
    const clock = virtualClock(Date.UTC(2026, 0, 31, 16, 30));
    const c2 = new DingTalkClient({
      oapiBaseUrl: sim.url,
      apiBaseUrl: sim.url,
      ...SIM_APP,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0,
      onCall: (api, month) => seen.push([api, month]),
    });
    await simPost('/_sim/faults', { kind: 'busy', count: 1, path: '/topapi/v2/user/get' });
    await c2.getUser('admin');
    expect(seen).toEqual([
      ['GET /gettoken', '2026-02'],
      ['POST /topapi/v2/user/get', '2026-02'],
      ['POST /topapi/v2/user/get', '2026-02'],
    ]);
    expect(c2.calls.forMonth('2026-02')).toEqual({ 'GET /gettoken': 1, 'POST /topapi/v2/user/get': 2 });
    expect(c2.calls.total('2026-02')).toBe(3);
    expect(c2.calls.snapshot()).toEqual({ '2026-02': { 'GET /gettoken': 1, 'POST /topapi/v2/user/get': 2 } });
  });
});

describe('directory and login-free', () => {
  test('DT-directory: departments and people of the demo company come back as DingTalk shapes', async () => {
    const { client } = makeClient();
    const depts = await client.listSubDepartments();
    expect(depts.map((d) => [d.dept_id, d.name, d.parent_id])).toEqual(DEMO_UNITS.map((u) => [u.deptId, u.name, 1]));
    for (const unit of DEMO_UNITS) {
      const members = await client.listAllUsers(unit.deptId);
      const expected = DEMO_PEOPLE.filter((p) => p.unitCode === unit.code);
      expect(members.map((m) => [m.userid, m.unionid, m.name, m.mobile, m.title, m.leader])).toEqual(
        expected.map((p) => [p.userid, p.unionid, p.name, p.mobile, p.title, p.leader]),
      );
    }
    const leader = await client.getUser('b1_leader');
    expect(leader).toMatchObject({
      unionid: 'union-b1-leader',
      dept_id_list: [102],
      leader_in_dept: [{ dept_id: 102, leader: true }],
    });
  });

  test('DT-directory: listUsers pages with cursor / has_more / next_cursor', async () => {
    const { client } = makeClient();
    const first = await client.listUsers({ deptId: 100, cursor: 0, size: 2 });
    expect(first.has_more).toBe(true);
    expect(first.next_cursor).toBe(2);
    const second = await client.listUsers({ deptId: 100, cursor: first.next_cursor, size: 2 });
    expect(second.has_more).toBe(false);
    expect([...first.list, ...second.list].map((u) => u.userid)).toEqual([
      'dispatcher1',
      'dispatcher2',
      'ops_head',
      'admin',
    ]);
  });

  test('DT-login: an auth code is exchanged once for the person’s userid and unionid; reuse is 40078', async () => {
    const { client } = makeClient();
    const { code } = (await simPost('/_sim/auth-code', { userid: 'b2_leader' })) as { code: string };
    const info = await client.getUserInfoByCode(code);
    expect(info).toMatchObject({ userid: 'b2_leader', unionid: 'union-b2-leader', name: '吴磊' });
    const err = await caught(client.getUserInfoByCode(code));
    expect(err).toMatchObject({ code: 40078, kind: 'other', retryable: false });
  });
});

describe('work notices and to-dos', () => {
  const notice: MarkdownMessage = {
    msgtype: 'markdown',
    markdown: { title: '新工单待签收', text: '### 工单 HL-2026-0001\n请在 24 小时内签收。' },
  };

  test('R-9a: a work notice reaches the receiver; the same content again the same day is accepted but silently dropped (143106)', async () => {
    const { client } = makeClient();
    const first = await client.sendWorkNotice({ useridList: [receiver.userid], msg: notice });
    expect(first.taskId).toEqual(expect.any(Number));

    const inbox = await simGet<Array<{ taskId: number; msg: unknown; title: string }>>(
      `/_sim/messages?userid=${receiver.userid}`,
    );
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ taskId: first.taskId, msg: notice, title: '新工单待签收' });
    // 16.7: sending is asynchronous: the first progress is below 100 %, and a result read then lists nobody
    expect(await client.getSendProgress(first.taskId)).toEqual({ progress_in_percent: 50, status: 1 });
    const firstResult = (await client.getCompletedSendResult(first.taskId))!;
    expect(firstResult.unread_user_id_list).toEqual([receiver.userid]);
    expect(firstResult.forbidden_list).toEqual([]);
    expect(await client.getSendProgress(first.taskId)).toEqual({ progress_in_percent: 100, status: 2 });

    const again = await client.sendWorkNotice({ useridList: [receiver.userid], msg: notice });
    expect(again.taskId).not.toBe(first.taskId);
    expect((await client.getSendResult(again.taskId)).forbidden_list).toEqual([]);
    const result = (await client.getCompletedSendResult(again.taskId))!;
    expect(result.forbidden_list).toEqual([{ code: '143106', count: 1, userid: receiver.userid }]);
    expect(result.unread_user_id_list).toEqual([]);
    expect(await simGet<unknown[]>(`/_sim/messages?userid=${receiver.userid}`)).toHaveLength(1);
  });

  test('R-9b: a recalled notice is marked recalled for its receivers', async () => {
    const { client } = makeClient();
    const sent = await client.sendWorkNotice({ useridList: [receiver.userid], msg: notice });
    await client.recallWorkNotice(sent.taskId);
    const inbox = await simGet<Array<{ recalled: boolean }>>(`/_sim/messages?userid=${receiver.userid}`);
    expect(inbox).toEqual([expect.objectContaining({ recalled: true })]);
  });

  test('R-9a: a to-do is created for the receiver (by unionId), marked done, then deleted', async () => {
    const { client } = makeClient();
    const todo = await client.createTodo(dispatcher.unionid, {
      subject: '签收工单 HL-2026-0001',
      description: '车辆到站不停',
      executorIds: [receiver.unionid],
      detailUrl: { appUrl: 'http://localhost:3000/m/tickets/1', pcUrl: 'http://localhost:3000/m/tickets/1' },
      priority: 30,
      sourceId: 'ticket-1-assignment-1',
    });
    expect(todo).toMatchObject({
      subject: '签收工单 HL-2026-0001',
      done: false,
      executorIds: [receiver.unionid],
      creatorId: dispatcher.unionid,
    });

    let seen = await simGet<Array<{ id: string; done: boolean; role: string }>>(
      `/_sim/todos?userid=${receiver.userid}`,
    );
    expect(seen).toEqual([expect.objectContaining({ id: todo.id, done: false, role: 'executor' })]);

    await client.completeTodo(receiver.unionid, todo.id);
    seen = await simGet(`/_sim/todos?userid=${receiver.userid}`);
    expect(seen[0]).toMatchObject({ done: true });
    expect(await client.getTodo(receiver.unionid, todo.id)).toMatchObject({ done: true });

    await client.deleteTodo(dispatcher.unionid, todo.id);
    expect(await simGet<unknown[]>(`/_sim/todos?userid=${receiver.userid}`)).toEqual([]);
    const err = await caught(client.getTodo(receiver.unionid, todo.id));
    expect(err).toMatchObject({ family: 'api', httpStatus: 400, message: 'task not exist' });
  });
});

describe('JSAPI', () => {
  test('DT-jsapi: the signature is SHA-1 (lowercase hex) of jsapi_ticket, noncestr, timestamp, url in that order', () => {
    const input = {
      ticket: 'TICKET123',
      nonceStr: 'abc',
      timeStamp: 1700000000,
      url: 'https://h5.example.com/app/index.html?corpId=ding123',
    };
    const byHand = createHash('sha1')
      .update(
        'jsapi_ticket=TICKET123&noncestr=abc&timestamp=1700000000&url=https://h5.example.com/app/index.html?corpId=ding123',
      )
      .digest('hex');
    expect(jsapiSignature(input)).toBe(byHand);
    // ref §4's local vector.
    expect(jsapiSignature(input)).toBe('23360c19dbf9eafcdcc430f9e9e66255305c3739');
    expect(jsapiSignature({ ...input, url: `${input.url}#/tickets/1` })).toBe(byHand);
    expect(jsapiSignature({ ...input, timeStamp: '1700000000' })).toBe(byHand);
  });

  test('DT-jsapi (16.6): the jsapi ticket comes from POST /v1.0/oauth2/jsapiTickets with the new family token, fetched once and cached', async () => {
    const { client } = makeClient();
    const a = await client.getJsapiTicket();
    const b = await client.getJsapiTicket();
    expect(a).toBe(b);
    expect(callsTo('POST /v1.0/oauth2/jsapiTickets')).toBe(1);
    expect(callsTo('GET /get_jsapi_ticket')).toBe(0);
    expect(callsTo('POST /v1.0/oauth2/accessToken')).toBe(1);
    expect(sim.state.calls.find((c) => c.api === 'POST /v1.0/oauth2/jsapiTickets')?.outcome).toBe('ok');
  });
});
