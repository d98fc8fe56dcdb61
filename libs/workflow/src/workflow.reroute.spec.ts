// Issue 15.9 (改派; Art. 9(二), Art. 12): the operations department withdraws one unit's
// assignment and dispatches another unit in its place, without revoking the ticket.
import { allowedActions, decide, todosOf } from './workflow.machine';
import type { Effect, RerouteInput, TicketState } from './workflow.types';
import {
  assignment,
  at,
  counterIds,
  deepFreeze,
  extensionRequest,
  Flow,
  ORG,
  ticket,
  type PersonId,
} from './workflow.fixtures';

const notices = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { kind: 'notice' }> => e.kind === 'notice');
const opened = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { kind: 'todo_open' }> => e.kind === 'todo_open');
const done = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { kind: 'todo_done' }> => e.kind === 'todo_done').map((e) => e.key);

const input = (over: Partial<RerouteInput> = {}): RerouteInput => ({
  unit: 'branch1',
  newUnit: 'branch2',
  reason: '派错单位：12路属第二分公司',
  replyDeadline: at(200),
  ...over,
});

function reroute(t: TicketState, who: PersonId = 'dispatcher2', over: Partial<RerouteInput> = {}, now = at(3)) {
  return decide(deepFreeze(t), ORG[who], 'reroute', input(over), now, counterIds('new'));
}

const inProgress = (...assignments: TicketState['assignments']) => ticket({ status: 'in_progress', assignments });

