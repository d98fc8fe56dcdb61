// Whole stories through decide(): the chains, lead/co, returns, revoke, direct answers,
// follow-up, unit resolution and refusals with their fields.
import { DomainError } from './domain-error';
import { allowedActions, decide, RETURN_WINDOW_MS, todosOf, TRANSITIONS } from './workflow.machine';
import { ACTIONS, type Actor, type Effect, type TicketState } from './workflow.types';
import {
  approvedReply,
  assignment,
  at,
  counterIds,
  deepFreeze,
  Flow,
  HOUR,
  ORG,
  ticket,
  validInput,
} from './workflow.fixtures';

const notices = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { kind: 'notice' }> => e.kind === 'notice');
const opened = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { kind: 'todo_open' }> => e.kind === 'todo_open').map((e) => e.key);
const done = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { kind: 'todo_done' }> => e.kind === 'todo_done').map((e) => e.key);

const deadline = at(120);
const sole = (unit: string) => ({ unit, role: 'sole' as const, replyDeadline: deadline });

function refusal(t: TicketState, who: Actor, action: Parameters<typeof decide>[2], input: unknown, now = at(2)) {
  const r = decide(t, who, action, input as never, now, counterIds());
  if (r.ok) throw new Error(`expected a refusal of ${action}`);
  return r;
}

describe('chain A (钉钉派单)', () => {
  test('R-8: chain A end to end: initiator → unit receiver → leader → initiator → ops head → closed', () => {
    const flow = new Flow(ticket({ chain: 'A' }));

    const d = flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1')] }, at(0));
    expect(d.state.status).toBe('in_progress');
    expect(d.state.assignments[0]).toMatchObject({
      unitCode: 'branch1',
      role: 'sole',
      status: 'pending_accept',
      dispatchedBy: 'dispatcher1',
      reworkCount: 0,
      id: 'as-1',
    });
    expect(d.events[0]).toMatchObject({
      action: 'dispatch',
      actor: 'dispatcher1',
      fromStatus: 'registered',
      toStatus: 'in_progress',
      data: { assignments: [{ unit: 'branch1', role: 'sole' }] },
    });
    expect(d.effects).toEqual(
      expect.arrayContaining([
        {
          kind: 'notice',
          notice: 'new_assignment',
          to: { kind: 'unit_receivers', unitCode: 'branch1' },
          unitCode: 'branch1',
        },
        {
          kind: 'todo_open',
          key: 'T1:branch1:accept',
          action: 'accept',
          to: { kind: 'unit_receivers', unitCode: 'branch1' },
          dueAt: deadline,
          unitCode: 'branch1',
        },
      ]),
    );

    const a = flow.step('b1_receiver', 'accept', at(1));
    expect(a.state.assignments[0]).toMatchObject({ status: 'accepted', acceptedBy: 'b1_receiver', acceptedAt: at(1) });
    expect(done(a.effects)).toEqual(['T1:branch1:accept']);
    expect(opened(a.effects)).toEqual(['T1:branch1:reply']);
    expect(a.events[0].unitCode).toBe('branch1');

    const s = flow.step('b1_receiver', 'submit_reply', at(3));
    expect(s.state.assignments[0].status).toBe('awaiting_leader');
    expect(s.state.assignments[0].reply).toMatchObject({
      submittedBy: 'b1_receiver',
      submittedAt: at(3),
      handler: '张队长',
    });
    expect(notices(s.effects).map((n) => [n.notice, n.to])).toEqual([
      ['reply_awaiting_approval', { kind: 'unit_leaders', unitCode: 'branch1' }],
    ]);
    expect(opened(s.effects)).toEqual(['T1:branch1:approve']);

    const p = flow.step('b1_leader', 'approve_reply', at(4));
    expect(p.state).toMatchObject({ status: 'in_review', step: 'initiator_review' });
    expect(p.state.assignments[0].reply).toMatchObject({ approvedBy: 'b1_leader', approvedAt: at(4) });
    expect(opened(p.effects)).toEqual(['T1:review:initiator_review']);
    expect(notices(p.effects).map((n) => [n.notice, n.to])).toEqual([
      ['review_step', { kind: 'role', role: 'dispatcher' }],
    ]);

    const r1 = flow.step('dispatcher1', 'pass_review', at(5));
    expect(r1.state.step).toBe('ops_review');
    expect(done(r1.effects)).toEqual(['T1:review:initiator_review']);
    expect(r1.effects).toContainEqual({
      kind: 'todo_open',
      key: 'T1:review:ops_review',
      action: 'pass_review',
      to: { kind: 'role', role: 'ops_head' },
    });

    const c = flow.step('ops_head', 'pass_review', at(6));
    expect(c.state).toMatchObject({ status: 'closed', step: null, version: 7 });
    expect(notices(c.effects).map((n) => [n.notice, n.to])).toEqual([
      ['closed', { kind: 'unit_receivers', unitCode: 'branch1' }],
    ]);
    expect(flow.openTodos.size).toBe(0);
    expect(flow.events.map((e) => e.action)).toEqual([
      'dispatch',
      'accept',
      'submit_reply',
      'approve_reply',
      'pass_review',
      'pass_review',
    ]);
    // after closing, only the at-fault decision on the complaint is left (no caller phone here, X-5).
    for (const who of Object.values(ORG)) {
      const ops = who.roles.includes('dispatcher') || who.roles.includes('ops_head');
      // Issue 15.7 (Art. 10): a reply found untrue later re-opens it.
      expect(allowedActions(flow.state, who, at(7))).toEqual(ops ? ['mark_responsible', 'flag_untrue_reply'] : []);
    }
  });

  test('R-8: the direct chain reviews like chain A (closes at the ops head)', () => {
    const flow = new Flow(ticket({ chain: 'direct', category: 'lost_item' }));
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1')] }, at(0));
    flow.step('b1_receiver', 'accept', at(1));
    flow.step('b1_receiver', 'submit_reply', at(2));
    flow.step('b1_leader', 'approve_reply', at(2));
    flow.step('dispatcher1', 'pass_review', at(3));
    expect(flow.step('ops_head', 'pass_review', at(3)).state.status).toBe('closed');
  });
});

describe('chain B (微信派单)', () => {
  test('R-8, R-4, R-14: chain B end to end with a send-back from the office and rework within the deadline', () => {
    const flow = new Flow(ticket({ chain: 'B' }));
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1')] }, at(0));
    flow.step('b1_receiver', 'accept', at(1));
    flow.step('b1_receiver', 'submit_reply', at(2));
    flow.step('b1_leader', 'approve_reply', at(2));
    flow.step('dispatcher1', 'pass_review', at(3));
    const toOffice = flow.step('ops_head', 'pass_review', at(4));
    expect(toOffice.state.step).toBe('office_review');
    expect(opened(toOffice.effects)).toEqual(['T1:review:office_review']);
    expect(notices(toOffice.effects)[0].to).toEqual({ kind: 'role', role: 'office_reviewer' });

    // the office checks the wording and sends it back.
    const back = flow.do('office_reviewer', 'send_back', { comment: '措辞不规范,请修改' }, at(5));
    expect(back.state).toMatchObject({ status: 'in_progress', step: null });
    expect(back.state.assignments[0]).toMatchObject({ status: 'accepted', reworkCount: 1 });
    expect(back.state.assignments[0].reply).toBeUndefined();
    expect(back.state.assignments[0].replyDeadline).toEqual(deadline); // the deadline keeps running
    expect(back.events[0]).toMatchObject({
      comment: '措辞不规范,请修改',
      fromStep: 'office_review',
      toStep: null,
      data: { units: ['branch1'] },
    });
    expect(done(back.effects)).toEqual(['T1:review:office_review']);
    expect(opened(back.effects)).toEqual(['T1:branch1:reply']);
    expect(notices(back.effects).map((n) => n.notice)).toEqual(['rework']);

    // Rework, then the whole review chain again.
    flow.step('b1_receiver', 'submit_reply', at(6));
    expect(flow.step('b1_leader', 'approve_reply', at(6)).state.step).toBe('initiator_review');
    flow.step('dispatcher1', 'pass_review', at(7));
    flow.step('ops_head', 'pass_review', at(7));
    const up = flow.step('office_reviewer', 'pass_review', at(8));
    expect(up.state.step).toBe('upstream_report');
    expect(up.effects).toContainEqual({
      kind: 'todo_open',
      key: 'T1:review:upstream_report',
      action: 'report_upstream',
      to: { kind: 'role', role: 'dispatcher' },
    });
    // Issue 15.2 (R-9b): replies were approved, so revoking is the ops head's now, not a dispatcher's.
    expect(allowedActions(flow.state, ORG.dispatcher1, at(8))).toEqual([
      'send_back',
      'report_upstream',
      'mark_responsible',
      'flag_untrue_reply',
    ]);
    const closed = flow.step('dispatcher1', 'report_upstream', at(9));
    expect(closed.state.status).toBe('closed');
    expect(flow.openTodos.size).toBe(0);
  });

  test('R-8, issue 13.6: pass_review is not the way out of upstream_report; report_upstream is for the dispatchers (initiating department) only', () => {
    const t = ticket({
      chain: 'B',
      status: 'in_review',
      step: 'upstream_report',
      assignments: [assignment('branch1', { status: 'replied', reply: approvedReply() })],
    });
    expect(refusal(t, ORG.dispatcher1, 'pass_review', {}).code).toBe('INVALID_STATE');
    expect(refusal(t, ORG.ops_head, 'report_upstream', {}).code).toBe('FORBIDDEN');
    expect(refusal(t, ORG.b1_receiver, 'report_upstream', {}).code).toBe('FORBIDDEN');
    // Issue 13.6: a dispatcher who did not register the ticket reports it; the event names them.
    const r = decide(t, ORG.dispatcher2, 'report_upstream', {}, at(1), counterIds());
    expect(r.ok && r.state.status).toBe('closed');
    expect(r.ok && r.events[0].actor).toBe('dispatcher2');
    expect(r.ok && r.state.initiator).toBe('dispatcher1');
  });

  test('R-8: each reviewer may send back only at their own step', () => {
    const t = ticket({
      chain: 'B',
      status: 'in_review',
      step: 'ops_review',
      assignments: [assignment('branch1', { status: 'replied' })],
    });
    expect(refusal(t, ORG.dispatcher1, 'send_back', { comment: 'x' }).code).toBe('FORBIDDEN');
    expect(refusal(t, ORG.office_reviewer, 'send_back', { comment: 'x' }).code).toBe('FORBIDDEN');
    expect(refusal(t, ORG.ops_head, 'send_back', { comment: ' ' })).toMatchObject({
      code: 'VALIDATION',
      field: 'comment',
    });
  });
});

