// Issue 15.10 (Art. 4, Art. 8 second chain, X-3): one consolidated answer goes upstream; the office
// may edit it at its wording review, and report_upstream reports that text.
import { allowedActions, decide } from './workflow.machine';
import type { TicketState } from './workflow.types';
import { composeUpstreamAnswer, upstreamAnswerOf } from './upstream-answer';
import { approvedReply, assignment, at, counterIds, deepFreeze, ORG, reply, ticket } from './workflow.fixtures';

const NAMES = { branch1: '第一分公司', branch2: '第二分公司', safety: '安全科' };

const leadAndCo = (over: Partial<TicketState> = {}) =>
  deepFreeze(
    ticket({
      chain: 'B',
      status: 'in_review',
      step: 'office_review',
      assignments: [
        assignment('branch2', {
          role: 'co',
          status: 'replied',
          reply: { ...approvedReply('branch2'), content: '二分公司：已排查站台。' },
        }),
        assignment('branch1', {
          role: 'lead',
          status: 'replied',
          reply: { ...approvedReply('branch1'), content: '一分公司：已调整发车间隔。' },
        }),
      ],
      ...over,
    }),
  );

describe('issue 15.10: the consolidated answer', () => {
  test('issue 15.10 (R-6d): lead first, then co units, each headed with its unit; one reply alone is itself', () => {
    expect(composeUpstreamAnswer(leadAndCo(), NAMES)).toBe(
      '【第一分公司（主办）】\n一分公司：已调整发车间隔。\n\n【第二分公司（会办）】\n二分公司：已排查站台。',
    );
    const one = ticket({ assignments: [assignment('branch1', { status: 'replied' })] });
    expect(composeUpstreamAnswer(one, NAMES)).toBe(approvedReply().content);
    // A reply still awaiting its leader, or a cancelled unit, is not part of it.
    const pending = ticket({
      assignments: [
        assignment('branch1', { status: 'replied' }),
        assignment('branch2', { status: 'awaiting_leader', reply: reply() }),
        assignment('safety', { status: 'cancelled', reply: approvedReply('safety') }),
      ],
    });
    expect(composeUpstreamAnswer(pending, NAMES)).toBe(approvedReply().content);
  });

  test('issue 15.10 (R-7): a direct answer is the answer; the office’s edit wins over the composition', () => {
    expect(composeUpstreamAnswer(ticket({ directAnswer: '首班车6:00。' }))).toBe('首班车6:00。');
    expect(upstreamAnswerOf(leadAndCo({ upstreamAnswer: '经核查，已调整。' }), NAMES)).toBe('经核查，已调整。');
  });

  test('issue 15.10 (Art. 4): the office reviewer passes office_review with its edited answer; report_upstream reports it', () => {
    const t = leadAndCo();
    const r = decide(
      t,
      ORG.office_reviewer,
      'pass_review',
      { upstreamAnswer: '  经核查，已调整12路发车间隔并排查站台。 ' },
      at(10),
      counterIds(),
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toMatchObject({
      step: 'upstream_report',
      upstreamAnswer: '经核查，已调整12路发车间隔并排查站台。',
    });
    expect(r.changes).toEqual([
      {
        kind: 'upstream_answer.edited',
        answer: '经核查，已调整12路发车间隔并排查站台。',
        by: 'office_reviewer',
        at: at(10),
      },
    ]);
    const reported = decide(deepFreeze(r.state), ORG.dispatcher2, 'report_upstream', {}, at(11), counterIds());
    if (!reported.ok) throw new Error(reported.message);
    expect(reported.state).toMatchObject({
      status: 'closed',
      upstreamAnswer: '经核查，已调整12路发车间隔并排查站台。',
    });
    expect(reported.events[0].data).toEqual({ followUp: false, upstreamAnswerEdited: true });
    expect(reported.changes).toEqual([
      { kind: 'upstream_answer.reported', edited: true, by: 'dispatcher2', at: at(11) },
    ]);
  });

  test('issue 15.10 (Art. 4): only the office edits, only at its step, and not to an empty text', () => {
    const refused = (s: TicketState, who: keyof typeof ORG, input: Record<string, unknown>) => {
      const r = decide(s, ORG[who], 'pass_review', input as never, at(10), counterIds());
      if (r.ok) throw new Error('expected a refusal');
      return r;
    };
    expect(refused(leadAndCo(), 'office_reviewer', { upstreamAnswer: '  ' }).field).toBe('upstreamAnswer');
    expect(refused(leadAndCo(), 'office_reviewer', { upstreamAnswer: 'x'.repeat(8001) }).field).toBe('upstreamAnswer');
    const atOps = leadAndCo({ step: 'ops_review' });
    expect(refused(atOps, 'ops_head', { upstreamAnswer: '改写' }).field).toBe('upstreamAnswer');
    const reportInput = { upstreamAnswer: '改写' } as never;
    const report = decide(
      leadAndCo({ step: 'upstream_report' }),
      ORG.dispatcher1,
      'report_upstream',
      reportInput,
      at(10),
      counterIds(),
    );
    // report_upstream reports what the office passed; it takes no text of its own.
    expect(report.ok && report.state.upstreamAnswer).toBeUndefined();
    expect(allowedActions(leadAndCo(), ORG.office_reviewer, at(10))).toContain('pass_review');
  });

  test('issue 15.10: a send-back withdraws the office’s text with the replies it was made from', () => {
    const t = leadAndCo({ step: 'upstream_report', upstreamAnswer: '经核查，已调整。' });
    const r = decide(t, ORG.dispatcher1, 'send_back', { comment: '请补充站台排查结果' }, at(12), counterIds());
    if (!r.ok) throw new Error(r.message);
    expect(r.state.upstreamAnswer).toBeUndefined();
    expect(r.changes).toContainEqual({ kind: 'upstream_answer.edited', answer: null, by: 'dispatcher1', at: at(12) });
  });

  test('issue 15.10 (X-5): a call that re-opens the lead for rework withdraws the office’s text too', () => {
    const t = leadAndCo({ status: 'closed', step: null, callerReachable: true, upstreamAnswer: '经核查，已调整。' });
    const r = decide(
      t,
      ORG.dispatcher1,
      'record_visit',
      {
        outcome: 'reached',
        solved: false,
        satisfaction: 'unsatisfied',
        unitAtFault: 'branch1',
        reworkDeadline: at(200),
      },
      at(100),
      counterIds(),
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toMatchObject({ status: 'in_progress' });
    expect(r.state.upstreamAnswer).toBeUndefined();
    expect(r.changes).toContainEqual({ kind: 'upstream_answer.edited', answer: null, by: 'dispatcher1', at: at(100) });
  });
});
