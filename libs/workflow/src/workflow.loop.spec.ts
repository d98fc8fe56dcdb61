// X-5 follow-up calls (回访) and R-16 at-fault decisions (有责/无责): scenarios and refusals.
import { allowedActions, decide } from './workflow.machine';
import type { Actor, TicketState } from './workflow.types';
import { assignment, at, counterIds, deepFreeze, Flow, ORG, ticket } from './workflow.fixtures';

const closed = (over: Partial<TicketState> = {}) =>
  deepFreeze(
    ticket({
      status: 'closed',
      callerReachable: true,
      assignments: [assignment('branch1', { status: 'replied' })],
      ...over,
    }),
  );

function refusal(
  t: TicketState,
  who: Actor,
  action: 'record_visit' | 'mark_responsible' | 'write_case_file',
  input: unknown,
) {
  const r = decide(t, who, action, input as never, at(40), counterIds());
  if (r.ok) throw new Error(`expected a refusal of ${action}`);
  return r;
}

describe('X-5 follow-up calls', () => {
  test('X-5: three unanswered calls end the round as unreachable', () => {
    const flow = new Flow(closed());
    for (const n of [1, 2]) {
      const r = flow.do('dispatcher2', 'record_visit', { outcome: 'no_answer' }, at(30 + n));
      expect(r.state.visit).toEqual({ status: 'pending', noAnswer: n, round: 1 });
      expect(r.events[0].data).toEqual({ outcome: 'no_answer', round: 1, attempt: n, visitStatus: 'pending' });
    }
    const third = flow.do('ops_head', 'record_visit', { outcome: 'no_answer' }, at(33));
    expect(third.state).toMatchObject({ status: 'closed', visit: { status: 'unreachable', noAnswer: 3, round: 1 } });
    expect(third.effects).toEqual([]);
    expect(allowedActions(third.state, ORG.dispatcher1, at(34))).not.toContain('record_visit');
    expect(refusal(third.state, ORG.dispatcher1, 'record_visit', { outcome: 'no_answer' }).code).toBe('INVALID_STATE');
  });

  test('X-5: solved and satisfaction are recorded apart; a reached call ends the round', () => {
    const flow = new Flow(closed());
    const r = flow.do(
      'dispatcher1',
      'record_visit',
      { outcome: 'reached', solved: false, satisfaction: 'basically_satisfied', comment: '态度好但问题未彻底解决' },
      at(30),
    );
    expect(r.state).toMatchObject({ status: 'closed', visit: { status: 'reached', noAnswer: 0, round: 1 } });
    expect(r.events[0]).toMatchObject({
      action: 'record_visit',
      comment: '态度好但问题未彻底解决',
      data: { outcome: 'reached', solved: false, satisfaction: 'basically_satisfied', visitStatus: 'reached' },
    });
  });

  test('X-5: an unsatisfied result through the unit re-opens the same ticket to it as rework (重办)', () => {
    const t = closed({
      assignments: [
        assignment('branch1', { status: 'replied', reworkCount: 1 }),
        assignment('branch2', { status: 'replied' }),
      ],
    });
    const flow = new Flow(t);
    const deadline = at(100);
    const r = flow.do(
      'dispatcher1',
      'record_visit',
      {
        outcome: 'reached',
        solved: false,
        satisfaction: 'unsatisfied',
        unitAtFault: 'branch1',
        reworkDeadline: deadline,
      },
      at(30),
    );
    expect(r.state).toMatchObject({
      id: 'T1',
      status: 'in_progress',
      step: null,
      visit: { status: 'pending', round: 2 },
    });
    const b1 = r.state.assignments[0];
    expect(b1).toMatchObject({ status: 'accepted', reworkCount: 2, replyDeadline: deadline });
    expect(b1.reply).toBeUndefined();
    expect(r.state.assignments[1]).toMatchObject({ status: 'replied', reworkCount: 0 });
    expect(r.events[0]).toMatchObject({
      unitCode: 'branch1',
      fromStatus: 'closed',
      toStatus: 'in_progress',
      data: { rework: true, unitAtFault: 'branch1', satisfaction: 'unsatisfied', round: 1 },
    });
    expect(r.effects).toContainEqual({
      kind: 'notice',
      notice: 'rework',
      to: { kind: 'unit_receivers', unitCode: 'branch1' },
      unitCode: 'branch1',
    });
    expect(r.effects).toContainEqual(
      expect.objectContaining({ kind: 'todo_open', key: 'T1:branch1:reply', dueAt: deadline }),
    );
    // The unit replies again, the ticket closes again, and a second round of calls is due.
    flow.step('b1_receiver', 'submit_reply', at(31));
    flow.step('b1_leader', 'approve_reply', at(32));
    flow.step('dispatcher1', 'pass_review', at(33));
    const again = flow.step('ops_head', 'pass_review', at(34));
    expect(again.state.status).toBe('closed');
    expect(allowedActions(again.state, ORG.dispatcher2, at(35))).toContain('record_visit');
    const second = flow.do(
      'dispatcher2',
      'record_visit',
      { outcome: 'reached', solved: true, satisfaction: 'satisfied' },
      at(40),
    );
    expect(second.state.visit).toEqual({ status: 'reached', noAnswer: 0, round: 2 });
  });

  test('X-5: the call input is checked field by field', () => {
    const t = closed({
      assignments: [
        assignment('branch1', { status: 'replied', role: 'lead' }),
        assignment('branch2', { role: 'co', status: 'replied' }),
      ],
    });
    const d = ORG.dispatcher1;
    expect(refusal(t, d, 'record_visit', { outcome: 'maybe' }).field).toBe('outcome');
    expect(refusal(t, d, 'record_visit', { outcome: 'no_answer', solved: true }).field).toBe('solved');
    expect(refusal(t, d, 'record_visit', { outcome: 'reached', satisfaction: 'satisfied' }).field).toBe('solved');
    expect(refusal(t, d, 'record_visit', { outcome: 'reached', solved: true, satisfaction: 'unknown' }).field).toBe(
      'satisfaction',
    );
    const fault = { outcome: 'reached', solved: false, satisfaction: 'unsatisfied', reworkDeadline: at(100) };
    expect(
      refusal(t, d, 'record_visit', { ...fault, satisfaction: 'basically_satisfied', unitAtFault: 'branch1' }).field,
    ).toBe('unitAtFault');
    expect(refusal(t, d, 'record_visit', { ...fault, unitAtFault: 'branch2' }).field).toBe('unitAtFault'); // a co unit
    expect(refusal(t, d, 'record_visit', { ...fault, unitAtFault: 'fare' }).field).toBe('unitAtFault');
    expect(refusal(t, d, 'record_visit', { ...fault, unitAtFault: 'branch1', reworkDeadline: at(39) }).field).toBe(
      'reworkDeadline',
    );
    expect(refusal(t, ORG.b1_receiver, 'record_visit', { outcome: 'refused' }).code).toBe('FORBIDDEN');
    expect(refusal(closed({ callerReachable: false }), d, 'record_visit', { outcome: 'refused' }).code).toBe(
      'INVALID_STATE',
    );
  });
});