describe('lead and co units (主办 / 会办)', () => {
  function leadCo() {
    const flow = new Flow(ticket());
    flow.do(
      'dispatcher1',
      'dispatch',
      {
        assignments: [
          { unit: 'branch1', role: 'lead', replyDeadline: deadline },
          { unit: 'safety', role: 'co', replyDeadline: deadline },
          { unit: 'fare', role: 'co', replyDeadline: deadline },
        ],
      },
      at(0),
    );
    flow.step('b1_receiver', 'accept', at(1));
    flow.step('safety_receiver', 'accept', at(1));
    flow.step('fare_receiver', 'accept', at(1));
    return flow;
  }

  test('R-6d: the lead cannot submit until every co unit has an approved reply; co replies go to the lead', () => {
    const flow = leadCo();
    const blocked = refusal(flow.state, ORG.b1_receiver, 'submit_reply', validInput('submit_reply', flow.state, at(2)));
    expect(blocked.code).toBe('INVALID_STATE');
    expect(blocked.message).toContain('safety');
    expect(blocked.message).toContain('fare');
    expect(allowedActions(flow.state, ORG.b1_receiver, at(2))).not.toContain('submit_reply');

    flow.step('safety_receiver', 'submit_reply', at(2));
    const coApproved = flow.step('safety_leader', 'approve_reply', at(2));
    expect(coApproved.state.status).toBe('in_progress'); // a co reply never opens the review
    expect(notices(coApproved.effects)).toEqual([
      {
        kind: 'notice',
        notice: 'co_reply_ready',
        to: { kind: 'unit_receivers', unitCode: 'branch1' },
        unitCode: 'safety',
      },
    ]);
    const stillBlocked = refusal(
      flow.state,
      ORG.b1_receiver,
      'submit_reply',
      validInput('submit_reply', flow.state, at(2)),
    );
    expect(stillBlocked.message).toContain('fare');
    expect(stillBlocked.message).not.toContain('safety');

    flow.step('fare_receiver', 'submit_reply', at(3));
    flow.step('fare_leader', 'approve_reply', at(3));
    flow.step('b1_receiver', 'submit_reply', at(4));
    const leadApproved = flow.step('b1_leader', 'approve_reply', at(4));
    expect(leadApproved.state).toMatchObject({ status: 'in_review', step: 'initiator_review' });
  });

  test('R-6d: a refusal is Chinese and names the units by the names the application passes in', () => {
    const flow = leadCo();
    const input = validInput('submit_reply', flow.state, at(2));
    const unitNames = { branch1: '第一分公司', safety: '安全技术科', fare: '票务中心' };
    const r = decide(flow.state, ORG.b1_receiver, 'submit_reply', input as never, at(2), counterIds(), { unitNames });
    expect(r).toMatchObject({
      ok: false,
      code: 'INVALID_STATE',
      message:
        '主办单位须等各会办单位的回复经其领导审批后，才能提交或审批本单位的回复（R-6d）。尚未完成：安全技术科、票务中心。',
    });
  });

  test('R-7, R-16: a refusal says which rule stopped the person: the phase, or the category', () => {
    const registered = ticket({ category: 'complaint' });
    expect(refusal(registered, ORG.b1_receiver, 'accept', {})).toMatchObject({
      code: 'INVALID_STATE',
      message: '工单当前为“待派单”，不能签收。',
    });
    expect(refusal(registered, ORG.dispatcher1, 'answer_directly', { answer: '已答复' })).toMatchObject({
      code: 'INVALID_STATE',
      message: '投诉类工单不能直接答复，只有咨询、寻物类可以。',
    });
    const revoked = ticket({ status: 'revoked' });
    expect(refusal(revoked, ORG.dispatcher1, 'dispatch', validInput('dispatch', revoked, at(1)))).toMatchObject({
      code: 'INVALID_STATE',
      message: '工单当前为“已撤销”，不能派单。',
    });
  });

  test('R-6d, R-14: send_back defaults to the lead; sending back a co also reworks the lead', () => {
    const flow = leadCo();
    for (const [r, l] of [
      ['safety_receiver', 'safety_leader'],
      ['fare_receiver', 'fare_leader'],
      ['b1_receiver', 'b1_leader'],
    ] as const) {
      flow.step(r, 'submit_reply', at(2));
      flow.step(l, 'approve_reply', at(2));
    }
    const byDefault = decide(flow.state, ORG.dispatcher1, 'send_back', { comment: '请补充' }, at(3), counterIds());
    expect(byDefault.ok && byDefault.events[0].data).toEqual({ units: ['branch1'], step: 'initiator_review' });

    const co = flow.do('dispatcher1', 'send_back', { comment: '安全科意见不清', units: ['safety'] }, at(3));
    expect(co.events[0].data).toEqual({ units: ['safety', 'branch1'], step: 'initiator_review' });
    expect(flow.assignment('safety')).toMatchObject({ status: 'accepted', reworkCount: 1 });
    expect(flow.assignment('branch1')).toMatchObject({ status: 'accepted', reworkCount: 1 });
    expect(flow.assignment('fare')).toMatchObject({ status: 'replied', reworkCount: 0 });
    expect(
      refusal(flow.state, ORG.b1_receiver, 'submit_reply', validInput('submit_reply', flow.state, at(4))).message,
    ).toContain('safety');
  });

  test('R-6d: a lead reply awaiting approval cannot be approved while a co unit added later is still working', () => {
    const t = ticket({
      status: 'in_progress',
      assignments: [
        assignment('branch1', { role: 'lead', status: 'awaiting_leader' }),
        assignment('safety', { role: 'co', status: 'pending_accept' }),
      ],
    });
    expect(refusal(t, ORG.b1_leader, 'approve_reply', {}).code).toBe('INVALID_STATE');
    expect(decide(t, ORG.b1_leader, 'reject_reply', { comment: '等会办单位意见' }, at(2), counterIds()).ok).toBe(true);
  });

  test('R-6c, R-6d: dispatch refuses a mixed or incomplete set of roles', () => {
    const t = ticket();
    const mixed = refusal(t, ORG.dispatcher1, 'dispatch', {
      assignments: [sole('branch1'), { unit: 'branch2', role: 'co', replyDeadline: deadline }],
    });
    expect(mixed).toMatchObject({ code: 'VALIDATION', field: 'assignments' });
    const noCo = refusal(t, ORG.dispatcher1, 'dispatch', {
      assignments: [{ unit: 'branch1', role: 'lead', replyDeadline: deadline }],
    });
    expect(noCo).toMatchObject({ code: 'VALIDATION', field: 'assignments' });
    const twoLeads = refusal(t, ORG.dispatcher1, 'dispatch', {
      assignments: [
        { unit: 'branch1', role: 'lead', replyDeadline: deadline },
        { unit: 'branch2', role: 'lead', replyDeadline: deadline },
        { unit: 'fare', role: 'co', replyDeadline: deadline },
      ],
    });
    expect(twoLeads).toMatchObject({ code: 'VALIDATION', field: 'assignments' });
    const inProgress = ticket({ status: 'in_progress', assignments: [assignment('branch1')] });
    expect(
      refusal(inProgress, ORG.dispatcher1, 'dispatch', {
        assignments: [{ unit: 'fare', role: 'co', replyDeadline: deadline }],
      }),
    ).toMatchObject({ code: 'VALIDATION', field: 'assignments' });
  });
});

