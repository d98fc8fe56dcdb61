// The ticket lifecycle through the public HTTP API, against real PostgreSQL (issue 3).
import { Client } from 'pg';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient, replyBody } from './support/api-client';

const HOUR = 3600_000;

describe('ticket lifecycle over HTTP', () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'lifecycle' });
    api = new ApiClient(t.app);
  });
  afterAll(() => t.close());
  const now = () => t.clock.now();

  async function dispatched(
    assignments: Array<{ unit: string; role: string }>,
    overrides: Record<string, unknown> = {},
  ) {
    const ticket = await api.createTicket('dispatcher1', overrides);
    await api.ok('dispatcher1', ticket.id, 'dispatch', { assignments });
    return ticket.id as string;
  }

  async function replyAndApprove(receiver: string, leader: string, id: string) {
    await api.ok(receiver, id, 'accept');
    await api.ok(receiver, id, 'submit_reply', replyBody(now()));
    return api.ok(leader, id, 'approve_reply', { comment: '同意' });
  }

  it('R-8: chain A (group hotline) walks initiator → unit → initiator → ops head and closes', async () => {
    const created = await api.createTicket('dispatcher1');
    expect(created).toMatchObject({
      status: 'registered',
      chain: 'A',
      number: expect.stringMatching(/^RX\d{8}-\d{4}$/),
    });
    expect(created.actions).toEqual(expect.arrayContaining(['dispatch', 'revoke']));

    const d = await api.ok('dispatcher1', created.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    expect(d.status).toBe('in_progress');
    expect(d.assignments).toEqual([
      expect.objectContaining({
        unit: { code: 'branch1', name: '第一分公司' },
        role: 'sole',
        status: 'pending_accept',
      }),
    ]);

    const receiverView = await api.get('b1_receiver', `/api/tickets/${created.id}`);
    expect(receiverView.body.actions).toEqual(expect.arrayContaining(['accept', 'request_return']));

    const accepted = await api.ok('b1_receiver', created.id, 'accept');
    expect(accepted.assignments[0]).toMatchObject({ status: 'accepted', acceptedBy: 'b1_receiver' });
    const submitted = await api.ok('b1_receiver', created.id, 'submit_reply', replyBody(now()));
    expect(submitted.assignments[0].status).toBe('awaiting_leader');
    const approved = await api.ok('b1_leader', created.id, 'approve_reply', {});
    expect(approved).toMatchObject({ status: 'in_review', step: 'initiator_review' });
    expect(approved.assignments[0].reply).toMatchObject({ approvedBy: 'b1_leader', handler: '赵强' });

    const s2 = await api.ok('dispatcher1', created.id, 'pass_review', {});
    expect(s2).toMatchObject({ status: 'in_review', step: 'ops_review' });
    const closed = await api.ok('ops_head', created.id, 'pass_review', { comment: '同意办结' });
    expect(closed).toMatchObject({ status: 'closed', step: null });
    expect(closed.closedAt).not.toBeNull();
    // a closed complaint with a caller phone waits for its call and its at-fault decision.
    // Issue 15.7 (Art. 10): and a reply found untrue later re-opens it.
    expect(closed.actions).toEqual(['record_visit', 'mark_responsible', 'flag_untrue_reply']);
    expect(closed.timeline.map((e: any) => e.action)).toEqual([
      'register',
      'dispatch',
      'accept',
      'submit_reply',
      'approve_reply',
      'pass_review',
      'pass_review',
    ]);
    expect(closed.timeline[1]).toMatchObject({ actor: { userid: 'dispatcher1', name: '王敏' } });
  });

  it('R-8, R-6d, R-14: chain B with lead + co units, a send-back and rework, reported upstream', async () => {
    const id = await dispatched(
      [
        { unit: 'branch1', role: 'lead' },
        { unit: 'fare', role: 'co' },
      ],
      {
        source: 'mayor_hotline',
        upstreamRef: 'SZ-2026-000123',
        upstreamDeadline: new Date(now().getTime() + 10 * 24 * HOUR).toISOString(),
      },
    );
    await api.ok('fare_receiver', id, 'accept');
    await api.ok('b1_receiver', id, 'accept');
    // R-6d: the lead cannot submit before every co unit's reply is leader-approved.
    const early = await api.act('b1_receiver', id, 'submit_reply', replyBody(now()));
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/尚未完成：.*票务科/);

    await api.ok('fare_receiver', id, 'submit_reply', replyBody(now(), { handler: '何静' }));
    const coApproved = await api.ok('fare_leader', id, 'approve_reply', {});
    expect(coApproved.status).toBe('in_progress'); // a co reply goes to the lead, not to review
    await api.ok('b1_receiver', id, 'submit_reply', replyBody(now()));
    const toReview = await api.ok('b1_leader', id, 'approve_reply', {});
    expect(toReview).toMatchObject({ status: 'in_review', step: 'initiator_review' });

    await api.ok('dispatcher1', id, 'pass_review', {});
    const office = await api.ok('ops_head', id, 'pass_review', {});
    expect(office.step).toBe('office_review');

    // the office reviewer sends the wording back; the lead reworks, deadline unchanged.
    const deadlineBefore = office.assignments.find((a: any) => a.unit.code === 'branch1').replyDeadline;
    const empty = await api.act('office_reviewer', id, 'send_back', { comment: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe('comment');
    const back = await api.ok('office_reviewer', id, 'send_back', { comment: '答复措辞不规范，请修改' });
    expect(back).toMatchObject({ status: 'in_progress', step: null });
    const lead = back.assignments.find((a: any) => a.unit.code === 'branch1');
    expect(lead).toMatchObject({ status: 'accepted', reworkCount: 1, reply: null, replyDeadline: deadlineBefore });
    expect(back.assignments.find((a: any) => a.unit.code === 'fare').status).toBe('replied');

    await api.ok(
      'b1_receiver',
      id,
      'submit_reply',
      replyBody(now(), { content: '修改后的答复：已对驾驶员进行教育。' }),
    );
    await api.ok('b1_leader', id, 'approve_reply', {});
    await api.ok('dispatcher1', id, 'pass_review', {});
    await api.ok('ops_head', id, 'pass_review', {});
    const upstream = await api.ok('office_reviewer', id, 'pass_review', {});
    expect(upstream.step).toBe('upstream_report');
    // Issue 13.6: the initiating department reports upstream (any dispatcher, see
    // initiating-department.e2e-spec.ts); the ops head does not.
    expect((await api.act('ops_head', id, 'report_upstream', {})).status).toBe(403);
    const closed = await api.ok('dispatcher1', id, 'report_upstream', { comment: '已报市长热线' });
    expect(closed.status).toBe('closed');
    expect(closed.timeline.map((e: any) => e.action)).toContain('send_back');
  });

  it('R-6c: several units separately: review starts when every unit has replied', async () => {
    const id = await dispatched([
      { unit: 'branch1', role: 'sole' },
      { unit: 'branch2', role: 'sole' },
    ]);
    const first = await replyAndApprove('b1_receiver', 'b1_leader', id);
    expect(first.status).toBe('in_progress');
    const second = await replyAndApprove('b2_receiver', 'b2_leader', id);
    expect(second).toMatchObject({ status: 'in_review', step: 'initiator_review' });
  });

  it('R-6: mixing sole with lead/co units is refused with 400', async () => {
    const ticket = await api.createTicket('dispatcher1');
    const r = await api.act('dispatcher1', ticket.id, 'dispatch', {
      assignments: [
        { unit: 'branch1', role: 'sole' },
        { unit: 'fare', role: 'co' },
      ],
    });
    expect(r.status).toBe(400);
    const unknown = await api.act('dispatcher1', ticket.id, 'dispatch', {
      assignments: [{ unit: 'mars', role: 'sole' }],
    });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'assignments.unit' } });
  });

  it('R-10: a leader may reject the reply; the unit redoes it', async () => {
    const id = await dispatched([{ unit: 'safety', role: 'sole' }]);
    await api.ok('safety_receiver', id, 'accept');
    await api.ok('safety_receiver', id, 'submit_reply', replyBody(now()));
    // Another unit's leader may not approve it.
    expect((await api.act('b1_leader', id, 'approve_reply', {})).status).toBe(404);
    const rejected = await api.ok('safety_leader', id, 'reject_reply', { comment: '请补充处理依据' });
    expect(rejected.assignments[0]).toMatchObject({ status: 'accepted', reply: null });
  });

  it('R-13, issue 15.8: a reply without caller contact names why; the ticket and the ledger show it', async () => {
    const created = await api.createTicket('dispatcher1');
    const id = created.id as string;
    await api.ok('dispatcher1', id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    await api.ok('b1_receiver', id, 'accept');
    const notReached = (contact: Record<string, unknown>) =>
      replyBody(now(), {
        callerContact: {
          contacted: false,
          method: 'phone',
          at: now().toISOString(),
          summary: '拨打来电号码提示空号，短信亦发送失败。',
          ...contact,
        },
        satisfaction: 'unknown',
      });
    // not reached without a reason, with one not on the list, or a reason on a reached reply: 400 naming the field
    for (const body of [
      notReached({}),
      notReached({ notContactedReason: 'busy' }),
      replyBody(now(), {
        callerContact: { ...replyBody(now()).callerContact, notContactedReason: 'empty_number' },
      }),
    ]) {
      const r = await api.act('b1_receiver', id, 'submit_reply', body);
      expect(r).toMatchObject({
        status: 400,
        body: { error: 'VALIDATION', field: 'callerContact.notContactedReason' },
      });
    }
    // `contacted` is a boolean, not a truthy string.
    const truthy = await api.act('b1_receiver', id, 'submit_reply', notReached({ contacted: 'yes' }));
    expect(truthy).toMatchObject({ status: 400, body: { field: 'callerContact.contacted' } });

    await api.ok('b1_receiver', id, 'submit_reply', notReached({ notContactedReason: 'empty_number' }));
    const approved = await api.ok('b1_leader', id, 'approve_reply', {});
    // read back from the database, not from the request
    const view = await api.get('dispatcher1', `/api/tickets/${id}`);
    expect(view.body.assignments[0].reply.callerContact).toEqual({
      contacted: false,
      method: 'phone',
      at: expect.any(String),
      summary: '拨打来电号码提示空号，短信亦发送失败。',
      notContactedReason: 'empty_number',
    });
    expect(approved.assignments[0].reply.callerContact.notContactedReason).toBe('empty_number');
    const ledger = await api.get('dispatcher1', `/api/ledger?q=${encodeURIComponent(created.number)}`);
    expect(ledger.status).toBe(200);
    const row = ledger.body.items.find((x: any) => x.id === id);
    expect(row.callerAnswer).toBe('未联系（空号/停机）：拨打来电号码提示空号，短信亦发送失败。');
    expect(row.unitReplies[0].callerAnswer).toBe(row.callerAnswer);

    // The schema keeps the rule too: a reached reply with a reason, or a reason off the list, is refused.
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      await expect(c.query(`UPDATE replies SET caller_contacted = true WHERE ticket_id = $1`, [id])).rejects.toThrow(
        /replies_reason_only_when_not_contacted/,
      );
      await expect(
        c.query(`UPDATE replies SET not_contacted_reason = 'busy' WHERE ticket_id = $1`, [id]),
      ).rejects.toThrow(/not_contacted_reason/);
    } finally {
      await c.end();
    }
  });

  it('R-11, R-12: a return within 24 h is approved and the ticket is dispatched again', async () => {
    const id = await dispatched([{ unit: 'branch2', role: 'sole' }]);
    const missing = await api.act('b2_receiver', id, 'request_return', { reason: '不属于本单位' });
    expect(missing).toMatchObject({ status: 400, body: { field: 'basis' } });
    t.clock.advance(23 * HOUR);
    const asked = await api.ok('b2_receiver', id, 'request_return', {
      reason: '该线路由第一分公司运营',
      basis: '《线路经营划分表》第3条',
    });
    expect(asked.assignments[0]).toMatchObject({
      status: 'return_requested',
      returnRequest: { basis: '《线路经营划分表》第3条' },
    });
    const inbox = await api.get('dispatcher1', '/api/inbox');
    expect(inbox.body.some((i: any) => i.action === 'approve_return' && i.ticket.id === id)).toBe(true);

    const approved = await api.ok('dispatcher1', id, 'approve_return', { comment: '同意，改派第一分公司' });
    expect(approved.status).toBe('registered');
    expect(approved.assignments[0].status).toBe('returned');
    const again = await api.ok('dispatcher1', id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    expect(again.status).toBe('in_progress');
    expect(again.assignments.map((a: any) => [a.unit.code, a.status])).toEqual([
      ['branch2', 'returned'],
      ['branch1', 'pending_accept'],
    ]);
    // The returning unit still sees the ticket's history but has nothing to do on it.
    const b2 = await api.get('b2_receiver', `/api/tickets/${id}`);
    expect(b2.status).toBe(200);
    expect(b2.body.actions).toEqual([]);
  });

  it('R-11: a return after 24 h is refused; the unit must handle it', async () => {
    const id = await dispatched([{ unit: 'branch2', role: 'sole' }]);
    t.clock.advance(24 * HOUR + 60_000);
    const r = await api.act('b2_receiver', id, 'request_return', { reason: '不属于本单位', basis: '职责划分' });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/24 小时内申请，现已超过（R-11）/);
    const view = await api.get('b2_receiver', `/api/tickets/${id}`);
    expect(view.body.actions).not.toContain('request_return');
  });

  it('R-12: a rejected return goes back to the unit with the reason', async () => {
    const id = await dispatched([{ unit: 'fare', role: 'sole' }]);
    await api.ok('fare_receiver', id, 'accept');
    await api.ok('fare_receiver', id, 'request_return', { reason: '非票务问题', basis: '票务科职责' });
    const noReason = await api.act('ops_head', id, 'reject_return', {});
    expect(noReason).toMatchObject({ status: 400, body: { field: 'comment' } });
    const rejected = await api.ok('ops_head', id, 'reject_return', { comment: '涉及票价，属票务科职责' });
    expect(rejected.assignments[0]).toMatchObject({ status: 'accepted', returnRequest: null });
    expect(rejected.timeline.at(-1)).toMatchObject({ action: 'reject_return', comment: '涉及票价，属票务科职责' });
  });

  it('R-12, issue 15.3: a rejected return is final (Art. 12 由承办单位继续办理): no second request, no button, no window shown', async () => {
    const id = await dispatched([{ unit: 'fare', role: 'sole' }]);
    await api.ok('fare_receiver', id, 'request_return', { reason: '非票务问题', basis: '票务科职责' });
    await api.ok('ops_head', id, 'reject_return', { comment: '涉及票价，属票务科职责' });
    const again = await api.act('fare_receiver', id, 'request_return', { reason: '确非票务问题', basis: '票务科职责' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/退回申请已被驳回.*第十二条/);
    const view = await api.get('fare_receiver', `/api/tickets/${id}`);
    expect(view.body.actions).toEqual(expect.arrayContaining(['accept']));
    expect(view.body.actions).not.toContain('request_return');
    expect(view.body.assignments[0]).toMatchObject({ status: 'pending_accept', returnWindowEndsAt: null });
  });

  it('R-9b, issue 15.2: the dispatcher revokes a mis-dispatched ticket; open assignments are cancelled', async () => {
    const id = await dispatched([
      { unit: 'branch1', role: 'lead' },
      { unit: 'safety', role: 'co' },
    ]);
    expect((await api.act('dispatcher1', id, 'revoke', {})).body.field).toBe('reason');
    expect((await api.act('b1_receiver', id, 'revoke', { reason: 'x' })).status).toBe(403);
    // Issue 15.2: before a reply is approved revoking is the initiating department's, not the ops head's.
    expect((await api.act('ops_head', id, 'revoke', { reason: 'x' })).status).toBe(403);
    const revoked = await api.ok('dispatcher1', id, 'revoke', { reason: '派错单位' });
    expect(revoked.status).toBe('revoked');
    expect(revoked.assignments.every((a: any) => a.status === 'cancelled')).toBe(true);
    expect((await api.act('b1_receiver', id, 'accept')).status).toBe(409);
  });

  it('issue 15.2: R-9b: after the first approved reply a dispatcher is refused; the ops head revokes, with a reason', async () => {
    const id = await dispatched([
      { unit: 'branch1', role: 'sole' },
      { unit: 'branch2', role: 'sole' },
    ]);
    await api.ok('b1_receiver', id, 'accept');
    const approved = await replyAndApprove('b2_receiver', 'b2_leader', id);
    expect(approved.status).toBe('in_progress'); // branch1 is still working
    expect(approved.actions).not.toContain('revoke');
    const refused = await api.act('dispatcher1', id, 'revoke', { reason: '派错单位' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      '已有承办单位的回复经领导审批，此后只有运营服务部负责人可以撤销工单，并须写明理由（R-9b）。',
    );
    expect((await api.get('ops_head', `/api/tickets/${id}`)).body.actions).toContain('revoke');
    const noReason = await api.act('ops_head', id, 'revoke', { reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('reason');
    const revoked = await api.ok('ops_head', id, 'revoke', { reason: '上级来电撤回该事项' });
    expect(revoked.status).toBe('revoked');
    expect(revoked.timeline.at(-1)).toMatchObject({
      action: 'revoke',
      actor: { userid: 'ops_head' },
      comment: '上级来电撤回该事项',
    });
  });

  it("issue 15.1: Art. 4, Art. 8: a mayor's-hotline consultation answered directly passes initiator, ops head and office review, then report_upstream closes it", async () => {
    const ticket = await api.createTicket('dispatcher1', {
      source: 'mayor_hotline',
      category: 'consultation',
      subject: '市长热线转办：12路首班车时间',
    });
    expect(ticket.chain).toBe('B');
    const answered = await api.ok('dispatcher1', ticket.id, 'answer_directly', { answer: '12路首班车6:00发车。' });
    expect(answered).toMatchObject({
      status: 'in_review',
      step: 'initiator_review',
      directAnswer: '12路首班车6:00发车。',
      closedAt: null,
    });
    expect(answered.actions).toEqual(expect.arrayContaining(['pass_review', 'send_back']));
    expect(answered.actions).not.toContain('report_upstream');
    await api.ok('dispatcher2', ticket.id, 'pass_review', {});
    // The ops head cannot close it: chain B goes on to the office.
    const office = await api.ok('ops_head', ticket.id, 'pass_review', {});
    expect(office).toMatchObject({ status: 'in_review', step: 'office_review' });
    expect((await api.act('dispatcher1', ticket.id, 'report_upstream', {})).status).toBe(409);
    const upstream = await api.ok('office_reviewer', ticket.id, 'pass_review', {});
    expect(upstream.step).toBe('upstream_report');
    const closed = await api.ok('dispatcher1', ticket.id, 'report_upstream', { comment: '已报市长热线' });
    expect(closed).toMatchObject({ status: 'closed', directAnswer: '12路首班车6:00发车。' });
    expect(closed.closedAt).not.toBeNull();
    expect(closed.timeline.map((e: any) => e.action)).toEqual([
      'register',
      'answer_directly',
      'pass_review',
      'pass_review',
      'pass_review',
      'report_upstream',
    ]);
  });

  it('R-7, issue 15.1: on chain A a consultation is answered directly and closed at once', async () => {
    const ticket = await api.createTicket('dispatcher1', { category: 'consultation', subject: '12路首班车时间' });
    const closed = await api.ok('dispatcher1', ticket.id, 'answer_directly', { answer: '12路首班车6:00发车。' });
    expect(closed).toMatchObject({ status: 'closed', directAnswer: '12路首班车6:00发车。' });
    const complaint = await api.createTicket('dispatcher1');
    expect((await api.act('dispatcher1', complaint.id, 'answer_directly', { answer: 'x' })).status).toBe(409);
  });

  it('R-14: a report found true stays under follow-up until finished', async () => {
    const id = await dispatched([{ unit: 'safety', role: 'sole' }], { category: 'report' });
    await replyAndApprove('safety_receiver', 'safety_leader', id);
    await api.ok('dispatcher1', id, 'pass_review', {});
    const fu = await api.ok('ops_head', id, 'pass_review', { followUp: true });
    expect(fu.status).toBe('follow_up');
    await api.ok('ops_head', id, 'record_follow_up', { comment: '已督促整改，下周复查' });
    const closed = await api.ok('ops_head', id, 'finish_follow_up', {});
    expect(closed.status).toBe('closed');
  });

  describe('visibility and masking (R-19)', () => {
    it("R-19: receivers see only their units' tickets; others get 404", async () => {
      const id = await dispatched([{ unit: 'branch1', role: 'sole' }]);
      expect((await api.get('b1_receiver', `/api/tickets/${id}`)).status).toBe(200);
      expect((await api.get('b2_receiver', `/api/tickets/${id}`)).status).toBe(404);
      expect((await api.act('b2_receiver', id, 'accept')).status).toBe(404);
      const list = await api.get('b2_receiver', '/api/tickets?limit=100');
      expect(list.body.items.some((i: any) => i.id === id)).toBe(false);
      const mine = await api.get('b1_receiver', '/api/tickets?limit=100');
      expect(mine.body.items.some((i: any) => i.id === id)).toBe(true);
    });

    it('R-19: the office reviewer sees chain-B tickets, not chain-A ones', async () => {
      const a = await api.createTicket('dispatcher1', { source: 'group_hotline' });
      const b = await api.createTicket('dispatcher1', { source: 'digital_city' });
      expect((await api.get('office_reviewer', `/api/tickets/${a.id}`)).status).toBe(404);
      expect((await api.get('office_reviewer', `/api/tickets/${b.id}`)).status).toBe(200);
    });

    it('R-19: caller name, phone and address are masked in every response', async () => {
      const created = await api.createTicket('dispatcher1');
      expect(created.caller).toEqual({
        name: '张**',
        phone: '138****5678',
        address: '人民路****',
        masked: true,
        hidden: false,
      });
      const list = await api.get('dispatcher1', '/api/tickets?limit=5');
      expect(JSON.stringify(list.body)).not.toContain('13812345678');
      const detail = await api.get('dispatcher1', `/api/tickets/${created.id}`);
      expect(JSON.stringify(detail.body)).not.toContain('13812345678');
    });

    it('R-19, R-9a: outbox notices name the ticket but never the caller', async () => {
      const id = await dispatched([{ unit: 'branch1', role: 'sole' }]);
      const c = new Client({ connectionString: t.databaseUrl });
      await c.connect();
      try {
        const { rows } = await c.query(`SELECT kind, payload FROM outbox WHERE ticket_id = $1 ORDER BY id`, [id]);
        const notice = rows.find((r) => r.kind === 'notice');
        expect(notice.payload).toMatchObject({ notice: 'new_assignment', userids: ['b1_receiver'], ticket: { id } });
        expect(rows.some((r) => r.kind === 'todo_open' && r.payload.userids.includes('b1_receiver'))).toBe(true);
        const text = JSON.stringify(rows);
        expect(text).not.toContain('13812345678');
        expect(text).not.toContain('张三丰');
        expect(text).not.toContain('人民路100号');
      } finally {
        await c.end();
      }
    });
  });

  describe('errors', () => {
    it('R-8: 400 for a bad body, naming the field', async () => {
      const id = await dispatched([{ unit: 'branch1', role: 'sole' }]);
      await api.ok('b1_receiver', id, 'accept');
      const r = await api.act('b1_receiver', id, 'submit_reply', replyBody(now(), { handledAt: 'yesterday' }));
      expect(r).toMatchObject({ status: 400, body: { error: 'VALIDATION', field: 'handledAt' } });
      const nested = await api.act(
        'b1_receiver',
        id,
        'submit_reply',
        replyBody(now(), { callerContact: { contacted: true } }),
      );
      expect(nested.status).toBe(400);
      expect(nested.body.field).toMatch(/^callerContact\./);
      const extra = await api.act('b1_receiver', id, 'accept', { hack: 1 });
      expect(extra.status).toBe(400);
    });

    it('R-19: 401 without a token; 403 for a dispatcher-only action by a receiver', async () => {
      const id = await dispatched([{ unit: 'branch1', role: 'sole' }]);
      expect(
        (await api.act('b1_receiver', id, 'dispatch', { assignments: [{ unit: 'fare', role: 'sole' }] })).status,
      ).toBe(403);
      const anon = await t.app.inject({ method: 'POST', url: `/api/tickets/${id}/actions/accept`, payload: {} });
      expect(anon.statusCode).toBe(401);
      expect((await api.post('b1_receiver', '/api/tickets', {})).status).toBe(400);
    });

    it('R-8: only dispatchers register tickets (403)', async () => {
      const r = await api.post('b1_receiver', '/api/tickets', {
        source: 'group_hotline',
        channel: 'phone',
        category: 'complaint',
        subject: 's',
        content: 'c',
        caller: { name: '李四', phone: '13900000000' },
      });
      expect(r.status).toBe(403);
    });

    it('R-8: 404 for an unknown ticket, a malformed id and an unknown action', async () => {
      expect((await api.get('dispatcher1', '/api/tickets/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await api.get('dispatcher1', '/api/tickets/not-a-uuid')).status).toBe(404);
      const ticket = await api.createTicket('dispatcher1');
      expect((await api.act('dispatcher1', ticket.id, 'teleport')).status).toBe(404);
    });

    it('R-8: 409 for an action not allowed in the current state', async () => {
      const id = await dispatched([{ unit: 'branch1', role: 'sole' }]);
      await api.ok('b1_receiver', id, 'accept');
      const twice = await api.act('b1_receiver', id, 'accept');
      expect(twice).toMatchObject({ status: 409, body: { error: 'INVALID_STATE' } });
      expect((await api.act('dispatcher1', id, 'pass_review', {})).status).toBe(409);
    });

    it('R-8: 400 for an unknown source or category code', async () => {
      const r = await api.post('dispatcher1', '/api/tickets', {
        source: 'twitter',
        channel: 'phone',
        category: 'complaint',
        subject: 's',
        content: 'c',
        caller: { name: '李四', phone: '13900000000' },
      });
      expect(r).toMatchObject({ status: 400, body: { field: 'source' } });
    });
  });

  describe('concurrency and idempotency', () => {
    it('R-8: of two simultaneous identical actions exactly one wins, the other gets 409', async () => {
      const id = await dispatched([{ unit: 'branch1', role: 'sole' }]);
      await api.token('b1_receiver');
      const results = await Promise.all([api.act('b1_receiver', id, 'accept'), api.act('b1_receiver', id, 'accept')]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const view = await api.get('dispatcher1', `/api/tickets/${id}`);
      expect(view.body.timeline.filter((e: any) => e.action === 'accept')).toHaveLength(1);
      expect(view.body.version).toBe(3);
    });

    it('R-8: ten racing dispatches of one ticket leave exactly one set of assignments', async () => {
      const ticket = await api.createTicket('dispatcher1');
      await api.token('dispatcher2');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          api.act(i % 2 ? 'dispatcher1' : 'dispatcher2', ticket.id, 'dispatch', {
            assignments: [{ unit: 'branch1', role: 'sole' }],
          }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(9);
      const view = await api.get('dispatcher1', `/api/tickets/${ticket.id}`);
      expect(view.body.assignments).toHaveLength(1);
    });

    it('R-8: an Idempotency-Key makes a retried action return the first result', async () => {
      const id = await dispatched([{ unit: 'branch1', role: 'sole' }]);
      const headers = { 'idempotency-key': `accept-${id}` };
      const first = await api.act('b1_receiver', id, 'accept', {}, headers);
      const retry = await api.act('b1_receiver', id, 'accept', {}, headers);
      expect(first.status).toBe(200);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      const other = await api.act('b1_receiver', id, 'submit_reply', replyBody(now()), headers);
      expect(other).toMatchObject({ status: 400, body: { field: 'Idempotency-Key' } });
    });
  });

  describe('reference data, inbox, lists', () => {
    it('R-2: sources, categories and units are arrays of items with a stable code', async () => {
      const sources = await api.get('b1_receiver', '/api/sources');
      expect(sources.body.map((s: any) => s.code)).toEqual(
        expect.arrayContaining(['group_hotline', 'mayor_hotline', 'digital_city', 'direct']),
      );
      expect(sources.body.find((s: any) => s.code === 'mayor_hotline').chain).toBe('B');
      const cats = await api.get('b1_receiver', '/api/categories');
      expect(cats.body.map((c: any) => c.code)).toEqual([
        'consultation',
        'complaint',
        'report',
        'help',
        'suggestion',
        'lost_item',
        'praise',
      ]);
      const units = await api.get('b1_receiver', '/api/units');
      expect(units.body.map((u: any) => u.code)).toEqual(['ops', 'office', 'branch1', 'branch2', 'safety', 'fare']);
      const me = await api.get('b1_leader', '/api/me');
      expect(me.body).toMatchObject({
        userid: 'b1_leader',
        roles: ['unit_leader'],
        units: [{ code: 'branch1', isLeader: true }],
      });
    });

    it('R-9: the inbox lists pending work, soonest deadline first', async () => {
      const later = await dispatched([{ unit: 'branch2', role: 'sole' }]);
      const sooner = await api.createTicket('dispatcher1');
      await api.ok('dispatcher1', sooner.id, 'dispatch', {
        assignments: [{ unit: 'branch2', role: 'sole' }],
        replyDeadline: new Date(now().getTime() + 2 * HOUR).toISOString(),
      });
      const inbox = await api.get('b2_receiver', '/api/inbox');
      const ids = inbox.body.filter((i: any) => i.action === 'accept').map((i: any) => i.ticket.id);
      expect(ids.indexOf(sooner.id)).toBeLessThan(ids.indexOf(later));
      const deadlines = inbox.body.map((i: any) => i.deadline).filter(Boolean);
      expect([...deadlines].sort()).toEqual(deadlines);
      expect(JSON.stringify(inbox.body)).not.toContain('13812345678');
    });

    it('R-15: the ticket list pages with a cursor and filters by status', async () => {
      for (let i = 0; i < 3; i++) await api.createTicket('dispatcher2', { subject: `分页测试${i}` });
      const p1 = await api.get('dispatcher2', '/api/tickets?limit=2&q=%E5%88%86%E9%A1%B5');
      expect(p1.body.items).toHaveLength(2);
      expect(p1.body.nextCursor).toEqual(expect.any(String));
      const p2 = await api.get('dispatcher2', `/api/tickets?limit=2&q=%E5%88%86%E9%A1%B5&cursor=${p1.body.nextCursor}`);
      expect(p2.body.items).toHaveLength(1);
      expect(p2.body.nextCursor).toBeNull();
      const bad = await api.get('dispatcher2', '/api/tickets?cursor=garbage');
      expect(bad).toMatchObject({ status: 400, body: { field: 'cursor' } });
      const badLimit = await api.get('dispatcher2', '/api/tickets?limit=1000');
      expect(badLimit.status).toBe(400);
      const closedOnly = await api.get('dispatcher2', '/api/tickets?status=closed&limit=100');
      expect(closedOnly.body.items.every((i: any) => i.status === 'closed')).toBe(true);
    });
  });
});

describe('dev sign-in switch', () => {
  it('R-19: POST /api/auth/dev is 404 when DingTalk credentials are configured', async () => {
    const t = await createTestApp({
      dbSuffix: 'nodev',
      env: { DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's', DINGTALK_AGENT_ID: '1', DINGTALK_CORP_ID: 'c' },
    });
    try {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/dev', payload: { userid: 'dispatcher1' } });
      expect(r.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