describe('R-16 at-fault decisions and case files', () => {
  const caseFile = {
    cause: '驾驶员未进站',
    partyKind: 'driver',
    party: '驾驶员 1024 号',
    measures: '批评教育，扣绩效',
    lesson: '进站必停',
  };

  test('R-16: an at-fault complaint names the unit and carries its case file; the ticket stays where it is', () => {
    const t = closed();
    const r = decide(
      t,
      ORG.ops_head,
      'mark_responsible',
      { atFault: true, basis: '车载监控', responsibleUnit: 'branch1', caseFile } as never,
      at(40),
      counterIds(),
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toMatchObject({
      status: 'closed',
      responsibility: { atFault: true, unitCode: 'branch1' },
      version: t.version + 1,
    });
    expect(r.events[0]).toMatchObject({
      comment: '车载监控',
      unitCode: 'branch1',
      fromStatus: 'closed',
      toStatus: 'closed',
      data: { atFault: true, caseFile },
    });
    expect(r.effects).toEqual([]);
    // A later decision replaces it.
    const again = decide(
      r.state,
      ORG.dispatcher1,
      'mark_responsible',
      { atFault: false, basis: '复核：车辆故障' } as never,
      at(41),
      counterIds(),
    );
    expect(again.ok && again.state.responsibility).toEqual({ atFault: false });
  });

  test('R-16: the decision needs a basis; at fault needs the unit, a case file given is complete; only complaints', () => {
    const t = closed();
    const d = ORG.dispatcher2;
    expect(refusal(t, d, 'mark_responsible', { basis: 'x' }).field).toBe('atFault');
    expect(refusal(t, d, 'mark_responsible', { atFault: false, basis: ' ' }).field).toBe('basis');
    expect(refusal(t, d, 'mark_responsible', { atFault: false, basis: 'x', caseFile }).field).toBe('caseFile');
    expect(refusal(t, d, 'mark_responsible', { atFault: true, basis: 'x', caseFile }).field).toBe('responsibleUnit');
    expect(
      refusal(t, d, 'mark_responsible', { atFault: true, basis: 'x', responsibleUnit: 'fare', caseFile }).field,
    ).toBe('responsibleUnit');
    // Issue 15.12 (Art. 16): without a case file the decision stands; the unit owes it.
    expect(
      decide(t, d, 'mark_responsible', { atFault: true, basis: 'x', responsibleUnit: 'branch1' }, at(40), counterIds())
        .ok,
    ).toBe(true);
    expect(
      refusal(t, d, 'mark_responsible', {
        atFault: true,
        basis: 'x',
        responsibleUnit: 'branch1',
        caseFile: { ...caseFile, partyKind: 'weather' },
      }).field,
    ).toBe('caseFile.partyKind');
    expect(
      refusal(t, d, 'mark_responsible', {
        atFault: true,
        basis: 'x',
        responsibleUnit: 'branch1',
        caseFile: { ...caseFile, lesson: '' },
      }).field,
    ).toBe('caseFile.lesson');
    expect(
      refusal(closed({ category: 'suggestion' }), d, 'mark_responsible', { atFault: false, basis: 'x' }).code,
    ).toBe('INVALID_STATE');
    expect(refusal(t, ORG.b1_leader, 'mark_responsible', { atFault: false, basis: 'x' }).code).toBe('FORBIDDEN');
  });
});

describe('issue 15.12 (Art. 16): the unit at fault writes its case analysis', () => {
  const file = {
    cause: '驾驶员未停稳即开门',
    partyKind: 'driver' as const,
    party: '1路驾驶员 1024 号',
    measures: '停岗培训三天',
    lesson: '停稳再开门',
  };
  const atFault = (who: Actor = ORG.ops_head) => {
    const r = decide(
      closed(),
      who,
      'mark_responsible',
      { atFault: true, basis: '车载视频', responsibleUnit: 'branch1' },
      at(40),
      counterIds(),
    );
    if (!r.ok) throw new Error(r.message);
    return deepFreeze(r.state);
  };

  test('issue 15.12 (Art. 16): an at-fault decision without a case file opens the unit leaders’ to-do, also on a closed ticket', () => {
    const r = decide(
      closed(),
      ORG.ops_head,
      'mark_responsible',
      { atFault: true, basis: '车载视频', responsibleUnit: 'branch1' },
      at(40),
      counterIds(),
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.state.responsibility).toEqual({ atFault: true, unitCode: 'branch1', caseFileWritten: false });
    expect(r.effects).toEqual([
      {
        kind: 'todo_open',
        key: 'T1:case_file',
        action: 'write_case_file',
        to: { kind: 'unit_leaders', unitCode: 'branch1' },
        unitCode: 'branch1',
      },
      {
        kind: 'notice',
        notice: 'case_file_requested',
        to: { kind: 'unit_leaders', unitCode: 'branch1' },
        unitCode: 'branch1',
      },
    ]);
    expect(r.work).toEqual([
      expect.objectContaining({
        key: 'T1:case_file',
        holders: [
          { kind: 'unit_leaders', unitCode: 'branch1' },
          { kind: 'unit_receivers', unitCode: 'branch1' },
        ],
      }),
    ]);
  });

  test('issue 15.12 (Art. 16): the leader or a receiver of the unit at fault writes it; other units may not; the to-do is done', () => {
    const t = atFault();
    for (const who of [ORG.b1_leader, ORG.b1_receiver, ORG.dispatcher2, ORG.ops_head]) {
      expect(allowedActions(t, who, at(41))).toContain('write_case_file');
    }
    for (const who of [ORG.b2_leader, ORG.b2_receiver, ORG.office_reviewer, ORG.admin]) {
      expect(allowedActions(t, who, at(41))).not.toContain('write_case_file');
      expect(refusal(t, who, 'write_case_file', file).code).toBe('FORBIDDEN');
    }
    const r = decide(t, ORG.b1_leader, 'write_case_file', file, at(41), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toMatchObject({ status: 'closed', responsibility: { caseFileWritten: true } });
    expect(r.events[0]).toMatchObject({
      action: 'write_case_file',
      unitCode: 'branch1',
      data: { caseFile: file, update: false },
    });
    expect(r.effects).toEqual([{ kind: 'todo_done', key: 'T1:case_file' }]);
    expect(r.work).toEqual([]);
    expect(r.changes).toEqual([
      { kind: 'case_file.written', unitCode: 'branch1', caseFile: file, by: 'b1_leader', at: at(41) },
    ]);
    // Updating it later is allowed (the ops department completes it if needed).
    const upd = decide(
      deepFreeze(r.state),
      ORG.dispatcher1,
      'write_case_file',
      { ...file, lesson: '补充：进站减速' },
      at(42),
      counterIds(),
    );
    expect(upd.ok && upd.events[0].data).toMatchObject({ update: true });
  });

  test('issue 15.12 (R-16): a case analysis needs every field; not without an at-fault decision', () => {
    const t = atFault();
    expect(refusal(t, ORG.b1_receiver, 'write_case_file', { ...file, partyKind: 'weather' }).field).toBe('partyKind');
    expect(refusal(t, ORG.b1_receiver, 'write_case_file', { ...file, measures: ' ' }).field).toBe('measures');
    expect(refusal(closed(), ORG.ops_head, 'write_case_file', file).code).toBe('INVALID_STATE');
    expect(refusal(closed(), ORG.b1_leader, 'write_case_file', file).code).toBe('FORBIDDEN');
  });

  test('issue 15.12: naming the same unit again keeps its case file; another unit or not at fault withdraws it', () => {
    const written = decide(atFault(), ORG.b1_leader, 'write_case_file', file, at(41), counterIds());
    if (!written.ok) throw new Error(written.message);
    const s = deepFreeze(written.state);
    const same = decide(
      s,
      ORG.ops_head,
      'mark_responsible',
      { atFault: true, basis: '复核', responsibleUnit: 'branch1' },
      at(42),
      counterIds(),
    );
    expect(same.ok && same.state.responsibility).toEqual({ atFault: true, unitCode: 'branch1', caseFileWritten: true });
    expect(same.ok && same.changes[0]).toMatchObject({ kind: 'responsibility.decided', keepsCaseFile: true });
    expect(same.ok && same.effects).toEqual([]);
    const cleared = decide(
      s,
      ORG.ops_head,
      'mark_responsible',
      { atFault: false, basis: '复核：无责' },
      at(42),
      counterIds(),
    );
    expect(cleared.ok && cleared.work).toEqual([]);
    expect(cleared.ok && cleared.effects).toEqual([]);
  });
});

describe('issue 15.6 (Art. 14(三)): the handling units follow a verified report up too', () => {
  const underFollowUp = () =>
    deepFreeze(
      ticket({
        category: 'report',
        status: 'follow_up',
        assignments: [
          assignment('branch1', { role: 'lead', status: 'replied' }),
          assignment('branch2', { role: 'co', status: 'replied' }),
        ],
      }),
    );

  test('issue 15.6 (Art. 14(三)): closing with followUp tells the units; their receivers and leaders may record progress, the ops department finishes', () => {
    const flow = new Flow(
      ticket({
        category: 'complaint',
        status: 'in_review',
        step: 'ops_review',
        assignments: [assignment('branch1', { status: 'replied' })],
      }),
    );
    const c = flow.do('ops_head', 'pass_review', { followUp: true }, at(5));
    expect(c.state.status).toBe('follow_up');
    expect(c.effects).toContainEqual({
      kind: 'notice',
      notice: 'follow_up',
      to: { kind: 'unit_receivers', unitCode: 'branch1' },
      unitCode: 'branch1',
    });
    expect(c.effects).toContainEqual({
      kind: 'notice',
      notice: 'follow_up',
      to: { kind: 'unit_leaders', unitCode: 'branch1' },
      unitCode: 'branch1',
    });
    // Who acts now: the unit holds an inbox item (no to-do), the ops department the to-do.
    expect(c.work).toEqual([
      {
        key: 'T1:branch1:follow_up',
        action: 'record_unit_follow_up',
        unitCode: 'branch1',
        holders: [
          { kind: 'unit_receivers', unitCode: 'branch1' },
          { kind: 'unit_leaders', unitCode: 'branch1' },
        ],
        todo: null,
        deadline: { kind: 'none' },
      },
      expect.objectContaining({ key: 'T1:follow_up', action: 'finish_follow_up' }),
    ]);
    for (const who of ['b1_receiver', 'b1_leader'] as const) {
      expect(allowedActions(flow.state, ORG[who], at(6))).toEqual(['record_unit_follow_up']);
    }
    expect(allowedActions(flow.state, ORG.b2_receiver, at(6))).toEqual([]);
    const r = flow.do(
      'b1_leader',
      'record_unit_follow_up',
      { comment: '已对涉事驾驶员停岗培训，整改仍在进行' },
      at(30),
    );
    expect(r.state).toMatchObject({ status: 'follow_up', version: c.state.version + 1 });
    expect(r.events[0]).toMatchObject({
      action: 'record_unit_follow_up',
      actor: 'b1_leader',
      unitCode: 'branch1',
      comment: '已对涉事驾驶员停岗培训，整改仍在进行',
      fromStatus: 'follow_up',
      toStatus: 'follow_up',
    });
    expect(r.effects).toEqual([
      { kind: 'notice', notice: 'follow_up_progress', to: { kind: 'role', role: 'dispatcher' }, unitCode: 'branch1' },
    ]);
    // Art. 14: that the matter is finished is the ops department's approval, not the unit's.
    const refused = decide(flow.state, ORG.b1_leader, 'finish_follow_up', {}, at(31), counterIds());
    expect(refused).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const fin = flow.do('dispatcher1', 'finish_follow_up', {}, at(40));
    expect(fin.state.status).toBe('closed');
    expect(fin.work).toEqual([]);
  });

  test('issue 15.6 (Art. 14(三)): a co unit records too; the note is required; other units and the office may not', () => {
    const t = underFollowUp();
    const ok = decide(t, ORG.b2_receiver, 'record_unit_follow_up', { comment: '已复核站牌' }, at(30), counterIds());
    expect(ok).toMatchObject({ ok: true, events: [{ unitCode: 'branch2' }] });
    expect(decide(t, ORG.b1_receiver, 'record_unit_follow_up', { comment: ' ' }, at(30), counterIds())).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'comment',
    });
    for (const who of ['safety_receiver', 'office_reviewer', 'dispatcher1', 'admin'] as const) {
      const r = decide(t, ORG[who], 'record_unit_follow_up', { comment: 'x' }, at(30), counterIds());
      expect([who, r.ok ? 'ok' : r.code]).toEqual([who, 'FORBIDDEN']);
    }
    // Not outside follow-up: a closed ticket's progress is over.
    const closedOne = deepFreeze({ ...t, status: 'closed' as const });
    const r = decide(closedOne, ORG.b1_receiver, 'record_unit_follow_up', { comment: 'x' }, at(30), counterIds());
    expect(r).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });
});