describe('several separate units (R-6c)', () => {
  test('R-6c: each unit replies on its own; review starts when all have approved replies; close notifies each', () => {
    const flow = new Flow(ticket());
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1'), sole('branch2')] }, at(0));
    expect(opened(flow.effects[0])).toEqual(['T1:branch1:accept', 'T1:branch2:accept']);
    for (const u of ['b1', 'b2'] as const) {
      flow.step(`${u}_receiver`, 'accept', at(1));
      flow.step(`${u}_receiver`, 'submit_reply', at(2));
    }
    expect(flow.step('b1_leader', 'approve_reply', at(3)).state.status).toBe('in_progress');
    expect(flow.step('b2_leader', 'approve_reply', at(3)).state.step).toBe('initiator_review');
    flow.step('dispatcher1', 'pass_review', at(4));
    const c = flow.step('ops_head', 'pass_review', at(4));
    expect(notices(c.effects).map((n) => n.to)).toEqual([
      { kind: 'unit_receivers', unitCode: 'branch1' },
      { kind: 'unit_receivers', unitCode: 'branch2' },
    ]);
  });

  test('R-6c: a dispatcher can add a unit while the ticket is in progress, never one already active', () => {
    const t = ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'accepted' })] });
    // A conflict with the ticket's current state (e.g. a second dispatcher racing): 409.
    expect(refusal(t, ORG.dispatcher2, 'dispatch', { assignments: [sole('branch1')] })).toMatchObject({
      code: 'INVALID_STATE',
      field: 'assignments[0].unit',
    });
    expect(refusal(t, ORG.dispatcher2, 'dispatch', { assignments: [sole('fare'), sole('fare')] })).toMatchObject({
      field: 'assignments[1].unit',
    });
    const added = decide(t, ORG.dispatcher2, 'dispatch', { assignments: [sole('fare')] }, at(2), counterIds('new'));
    expect(added.ok && added.state.assignments.map((a) => [a.unitCode, a.status, a.dispatchedBy])).toEqual([
      ['branch1', 'accepted', 'dispatcher1'],
      ['fare', 'pending_accept', 'dispatcher2'],
    ]);
  });
});

describe('returns (退回)', () => {
  test('R-11, R-12: a return within 24 h, approved, then the ticket is dispatched again', () => {
    const flow = new Flow(ticket());
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1')] }, at(0));
    flow.step('b1_receiver', 'accept', at(1));
    const req = flow.do('b1_receiver', 'request_return', { reason: '非本分公司线路', basis: '线路划分表' }, at(23));
    expect(req.state.assignments[0]).toMatchObject({
      status: 'return_requested',
      returnRequest: { reason: '非本分公司线路', basis: '线路划分表', requestedBy: 'b1_receiver', requestedAt: at(23) },
    });
    expect(req.events[0]).toMatchObject({
      comment: '非本分公司线路',
      unitCode: 'branch1',
      data: { reason: '非本分公司线路', basis: '线路划分表' },
    });
    expect(done(req.effects)).toEqual(['T1:branch1:reply']);
    expect(req.effects).toContainEqual({
      kind: 'todo_open',
      key: 'T1:branch1:return_review',
      action: 'approve_return',
      to: { kind: 'role', role: 'dispatcher' },
      unitCode: 'branch1',
    });
    expect(notices(req.effects).map((n) => n.to)).toEqual([
      { kind: 'role', role: 'dispatcher' },
      { kind: 'role', role: 'ops_head' },
    ]);

    const ok = flow.do('ops_head', 'approve_return', {}, at(24));
    expect(ok.state.status).toBe('registered');
    expect(ok.state.assignments[0].status).toBe('returned');
    expect(done(ok.effects)).toEqual(['T1:branch1:return_review']);
    expect(ok.effects).toContainEqual({
      kind: 'todo_open',
      key: 'T1:redispatch',
      action: 'dispatch',
      to: { kind: 'role', role: 'dispatcher' },
    });
    expect(notices(ok.effects)).toEqual([
      {
        kind: 'notice',
        notice: 'return_decided',
        to: { kind: 'unit_receivers', unitCode: 'branch1' },
        unitCode: 'branch1',
      },
    ]);

    const again = flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch2')] }, at(25));
    expect(again.state.status).toBe('in_progress');
    expect(done(again.effects)).toEqual(['T1:redispatch']);
    expect(flow.openTodos).toEqual(new Set(['T1:branch2:accept']));
  });

  test('R-11: a return after 24 h is refused: the unit must handle it', () => {
    const t = ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'accepted' })] });
    const input = { reason: '非本单位', basis: '职责分工' };
    const late = refusal(t, ORG.b1_receiver, 'request_return', input, new Date(T0plus(RETURN_WINDOW_MS)));
    expect(late.code).toBe('INVALID_STATE');
    expect(late.message).toMatch(/24 小时内/);
    expect(late.message).toMatch(/须继续办理/);
    const justInTime = decide(
      t,
      ORG.b1_receiver,
      'request_return',
      input,
      new Date(T0plus(RETURN_WINDOW_MS - 1)),
      counterIds(),
    );
    expect(justInTime.ok).toBe(true);
  });

  test('R-12, issue 15.3: a rejected return is final: the same unit cannot ask to return the same assignment again (Art. 12)', () => {
    const flow = new Flow(ticket());
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1')] }, at(0));
    flow.do('b1_receiver', 'request_return', { reason: '非本分公司线路', basis: '线路划分表' }, at(1));
    const no = flow.do('ops_head', 'reject_return', { comment: '属本分公司线路' }, at(2));
    expect(no.state.assignments[0]).toMatchObject({ status: 'pending_accept', returnRejected: true });
    const again = refusal(
      no.state,
      ORG.b1_receiver,
      'request_return',
      { reason: '确非本单位', basis: '线路表' },
      at(3),
    );
    expect(again.code).toBe('INVALID_STATE');
    expect(again.message).toMatch(/已被驳回.*第十二条/);
    expect(allowedActions(no.state, ORG.b1_receiver, at(3))).not.toContain('request_return');
    expect(allowedActions(no.state, ORG.b1_receiver, at(3))).toContain('accept');
  });

  test('R-11: a return needs a reason and a basis', () => {
    const t = ticket({ status: 'in_progress', assignments: [assignment('branch1')] });
    expect(refusal(t, ORG.b1_receiver, 'request_return', { reason: '', basis: 'x' })).toMatchObject({
      code: 'VALIDATION',
      field: 'reason',
    });
    expect(refusal(t, ORG.b1_receiver, 'request_return', { reason: 'x', basis: '  ' })).toMatchObject({
      code: 'VALIDATION',
      field: 'basis',
    });
  });

  test('R-12: a rejected return goes back to the unit (accepted, or pending_accept if never accepted)', () => {
    const accepted = ticket({
      status: 'in_progress',
      assignments: [assignment('branch1', { status: 'return_requested' })],
    });
    expect(refusal(accepted, ORG.dispatcher1, 'reject_return', {})).toMatchObject({
      code: 'VALIDATION',
      field: 'comment',
    });
    const r = decide(accepted, ORG.dispatcher2, 'reject_return', { comment: '属本单位职责' }, at(3), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state.assignments[0].status).toBe('accepted');
    expect(r.state.assignments[0].returnRequest).toBeUndefined();
    expect(r.events[0]).toMatchObject({
      comment: '属本单位职责',
      data: { approved: false, reason: '非本单位线路', basis: '线路划分表' },
    });
    expect(done(r.effects)).toEqual(['T1:branch1:return_review']);
    expect(opened(r.effects)).toEqual(['T1:branch1:reply']);
    expect(notices(r.effects).map((n) => n.notice)).toEqual(['return_decided']);

    const never = ticket({
      status: 'in_progress',
      assignments: [
        { ...assignment('branch1', { status: 'return_requested' }), acceptedAt: undefined, acceptedBy: undefined },
      ],
    });
    const r2 = decide(never, ORG.ops_head, 'reject_return', { comment: '请签收办理' }, at(3), counterIds());
    expect(r2.ok && r2.state.assignments[0].status).toBe('pending_accept');
    expect(r2.ok && opened(r2.effects)).toEqual(['T1:branch1:accept']);
  });

  test('R-12: when the lead is returned the co units stay and the next dispatch must name a lead', () => {
    const t = ticket({
      status: 'in_progress',
      assignments: [
        assignment('branch1', { role: 'lead', status: 'return_requested' }),
        assignment('safety', { role: 'co', status: 'replied' }),
      ],
    });
    const r = decide(t, ORG.dispatcher1, 'approve_return', {}, at(3), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state.status).toBe('in_progress');
    expect(opened(r.effects)).toEqual(['T1:redispatch']);
    expect(refusal(r.state, ORG.dispatcher1, 'dispatch', { assignments: [sole('branch2')] }).code).toBe('VALIDATION');
    const d = decide(
      r.state,
      ORG.dispatcher1,
      'dispatch',
      { assignments: [{ unit: 'branch2', role: 'lead', replyDeadline: deadline }] },
      at(4),
      counterIds('n'),
    );
    expect(d.ok).toBe(true);
  });

  test('R-12: with two returns pending the ops department names the unit', () => {
    const t = ticket({
      status: 'in_progress',
      assignments: [
        assignment('branch1', { status: 'return_requested' }),
        assignment('branch2', { status: 'return_requested' }),
      ],
    });
    expect(refusal(t, ORG.ops_head, 'approve_return', {})).toMatchObject({ code: 'VALIDATION', field: 'unit' });
    expect(refusal(t, ORG.ops_head, 'approve_return', { unit: 'fare' })).toMatchObject({
      code: 'VALIDATION',
      field: 'unit',
    });
    const r = decide(t, ORG.ops_head, 'approve_return', { unit: 'branch2' }, at(3), counterIds());
    expect(r.ok && r.state.assignments.map((a) => a.status)).toEqual(['return_requested', 'returned']);
    expect(r.ok && r.state.status).toBe('in_progress');
    expect(allowedActions(t, ORG.ops_head, at(3))).toContain('approve_return');
  });

  test('R-12: if the units left have all replied, an approved return moves the ticket to review', () => {
    const t = ticket({
      status: 'in_progress',
      assignments: [
        assignment('branch1', { status: 'replied' }),
        assignment('branch2', { status: 'return_requested' }),
      ],
    });
    const r = decide(t, ORG.dispatcher1, 'approve_return', {}, at(3), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toMatchObject({ status: 'in_review', step: 'initiator_review' });
    expect(opened(r.effects)).toEqual(['T1:review:initiator_review']);
  });
});

