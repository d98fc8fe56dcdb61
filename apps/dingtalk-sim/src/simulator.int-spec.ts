// The simulator over raw HTTP: what it answers must match the reference (ref §11).
import { DEMO_CORP, DEMO_PEOPLE, DEMO_UNITS } from '@hotline/demo';
import {
  SIM_AGENT_ID,
  SIM_APP,
  SIM_APP_KEY,
  SIM_APP_SECRET,
  startDingTalkSimulator,
  type RunningDingTalkSimulator,
} from './simulator';

const clock = { t: Date.UTC(2026, 2, 2, 2, 0) }; // 10:00 in Shanghai
let sim: RunningDingTalkSimulator;

beforeAll(async () => {
  sim = await startDingTalkSimulator({ port: 0, now: () => clock.t });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.state.reset();
  clock.t = Date.UTC(2026, 2, 2, 2, 0);
});

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: Record<string, unknown>;
}

async function http(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(`${sim.url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

async function legacyToken(): Promise<string> {
  const a = await http('GET', `/gettoken?appkey=${SIM_APP_KEY}&appsecret=${SIM_APP_SECRET}`);
  return a.json.access_token as string;
}

async function topapi(path: string, body: unknown, token?: string): Promise<Answer> {
  return http('POST', `${path}?access_token=${token ?? (await legacyToken())}`, { body });
}

/** ref §1: the new family's own token (16.7: the simulator refuses the other family's). */
async function newToken(): Promise<string> {
  const a = await http('POST', '/v1.0/oauth2/accessToken', {
    body: { appKey: SIM_APP_KEY, appSecret: SIM_APP_SECRET },
  });
  return a.json.accessToken as string;
}

async function api(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const t = token ?? (await newToken());
  return http(method, path, { body, headers: { 'x-acs-dingtalk-access-token': t } });
}

async function send(body: Record<string, unknown>, token?: string): Promise<Answer> {
  return topapi('/topapi/message/corpconversation/asyncsend_v2', { agent_id: Number(SIM_AGENT_ID), ...body }, token);
}

/** Waits as a careful client does: getsendprogress until the task is done (16.7: asynchronous delivery). */
async function sentInFull(taskId: unknown, token?: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const p = await topapi(
      '/topapi/message/corpconversation/getsendprogress',
      { agent_id: 100000001, task_id: taskId },
      token,
    );
    if ((p.json.progress as { status: number }).status === 2) return;
  }
  throw new Error(`task ${String(taskId)} never finished`);
}

const text = (content: string) => ({ msgtype: 'text', text: { content } });
const receiver = DEMO_PEOPLE.find((p) => p.userid === 'b1_receiver')!;
const dispatcher = DEMO_PEOPLE.find((p) => p.userid === 'dispatcher1')!;

describe('app credentials and tokens', () => {
  test('DT-sim: the demo app credentials are fixed and served at /_sim/app', async () => {
    const a = await http('GET', '/_sim/app');
    expect(a.json).toEqual({
      appKey: 'dingsimappkey0001',
      appSecret: 'sim-app-secret-0001-change-me',
      agentId: '100000001',
      corpId: DEMO_CORP.corpId,
    });
    expect(SIM_APP).toEqual(a.json);
  });

  test('DT-token: gettoken issues a 7200 s token, returns the same one while valid, and a new one after expiry', async () => {
    const first = await http('GET', `/gettoken?appkey=${SIM_APP_KEY}&appsecret=${SIM_APP_SECRET}`);
    expect(first.status).toBe(200);
    expect(first.contentType).toBe('application/json;charset=UTF-8');
    expect(first.json).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    clock.t += 3600 * 1000;
    const again = await http('GET', `/gettoken?appkey=${SIM_APP_KEY}&appsecret=${SIM_APP_SECRET}`);
    expect(again.json.access_token).toBe(first.json.access_token);
    // The new family's endpoint hands out its own token (16.7, docs/dingtalk.md).
    const modern = await http('POST', '/v1.0/oauth2/accessToken', {
      body: { appKey: SIM_APP_KEY, appSecret: SIM_APP_SECRET },
    });
    expect(modern.status).toBe(200);
    expect(modern.json).toEqual({ accessToken: expect.any(String), expireIn: 7200 });
    expect(modern.json.accessToken).not.toBe(first.json.access_token);

    // Validity was pushed to now + 7200 s by the repeat call; a second past that it is expired.
    clock.t += 7200 * 1000 + 1000;
    const old = await topapi('/topapi/v2/user/get', { userid: 'admin' }, first.json.access_token as string);
    expect(old.status).toBe(200);
    expect(old.json).toMatchObject({
      errcode: 88,
      sub_code: '40014',
      sub_msg: '不合法的access_token',
      errmsg: 'ding talk error[subcode=40014,submsg=不合法的access_token]',
    });
    expect(old.json.request_id).toEqual(expect.any(String));
    const fresh = await legacyToken();
    expect(fresh).not.toBe(first.json.access_token);
  });

  test('DT-token (16.7): each API family takes only its own token: an oapi token is refused by api endpoints and vice versa', async () => {
    const oapiToken = await legacyToken();
    const apiToken = await newToken();
    const todos = `/v1.0/todo/users/${dispatcher.unionid}/org/tasks/query`;
    const crossApi = await api('POST', todos, {}, oapiToken);
    expect(crossApi.status).toBe(400);
    expect(crossApi.json).toMatchObject({ code: 'InvalidAuthentication', message: '不合法的access_token' });
    expect((await api('POST', todos, {}, apiToken)).status).toBe(200);

    const crossOapi = await topapi('/topapi/v2/user/get', { userid: 'admin' }, apiToken);
    expect(crossOapi.json).toMatchObject({ errcode: 88, sub_code: '40014', sub_msg: '不合法的access_token' });
    expect((await topapi('/topapi/v2/user/get', { userid: 'admin' }, oapiToken)).json.errcode).toBe(0);

    // the new family's jsapi ticket endpoint (16.6) takes the new family's token only
    expect((await api('POST', '/v1.0/oauth2/jsapiTickets', undefined, oapiToken)).status).toBe(400);
    expect((await api('POST', '/v1.0/oauth2/jsapiTickets', undefined, apiToken)).json).toEqual({
      jsapiTicket: expect.any(String),
      expireIn: 7200,
    });
  });

  test('DT-token: POST /_sim/expire-tokens forces expiry; the expired flavour (42001, flat) is selectable', async () => {
    const token = await legacyToken();
    expect((await topapi('/topapi/v2/user/get', { userid: 'admin' }, token)).json.errcode).toBe(0);
    await http('POST', '/_sim/expire-tokens');
    await http('POST', '/_sim/settings', { body: { expiredTokenSubCode: '42001' } });
    expect((await topapi('/topapi/v2/user/get', { userid: 'admin' }, token)).json).toMatchObject({
      errcode: 88,
      sub_code: '42001',
      sub_msg: 'access_token超时',
    });
    await http('POST', '/_sim/settings', { body: { tokenErrorStyle: 'flat', expiredTokenSubCode: '40014' } });
    expect((await topapi('/topapi/v2/user/get', { userid: 'admin' }, token)).json).toEqual({
      errcode: 40014,
      errmsg: 'ding talk error[subcode=40014,submsg=不合法的access_token]',
      request_id: expect.any(String),
    });
  });

  test('DT-token: gettoken errors are flat: missing params 40035, bad credentials 40096, POST 43001', async () => {
    expect((await http('GET', '/gettoken')).json).toMatchObject({
      errcode: 40035,
      errmsg: '缺少参数 corpid or appkey',
    });
    expect((await http('GET', `/gettoken?appkey=${SIM_APP_KEY}&appsecret=nope`)).json).toMatchObject({
      errcode: 40096,
      errmsg: '不合法的appKey或appSecret',
    });
    const post = await http('POST', `/gettoken?appkey=${SIM_APP_KEY}&appsecret=${SIM_APP_SECRET}`);
    expect(post.status).toBe(200);
    expect(post.json).toMatchObject({ errcode: 43001, errmsg: '需要GET请求' });
  });

  test('DT-token: the new family: bad credentials 400 invalidClientIdOrSecret; token only in the header', async () => {
    const bad = await http('POST', '/v1.0/oauth2/accessToken', { body: { appKey: SIM_APP_KEY, appSecret: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      requestid: expect.any(String),
      code: 'invalidClientIdOrSecret',
      message: '无效的clientId或者clientSecret',
    });

    const token = await legacyToken();
    const path = `/v1.0/todo/users/${dispatcher.unionid}/tasks`;
    const inQuery = await http('POST', `${path}?access_token=${token}`, { body: { subject: 'x' } });
    expect(inQuery.status).toBe(400);
    expect(inQuery.json).toMatchObject({
      code: 'AuthenticationFailed.MissingParameter',
      message: '缺少参数：x-acs-dingtalk-access-token',
    });
    const bearer = await http('POST', path, { body: { subject: 'x' }, headers: { Authorization: `Bearer ${token}` } });
    expect(bearer.json.code).toBe('AuthenticationFailed.MissingParameter');
    const unknown = await api('POST', path, { subject: 'x' }, 'not-a-token');
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ code: 'InvalidAuthentication', message: '不合法的access_token' });
  });

  test('DT-token: oapi reads access_token from the query or a form body, never from the x-acs header', async () => {
    const token = await legacyToken();
    const viaHeader = await http('POST', '/topapi/v2/user/get', {
      body: { userid: 'admin' },
      headers: { 'x-acs-dingtalk-access-token': token },
    });
    expect(viaHeader.json).toMatchObject({ errcode: 88, sub_code: '40000', sub_msg: 'access_token is blank' });
    const viaForm = await http('POST', '/topapi/v2/user/get', { form: { access_token: token, userid: 'admin' } });
    expect(viaForm.json).toMatchObject({ errcode: 0, result: { userid: 'admin' } });
  });

  test('DT-jsapi: the legacy and new jsapi ticket endpoints answer the same ticket while it is valid', async () => {
    const token = await legacyToken();
    const a = await http('GET', `/get_jsapi_ticket?access_token=${token}`);
    expect(a.json).toMatchObject({ errcode: 0, errmsg: 'ok', ticket: expect.any(String), expires_in: 7200 });
    const b = await api('POST', '/v1.0/oauth2/jsapiTickets', undefined, await newToken());
    expect(b.json).toEqual({ jsapiTicket: a.json.ticket, expireIn: 7200 });
  });
});

describe('login-free auth codes', () => {
  test('DT-login: an auth code works once; a second use is 40078', async () => {
    const { json } = await http('POST', '/_sim/auth-code', { body: { userid: 'b1_receiver' } });
    const first = await topapi('/topapi/v2/user/getuserinfo', { code: json.code });
    expect(first.json).toMatchObject({
      errcode: 0,
      result: { userid: 'b1_receiver', unionid: receiver.unionid, name: receiver.name, sys: false, sys_level: 0 },
    });
    const second = await topapi('/topapi/v2/user/getuserinfo', { code: json.code });
    expect(second.json).toMatchObject({ errcode: 40078, errmsg: '不存在的临时授权码' });
  });

  test('DT-login: an auth code expires after 5 minutes (injected clock)', async () => {
    const token = await legacyToken();
    const early = (await http('POST', '/_sim/auth-code', { body: { userid: 'admin' } })).json.code;
    const late = (await http('POST', '/_sim/auth-code', { body: { userid: 'admin' } })).json.code;
    clock.t += 4 * 60 * 1000 + 59 * 1000;
    expect((await topapi('/topapi/v2/user/getuserinfo', { code: early }, token)).json.errcode).toBe(0);
    clock.t += 2000;
    expect((await topapi('/topapi/v2/user/getuserinfo', { code: late }, token)).json.errcode).toBe(40078);
  });

  test('DT-login: minting a code for an unknown person is a 404', async () => {
    const a = await http('POST', '/_sim/auth-code', { body: { userid: 'ghost' } });
    expect(a.status).toBe(404);
  });
});

describe('request validation like DingTalk', () => {
  test.each([
    { path: '/topapi/v2/user/get', body: {}, field: 'userid' },
    { path: '/topapi/v2/user/getuserinfo', body: {}, field: 'code' },
    { path: '/topapi/v2/user/list', body: { dept_id: 100, cursor: 0 }, field: 'size' },
    { path: '/topapi/user/getbyunionid', body: {}, field: 'unionid' },
    {
      path: '/topapi/message/corpconversation/asyncsend_v2',
      body: { userid_list: 'admin', msg: text('x') },
      field: 'agent_id',
    },
    {
      path: '/topapi/message/corpconversation/asyncsend_v2',
      body: { agent_id: 100000001, userid_list: 'admin' },
      field: 'msg',
    },
    {
      path: '/topapi/message/corpconversation/asyncsend_v2',
      body: { agent_id: 100000001, msg: text('x') },
      field: 'userid_list',
    },
    {
      path: '/topapi/message/corpconversation/asyncsend_v2',
      body: { agent_id: 100000001, userid_list: 'admin', msg: { msgtype: 'text', text: {} } },
      field: 'msg.text.content',
    },
    { path: '/topapi/message/corpconversation/getsendresult', body: { agent_id: 100000001 }, field: 'task_id' },
    { path: '/topapi/message/corpconversation/recall', body: { agent_id: 100000001 }, field: 'msg_task_id' },
  ])('DT-sim: $path without $field answers HTTP 200, errcode 40035 缺少参数', async ({ path, body, field }) => {
    const a = await topapi(path, body);
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ errcode: 40035, errmsg: `缺少参数 ${field}` });
  });

  test('DT-sim: asyncsend_v2 refuses a wrong agent_id, bad msgtype, lists as arrays, too many recipients and a msg over 2048 bytes', async () => {
    const token = await legacyToken();
    expect((await send({ agent_id: 42, userid_list: 'admin', msg: text('x') }, token)).json).toMatchObject({
      errcode: 40056,
    });
    expect((await send({ userid_list: 'admin', msg: { msgtype: 'video', video: {} } }, token)).json).toMatchObject({
      errcode: 40008,
    });
    expect((await send({ userid_list: ['admin'], msg: text('x') }, token)).json).toMatchObject({ errcode: 40035 });
    const many = Array.from({ length: 101 }, (_, i) => `u${i}`).join(',');
    expect((await send({ userid_list: many, msg: text('x') }, token)).json).toMatchObject({ errcode: 40032 });
    const depts = Array.from({ length: 21 }, (_, i) => String(i + 2)).join(',');
    expect((await send({ dept_id_list: depts, msg: text('x') }, token)).json).toMatchObject({ errcode: 40066 });
    expect((await send({ userid_list: 'admin', msg: text('长'.repeat(700)) }, token)).json).toMatchObject({
      errcode: 45002,
    });
    expect(sim.state.deliveries).toEqual([]);
  });

  test('DT-sim: user/list refuses size over 100 and unknown departments (60003); user/get unknown user is 60121', async () => {
    const token = await legacyToken();
    expect((await topapi('/topapi/v2/user/list', { dept_id: 100, cursor: 0, size: 101 }, token)).json.errcode).toBe(
      40035,
    );
    expect((await topapi('/topapi/v2/user/list', { dept_id: 999, cursor: 0, size: 10 }, token)).json).toMatchObject({
      errcode: 60003,
    });
    expect((await topapi('/topapi/v2/user/get', { userid: 'ghost' }, token)).json).toMatchObject({
      errcode: 60121,
      errmsg: '找不到该用户',
    });
  });

  test('DT-sim: to-do endpoints answer HTTP 400 for a missing subject, userids instead of unionIds, and unknown tasks', async () => {
    const apiToken = await newToken();
    const base = `/v1.0/todo/users/${dispatcher.unionid}/tasks`;
    const noSubject = await api('POST', base, { description: 'x' }, apiToken);
    expect(noSubject.status).toBe(400);
    expect(noSubject.json).toMatchObject({ code: 'todo.taskCreate.paramError', requestid: expect.any(String) });
    const userids = await api('POST', base, { subject: 'x', executorIds: ['b1_receiver'] }, apiToken);
    expect(userids.status).toBe(400);
    expect(userids.json.message).toContain('b1_receiver');
    const byUserid = await api('POST', '/v1.0/todo/users/dispatcher1/tasks', { subject: 'x' }, apiToken);
    expect(byUserid.status).toBe(400);
    const update = await api('PUT', `${base}/nope`, { done: true }, apiToken);
    expect(update.status).toBe(400);
    expect(update.json).toMatchObject({ code: 'todo.taskUpdate.paramError', message: 'task not exist' });
    const del = await api('DELETE', `${base}/nope`, undefined, apiToken);
    expect(del.status).toBe(400);
    expect(del.json.message).toBe('task not exist');
  });

  test('DT-sim: unknown paths: oapi errcode 22 on HTTP 200, api HTTP 404', async () => {
    const a = await topapi('/topapi/flow/Form/save', {});
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({
      errcode: 22,
      errmsg: 'Invalid method[submsg=不合法ApiName，ApiName = dingtalk.oapi.flow.Form.save]',
    });
    const b = await api('GET', '/v1.0/nothing/here');
    expect(b.status).toBe(404);
    expect(b.json.code).toEqual(expect.any(String));
  });
});

describe('throttling (20 calls/s per app and API)', () => {
  test('DT-sim: the 21st call to one API within a second is 88 + sub_code 90018 on HTTP 200; other APIs and the next second are fine', async () => {
    const token = await legacyToken();
    for (let i = 0; i < 20; i++) {
      expect((await topapi('/topapi/v2/user/get', { userid: 'admin' }, token)).json.errcode).toBe(0);
    }
    const over = await topapi('/topapi/v2/user/get', { userid: 'admin' }, token);
    expect(over.status).toBe(200);
    expect(over.json).toMatchObject({ errcode: 88, sub_code: '90018' });
    expect(String(over.json.errmsg)).toMatch(/^ding talk error\[subcode=90018,submsg=/);
    expect((await topapi('/topapi/v2/department/listsub', { dept_id: 1 }, token)).json.errcode).toBe(0);
    clock.t += 1000;
    expect((await topapi('/topapi/v2/user/get', { userid: 'admin' }, token)).json.errcode).toBe(0);
  });

  test('DT-sim: on the new family the 21st call is HTTP 403 Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', async () => {
    const apiToken = await newToken();
    for (let i = 0; i < 20; i++) {
      expect(
        (await api('POST', `/v1.0/todo/users/${dispatcher.unionid}/tasks`, { subject: `t${i}` }, apiToken)).status,
      ).toBe(200);
    }
    const over = await api('POST', `/v1.0/todo/users/${dispatcher.unionid}/tasks`, { subject: 'over' }, apiToken);
    expect(over.status).toBe(403);
    expect(over.json).toMatchObject({
      code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
      requestid: expect.any(String),
    });
  });
});

describe('work notices', () => {
  test('R-9a: a department recipient list reaches sub-departments; unknown ids are reported, not refused', async () => {
    await http('POST', '/_sim/org/departments', { body: { deptId: 1021, name: '第一分公司车队', parentId: 102 } });
    await http('POST', '/_sim/org/users', {
      body: { userid: 'b1_driver', name: '钱多', deptId: 1021, title: '驾驶员' },
    });
    const token = await legacyToken();
    const sent = await send({ dept_id_list: '102,999', userid_list: 'ghost', msg: text('通知') }, token);
    expect(sent.json).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      task_id: expect.any(Number),
      request_id: expect.any(String),
    });
    await sentInFull(sent.json.task_id, token);
    const result = await topapi(
      '/topapi/message/corpconversation/getsendresult',
      { agent_id: 100000001, task_id: sent.json.task_id },
      token,
    );
    const r = result.json.send_result as Record<string, unknown>;
    expect(r.invalid_user_id_list).toEqual(['ghost']);
    expect(r.invalid_dept_id_list).toEqual([999]);
    expect([...(r.unread_user_id_list as string[])].sort()).toEqual(['b1_driver', 'b1_leader', 'b1_receiver']);
  });

  test('R-9a: over 500 notices to one person in a day are accepted but dropped (143105); the next day they arrive again', async () => {
    await http('POST', '/_sim/settings', { body: { throttle: false } });
    const token = await legacyToken();
    for (let i = 0; i < 500; i++) {
      expect((await send({ userid_list: receiver.userid, msg: text(`工单 ${i}`) }, token)).json.errcode).toBe(0);
    }
    const over = await send({ userid_list: receiver.userid, msg: text('工单 500') }, token);
    expect(over.json).toMatchObject({ errcode: 0, task_id: expect.any(Number) });
    await sentInFull(over.json.task_id, token);
    const result = await topapi(
      '/topapi/message/corpconversation/getsendresult',
      { agent_id: 100000001, task_id: over.json.task_id },
      token,
    );
    expect(result.json.send_result).toMatchObject({
      forbidden_list: [{ code: '143105', count: 500, userid: receiver.userid }],
      forbidden_user_id_list: [receiver.userid],
      unread_user_id_list: [],
    });
    expect(sim.state.messagesFor(receiver.userid)).toHaveLength(500);

    clock.t = Date.UTC(2026, 2, 2, 16, 0); // 00:00 on 3 March in Shanghai
    expect((await send({ userid_list: receiver.userid, msg: text('工单 0') })).json.errcode).toBe(0);
    expect(sim.state.messagesFor(receiver.userid)).toHaveLength(501);
  }, 30_000);

  test('R-9a: getsendresult reports read and unread; results and recall are refused after 24 hours', async () => {
    const token = await legacyToken();
    const sent = await send({ userid_list: `${receiver.userid},b1_leader`, msg: text('请签收') }, token);
    await http('POST', '/_sim/messages/read', { body: { userid: receiver.userid } });
    await sentInFull(sent.json.task_id, token);
    const result = await topapi(
      '/topapi/message/corpconversation/getsendresult',
      { agent_id: 100000001, task_id: sent.json.task_id },
      token,
    );
    expect(result.json.send_result).toMatchObject({
      read_user_id_list: [receiver.userid],
      unread_user_id_list: ['b1_leader'],
    });

    clock.t += 24 * 3600 * 1000 + 1000;
    const fresh = await legacyToken();
    const late = await topapi(
      '/topapi/message/corpconversation/getsendresult',
      { agent_id: 100000001, task_id: sent.json.task_id },
      fresh,
    );
    expect(late.json.errcode).toBe(40035);
    const recall = await topapi(
      '/topapi/message/corpconversation/recall',
      { agent_id: 100000001, msg_task_id: sent.json.task_id },
      fresh,
    );
    expect(recall.json.errcode).toBe(40035);
  });

  test('R-9a: a busy answer after delivery (fault afterHandling) means a retry is silently dropped as duplicate content', async () => {
    const token = await legacyToken();
    await http('POST', '/_sim/faults', {
      body: { kind: 'busy', count: 1, path: '/topapi/message/corpconversation/asyncsend_v2', afterHandling: true },
    });
    const first = await send({ userid_list: receiver.userid, msg: text('重复') }, token);
    expect(first.json).toMatchObject({ errcode: -1, errmsg: '系统繁忙' });
    const retry = await send({ userid_list: receiver.userid, msg: text('重复') }, token);
    expect(retry.json.errcode).toBe(0);
    await sentInFull(retry.json.task_id, token);
    const result = await topapi(
      '/topapi/message/corpconversation/getsendresult',
      { agent_id: 100000001, task_id: retry.json.task_id },
      token,
    );
    expect(result.json.send_result).toMatchObject({
      forbidden_list: [{ code: '143106', count: 1, userid: receiver.userid }],
    });
    expect(sim.state.messagesFor(receiver.userid)).toHaveLength(1);
  });

  test('R-9a: msg given as a JSON string is accepted, and the OA status bar can be updated', async () => {
    const token = await legacyToken();
    const oa = {
      msgtype: 'oa',
      oa: {
        message_url: 'http://localhost:3000/m',
        head: { bgcolor: 'FFBBBBBB', text: '热线' },
        body: { title: '工单' },
      },
    };
    const sent = await send({ userid_list: receiver.userid, msg: JSON.stringify(oa) }, token);
    expect(sent.json.errcode).toBe(0);
    const upd = await topapi(
      '/topapi/message/corpconversation/status_bar/update',
      { agent_id: 100000001, task_id: sent.json.task_id, status_value: '已签收', status_bg: '0xFF78C06E' },
      token,
    );
    expect(upd.json.errcode).toBe(0);
    const inbox = (await http('GET', `/_sim/messages?userid=${receiver.userid}`)).json as unknown as Array<
      Record<string, unknown>
    >;
    expect(inbox[0]).toMatchObject({ msg: oa, statusBar: { statusValue: '已签收', statusBg: '0xFF78C06E' } });
  });

  test('R-9a: /_sim/messages lists what a person received, newest first, with the parsed msg and browser links', async () => {
    const token = await legacyToken();
    const url = 'http://localhost:3000/m/tickets/7?from=notice';
    const card = {
      msgtype: 'action_card',
      action_card: {
        title: '新工单',
        markdown: '请签收',
        single_title: '查看详情',
        single_url: `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=true`,
      },
    };
    await send({ userid_list: receiver.userid, msg: text('第一条') }, token);
    clock.t += 60_000;
    await send({ userid_list: receiver.userid, msg: card }, token);
    const inbox = (await http('GET', `/_sim/messages?userid=${receiver.userid}`)).json as unknown as Array<
      Record<string, unknown>
    >;
    expect(inbox.map((m) => m.msgtype)).toEqual(['action_card', 'text']);
    expect(inbox[0]).toMatchObject({
      msg: card,
      title: '新工单',
      links: [{ label: '查看详情', href: url }],
      read: false,
    });
  });
});

describe('to-dos', () => {
  test('R-9a: create / per-executor status / done / delete, keyed by unionId', async () => {
    const apiToken = await newToken();
    const base = `/v1.0/todo/users/${dispatcher.unionid}/tasks`;
    const created = await api(
      'POST',
      `${base}?operatorId=${dispatcher.unionid}`,
      { subject: '签收工单', executorIds: [receiver.unionid, 'union-b1-leader'], sourceId: 'a-1', priority: 20 },
      apiToken,
    );
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^task/),
      done: false,
      creatorId: dispatcher.unionid,
      sourceId: 'a-1',
    });
    const id = created.json.id as string;
    const dup = await api('POST', base, { subject: '签收工单', sourceId: 'a-1' }, apiToken);
    expect(dup.json).toMatchObject({ code: 'todo.taskCreate.paramError', message: 'task exist' });

    const status = await api(
      'PUT',
      `/v1.0/todo/users/${receiver.unionid}/tasks/${id}/executorStatus?operatorId=${receiver.unionid}`,
      { executorStatusList: [{ id: receiver.unionid, isDone: true }] },
      apiToken,
    );
    expect(status.json).toMatchObject({ result: true });
    const receiverView = (await http('GET', `/_sim/todos?userid=${receiver.userid}`)).json as unknown as Array<
      Record<string, unknown>
    >;
    const leaderView = (await http('GET', '/_sim/todos?userid=b1_leader')).json as unknown as Array<
      Record<string, unknown>
    >;
    expect(receiverView[0]).toMatchObject({ id, done: true });
    expect(leaderView[0]).toMatchObject({ id, done: false });

    const done = await api('PUT', `${base}/${id}?operatorId=${dispatcher.unionid}`, { done: true }, apiToken);
    expect(done.json).toMatchObject({ result: true, requestId: expect.any(String) });
    const got = await api('GET', `${base}/${id}`, undefined, apiToken);
    expect(got.json).toMatchObject({ done: true, finishTime: clock.t });

    const del = await api('DELETE', `${base}/${id}?operatorId=${dispatcher.unionid}`, undefined, apiToken);
    expect(del.json).toMatchObject({ result: true });
    const gone = await api('GET', `${base}/${id}`, undefined, apiToken);
    expect(gone.status).toBe(400);
    expect(gone.text).toContain('task not exist');
    expect((await http('GET', `/_sim/todos?userid=${receiver.userid}`)).json).toEqual([]);
  });
});

describe('org changes for org-sync tests', () => {
  test('DT-sim: the demo company is served as departments under root 1 with its people', async () => {
    const token = await legacyToken();
    const subs = await topapi('/topapi/v2/department/listsub', {}, token);
    expect(subs.json.result).toEqual(
      DEMO_UNITS.map((u) => ({
        dept_id: u.deptId,
        name: u.name,
        parent_id: 1,
        create_dept_group: false,
        auto_add_user: false,
      })),
    );
    for (const p of DEMO_PEOPLE) {
      const unit = DEMO_UNITS.find((u) => u.code === p.unitCode)!;
      const u = await topapi('/topapi/v2/user/get', { userid: p.userid }, token);
      expect(u.json.result).toMatchObject({
        userid: p.userid,
        unionid: p.unionid,
        name: p.name,
        mobile: p.mobile,
        title: p.title,
        dept_id_list: [unit.deptId],
        leader_in_dept: [{ dept_id: unit.deptId, leader: p.leader }],
      });
    }
    const byUnion = await topapi('/topapi/user/getbyunionid', { unionid: 'union-ops-head' }, token);
    expect(byUnion.json.result).toEqual({ contact_type: 0, userid: 'ops_head' });
  });

  test('DT-sim: people and departments can be added, moved and removed through /_sim/org', async () => {
    const add = await http('POST', '/_sim/org/users', {
      body: { userid: 'fare_new', name: '新人', deptId: 105, title: '接单员', mobile: '13911112222' },
    });
    expect(add.status).toBe(201);
    expect(add.json).toMatchObject({ unionid: 'union-fare-new', dept_id_list: [105] });
    expect(
      (await http('POST', '/_sim/org/users', { body: { userid: 'fare_new', name: 'x', deptId: 105 } })).status,
    ).toBe(409);
    expect((await http('POST', '/_sim/org/users', { body: { userid: 'x', name: 'x', deptId: 4242 } })).status).toBe(
      404,
    );
    expect((await http('POST', '/_sim/org/users', { body: { userid: 'x' } })).status).toBe(400);

    const moved = await http('PATCH', '/_sim/org/users/fare_new', { body: { deptIds: [104], leader: true } });
    expect(moved.json).toMatchObject({ dept_id_list: [104], leader_in_dept: [{ dept_id: 104, leader: true }] });

    const dept = await http('POST', '/_sim/org/departments', { body: { name: '稽查队', parentId: 105 } });
    expect(dept.status).toBe(201);
    const deptId = dept.json.dept_id as number;
    const token = await legacyToken();
    expect((await topapi('/topapi/v2/department/listsub', { dept_id: 105 }, token)).json.result).toEqual([
      expect.objectContaining({ dept_id: deptId, name: '稽查队', parent_id: 105 }),
    ]);
    await http('PATCH', `/_sim/org/departments/${deptId}`, { body: { parentId: 1, name: '稽查中心' } });
    const safetyList = await topapi('/topapi/v2/user/list', { dept_id: 104, cursor: 0, size: 100 }, token);
    expect((safetyList.json.result as { list: Array<{ userid: string }> }).list.map((u) => u.userid)).toContain(
      'fare_new',
    );

    expect((await http('DELETE', '/_sim/org/departments/104')).status).toBe(409);
    expect((await http('DELETE', '/_sim/org/users/fare_new')).status).toBe(200);
    expect((await topapi('/topapi/v2/user/get', { userid: 'fare_new' }, token)).json.errcode).toBe(60121);
    expect((await http('DELETE', `/_sim/org/departments/${deptId}`)).status).toBe(200);
    expect((await http('PATCH', '/_sim/org/departments/100', { body: { parentId: 100 } })).status).toBe(409);

    await http('POST', '/_sim/reset');
    expect((await http('GET', '/_sim/org')).json.users).toHaveLength(DEMO_PEOPLE.length);
  });
});

describe('root members and hidden employees (issue 13.4, issue 16.7)', () => {
  const ids = (a: Answer) => (a.json.result as { list: Array<{ userid: string }> }).list.map((u) => u.userid);

  test('DT-sim: members of the root department are listed by user/list with dept_id 1', async () => {
    expect(
      (await http('POST', '/_sim/org/users', { body: { userid: 'boss', name: '总经理', deptId: 1 } })).status,
    ).toBe(201);
    const token = await legacyToken();
    expect(ids(await topapi('/topapi/v2/user/list', { dept_id: 1, cursor: 0, size: 100 }, token))).toEqual(['boss']);
    // listsub stays one level below the root: the root's own members are only reachable through user/list.
    const subs = await topapi('/topapi/v2/department/listsub', { dept_id: 1 }, token);
    expect((subs.json.result as Array<{ dept_id: number }>).map((d) => d.dept_id)).not.toContain(1);
  });

  test('DT-sim: a hidden employee is left out of user/list unless contain_access_limit is true', async () => {
    await http('POST', '/_sim/org/users', { body: { userid: 'secret1', name: '隐身', deptId: 105, hidden: true } });
    await http('PATCH', '/_sim/org/users/fare_receiver', { body: { hidden: true } });
    const token = await legacyToken();
    const list = (extra: Record<string, unknown>) =>
      topapi('/topapi/v2/user/list', { dept_id: 105, cursor: 0, size: 100, ...extra }, token);
    expect(ids(await list({}))).toEqual(['fare_leader']);
    expect(ids(await list({ contain_access_limit: false }))).toEqual(['fare_leader']);
    // Stricter than the documentation says: only the JSON boolean true opens the list.
    expect(ids(await list({ contain_access_limit: 'true' }))).toEqual(['fare_leader']);
    expect(ids(await list({ contain_access_limit: true })).sort()).toEqual(['fare_leader', 'fare_receiver', 'secret1']);
    // Paging counts the visible list only: no page is short because of a hidden person.
    const page = await topapi('/topapi/v2/user/list', { dept_id: 105, cursor: 0, size: 1 }, token);
    expect(page.json.result).toMatchObject({ has_more: false, list: [{ userid: 'fare_leader' }] });
    // user/get still finds a hidden person by userid.
    expect((await topapi('/topapi/v2/user/get', { userid: 'secret1' }, token)).json.errcode).toBe(0);
    expect((await http('GET', '/_sim/org')).json.users).toContainEqual(
      expect.objectContaining({ userid: 'secret1', hidden: true }),
    );
  });
});

describe('demo page', () => {
  test('R-9a: the page lists people and shows a person’s notices and to-dos with links a browser can open', async () => {
    const token = await legacyToken();
    const url = 'http://localhost:3000/m/tickets/9';
    await send(
      {
        userid_list: receiver.userid,
        msg: {
          msgtype: 'action_card',
          action_card: {
            title: '新工单<script>',
            markdown: '请签收',
            single_title: '查看详情',
            single_url: `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=true`,
          },
        },
      },
      token,
    );
    await api(
      'POST',
      `/v1.0/todo/users/${dispatcher.unionid}/tasks`,
      {
        subject: '签收工单 9',
        executorIds: [receiver.unionid],
        detailUrl: {
          appUrl: `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}`,
          pcUrl: `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=true`,
        },
      },
      await newToken(),
    );

    const home = await http('GET', '/');
    expect(home.status).toBe(200);
    expect(home.contentType).toContain('text/html');
    for (const p of DEMO_PEOPLE) expect(home.text).toContain(p.name);

    const page = await http('GET', `/?userid=${receiver.userid}`);
    expect(page.text).toContain('工作通知（1）');
    expect(page.text).toContain('待办（1）');
    expect(page.text).toContain(`href="${url}"`);
    expect(page.text).not.toContain('href="dingtalk://');
    expect(page.text).toContain('新工单&lt;script&gt;');
    expect(page.text).not.toContain('新工单<script>');
    // Viewing the notices marks them read, as opening the chat would.
    expect(sim.state.messagesFor(receiver.userid)[0]!.read).toBe(true);
  });
});

describe('at least as strict as DingTalk (issue 16 item 7)', () => {
  test('DT-todo (16.7): flow-control and lock errors are injectable: HTTP 400 todo.taskCreate.flowControlError / lockError, then the call passes', async () => {
    const base = `/v1.0/todo/users/${dispatcher.unionid}/tasks`;
    await http('POST', '/_sim/faults', { body: { kind: 'todo_flow_control', path: '/v1.0/todo' } });
    const flow = await api('POST', base, { subject: '签收工单' });
    expect(flow.status).toBe(400);
    expect(flow.json).toMatchObject({ code: 'todo.taskCreate.flowControlError', requestid: expect.any(String) });
    await http('POST', '/_sim/faults', { body: { kind: 'todo_lock', path: '/v1.0/todo' } });
    expect((await api('POST', base, { subject: '签收工单' })).json.code).toBe('todo.taskCreate.lockError');
    const created = await api('POST', base, { subject: '签收工单' });
    expect(created.status).toBe(200);
    await http('POST', '/_sim/faults', { body: { kind: 'todo_lock', path: '/v1.0/todo' } });
    const update = await api('PUT', `${base}/${String(created.json.id)}`, { done: true });
    expect(update.json.code).toBe('todo.taskUpdate.lockError');
  });

  test('DT-todo (16.7): to-do ownership is checked on read and update: someone else’s unionId in the path is refused', async () => {
    const base = `/v1.0/todo/users/${dispatcher.unionid}/tasks`;
    const created = await api('POST', base, { subject: '签收工单', executorIds: [receiver.unionid] });
    const id = String(created.json.id);
    const stranger = 'union-b2-receiver';
    const read = await api('GET', `/v1.0/todo/users/${stranger}/tasks/${id}`);
    expect(read.status).toBe(403);
    expect(read.json.code).toBe('Forbidden.AccessDenied.NoPermission');
    const update = await api('PUT', `/v1.0/todo/users/${stranger}/tasks/${id}`, { done: true });
    expect(update.status).toBe(403);
    const status = await api('PUT', `/v1.0/todo/users/${stranger}/tasks/${id}/executorStatus`, {
      executorStatusList: [{ id: stranger, isDone: true }],
    });
    expect(status.status).toBe(403);
    expect((await api('DELETE', `/v1.0/todo/users/${stranger}/tasks/${id}`)).status).toBe(403);
    // the owner and the executor may
    expect((await api('GET', `/v1.0/todo/users/${receiver.unionid}/tasks/${id}`)).status).toBe(200);
    expect((await api('PUT', `${base}/${id}`, { done: true })).json).toMatchObject({ result: true });
  });

  test('DT-notice (16.7): delivery is asynchronous: progress is below 100 % at first, and the result lists nothing until it is done', async () => {
    const token = await legacyToken();
    const sent = await send({ userid_list: receiver.userid, msg: text('异步投递') }, token);
    const taskId = sent.json.task_id;
    const result = () =>
      topapi('/topapi/message/corpconversation/getsendresult', { agent_id: 100000001, task_id: taskId }, token);
    expect((await result()).json.send_result).toMatchObject({ unread_user_id_list: [], forbidden_list: [] });
    const first = await topapi(
      '/topapi/message/corpconversation/getsendprogress',
      { agent_id: 100000001, task_id: taskId },
      token,
    );
    expect(first.json.progress).toEqual({ progress_in_percent: 50, status: 1 });
    await sentInFull(taskId, token);
    expect((await result()).json.send_result).toMatchObject({ unread_user_id_list: [receiver.userid] });

    // a task also completes with time (60 s on the simulator's clock) without being polled
    const later = await send({ userid_list: receiver.userid, msg: text('异步投递 2') }, token);
    clock.t += 60_000;
    const done = await topapi(
      '/topapi/message/corpconversation/getsendprogress',
      { agent_id: 100000001, task_id: later.json.task_id },
      token,
    );
    expect(done.json.progress).toEqual({ progress_in_percent: 100, status: 2 });
  });

  test('DT-notice (16.7): silent drops 143103–143106, 1430002, 1430004 are accepted with a task id and reported in forbidden_list', async () => {
    const token = await legacyToken();
    for (const code of ['143103', '143104', '143105', '143106', '1430002', '1430004']) {
      expect((await http('POST', '/_sim/notice-drops', { body: { userid: receiver.userid, code } })).status).toBe(200);
      const sent = await send({ userid_list: `${receiver.userid},b1_leader`, msg: text(`被拦截 ${code}`) }, token);
      expect(sent.json).toMatchObject({ errcode: 0, task_id: expect.any(Number) });
      await sentInFull(sent.json.task_id, token);
      const result = await topapi(
        '/topapi/message/corpconversation/getsendresult',
        { agent_id: 100000001, task_id: sent.json.task_id },
        token,
      );
      expect(result.json.send_result).toMatchObject({
        forbidden_list: [{ code, count: 1, userid: receiver.userid }],
        forbidden_user_id_list: [receiver.userid],
        unread_user_id_list: ['b1_leader'],
      });
    }
    expect((await http('POST', '/_sim/notice-drops', { body: { userid: receiver.userid, code: '1' } })).status).toBe(
      400,
    );
  });

  test('DT-notice (16.7): more than 5,000 recipients in one minute: the rest are dropped with 143103 until the next minute', async () => {
    const token = await legacyToken();
    // 100 userids per call (ref §5.1); the demo company is small, so the count is filled directly
    await http('POST', '/_sim/settings', { body: { throttle: false } });
    const state = sim.state as unknown as { minuteRecipients: Map<string, number> };
    state.minuteRecipients.set(`${SIM_APP_KEY}|${Math.floor(clock.t / 60_000)}`, 5000);
    const sent = await send({ userid_list: receiver.userid, msg: text('第 5001 人') }, token);
    await sentInFull(sent.json.task_id, token);
    const result = await topapi(
      '/topapi/message/corpconversation/getsendresult',
      { agent_id: 100000001, task_id: sent.json.task_id },
      token,
    );
    expect(result.json.send_result).toMatchObject({ forbidden_list: [{ code: '143103', userid: receiver.userid }] });
    clock.t += 60_000;
    await send({ userid_list: receiver.userid, msg: text('下一分钟') }, token);
    expect(sim.state.messagesFor(receiver.userid).map((d) => (d.msg.text as { content: string }).content)).toEqual([
      '下一分钟',
    ]);
  });

  test('DT-notice (16.7): every limited field of a message is checked in bytes: title, button, link, text; 45002 names the field', async () => {
    const token = await legacyToken();
    const card = (over: Record<string, string>) => ({
      msgtype: 'action_card',
      action_card: {
        title: '新工单',
        markdown: '请签收',
        single_title: '查看',
        single_url: 'https://h.example.com/',
        ...over,
      },
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [card({ title: '工'.repeat(43) }), 'msg.action_card.title'],
      [card({ single_title: '查'.repeat(22) }), 'msg.action_card.single_title'],
      [card({ single_url: `https://h.example.com/${'x'.repeat(1010)}` }), 'msg.action_card.single_url'],
      [text('字'.repeat(501)), 'msg.text.content'],
      [{ msgtype: 'markdown', markdown: { title: '题'.repeat(43), text: 'x' } }, 'msg.markdown.title'],
      [
        {
          msgtype: 'oa',
          oa: { message_url: 'https://h.example.com/', head: { bgcolor: 'FFBBBBBB', text: '头'.repeat(43) }, body: {} },
        },
        'msg.oa.head.text',
      ],
    ];
    for (const [msg, field] of cases) {
      const answer = await send({ userid_list: receiver.userid, msg }, token);
      expect(answer.json.errcode).toBe(45002);
      expect(String(answer.json.errmsg)).toContain(field);
    }
    // just inside the limits is accepted (42 × 3 = 126 bytes)
    expect(
      (await send({ userid_list: receiver.userid, msg: card({ title: '工'.repeat(42) }) }, token)).json.errcode,
    ).toBe(0);

    // to-do subject and description are bytes too (1,024 / 4,096)
    const base = `/v1.0/todo/users/${dispatcher.unionid}/tasks`;
    const subject = await api('POST', base, { subject: '办'.repeat(342) });
    expect(subject.json).toMatchObject({ code: 'todo.taskCreate.paramError', message: 'subject is oversize' });
    const description = await api('POST', base, { subject: 'x', description: '述'.repeat(1366) });
    expect(description.json.message).toBe('description is oversize');
  });

  test('DT-login (16.5): an IP not on the allow-list is injectable: 88 + 60020 on the legacy family', async () => {
    await http('POST', '/_sim/faults', { body: { kind: 'ip_not_allowed', path: '/topapi/v2/user/getuserinfo' } });
    const answer = await topapi('/topapi/v2/user/getuserinfo', { code: 'x' });
    expect(answer.json).toMatchObject({ errcode: 88, sub_code: '60020' });
    expect(String(answer.json.sub_msg)).toContain('白名单');
  });
});