describe('issue 15.7 (Art. 10): a reply found untrue is corrected through the leader again', () => {
  const newDeadline = at(100);
  const flag = { unit: 'branch1', reason: '经调取监控，车辆并未进站停靠，回复与事实不符', replyDeadline: newDeadline };

  test('issue 15.7 (Art. 10): flagged after closing, the unit corrects its reply through its leader, counted as untrue (not rework), and the ticket is reviewed and closed again', () => {
    const flow = new Flow(closed({ visit: { status: 'reached', noAnswer: 0, round: 1 } }));
    const r = flow.do('dispatcher1', 'flag_untrue_reply', flag, at(40));
    expect(r.state).toMatchObject({
      status: 'in_progress',
      step: null,
      visit: { status: 'pending', noAnswer: 0, round: 2 },
    });
    const a = r.state.assignments[0];
    expect(a).toMatchObject({ status: 'accepted', untrueCount: 1, reworkCount: 0, replyDeadline: newDeadline });
    expect(a.reply).toBeUndefined();
    expect(r.events[0]).toMatchObject({
      action: 'flag_untrue_reply',
      actor: 'dispatcher1',
      unitCode: 'branch1',
      comment: flag.reason,
      fromStatus: 'closed',
      toStatus: 'in_progress',
      data: { reason: flag.reason, replyDeadline: newDeadline.toISOString(), untrueCount: 1, fromStatus: 'closed' },
    });
    expect(r.changes).toContainEqual(
      expect.objectContaining({ kind: 'reply.flagged_untrue', assignmentId: a.id, untrueCount: 1, newDeadline }),
    );
    // The unit is told (receivers redo it, leaders approve it again) and its reply to-do opens.
    for (const to of [
      { kind: 'unit_receivers', unitCode: 'branch1' },
      { kind: 'unit_leaders', unitCode: 'branch1' },
    ]) {
      expect(r.effects).toContainEqual({ kind: 'notice', notice: 'reply_untrue', to, unitCode: 'branch1' });
    }
    expect(r.effects).toContainEqual(
      expect.objectContaining({ kind: 'todo_open', key: 'T1:branch1:reply', dueAt: newDeadline }),
    );
    // Through the leader again (Art. 10), then the review chain again.
    flow.step('b1_receiver', 'submit_reply', at(41));
    expect(flow.state.assignments[0].status).toBe('awaiting_leader');
    flow.step('b1_leader', 'approve_reply', at(42));
    expect(flow.state).toMatchObject({ status: 'in_review', step: 'initiator_review' });
    flow.step('dispatcher2', 'pass_review', at(43));
    flow.step('ops_head', 'pass_review', at(44));
    expect(flow.state.status).toBe('closed');
    expect(flow.state.assignments[0]).toMatchObject({ untrueCount: 1, reworkCount: 0 });
  });

  test('issue 15.7 (Art. 10): in review, on chain B, the ops department flags; the office reviewer and the units may not', () => {
    const t = deepFreeze(
      ticket({
        chain: 'B',
        status: 'in_review',
        step: 'office_review',
        assignments: [assignment('branch1', { status: 'replied' }), assignment('branch2', { status: 'replied' })],
      }),
    );
    for (const who of ['office_reviewer', 'b1_receiver', 'b1_leader', 'admin'] as const) {
      const r = decide(t, ORG[who], 'flag_untrue_reply', flag, at(10), counterIds());
      expect([who, r.ok ? 'ok' : r.code]).toEqual([who, 'FORBIDDEN']);
    }
    const r = decide(t, ORG.ops_head, 'flag_untrue_reply', flag, at(10), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toMatchObject({ status: 'in_progress', step: null });
    expect(r.state.visit).toBeUndefined();
    // Only the flagged unit goes back; the other reply stands.
    expect(r.state.assignments.map((a) => [a.unitCode, a.status])).toEqual([
      ['branch1', 'accepted'],
      ['branch2', 'replied'],
    ]);
    // With two units the ops department names one.
    const { unit: _unit, ...unnamed } = flag;
    expect(decide(t, ORG.ops_head, 'flag_untrue_reply', unnamed, at(10), counterIds())).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'unit',
    });
  });

  test('issue 15.7 (Art. 10): a reason and a new deadline after now are required; a co input and a direct answer are not flagged; not before review', () => {
    const t = closed();
    const refused = (input: Record<string, unknown>, state: TicketState = t) => {
      const r = decide(state, ORG.ops_head, 'flag_untrue_reply', input as never, at(40), counterIds());
      return r.ok ? 'ok' : [r.code, r.field];
    };
    expect(refused({ ...flag, reason: '  ' })).toEqual(['VALIDATION', 'reason']);
    expect(refused({ ...flag, replyDeadline: at(39) })).toEqual(['VALIDATION', 'replyDeadline']);
    expect(refused({ ...flag, replyDeadline: 'tomorrow' })).toEqual(['VALIDATION', 'replyDeadline']);
    const withCo = closed({
      assignments: [
        assignment('branch1', { role: 'lead', status: 'replied' }),
        assignment('branch2', { role: 'co', status: 'replied' }),
      ],
    });
    expect(refused({ ...flag, unit: 'branch2' }, withCo)).toEqual(['INVALID_STATE', undefined]);
    expect(refused(flag, withCo)).toBe('ok');
    // A branch's direct answer (lost item) has no leader-approved reply to correct.
    const direct = closed({
      category: 'lost_item',
      directAnswer: '已在调度室找到',
      assignments: [assignment('branch1', { status: 'replied', reply: undefined })],
    });
    expect(refused(flag, direct)).toEqual(['INVALID_STATE', undefined]);
    const inProgress = deepFreeze({ ...t, status: 'in_progress' as const });
    expect(refused(flag, inProgress)).toEqual(['INVALID_STATE', undefined]);
  });

  test('issue 15.7 (R-9b): once a reply was found untrue, only the ops head revokes', () => {
    const flow = new Flow(closed());
    flow.do('dispatcher1', 'flag_untrue_reply', flag, at(40));
    expect(allowedActions(flow.state, ORG.dispatcher1, at(41))).not.toContain('revoke');
    expect(allowedActions(flow.state, ORG.ops_head, at(41))).toContain('revoke');
  });
});