describe('revoke (撤销)', () => {
  test('R-9b: revoke cancels every active assignment, closes every to-do and tells the units', () => {
    const flow = new Flow(ticket());
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1'), sole('branch2'), sole('fare')] }, at(0));
    flow.step('b1_receiver', 'accept', at(1));
    flow.step('b2_receiver', 'accept', at(1));
    flow.step('b2_receiver', 'submit_reply', at(2));
    expect(refusal(flow.state, ORG.dispatcher1, 'revoke', { reason: '' })).toMatchObject({
      code: 'VALIDATION',
      field: 'reason',
    });
    const r = flow.do('dispatcher2', 'revoke', { reason: '派错单位' }, at(3));
    expect(r.state.status).toBe('revoked');
    expect(r.state.assignments.map((a) => a.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(done(r.effects).sort()).toEqual(['T1:branch1:reply', 'T1:branch2:approve', 'T1:fare:accept']);
    expect(notices(r.effects).map((n) => [n.notice, n.unitCode])).toEqual([
      ['assignment_cancelled', 'branch1'],
      ['assignment_cancelled', 'branch2'],
      ['assignment_cancelled', 'fare'],
    ]);
    expect(r.events[0]).toMatchObject({
      comment: '派错单位',
      data: { cancelledUnits: ['branch1', 'branch2', 'fare'] },
    });
    expect(flow.openTodos.size).toBe(0);
    for (const action of ACTIONS) {
      for (const who of Object.values(ORG)) {
        const x = decide(r.state, who, action, validInput(action, r.state, at(4)), at(4), counterIds());
        expect(x.ok ? 'ok' : x.code).toBe('INVALID_STATE');
      }
    }
  });

  test('R-9b: a revoke during review closes the review to-do', () => {
    const t = ticket({
      status: 'in_review',
      step: 'ops_review',
      assignments: [assignment('branch1', { status: 'replied' })],
    });
    const r = decide(t, ORG.ops_head, 'revoke', { reason: '重复工单' }, at(5), counterIds());
    expect(r.ok && done(r.effects)).toEqual(['T1:review:ops_review']);
  });
});

describe('issue 15.2: who revokes (R-9b)', () => {
  test('issue 15.2: R-9b: before a reply is approved any dispatcher revokes; the ops head alone does not', () => {
    const flow = new Flow(ticket());
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1')] }, at(0));
    flow.step('b1_receiver', 'accept', at(1));
    flow.step('b1_receiver', 'submit_reply', at(2)); // awaiting the leader: not approved yet
    expect(allowedActions(flow.state, ORG.dispatcher2, at(3))).toContain('revoke');
    expect(allowedActions(flow.state, ORG.ops_head, at(3))).not.toContain('revoke');
    expect(refusal(flow.state, ORG.ops_head, 'revoke', { reason: '派错单位' }, at(3)).code).toBe('FORBIDDEN');
    expect(flow.do('dispatcher2', 'revoke', { reason: '派错单位' }, at(3)).state.status).toBe('revoked');
  });

  test('issue 15.2: R-9b: after the first approved reply a dispatcher is refused; the ops head revokes, with a reason', () => {
    const flow = new Flow(ticket());
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1'), sole('branch2')] }, at(0));
    flow.step('b1_receiver', 'accept', at(1));
    flow.step('b2_receiver', 'accept', at(1));
    flow.step('b2_receiver', 'submit_reply', at(2));
    flow.step('b2_leader', 'approve_reply', at(3)); // branch2's reply is approved; branch1 still works
    expect(flow.state.status).toBe('in_progress');
    expect(refusal(flow.state, ORG.dispatcher1, 'revoke', { reason: '派错单位' }, at(4))).toMatchObject({
      code: 'FORBIDDEN',
      message: '已有承办单位的回复经领导审批，此后只有运营服务部负责人可以撤销工单，并须写明理由（R-9b）。',
    });
    expect(allowedActions(flow.state, ORG.dispatcher1, at(4))).not.toContain('revoke');
    expect(allowedActions(flow.state, ORG.ops_head, at(4))).toContain('revoke');
    expect(refusal(flow.state, ORG.ops_head, 'revoke', { reason: ' ' }, at(4))).toMatchObject({
      code: 'VALIDATION',
      field: 'reason',
    });
    const r = flow.do('ops_head', 'revoke', { reason: '上级来电撤回该事项' }, at(4));
    expect(r.state.status).toBe('revoked');
    expect(r.events[0]).toMatchObject({ actor: 'ops_head', comment: '上级来电撤回该事项' });
  });

  test('issue 15.2: R-9b: a reply sent back for rework still counts as approved once', () => {
    const t = ticket({
      status: 'in_progress',
      assignments: [assignment('branch1', { status: 'accepted', reworkCount: 1 })],
    });
    expect(refusal(t, ORG.dispatcher1, 'revoke', { reason: '派错单位' }).code).toBe('FORBIDDEN');
    expect(decide(t, ORG.ops_head, 'revoke', { reason: '派错单位' }, at(2), counterIds()).ok).toBe(true);
  });
});

describe('direct handling (R-7)', () => {
  test('R-7: the dispatcher answers a consultation at once', () => {
    const t = deepFreeze(ticket({ category: 'consultation' }));
    expect(refusal(t, ORG.dispatcher1, 'answer_directly', { answer: '' })).toMatchObject({
      code: 'VALIDATION',
      field: 'answer',
    });
    const r = decide(t, ORG.dispatcher2, 'answer_directly', { answer: '首班车 6:00' }, at(0), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toMatchObject({ status: 'closed', directAnswer: '首班车 6:00', step: null, version: 2 });
    expect(r.events[0]).toMatchObject({ action: 'answer_directly', comment: '首班车 6:00', toStatus: 'closed' });
    expect(r.effects).toEqual([]);
  });

  test('R-7: complaints cannot be answered directly', () => {
    expect(refusal(ticket(), ORG.dispatcher1, 'answer_directly', { answer: 'x' }).code).toBe('INVALID_STATE');
  });

  test('R-7: the branch answers a lost item directly; the other units are cancelled', () => {
    const t = ticket({
      status: 'in_progress',
      category: 'lost_item',
      assignments: [assignment('branch1'), assignment('branch2', { status: 'accepted' })],
    });
    const r = decide(
      t,
      ORG.b2_receiver,
      'answer_directly',
      { answer: '钱包已找到,请到调度室领取' },
      at(2),
      counterIds(),
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.state.status).toBe('closed');
    expect(r.state.assignments.map((a) => [a.unitCode, a.status])).toEqual([
      ['branch1', 'cancelled'],
      ['branch2', 'replied'],
    ]);
    expect(r.events[0].unitCode).toBe('branch2');
    expect(done(r.effects).sort()).toEqual(['T1:branch1:accept', 'T1:branch2:reply']);
    expect(notices(r.effects)).toEqual([
      {
        kind: 'notice',
        notice: 'assignment_cancelled',
        to: { kind: 'unit_receivers', unitCode: 'branch1' },
        unitCode: 'branch1',
      },
    ]);
    // Pending branches that answer directly are recorded as having accepted.
    const r2 = decide(t, ORG.b1_receiver, 'answer_directly', { answer: '已找到' }, at(2), counterIds());
    expect(r2.ok && r2.state.assignments[0]).toMatchObject({
      status: 'replied',
      acceptedBy: 'b1_receiver',
      acceptedAt: at(2),
    });
  });
});

describe('issue 15.1: chain B cannot be bypassed by a direct answer (Art. 4, Art. 8)', () => {
  test('issue 15.1: Art. 4, Art. 8: a chain-B direct answer goes initiator, ops head and office review, then report_upstream closes it', () => {
    const flow = new Flow(ticket({ chain: 'B', category: 'consultation' }));
    const a = flow.do('dispatcher2', 'answer_directly', { answer: '12路首班车6:00发车。' }, at(0));
    expect(a.state).toMatchObject({
      status: 'in_review',
      step: 'initiator_review',
      directAnswer: '12路首班车6:00发车。',
    });
    expect(a.events[0]).toMatchObject({
      comment: '12路首班车6:00发车。',
      toStatus: 'in_review',
      toStep: 'initiator_review',
    });
    expect(opened(a.effects)).toEqual(['T1:review:initiator_review']);
    // The ops head cannot close it early, and nobody reports it upstream before the office has read it.
    expect(refusal(flow.state, ORG.ops_head, 'pass_review', {}).code).toBe('FORBIDDEN');
    expect(refusal(flow.state, ORG.dispatcher1, 'report_upstream', {}).code).toBe('INVALID_STATE');

    expect(flow.step('dispatcher1', 'pass_review', at(1)).state.step).toBe('ops_review');
    const toOffice = flow.step('ops_head', 'pass_review', at(2));
    expect(toOffice.state).toMatchObject({ status: 'in_review', step: 'office_review' });
    expect(refusal(flow.state, ORG.dispatcher1, 'report_upstream', {}, at(2)).code).toBe('INVALID_STATE');
    expect(flow.step('office_reviewer', 'pass_review', at(3)).state.step).toBe('upstream_report');
    expect(allowedActions(flow.state, ORG.dispatcher1, at(4))).toEqual(['revoke', 'send_back', 'report_upstream']);

    const closed = flow.step('dispatcher1', 'report_upstream', at(4));
    expect(closed.state).toMatchObject({ status: 'closed', step: null, directAnswer: '12路首班车6:00发车。' });
    expect(flow.openTodos.size).toBe(0);
    expect(flow.events.map((e) => [e.action, e.toStep ?? e.toStatus])).toEqual([
      ['answer_directly', 'initiator_review'],
      ['pass_review', 'ops_review'],
      ['pass_review', 'office_review'],
      ['pass_review', 'upstream_report'],
      ['report_upstream', 'closed'],
    ]);
  });

  test('issue 15.1: Art. 8: on chain A and the direct chain a direct answer still closes at once', () => {
    for (const chain of ['A', 'direct'] as const) {
      const r = decide(
        ticket({ chain, category: 'lost_item' }),
        ORG.dispatcher1,
        'answer_directly',
        { answer: '已找到' },
        at(0),
        counterIds(),
      );
      expect(r.ok && r.state).toMatchObject({ status: 'closed', step: null, directAnswer: '已找到' });
    }
  });

  test('issue 15.1: Art. 4: a branch answering a chain-B lost item goes to review too; sent back, the branch answers again', () => {
    const flow = new Flow(ticket({ chain: 'B', category: 'lost_item' }));
    flow.do('dispatcher1', 'dispatch', { assignments: [sole('branch1'), sole('branch2')] }, at(0));
    const a = flow.do('b1_receiver', 'answer_directly', { answer: '钱包已找到，请到调度室领取' }, at(1));
    expect(a.state).toMatchObject({
      status: 'in_review',
      step: 'initiator_review',
      directAnswer: '钱包已找到，请到调度室领取',
    });
    expect(a.state.assignments.map((x) => [x.unitCode, x.status])).toEqual([
      ['branch1', 'replied'],
      ['branch2', 'cancelled'],
    ]);
    flow.step('dispatcher1', 'pass_review', at(2));
    flow.step('ops_head', 'pass_review', at(2));
    // The office finds the wording wrong: the answer is withdrawn and the branch reworks it.
    const back = flow.do('office_reviewer', 'send_back', { comment: '请写明领取时间和地点' }, at(3));
    expect(back.state).toMatchObject({ status: 'in_progress', step: null });
    expect(back.state.directAnswer).toBeUndefined();
    expect(back.state.assignments[0]).toMatchObject({ status: 'accepted', reworkCount: 1 });
    expect(back.events[0].data).toMatchObject({ units: ['branch1'], directAnswer: true });
    expect(opened(back.effects)).toEqual(['T1:branch1:reply']);

    flow.do('b1_receiver', 'answer_directly', { answer: '钱包已找到，请于工作日9:00-17:00到调度室领取' }, at(4));
    flow.step('dispatcher1', 'pass_review', at(5));
    flow.step('ops_head', 'pass_review', at(5));
    flow.step('office_reviewer', 'pass_review', at(6));
    const closed = flow.step('dispatcher2', 'report_upstream', at(6));
    expect(closed.state).toMatchObject({
      status: 'closed',
      directAnswer: '钱包已找到，请于工作日9:00-17:00到调度室领取',
    });
  });

  test("issue 15.1: Art. 8: a dispatcher's chain-B direct answer sent back is withdrawn and the ticket is registered again", () => {
    const flow = new Flow(ticket({ chain: 'B', category: 'consultation' }));
    flow.do('dispatcher1', 'answer_directly', { answer: '首班车 6:00' }, at(0));
    flow.step('dispatcher1', 'pass_review', at(1));
    expect(
      refusal(flow.state, ORG.ops_head, 'send_back', { comment: '请核实', units: ['branch1'] }, at(2)),
    ).toMatchObject({
      code: 'VALIDATION',
      field: 'units',
    });
    const back = flow.do('ops_head', 'send_back', { comment: '首班车时间已调整，请核实' }, at(2));
    expect(back.state).toMatchObject({ status: 'registered', step: null });
    expect(back.state.directAnswer).toBeUndefined();
    expect(done(back.effects)).toEqual(['T1:review:ops_review']);
    expect(notices(back.effects)).toEqual([
      { kind: 'notice', notice: 'rework', to: { kind: 'role', role: 'dispatcher' } },
    ]);
    // Registered again: answered anew (or dispatched), and the review starts over.
    expect(allowedActions(flow.state, ORG.dispatcher1, at(3))).toEqual([
      'dispatch',
      'answer_directly',
      'revoke',
      'merge',
    ]);
    const again = flow.do('dispatcher1', 'answer_directly', { answer: '首班车 6:10' }, at(3));
    expect(again.state).toMatchObject({ status: 'in_review', step: 'initiator_review', directAnswer: '首班车 6:10' });
  });
});

describe('follow-up (R-14(3))', () => {
  const atOps = (category: string) =>
    ticket({
      category,
      status: 'in_review',
      step: 'ops_review',
      assignments: [assignment('branch1', { status: 'replied' })],
    });

  test('R-14: a report found true stays under follow-up until finished', () => {
    const flow = new Flow(atOps('report'));
    const c = flow.do('ops_head', 'pass_review', { followUp: true }, at(5));
    expect(c.state).toMatchObject({ status: 'follow_up', step: null });
    expect(c.effects).toContainEqual({
      kind: 'todo_open',
      key: 'T1:follow_up',
      action: 'finish_follow_up',
      to: { kind: 'role', role: 'dispatcher' },
    });
    expect(c.events[0].data).toEqual({ followUp: true });
    for (const who of Object.values(ORG)) {
      const allowed = allowedActions(flow.state, who, at(6));
      // Issue 15.6: the handling unit records progress too; 15.7: a reply found untrue re-opens it.
      expect(
        allowed.every((a) =>
          ['record_follow_up', 'finish_follow_up', 'record_unit_follow_up', 'flag_untrue_reply'].includes(a),
        ),
      ).toBe(true);
    }
    expect(refusal(flow.state, ORG.dispatcher1, 'record_follow_up', { comment: '' })).toMatchObject({
      field: 'comment',
    });
    expect(refusal(flow.state, ORG.b1_receiver, 'record_follow_up', { comment: 'x' }).code).toBe('FORBIDDEN');
    const rec = flow.do('dispatcher2', 'record_follow_up', { comment: '已整改线路站牌' }, at(30));
    expect(rec.state.status).toBe('follow_up');
    expect(rec.effects).toEqual([]);
    const fin = flow.do('ops_head', 'finish_follow_up', {}, at(60));
    expect(fin.state.status).toBe('closed');
    expect(done(fin.effects)).toEqual(['T1:follow_up']);
    expect(flow.openTodos.size).toBe(0);
  });

  test('R-14: follow-up only for reports, complaints and help requests, and only when the ticket closes', () => {
    expect(refusal(atOps('praise'), ORG.ops_head, 'pass_review', { followUp: true })).toMatchObject({
      code: 'VALIDATION',
      field: 'followUp',
    });
    const early = ticket({
      category: 'report',
      status: 'in_review',
      step: 'initiator_review',
      assignments: [assignment('branch1', { status: 'replied' })],
    });
    expect(refusal(early, ORG.dispatcher1, 'pass_review', { followUp: true })).toMatchObject({ field: 'followUp' });
    for (const category of ['complaint', 'help']) {
      expect(decide(atOps(category), ORG.ops_head, 'pass_review', { followUp: true }, at(5), counterIds()).ok).toBe(
        true,
      );
    }
  });

  test('R-10, R-14: a ticket cannot close without an approved reply from every responsible unit', () => {
    const t = ticket({
      status: 'in_review',
      step: 'ops_review',
      assignments: [assignment('branch1', { status: 'replied', reply: undefined })],
    });
    const r = refusal(t, ORG.ops_head, 'pass_review', {});
    expect(r.code).toBe('INVALID_STATE');
    expect(allowedActions(t, ORG.ops_head, at(5))).not.toContain('pass_review');
  });
});

describe('leader approval (R-10) and replies (R-13, R-14)', () => {
  const accepted = () =>
    ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'accepted' })] });

  test('R-13, R-14: a reply names content, handler, handling time and caller contact', () => {
    const t = accepted();
    const good = validInput('submit_reply', t, at(3));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ content: '' }, 'content'],
      [{ handler: ' ' }, 'handler'],
      [{ handledAt: new Date(at(3).getTime() + 6 * 60 * 1000) }, 'handledAt'],
      [{ handledAt: new Date('nonsense') }, 'handledAt'],
      [{ callerContact: undefined }, 'callerContact'],
      [{ callerContact: { ...good.callerContact, method: '' } }, 'callerContact.method'],
      [{ callerContact: { ...good.callerContact, summary: '' } }, 'callerContact.summary'],
      [{ callerContact: { ...good.callerContact, at: at(4) } }, 'callerContact.at'],
      [{ satisfaction: 'happy' }, 'satisfaction'],
    ];
    for (const [patch, field] of cases) {
      expect(refusal(t, ORG.b1_receiver, 'submit_reply', { ...good, ...patch }, at(3))).toMatchObject({
        code: 'VALIDATION',
        field,
      });
    }
    // 5 minutes of clock skew are tolerated.
    const skew = decide(
      t,
      ORG.b1_receiver,
      'submit_reply',
      { ...good, handledAt: new Date(at(3).getTime() + 4 * 60 * 1000) },
      at(3),
      counterIds(),
    );
    expect(skew.ok).toBe(true);
    if (skew.ok)
      expect(skew.events[0].data).toMatchObject({
        handler: '张队长',
        satisfaction: 'satisfied',
        content: good.content,
      });
  });

  test('R-13, issue 15.8: a reply that did not reach the caller names why, from the closed list', () => {
    const t = accepted();
    const good = validInput('submit_reply', t, at(3));
    const notReached = (over: Record<string, unknown>) => ({
      ...good,
      callerContact: {
        ...good.callerContact,
        contacted: false,
        summary: '12 日 9:10、14:30、17:05 三次拨打均未接听',
        ...over,
      },
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      // `contacted` is a yes or no, not something truthy.
      [{ callerContact: { ...good.callerContact, contacted: 'yes' } }, 'callerContact.contacted'],
      [{ callerContact: { ...good.callerContact, contacted: undefined } }, 'callerContact.contacted'],
      // not reached: the reason is required and from the list
      [notReached({}), 'callerContact.notContactedReason'],
      [notReached({ notContactedReason: 'busy' }), 'callerContact.notContactedReason'],
      [notReached({ notContactedReason: '' }), 'callerContact.notContactedReason'],
      // reached: no reason
      [
        { callerContact: { ...good.callerContact, notContactedReason: 'empty_number' } },
        'callerContact.notContactedReason',
      ],
      // the summary says what was tried
      [notReached({ notContactedReason: 'other', summary: ' ' }), 'callerContact.summary'],
    ];
    for (const [patch, field] of cases) {
      expect(refusal(t, ORG.b1_receiver, 'submit_reply', { ...good, ...patch }, at(3))).toMatchObject({
        code: 'VALIDATION',
        field,
      });
    }
    for (const reason of ['empty_number', 'no_answer_3_tries', 'declined_contact', 'no_contact_info', 'other']) {
      const r = decide(
        t,
        ORG.b1_receiver,
        'submit_reply',
        notReached({ notContactedReason: reason }),
        at(3),
        counterIds(),
      );
      if (!r.ok) throw new Error(`${reason}: ${r.message}`);
      expect(r.state.assignments[0].reply!.callerContact).toMatchObject({
        contacted: false,
        notContactedReason: reason,
      });
      expect(r.events[0].data).toMatchObject({ callerContact: { contacted: false, notContactedReason: reason } });
    }
    // A reached caller's reply carries no reason at all.
    const reached = decide(t, ORG.b1_receiver, 'submit_reply', good, at(3), counterIds());
    if (!reached.ok) throw new Error(reached.message);
    expect(reached.state.assignments[0].reply!.callerContact).not.toHaveProperty('notContactedReason');
  });

  test('R-10: the leader rejects with a comment; the reply is cleared and the unit replies again', () => {
    const t = ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'awaiting_leader' })] });
    expect(refusal(t, ORG.b1_leader, 'reject_reply', {})).toMatchObject({ code: 'VALIDATION', field: 'comment' });
    expect(refusal(t, ORG.b2_leader, 'reject_reply', { comment: 'x' }).code).toBe('FORBIDDEN');
    expect(refusal(t, ORG.b1_receiver, 'approve_reply', {}).code).toBe('FORBIDDEN');
    const r = decide(t, ORG.b1_leader, 'reject_reply', { comment: '请写明经办人' }, at(4), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state.assignments[0].status).toBe('accepted');
    expect(r.state.assignments[0].reply).toBeUndefined();
    expect(done(r.effects)).toEqual(['T1:branch1:approve']);
    expect(opened(r.effects)).toEqual(['T1:branch1:reply']);
    expect(notices(r.effects).map((n) => [n.notice, n.to])).toEqual([
      ['reply_rejected', { kind: 'unit_receivers', unitCode: 'branch1' }],
    ]);
    expect(r.events[0]).toMatchObject({ comment: '请写明经办人', unitCode: 'branch1' });
  });
});

