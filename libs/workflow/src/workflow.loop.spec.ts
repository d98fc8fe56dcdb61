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
