// DingTalk for real (issue 4): notices and to-dos through the outbox to the local simulator,
// sign-in with an auth code, organisation sync. Real PostgreSQL, real HTTP to the simulator.
import { Client } from 'pg';
import type { OutboxSender } from '../apps/worker/src/outbox/outbox-sender.service';
import { NoticeDeliveryCheckService } from '@hotline/tickets';
import type { TestApp } from './support/app';
import { startDingTalkStack, type DingTalkStack, type Sim } from './support/dingtalk-stack';
import { ApiClient, replyBody } from './support/api-client';
import { createTestSender } from './support/worker';

describe('DingTalk delivery through the outbox', () => {
  let sim: Sim;
  let t: TestApp;
  let api: ApiClient;
  let sender: OutboxSender;
  let stack: DingTalkStack;

  beforeAll(async () => {
    stack = await startDingTalkStack({ dbSuffix: 'dingtalk' });
    ({ sim, t, api, sender } = stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  const now = () => t.clock.now();
  const messages = (userid: string) => stack.messages(userid);
  const todos = (userid: string): Promise<any[]> => stack.todos(userid);
  const list = (x: any) => (Array.isArray(x) ? x : (x.messages ?? x.todos ?? x.items ?? []));

  async function step(userid: string, id: string, action: string, body: unknown = {}) {
    t.clock.advance(5 * 60_000); // people take a few minutes between steps
    const r = await api.ok(userid, id, action, body);
    const report = await sender.drain();
    expect(report.failed).toBe(0);
    return r;
  }

  it('R-9a, R-8: a chain-B walk leaves each person exactly the notices and to-dos they should have; all to-dos are done at the end', async () => {
    await stack.simPost('/_sim/reset', {});
    const created = await api.createTicket('dispatcher1', {
      source: 'mayor_hotline',
      subject: '张三丰投诉12路司机 13812345678',
    });
    const id = created.id;
    await step('dispatcher1', id, 'dispatch', {
      assignments: [
        { unit: 'branch1', role: 'lead' },
        { unit: 'fare', role: 'co' },
      ],
    });

    // R-9a: every receiver of each unit gets a work notice and a to-do at once.
    const b1 = list(await messages('b1_receiver'));
    expect(b1).toHaveLength(1);
    expect(b1[0].title).toContain('新工单待签收');
    // 13.5: the link carries the corp id, so a person without a session signs in through it
    expect(b1[0].links[0].href).toBe(`http://hotline.test/?corpId=dingdemocorp0000000001#/ticket/${id}`);
    expect(b1[0].links[0].original).toMatch(/^dingtalk:\/\/dingtalkclient\/page\/link\?url=/);
    expect(list(await todos('b1_receiver')).filter((x: any) => !x.done)).toHaveLength(1);

    await step('fare_receiver', id, 'accept');
    await step('b1_receiver', id, 'accept');
    await step('fare_receiver', id, 'submit_reply', replyBody(now()));
    await step('fare_leader', id, 'approve_reply');
    await step('b1_receiver', id, 'submit_reply', replyBody(now()));
    await step('b1_leader', id, 'approve_reply');
    await step('dispatcher1', id, 'pass_review');
    await step('ops_head', id, 'pass_review');
    await step('office_reviewer', id, 'send_back', { comment: '措辞需修改' });
    await step('b1_receiver', id, 'submit_reply', replyBody(now(), { content: '修改后的答复' }));
    await step('b1_leader', id, 'approve_reply');
    await step('dispatcher1', id, 'pass_review');
    await step('ops_head', id, 'pass_review');
    await step('office_reviewer', id, 'pass_review');
    const closed = await step('dispatcher1', id, 'report_upstream');
    expect(closed.status).toBe('closed');

    const titles = async (u: string) =>
      list(await messages(u))
        .map((m: any) => m.title.split(' ')[0])
        .sort();
    expect(await titles('b1_receiver')).toEqual(
      ['会办单位已回复', '工单已办结', '工单需重新办理', '新工单待签收'].sort(),
    );
    expect(await titles('fare_receiver')).toEqual(['工单已办结', '新工单待签收'].sort());
    expect(await titles('b1_leader')).toEqual(['回复待审批', '回复待审批']);
    expect(await titles('fare_leader')).toEqual(['回复待审批']);
    expect(await titles('ops_head')).toEqual(['工单待审核', '工单待审核']);
    expect(await titles('office_reviewer')).toEqual(['工单待审核', '工单待审核']);
    expect(await titles('dispatcher1')).toEqual(['工单待审核', '工单待审核', '工单待审核']);
    expect(await titles('b2_receiver')).toEqual([]);

    // Every to-do anyone got for this ticket is done now that it is closed.
    for (const u of [
      'b1_receiver',
      'fare_receiver',
      'b1_leader',
      'fare_leader',
      'dispatcher1',
      'ops_head',
      'office_reviewer',
    ]) {
      const open = list(await todos(u)).filter((x: any) => !x.done);
      expect({ u, open }).toEqual({ u, open: [] });
      expect(list(await todos(u)).length).toBeGreaterThan(0);
    }

    // Quota arithmetic (docs/dingtalk.md): what one chain-B ticket with one rework costs.
    const calls = list(await stack.simGet('/_sim/calls')).filter((c: any) => c.outcome === 'ok');
    const byApi: Record<string, number> = {};
    for (const c of calls) byApi[c.api] = (byApi[c.api] ?? 0) + 1;
    // These numbers are the quota arithmetic of docs/dingtalk.md: change both together.
    expect(byApi).toMatchObject({
      'POST /topapi/message/corpconversation/asyncsend_v2': 16,
      'POST /v1.0/todo/users/{unionId}/tasks': 15,
      'PUT /v1.0/todo/users/{unionId}/tasks/{taskId}': 15,
    });

    // nothing of the caller in any notice or to-do, even though the subject named them.
    const everything = JSON.stringify([
      ...(await Promise.all(
        ['b1_receiver', 'fare_receiver', 'b1_leader', 'dispatcher1', 'ops_head'].map((u) => messages(u)),
      )),
      ...(await Promise.all(['b1_receiver', 'fare_receiver', 'dispatcher1'].map((u) => todos(u)))),
    ]);
    expect(everything).not.toContain('13812345678');
    expect(everything).not.toContain('张三丰');
    expect(everything).toContain('138＊＊＊＊5678'); // masked; markdown stars shown full-width
  });

  it('R-9a: a plain chain-A ticket costs 5 notices and 5 to-dos (quota arithmetic, docs/dingtalk.md)', async () => {
    await stack.simPost('/_sim/reset', {});
    const c = await api.createTicket('dispatcher1', { subject: '配额测算' });
    await step('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch2', role: 'sole' }] });
    await step('b2_receiver', c.id, 'accept');
    await step('b2_receiver', c.id, 'submit_reply', replyBody(now()));
    await step('b2_leader', c.id, 'approve_reply');
    await step('dispatcher1', c.id, 'pass_review');
    await step('ops_head', c.id, 'pass_review');
    const calls = list(await stack.simGet('/_sim/calls')).filter((x: any) => x.outcome === 'ok');
    const count = (api: string) => calls.filter((x: any) => x.api === api).length;
    expect(count('POST /topapi/message/corpconversation/asyncsend_v2')).toBe(5);
    expect(count('POST /v1.0/todo/users/{unionId}/tasks')).toBe(5);
    expect(count('PUT /v1.0/todo/users/{unionId}/tasks/{taskId}')).toBe(5);
  });

  it('R-9a: two workers draining at once never send one row twice', async () => {
    await stack.simPost('/_sim/reset', {});
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = await api.createTicket('dispatcher1', { subject: `并发发送测试${i}` });
      await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'safety', role: 'sole' }] });
      ids.push(c.id);
    }
    const second = await createTestSender(t.config, t.databaseUrl, t.clock);
    try {
      const [a, b] = await Promise.all([sender.drain(), second.sender.drain()]);
      expect(a.claimed + b.claimed).toBe(12); // one notice and one to-do per ticket
      expect(a.failed + b.failed).toBe(0);
    } finally {
      await second.ctx.close();
    }
    const calls = (await stack.simGet('/_sim/calls?path=/topapi/message/corpconversation/asyncsend_v2')) as any;
    // Successful sends only (a call refused for an expired token is retried by the client).
    expect(list(calls.calls ?? calls).filter((c: any) => c.outcome === 'ok')).toHaveLength(6);
    expect(list(await messages('safety_receiver'))).toHaveLength(6);
    expect(list(await todos('safety_receiver'))).toHaveLength(6);
  });

  it('R-9a: a worker killed between sending and recording leads to no second notice or to-do', async () => {
    await stack.simPost('/_sim/reset', {});
    const c = await api.createTicket('dispatcher1', { subject: '崩溃恢复测试' });
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch2', role: 'sole' }] });
    // "Crash": the DingTalk call is made (afterHandling: the simulator does the work, then the
    // connection fails), so the row is never recorded; after the lease it is sent again.
    await stack.simPost('/_sim/faults', {
      kind: 'server_error',
      count: 8,
      afterHandling: true,
      path: '/topapi/message',
    });
    await stack.simPost('/_sim/faults', { kind: 'server_error', count: 8, afterHandling: true, path: '/v1.0/todo' });
    await sender.drain();
    await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    t.clock.advance(10 * 60_000);
    const report = await sender.drain();
    expect(report.failed).toBe(0);
    const delivered = list(await messages('b2_receiver'));
    expect(delivered).toHaveLength(1); // the identical re-send was dropped by DingTalk (143106)
    expect(list(await todos('b2_receiver'))).toHaveLength(1); // adopted by sourceId, not created twice
    const pg = new Client({ connectionString: t.databaseUrl });
    await pg.connect();
    try {
      const { rows } = await pg.query(`SELECT status FROM outbox WHERE ticket_id = $1`, [c.id]);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
    } finally {
      await pg.end();
    }
  });

  it('R-9a: with the simulator failing about 30 % of calls, every notice is delivered in the end', async () => {
    await stack.simPost('/_sim/reset', {});
    for (let i = 0; i < 10; i++) {
      const c = await api.createTicket('dispatcher1', { subject: `故障注入测试${i}` });
      await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'fare', role: 'sole' }] });
    }
    for (let round = 0; round < 40; round++) {
      // Three failing calls in every ten, of each kind the client must survive.
      const kind = ['busy', 'rate_limit', 'server_error', 'expired_token'][round % 4];
      await stack.simPost('/_sim/faults', { kind, count: 3 });
      const r = await sender.runOnce(10);
      expect(r.failed).toBe(0);
      t.clock.advance(15 * 60_000);
      const pending = await new Client({ connectionString: t.databaseUrl });
      await pending.connect();
      const { rows } = await pending.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`);
      await pending.end();
      if (rows[0].n === 0) break;
    }
    await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    expect(list(await messages('fare_receiver'))).toHaveLength(10);
    expect(list(await todos('fare_receiver'))).toHaveLength(10);
  });

  it('R-9a: a permanent DingTalk error marks the row failed; the admin sees it and retries it', async () => {
    await stack.simPost('/_sim/reset', {});
    const c = await api.createTicket('dispatcher1', { subject: '权限错误测试' });
    await stack.simPost('/_sim/faults', { kind: 'permission_denied', count: 1, path: '/topapi/message' });
    await api.ok('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    const r = await sender.drain();
    expect(r.failed).toBe(1);
    expect((await api.get('b1_receiver', '/api/admin/outbox')).status).toBe(403);
    const failed = await api.get('admin', '/api/admin/outbox?status=failed');
    const row = failed.body.find((x: any) => x.ticketId === c.id);
    expect(row).toMatchObject({ kind: 'notice', status: 'failed' });
    expect(row.lastError).toMatch(/60011|Permission/i);
    expect((await api.post('admin', `/api/admin/outbox/${row.id}/retry`)).body).toEqual({
      id: row.id,
      status: 'pending',
    });
    expect((await api.post('admin', `/api/admin/outbox/${row.id}/retry`)).status).toBe(409);
    await sender.drain();
    expect(list(await messages('b1_receiver')).some((m: any) => m.text.includes(c.number))).toBe(true);
  });

  it('X-10/quota: DingTalk calls are counted per month and shown on /health and to the admin', async () => {
    const usage = await api.get('admin', '/api/admin/dingtalk/usage');
    expect(usage.body.calls).toBeGreaterThan(0);
    expect(usage.body.quota).toBe(10000);
    // 16.4: the calls counted against the quota (token and contacts calls are not), all processes.
    expect(usage.body.quotaCalls).toBeGreaterThan(0);
    expect(usage.body.quotaCalls).toBeLessThan(usage.body.calls);
    expect(Object.keys(usage.body.byApi)).toEqual(
      expect.arrayContaining(['POST /topapi/message/corpconversation/asyncsend_v2']),
    );
    const health = await api.get('admin', '/health'); // the details are the admin's (issue 17)
    expect(health.body.info.dingtalk).toMatchObject({ status: 'up', calls: expect.any(Number), quota: 10000 });
  });

  it("issue 16.4: two delivery checks at once (two workers) read each notice's send result once; the second round is skipped", async () => {
    t.clock.advance(24 * 3600_000); // earlier notices fall out of the result window
    await stack.simPost('/_sim/reset', {});
    const checks = t.app.get(NoticeDeliveryCheckService);
    const c = await api.createTicket('dispatcher1', { subject: '送达检查并发' });
    await step('dispatcher1', c.id, 'dispatch', { assignments: [{ unit: 'branch2', role: 'sole' }] });
    t.clock.advance(15_000);
    const [a, b] = await Promise.all([checks.runOnce(), checks.runOnce()]);
    expect(a.checked + b.checked).toBe(1);
    const results = await stack.simGet('/_sim/calls?path=/topapi/message/corpconversation/getsendresult');
    expect(list(results)).toHaveLength(1);
  });

  it('R-9a (16.3): the worker reads the send result: a silent drop is recorded per person and shown on the ticket and admin pages; a per-minute drop is re-sent once and then arrives', async () => {
    // earlier tests' notices fall out of the 23 h result window (the simulator's task ids restart after a reset)
    t.clock.advance(24 * 3600_000);
    await stack.simPost('/_sim/reset', {});
    await stack.simPost('/_sim/notice-drops', { userid: 'b1_receiver', code: '143105' });
    await stack.simPost('/_sim/notice-drops', { userid: 'fare_receiver', code: '143103' });
    const checks = t.app.get(NoticeDeliveryCheckService);
    const created = await api.createTicket('dispatcher1', { subject: '送达检查 12路' });
    const id = created.id;
    await step('dispatcher1', id, 'dispatch', {
      assignments: [
        { unit: 'branch1', role: 'lead' },
        { unit: 'fare', role: 'co' },
      ],
    });
    // accepted by DingTalk with a task id, but not delivered: nobody has it yet
    expect(list(await messages('b1_receiver'))).toHaveLength(0);
    expect(list(await messages('fare_receiver'))).toHaveLength(0);
    expect((await checks.runOnce()).checked).toBe(0); // too early: the send has not settled

    t.clock.advance(15_000);
    const first = await checks.runOnce();
    expect(first).toMatchObject({ checked: 2, resent: 1, notReached: 1 });
    // the per-minute drop (143103) goes out again, once, and arrives
    expect((await sender.drain()).sent).toBe(1);
    expect(list(await messages('fare_receiver'))).toHaveLength(1);
    t.clock.advance(15_000);
    expect(await checks.runOnce()).toMatchObject({ checked: 1, resent: 0, notReached: 0 });

    // the daily limit (143105) cannot be helped by a re-send: the ticket page says who was not reached
    const notReached = await api.get('dispatcher1', `/api/tickets/${id}/not-reached`);
    expect(notReached.status).toBe(200);
    expect(notReached.body).toEqual([
      expect.objectContaining({
        userid: 'b1_receiver',
        name: '赵强',
        status: 'forbidden',
        code: '143105',
        reason: expect.stringContaining('已达上限'),
        resentAs: null,
      }),
    ]);
    const admin = await api.get('admin', '/api/admin/dingtalk/not-reached');
    expect(admin.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ticketId: id, userid: 'b1_receiver', code: '143105' }),
        expect.objectContaining({
          ticketId: id,
          userid: 'fare_receiver',
          code: '143103',
          resentAs: expect.any(Number),
        }),
      ]),
    );
    expect((await api.get('b1_receiver', '/api/admin/dingtalk/not-reached')).status).toBe(403);
    // checked once: a second run finds nothing new
    t.clock.advance(60_000);
    expect((await checks.runOnce()).checked).toBe(0);
  });

  describe('sign-in and organisation', () => {
    it('R-9: a code minted by DingTalk signs the person in once; a reused code is refused', async () => {
      const { body } = await stack.simPost('/_sim/auth-code', { userid: 'b1_receiver' });
      const first = await t.app.inject({ method: 'POST', url: '/api/auth/dingtalk', payload: { code: body.code } });
      expect(first.statusCode).toBe(200);
      expect(first.json().user).toMatchObject({ userid: 'b1_receiver', name: '赵强', units: [{ code: 'branch1' }] });
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { authorization: `Bearer ${first.json().token}` },
      });
      expect(me.statusCode).toBe(200);
      const again = await t.app.inject({ method: 'POST', url: '/api/auth/dingtalk', payload: { code: body.code } });
      expect(again.statusCode).toBe(401);
      const empty = await t.app.inject({ method: 'POST', url: '/api/auth/dingtalk', payload: {} });
      expect(empty.json()).toMatchObject({ statusCode: 400, field: 'code' });
    });

    it('R-9 (16.5): 60020 and 60011 during sign-in say the system is mis-configured, are logged for the admin page, and can be marked handled', async () => {
      await stack.simPost('/_sim/reset', {});
      await api.call('admin', 'DELETE', '/api/admin/dingtalk/config-problems/60020');
      await api.call('admin', 'DELETE', '/api/admin/dingtalk/config-problems/60011');
      const signIn = async () => {
        const { body } = await stack.simPost('/_sim/auth-code', { userid: 'b1_receiver' });
        return t.app.inject({ method: 'POST', url: '/api/auth/dingtalk', payload: { code: body.code } });
      };
      await stack.simPost('/_sim/faults', { kind: 'ip_not_allowed', path: '/topapi/v2/user/getuserinfo' });
      const ip = await signIn();
      expect(ip.statusCode).toBe(503);
      expect(ip.json()).toMatchObject({ error: 'DINGTALK_MISCONFIGURED' });
      expect(ip.json().message).toContain('系统的钉钉配置有误');
      expect(ip.json().message).toContain('白名单');
      expect(ip.json().message).toContain('60020');
      expect(ip.json().message).not.toContain('登录码');

      t.clock.advance(60_000);
      await stack.simPost('/_sim/faults', { kind: 'permission_denied', path: '/topapi/v2/user/getuserinfo' });
      const scope = await signIn();
      expect(scope.statusCode).toBe(503);
      expect(scope.json().message).toContain('缺少所需权限');

      const problems = await api.get('admin', '/api/admin/dingtalk/config-problems');
      expect(problems.status).toBe(200);
      expect(problems.body).toEqual([
        expect.objectContaining({
          code: '60011',
          kind: 'permission_denied',
          api: 'POST /topapi/v2/user/getuserinfo',
          count: 1,
        }),
        expect.objectContaining({ code: '60020', kind: 'ip_not_allowed', advice: expect.stringContaining('白名单') }),
      ]);
      expect((await api.get('b1_receiver', '/api/admin/dingtalk/config-problems')).status).toBe(403);

      // fixed in the console: the admin marks it handled; the next sign-in works
      expect((await api.call('admin', 'DELETE', '/api/admin/dingtalk/config-problems/60020')).status).toBe(204);
      // idempotent: handled is handled
      expect((await api.call('admin', 'DELETE', '/api/admin/dingtalk/config-problems/60020')).status).toBe(204);
      expect((await api.get('admin', '/api/admin/dingtalk/config-problems')).body).toEqual([
        expect.objectContaining({ code: '60011' }),
      ]);
      expect((await signIn()).statusCode).toBe(200);
      // a wrong code is still the person's: 401 as before
      const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/dingtalk', payload: { code: 'nope' } });
      expect(wrong.statusCode).toBe(401);
    });

    it('R-9: the JSAPI config is signed with the jsapi ticket', async () => {
      const r = await api.get(
        'b1_receiver',
        `/api/dingtalk/jsapi-config?url=${encodeURIComponent('http://hotline.test/?corpId=x#/inbox')}`,
      );
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        agentId: '100000001',
        corpId: 'dingdemocorp0000000001',
        signature: expect.stringMatching(/^[0-9a-f]{40}$/),
      });
      expect((await api.get('b1_receiver', '/api/dingtalk/jsapi-config?url=notaurl')).status).toBe(400);
    });

    it('R-3: organisation sync adds, moves and deactivates people, and is idempotent', async () => {
      await stack.simPost('/_sim/reset', {});
      const first = await api.post('admin', '/api/admin/org-sync');
      expect(first.status).toBe(200);
      expect(first.body.people.created).toBe(0); // the demo company matches the seeded organisation
      await stack.simPost('/_sim/org/users', { userid: 'b2_new', name: '钱多', deptId: 103 });
      await stack.simPost('/_sim/org/users/b1_receiver', { deptIds: [103] }, 'PATCH');
      await fetch(`${sim.url}/_sim/org/users/fare_receiver`, { method: 'DELETE' });
      const second = await api.post('admin', '/api/admin/org-sync');
      expect(second.body.people).toEqual({ created: 1, updated: 1, deactivated: 1 });
      const third = await api.post('admin', '/api/admin/org-sync');
      expect(third.body.people).toEqual({ created: 0, updated: 0, deactivated: 0 });

      const moved = await api.post(null, '/api/auth/dev', { userid: 'b1_receiver' });
      expect(moved.body.user.units).toEqual([{ code: 'branch2', name: '第二分公司', isLeader: false }]);
      const added = await api.post(null, '/api/auth/dev', { userid: 'b2_new' });
      expect(added.body.user).toMatchObject({ roles: ['receiver'], units: [{ code: 'branch2' }] });
      const left = await api.post(null, '/api/auth/dev', { userid: 'fare_receiver' });
      expect(left.status).toBe(404);
      expect((await api.post('b1_receiver', '/api/admin/org-sync')).status).toBe(403);
      const last = await api.get('admin', '/api/admin/org-sync');
      expect(last.body).toMatchObject({ status: 'ok', trigger: 'admin' });
    });
  });
});