describe('remind (催办, X-9)', () => {
  const t = ticket({
    status: 'in_progress',
    assignments: [
      assignment('branch1', { status: 'accepted' }),
      assignment('branch2', { status: 'awaiting_leader' }),
      assignment('fare', { status: 'replied' }),
    ],
  });

  test('X-9: a reminder reaches receivers, or leaders when a reply awaits approval; nothing else changes', () => {
    const r = decide(t, ORG.ops_head, 'remind', {}, at(30), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(notices(r.effects).map((n) => n.to)).toEqual([
      { kind: 'unit_receivers', unitCode: 'branch1' },
      { kind: 'unit_leaders', unitCode: 'branch2' },
    ]);
    expect(r.effects.filter((e) => e.kind !== 'notice')).toEqual([]);
    expect({ ...r.state, version: 0 }).toEqual({ ...t, version: 0 });
    expect(r.state.version).toBe(t.version + 1);
    expect(r.events[0]).toMatchObject({ action: 'remind', data: { units: ['branch1', 'branch2'] } });
  });

  test('X-9: a reminder to one unit; a unit without pending work is refused', () => {
    const r = decide(t, ORG.dispatcher2, 'remind', { unit: 'branch2' }, at(30), counterIds());
    expect(r.ok && notices(r.effects).map((n) => n.unitCode)).toEqual(['branch2']);
    expect(r.ok && r.events[0].unitCode).toBe('branch2');
    expect(refusal(t, ORG.dispatcher2, 'remind', { unit: 'fare' })).toMatchObject({
      code: 'VALIDATION',
      field: 'unit',
    });
    expect(refusal(t, ORG.b1_leader, 'remind', {}).code).toBe('FORBIDDEN');
  });
});

describe('extension (延期, X-4)', () => {
  const accepted = () =>
    ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'accepted' })] });
  const ask = (days = 2, newDeadline = at(168)) => ({ days, reason: '需调取监控', newDeadline });

  test('X-4: request → approve moves the deadline, counts the extension and re-dates the to-do', () => {
    const flow = new Flow(accepted());
    const r = flow.do('b1_receiver', 'request_extension', ask(), at(10));
    expect(r.state.assignments[0]).toMatchObject({
      status: 'accepted',
      replyDeadline: at(120),
      extensionRequest: { days: 2, reason: '需调取监控', requestedBy: 'b1_receiver', newDeadline: at(168) },
    });
    expect(r.events[0]).toMatchObject({
      action: 'request_extension',
      unitCode: 'branch1',
      comment: '需调取监控',
      data: { days: 2, deadline: at(120).toISOString(), newDeadline: at(168).toISOString() },
    });
    expect(notices(r.effects).map((n) => [n.notice, n.to])).toEqual([
      ['extension_requested', { kind: 'role', role: 'dispatcher' }],
      ['extension_requested', { kind: 'role', role: 'ops_head' }],
    ]);
    expect(opened(r.effects)).toEqual(['T1:branch1:extension_review']);

    const ok = flow.do('dispatcher2', 'approve_extension', {}, at(11));
    expect(ok.state.assignments[0]).toMatchObject({ replyDeadline: at(168), extensionCount: 1 });
    expect(ok.state.assignments[0].extensionRequest).toBeUndefined();
    expect(ok.events[0]).toMatchObject({
      action: 'approve_extension',
      unitCode: 'branch1',
      data: { approved: true, from: at(120).toISOString(), to: at(168).toISOString() },
    });
    expect(done(ok.effects)).toEqual(['T1:branch1:reply', 'T1:branch1:extension_review']);
    expect(ok.effects).toContainEqual(
      expect.objectContaining({ kind: 'todo_open', key: 'T1:branch1:reply', dueAt: at(168) }),
    );
    expect(notices(ok.effects).map((n) => [n.notice, n.to])).toEqual([
      ['extension_decided', { kind: 'unit_receivers', unitCode: 'branch1' }],
    ]);
  });

  test('X-4: a rejection needs a comment and leaves the deadline', () => {
    const flow = new Flow(accepted());
    flow.do('b1_receiver', 'request_extension', ask(), at(10));
    expect(refusal(flow.state, ORG.ops_head, 'reject_extension', { comment: ' ' })).toMatchObject({
      code: 'VALIDATION',
      field: 'comment',
    });
    const no = flow.do('ops_head', 'reject_extension', { comment: '可以按期办结' }, at(11));
    expect(no.state.assignments[0]).toMatchObject({ replyDeadline: at(120), extensionCount: 0 });
    expect(no.events[0]).toMatchObject({ comment: '可以按期办结', data: { approved: false, days: 2 } });
    expect(done(no.effects)).toEqual(['T1:branch1:extension_review']);
  });

  test('X-4: days within the cap, a reason, a later deadline; never past the latest (upstream) deadline', () => {
    const t = accepted();
    const req = (input: object, context = {}) =>
      decide(t, ORG.b1_receiver, 'request_extension', input as never, at(10), counterIds(), context);
    expect(req(ask(0))).toMatchObject({ ok: false, code: 'VALIDATION', field: 'days' });
    expect(req(ask(4))).toMatchObject({ ok: false, code: 'VALIDATION', field: 'days' });
    expect(req({ ...ask(), days: 1.5 })).toMatchObject({ ok: false, code: 'VALIDATION', field: 'days' });
    expect(req({ ...ask(), reason: '' })).toMatchObject({ ok: false, code: 'VALIDATION', field: 'reason' });
    expect(req(ask(2, at(100)))).toMatchObject({ ok: false, code: 'VALIDATION', field: 'newDeadline' });
    expect(req(ask(2, at(168)), { latestDeadline: at(150) })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'days',
      message: expect.stringContaining('超过上级期限'),
    });
    expect(req(ask(2, at(150)), { latestDeadline: at(150) }).ok).toBe(true);
    // The application's configured caps replace the defaults.
    expect(req(ask(5), { extensionLimits: { maxCount: 1, maxDays: 5 } }).ok).toBe(true);
  });

  test('X-4: at most maxCount extensions; one pending at a time; only before the deadline', () => {
    const capped = ticket({
      status: 'in_progress',
      assignments: [assignment('branch1', { status: 'accepted', extensionCount: 1 })],
    });
    const limits = { extensionLimits: { maxCount: 1, maxDays: 3 } };
    const r = decide(capped, ORG.b1_receiver, 'request_extension', ask(), at(10), counterIds(), limits);
    expect(r).toMatchObject({ ok: false, code: 'INVALID_STATE', message: expect.stringContaining('达到上限') });
    expect(allowedActions(capped, ORG.b1_receiver, at(10), limits)).not.toContain('request_extension');
    expect(allowedActions(capped, ORG.b1_receiver, at(10))).toContain('request_extension');

    const flow = new Flow(accepted());
    flow.do('b1_receiver', 'request_extension', ask(), at(10));
    expect(refusal(flow.state, ORG.b1_receiver, 'request_extension', ask(), at(11))).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('等待运营服务部审批'),
    });
    expect(refusal(accepted(), ORG.b1_receiver, 'request_extension', ask(), at(120))).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('最晚回复时间已过'),
    });
  });

  test('X-4: a pending request lapses when the reply is approved; three extensions in a row reach the cap', () => {
    const flow = new Flow(accepted());
    flow.do('b1_receiver', 'request_extension', ask(), at(10));
    flow.step('b1_receiver', 'submit_reply', at(11));
    const approved = flow.step('b1_leader', 'approve_reply', at(12));
    expect(approved.state.assignments[0].extensionRequest).toBeUndefined();
    expect(done(approved.effects)).toContain('T1:branch1:extension_review');

    const again = new Flow(accepted());
    for (let i = 1; i <= 3; i++) {
      again.do('b1_receiver', 'request_extension', ask(1, at(120 + 24 * i)), at(i));
      again.do('dispatcher1', 'approve_extension', {}, at(i));
    }
    expect(again.assignment('branch1')).toMatchObject({ extensionCount: 3, replyDeadline: at(192) });
    expect(allowedActions(again.state, ORG.b1_receiver, at(5))).not.toContain('request_extension');
  });
});