describe('issue 15.9: reroute (改派) one unit', () => {
  test('issue 15.9 (Art. 12): a pending unit is withdrawn and the new unit dispatched in its place; the ticket stays in progress', () => {
    const r = reroute(inProgress(assignment('branch1')));
    if (!r.ok) throw new Error(r.message);
    expect(r.state.status).toBe('in_progress');
    const [old, added] = r.state.assignments;
    expect(old).toMatchObject({ unitCode: 'branch1', status: 'withdrawn' });
    expect(added).toMatchObject({
      id: 'new-1',
      unitCode: 'branch2',
      role: 'sole',
      status: 'pending_accept',
      dispatchedBy: 'dispatcher2',
      dispatchedAt: at(3),
      replyDeadline: at(200),
      reworkCount: 0,
      extensionCount: 0,
    });
    // Recorded: one timeline event with the reason, the units and the new deadline.
    expect(r.events).toEqual([
      expect.objectContaining({
        action: 'reroute',
        actor: 'dispatcher2',
        unitCode: 'branch1',
        comment: '派错单位：12路属第二分公司',
        data: {
          from: 'branch1',
          to: 'branch2',
          role: 'sole',
          withdrawnStatus: 'pending_accept',
          replyDeadline: at(200).toISOString(),
        },
      }),
    ]);
    // Withdrawn first: the rows are stored in this order under the one-open-assignment indexes (issue 14.1).
    expect(r.changes.map((c) => c.kind)).toEqual(['assignment.withdrawn', 'assignment.dispatched']);
    expect(r.changes[0]).toEqual({
      kind: 'assignment.withdrawn',
      assignmentId: 'as-branch1',
      by: 'dispatcher2',
      reason: '派错单位：12路属第二分公司',
      replacementId: 'new-1',
    });
    // The withdrawn unit is told and its to-do closes; the new unit gets the dispatch notice and to-do.
    expect(notices(r.effects)).toEqual([
      {
        kind: 'notice',
        notice: 'new_assignment',
        to: { kind: 'unit_receivers', unitCode: 'branch2' },
        unitCode: 'branch2',
      },
      {
        kind: 'notice',
        notice: 'assignment_withdrawn',
        to: { kind: 'unit_receivers', unitCode: 'branch1' },
        unitCode: 'branch1',
      },
    ]);
    expect(done(r.effects)).toEqual(['T1:branch1:accept']);
    expect(opened(r.effects)).toEqual([
      expect.objectContaining({
        key: 'T1:branch2:accept',
        action: 'accept',
        dueAt: at(200),
        unitCode: 'branch2',
      }),
    ]);
    expect(todosOf(r.state).map((t) => t.key)).toEqual(['T1:branch2:accept']);
  });

  test('issue 15.9 (R-6d): the new unit takes the withdrawn unit’s role, lead or co', () => {
    const lead = assignment('branch1', { role: 'lead', status: 'accepted' });
    const co = assignment('fare', { role: 'co', status: 'accepted' });
    const asLead = reroute(inProgress(lead, co), 'ops_head', { unit: 'branch1', newUnit: 'safety' });
    if (!asLead.ok) throw new Error(asLead.message);
    expect(asLead.state.assignments.map((a) => [a.unitCode, a.role, a.status])).toEqual([
      ['branch1', 'lead', 'withdrawn'],
      ['fare', 'co', 'accepted'],
      ['safety', 'lead', 'pending_accept'],
    ]);
    const asCo = reroute(inProgress(lead, co), 'dispatcher1', { unit: 'fare', newUnit: 'safety' });
    if (!asCo.ok) throw new Error(asCo.message);
    expect(asCo.state.assignments.map((a) => [a.unitCode, a.role, a.status])).toEqual([
      ['branch1', 'lead', 'accepted'],
      ['fare', 'co', 'withdrawn'],
      ['safety', 'co', 'pending_accept'],
    ]);
  });

  test('issue 15.9 (R-12): a pending return and a pending extension of the withdrawn assignment are closed with it', () => {
    const r = reroute(
      inProgress(assignment('branch1', { status: 'return_requested', extensionRequest: extensionRequest('branch1') })),
    );
    if (!r.ok) throw new Error(r.message);
    const old = r.state.assignments[0];
    expect(old.status).toBe('withdrawn');
    expect(old.extensionRequest).toBeUndefined();
    expect(r.changes).toEqual(
      expect.arrayContaining([
        { kind: 'return.decided', assignmentId: 'as-branch1', decision: 'withdrawn', by: 'dispatcher2' },
        { kind: 'extension.decided', assignmentId: 'as-branch1', decision: 'withdrawn', by: null },
      ]),
    );
    expect(done(r.effects).sort()).toEqual(['T1:branch1:extension_review', 'T1:branch1:return_review']);
    expect(r.events[0].data).toMatchObject({ withdrawnStatus: 'return_requested' });
  });

  test('issue 15.9 (R-10): a reply waiting for the leader is withdrawn; receivers and leaders are told', () => {
    const r = reroute(inProgress(assignment('branch1', { status: 'awaiting_leader' })));
    if (!r.ok) throw new Error(r.message);
    expect(r.state.assignments[0].reply).toBeUndefined();
    expect(done(r.effects)).toEqual(['T1:branch1:approve']);
    expect(
      notices(r.effects)
        .filter((n) => n.notice === 'assignment_withdrawn')
        .map((n) => n.to),
    ).toEqual([
      { kind: 'unit_receivers', unitCode: 'branch1' },
      { kind: 'unit_leaders', unitCode: 'branch1' },
    ]);
  });

  test('issue 15.9: the withdrawn unit can no longer act (409, the state moved on), the new unit can', () => {
    const r = reroute(inProgress(assignment('branch1')));
    if (!r.ok) throw new Error(r.message);
    const refused = decide(r.state, ORG.b1_receiver, 'accept', {}, at(4), counterIds());
    expect(refused).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    expect(!refused.ok && refused.message).toMatch(/改派/);
    expect(allowedActions(r.state, ORG.b1_receiver, at(4))).toEqual([]);
    expect(allowedActions(r.state, ORG.b2_receiver, at(4))).toEqual(
      expect.arrayContaining(['accept', 'request_return', 'request_extension']),
    );
    // The withdrawn unit may be sent the matter again later: it is no longer on the ticket.
    const back = reroute(r.state, 'dispatcher1', { unit: 'branch2', newUnit: 'branch1' }, at(5));
    expect(back.ok).toBe(true);
  });

  test('issue 15.9: a reason, a unit not on the ticket and a deadline ahead are required', () => {
    const t = inProgress(assignment('branch1'), assignment('fare'));
    expect(reroute(t, 'dispatcher1', { reason: ' ' })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'reason',
    });
    expect(reroute(t, 'dispatcher1', { newUnit: '' })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'newUnit',
    });
    expect(reroute(t, 'dispatcher1', { newUnit: 'fare' })).toMatchObject({
      ok: false,
      code: 'INVALID_STATE',
      field: 'newUnit',
    });
    expect(reroute(t, 'dispatcher1', { newUnit: 'branch1' })).toMatchObject({ ok: false, field: 'newUnit' });
    expect(reroute(t, 'dispatcher1', { replyDeadline: at(1) })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'replyDeadline',
    });
    // Two units still working: which one is re-routed must be named.
    expect(reroute(t, 'dispatcher1', { unit: undefined })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'unit',
    });
  });

  test('issue 15.9 (Art. 8): only the operations department re-routes; not a replied unit, not outside in_progress', () => {
    const t = inProgress(assignment('branch1', { status: 'accepted' }));
    for (const who of ['b1_receiver', 'b1_leader', 'office_reviewer', 'admin'] as PersonId[]) {
      expect(reroute(t, who)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
    // an approved reply stands; the unit is no longer re-routed (a reviewer sends it back instead).
    const replied = inProgress(
      assignment('branch1', { role: 'lead', status: 'accepted' }),
      assignment('fare', { role: 'co', status: 'replied' }),
    );
    expect(reroute(replied, 'dispatcher1', { unit: 'fare', newUnit: 'safety' })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      field: 'unit',
    });
    const inReview = ticket({
      status: 'in_review',
      step: 'initiator_review',
      assignments: [assignment('branch1', { status: 'replied' })],
    });
    expect(reroute(inReview)).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    for (const status of ['closed', 'revoked', 'follow_up'] as const) {
      expect(reroute(ticket({ status, assignments: [assignment('branch1', { status: 'replied' })] }))).toMatchObject({
        ok: false,
        code: 'INVALID_STATE',
      });
    }
  });

  test('issue 15.9 (R-18): the withdrawn assignment is not rework, not returned, and its record is kept', () => {
    const flow = new Flow(ticket());
    flow.do(
      'dispatcher1',
      'dispatch',
      { assignments: [{ unit: 'branch1', role: 'sole', replyDeadline: at(120) }] },
      at(0),
    );
    flow.do('b1_receiver', 'accept', {}, at(1));
    flow.do('dispatcher2', 'reroute', input({ replyDeadline: at(150) }), at(2));
    const old = flow.state.assignments[0];
    expect(old).toMatchObject({ status: 'withdrawn', reworkCount: 0, acceptedBy: 'b1_receiver' });
    expect(flow.state.assignments).toHaveLength(2);
    flow.do('b2_receiver', 'accept', {}, at(3));
    expect(flow.events.map((e) => e.action)).toEqual(['dispatch', 'accept', 'reroute', 'accept']);
    expect([...flow.openTodos]).toEqual(['T1:branch2:reply']);
  });
});