describe('who acts for which unit', () => {
  const both: Actor = { userid: 'multi', roles: ['receiver'], unitCodes: ['branch1', 'branch2'] };
  const t = ticket({ status: 'in_progress', assignments: [assignment('branch1'), assignment('branch2')] });

  test('R-9: a receiver of two assigned units must say which unit acts', () => {
    expect(refusal(t, both, 'accept', {})).toMatchObject({ code: 'VALIDATION', field: 'unit' });
    expect(allowedActions(t, both, at(1))).toContain('accept');
    const r = decide(t, both, 'accept', { unit: 'branch2' }, at(1), counterIds());
    expect(r.ok && r.state.assignments.map((a) => a.status)).toEqual(['pending_accept', 'accepted']);
    expect(refusal(t, both, 'accept', { unit: 'fare' }).code).toBe('FORBIDDEN');
  });

  test('R-9: the single unit with matching work is chosen without asking', () => {
    const mixed = ticket({
      status: 'in_progress',
      assignments: [assignment('branch1', { status: 'accepted' }), assignment('branch2')],
    });
    const r = decide(mixed, both, 'accept', {}, at(1), counterIds());
    expect(r.ok && r.events[0].unitCode).toBe('branch2');
    expect(refusal(mixed, both, 'accept', { unit: 'branch1' }).code).toBe('INVALID_STATE');
  });

  test('R-9: a person with no role and no assigned unit is forbidden; a wrong phase is reported first', () => {
    const nobody: Actor = { userid: 'visitor', roles: [], unitCodes: [] };
    // In progress, a complaint: these actions cannot happen at all, so the phase is reported.
    const impossible = [
      'answer_directly',
      'pass_review',
      'send_back',
      'report_upstream',
      'record_follow_up',
      'finish_follow_up',
      'record_visit',
      'mark_responsible',
      'merge',
      'record_unit_follow_up',
      'flag_untrue_reply',
    ];
    for (const action of ACTIONS) {
      const r = decide(t, nobody, action, validInput(action, t, at(1)), at(1), counterIds());
      expect([action, r.ok ? 'ok' : r.code]).toEqual([
        action,
        impossible.includes(action) ? 'INVALID_STATE' : 'FORBIDDEN',
      ]);
    }
    expect(refusal(ticket({ status: 'closed' }), ORG.admin, 'revoke', { reason: 'x' }).code).toBe('INVALID_STATE');
  });
});

describe('dispatch input (R-6, R-9d)', () => {
  test('R-9d: a dispatch needs units, valid roles and a reply deadline in the future', () => {
    const t = ticket();
    expect(refusal(t, ORG.dispatcher1, 'dispatch', { assignments: [] })).toMatchObject({ field: 'assignments' });
    expect(
      refusal(t, ORG.dispatcher1, 'dispatch', { assignments: [{ unit: '', role: 'sole', replyDeadline: deadline }] }),
    ).toMatchObject({
      field: 'assignments[0].unit',
    });
    expect(
      refusal(t, ORG.dispatcher1, 'dispatch', {
        assignments: [{ unit: 'fare', role: 'boss', replyDeadline: deadline }],
      }),
    ).toMatchObject({
      field: 'assignments[0].role',
    });
    expect(
      refusal(
        t,
        ORG.dispatcher1,
        'dispatch',
        { assignments: [{ unit: 'fare', role: 'sole', replyDeadline: at(2) }] },
        at(2),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'assignments[0].replyDeadline' });
    expect(refusal(t, ORG.b1_receiver, 'dispatch', { assignments: [sole('fare')] }).code).toBe('FORBIDDEN');
    expect(refusal(t, ORG.admin, 'dispatch', { assignments: [sole('fare')] }).code).toBe('FORBIDDEN');
  });
});

describe('purity', () => {
  test('R-8: decide never mutates the ticket or the input, and returns version + 1', () => {
    const t = deepFreeze(
      ticket({
        status: 'in_progress',
        assignments: [
          assignment('branch1', { status: 'awaiting_leader' }),
          assignment('branch2', { status: 'accepted' }),
        ],
      }),
    );
    const before = JSON.stringify(t);
    const input = deepFreeze(validInput('submit_reply', t, at(3)));
    const r = decide(t, ORG.b2_receiver, 'submit_reply', input, at(3), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(JSON.stringify(t)).toBe(before);
    expect(r.state.version).toBe(2);
    r.state.assignments[1].reply!.callerContact.summary = 'changed';
    expect(input.callerContact.summary).not.toBe('changed');
    expect(r.state.assignments[0]).not.toBe(t.assignments[0]);
    expect(r.state.assignments[0].dispatchedAt).not.toBe(t.assignments[0].dispatchedAt);
  });
});

describe('the table', () => {
  test('R-8: at most one row applies to any action, status/step, chain, category and reply approval', () => {
    const chains = ['A', 'B', 'direct'] as const;
    const categories = ['consultation', 'complaint', 'report', 'help', 'suggestion', 'lost_item', 'praise'];
    for (const action of ACTIONS) {
      expect(TRANSITIONS.some((r) => r.action === action)).toBe(true);
      for (const phase of [
        'registered',
        'in_progress',
        'initiator_review',
        'ops_review',
        'office_review',
        'upstream_report',
        'follow_up',
        'closed',
        'revoked',
      ] as const) {
        for (const chain of chains) {
          for (const category of categories) {
            for (const approved of [false, true]) {
              const rows = TRANSITIONS.filter(
                (r) =>
                  r.action === action &&
                  r.from.includes(phase) &&
                  (!r.chains || r.chains.includes(chain)) &&
                  (!r.categories || r.categories.includes(category)) &&
                  (r.replyApproved === undefined || r.replyApproved === approved),
              );
              expect(rows.length).toBeLessThanOrEqual(1);
            }
          }
        }
      }
    }
    for (const r of TRANSITIONS) {
      expect(r.who.length).toBeGreaterThan(0);
      expect(r.scope === 'none').toBe(r.assignmentFrom === undefined && r.assignmentTo === undefined);
      expect(r.requirement).toMatch(/^[RX]-/);
    }
  });

  test('R-9: to-dos follow the state: nothing is open once a ticket is closed or revoked', () => {
    expect(todosOf(ticket({ status: 'closed', assignments: [assignment('branch1', { status: 'accepted' })] }))).toEqual(
      [],
    );
    expect(
      todosOf(ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'replied' })] })),
    ).toEqual([]);
  });
});

describe('merge (并单, X-6)', () => {
  test('X-6: a new matter merges into an open ticket: it closes, the timeline names the target', () => {
    const t = deepFreeze(ticket({ id: 'T9' }));
    expect(refusal(t, ORG.dispatcher1, 'merge', { into: ' ' })).toMatchObject({ code: 'VALIDATION', field: 'into' });
    expect(refusal(t, ORG.dispatcher1, 'merge', { into: 'T9' })).toMatchObject({ code: 'VALIDATION', field: 'into' });
    const r = decide(t, ORG.dispatcher2, 'merge', { into: 'T1', comment: '同一来电人' }, at(0), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toMatchObject({ status: 'closed', step: null, version: 2 });
    expect(r.state.directAnswer).toBeUndefined();
    expect(r.events[0]).toMatchObject({
      action: 'merge',
      comment: '同一来电人',
      toStatus: 'closed',
      data: { into: 'T1' },
    });
  });

  test('X-6: only a registered matter merges, and only by a dispatcher', () => {
    const dispatched = ticket({ status: 'in_progress', assignments: [assignment('branch1')] });
    expect(refusal(dispatched, ORG.dispatcher1, 'merge', { into: 'T2' }).code).toBe('INVALID_STATE');
    expect(refusal(ticket(), ORG.ops_head, 'merge', { into: 'T2' }).code).toBe('FORBIDDEN');
    expect(allowedActions(ticket(), ORG.dispatcher1, at(0))).toContain('merge');
  });

  test('X-6: a merged matter is called back and judged on the ticket it joined, not on itself', () => {
    const r = decide(
      ticket({ id: 'T9', callerReachable: true }),
      ORG.dispatcher1,
      'merge',
      { into: 'T1' },
      at(0),
      counterIds(),
    );
    if (!r.ok) throw new Error(r.message);
    const merged = deepFreeze(r.state);
    expect(merged.mergedInto).toBe('T1');
    // The same closed complaint, not merged, is open to both.
    const closed = ticket({ status: 'closed', callerReachable: true });
    expect(allowedActions(closed, ORG.ops_head, at(0))).toEqual(
      expect.arrayContaining(['record_visit', 'mark_responsible']),
    );
    expect(allowedActions(merged, ORG.ops_head, at(0))).not.toContain('record_visit');
    expect(allowedActions(merged, ORG.ops_head, at(0))).not.toContain('mark_responsible');
    for (const action of ['record_visit', 'mark_responsible'] as const) {
      expect(refusal(merged, ORG.ops_head, action, validInput(action, merged, at(0)))).toMatchObject({
        code: 'INVALID_STATE',
        message: expect.stringContaining('并单'),
      });
    }
  });
});

describe('DomainError', () => {
  test('R-9: a refusal becomes a DomainError with the same code and field', () => {
    const r = refusal(ticket(), ORG.dispatcher1, 'dispatch', { assignments: [] });
    const e = DomainError.fromRefusal(r);
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(DomainError);
    expect([e.code, e.field, e.message, e.name]).toEqual(['VALIDATION', 'assignments', r.message, 'DomainError']);
    expect(new DomainError('NOT_FOUND', 'no such ticket').field).toBeUndefined();
  });
});

function T0plus(ms: number): number {
  return at(0).getTime() + ms;
}

void HOUR;
