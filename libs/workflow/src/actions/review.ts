// Review (R-8): after the units have replied, the chain's review steps, send-back for rework,
// the upstream report of chain B, and the follow-up of R-14(3) until the matter is resolved.
import type { Audience, Chain, ReviewStep, TicketState } from '../workflow.types';
import { unitList, unitLabel } from '../workflow.labels';
import {
  CHAIN_STEPS,
  OPS_DEPARTMENT,
  activeAssignments,
  activeFor,
  change,
  defineAction,
  initiatingDepartment,
  isRefusal,
  leaders,
  notice,
  receivers,
  refuse,
  requireText,
  rework,
  type Check,
  type Guard,
  type Loose,
  type TicketWorkDecl,
  type Work,
} from './kit';
import type { DecideContext, Refusal } from '../workflow.types';
import { UPSTREAM_ANSWER_MAX } from '../upstream-answer';

/**
 * R-14(3): categories that may stay under follow-up after closing. The regulation names
 * reports (举报) and accidents (事故); accidents arrive as complaints or help requests.
 */
export const FOLLOW_UP_CATEGORIES: readonly string[] = ['report', 'complaint', 'help'];

/**
 * Who acts at a review step (R-8): the initiating department (any dispatcher, issue 13.6), the
 * ops head or the office reviewer.
 */
export function reviewStepAudience(step: ReviewStep): Audience {
  switch (step) {
    case 'initiator_review':
    case 'upstream_report':
      return initiatingDepartment();
    case 'ops_review':
      return { kind: 'role', role: 'ops_head' };
    case 'office_review':
      return { kind: 'role', role: 'office_reviewer' };
  }
}

function nextReviewStep(chain: Chain, step: ReviewStep): ReviewStep | null {
  const steps = CHAIN_STEPS[chain] ?? CHAIN_STEPS.A;
  const i = steps.indexOf(step);
  return i >= 0 && i + 1 < steps.length ? steps[i + 1] : null;
}

/** The ticket enters a review step; whoever acts there is told. */
export function enterReview(w: Work, step: ReviewStep): void {
  w.next.status = 'in_review';
  w.next.step = step;
  notice(w, 'review_step', reviewStepAudience(step));
}

/** CLOSE (R-14): closed, or follow_up for a report/complaint/help found true (R-14(3)). */
function close(w: Work, input: Loose): void {
  const followUp = input.followUp === true;
  w.next.status = followUp ? 'follow_up' : 'closed';
  w.next.step = null;
  for (const a of activeAssignments(w.next)) {
    if (!followUp) {
      notice(w, 'closed', receivers(a.unitCode), a.unitCode);
      continue;
    }
    // Issue 15.6 (R-14(3)): the units that handled it follow it up too; they are told so.
    notice(w, 'follow_up', receivers(a.unitCode), a.unitCode);
    notice(w, 'follow_up', leaders(a.unitCode), a.unitCode);
  }
  w.data = { followUp };
}

export const responsibleRepliesApproved: Guard = {
  name: 'responsible_replies_approved',
  rule: 'R-10, R-14',
  describe:
    'every active sole or lead assignment is replied with a leader-approved reply, or the ticket was answered directly (directAnswer, issue 15.1)',
  check: ({ ticket, ctx }) => {
    // Issue 15.1: a direct answer (the dispatcher's, or a branch's for a lost item) is the answer.
    if (ticket.directAnswer !== undefined) return null;
    const responsible = activeAssignments(ticket).filter((x) => x.role !== 'co');
    const missing = responsible.filter((x) => x.status !== 'replied' || !x.reply?.approvedAt);
    if (responsible.length > 0 && missing.length === 0) return null;
    return `还不能办结：每个负责答复的承办单位都须有经领导审批的回复（R-10、R-14）${
      missing.length
        ? `，尚缺：${unitList(
            ctx,
            missing.map((x) => x.unitCode),
          )}`
        : ''
    }。`;
  },
};

function validateFollowUp({ ticket, passed, input }: Check): Refusal | null {
  if (input.followUp !== true) return null;
  if (!passed.row.to.includes('closed')) return refuse('VALIDATION', '只有在办结这一步才能选择继续跟踪。', 'followUp');
  if (!FOLLOW_UP_CATEGORIES.includes(ticket.category)) {
    return refuse('VALIDATION', '只有举报、投诉和求助类工单可以在办结后继续跟踪（R-14）。', 'followUp');
  }
  return null;
}

/** The review step's work: the step's holder acts before the step's deadline (X-1, from the policy). */
const reviewWork: TicketWorkDecl = {
  doc: {
    key: '{ticket}:review:{step}',
    action: 'pass_review',
    to: 'dispatchers (initiator review) / ops head / office reviewer / dispatchers (report_upstream)',
    due: '—',
    openWhile: 'ticket in_review at that step',
  },
  scope: 'ticket',
  item: (t: TicketState) => {
    if (t.status !== 'in_review' || !t.step) return null;
    const to = reviewStepAudience(t.step);
    return {
      key: `${t.id}:review:${t.step}`,
      action: t.step === 'upstream_report' ? 'report_upstream' : 'pass_review',
      holders: [to],
      todo: to,
      deadline: { kind: 'step' },
    };
  },
};

/**
 * Issue 15.10 (Art. 4): only the office, at its wording review, gives the consolidated answer
 * that goes upstream (its edit of the composition the micro-app shows).
 */
function validateUpstreamAnswer({ ticket, input }: Check): Refusal | null {
  const text = input.upstreamAnswer;
  if (text === undefined || text === null) return null;
  if (ticket.step !== 'office_review') {
    return refuse('VALIDATION', '只有公司办公室在文字审核时可以修改上报的答复（第四条）。', 'upstreamAnswer');
  }
  if (typeof text !== 'string' || !text.trim()) {
    return refuse('VALIDATION', '上报的答复不能为空。', 'upstreamAnswer');
  }
  if (text.trim().length > UPSTREAM_ANSWER_MAX) {
    return refuse('VALIDATION', `上报的答复不能超过 ${UPSTREAM_ANSWER_MAX} 字。`, 'upstreamAnswer');
  }
  return null;
}

export const passReview = defineAction({
  action: 'pass_review',
  rows: [
    {
      requirement: 'R-8',
      from: ['initiator_review'],
      who: ['initiator'],
      scope: 'none',
      guards: [],
      to: ['ops_review'],
      note: 'the initiating department (any dispatcher) checks the reply',
    },
    {
      requirement: 'R-8, R-14',
      from: ['ops_review'],
      chains: ['A', 'direct'],
      who: ['ops_head'],
      scope: 'none',
      guards: [responsibleRepliesApproved],
      to: ['closed', 'follow_up'],
      note: 'chain A closes; with followUp (report/complaint/help) it stays under follow-up (R-14(3))',
    },
    {
      requirement: 'R-8, R-4',
      from: ['ops_review'],
      chains: ['B'],
      who: ['ops_head'],
      scope: 'none',
      guards: [],
      to: ['office_review'],
      note: 'chain B goes on to the office',
    },
    {
      requirement: 'R-8, R-4',
      from: ['office_review'],
      who: ['office_reviewer'],
      scope: 'none',
      guards: [],
      to: ['upstream_report'],
      note: 'the office checks the wording and may edit the consolidated answer (upstreamAnswer, issue 15.10); a dispatcher then reports that text upstream',
    },
  ],
  validate: (c) => validateFollowUp(c) ?? validateUpstreamAnswer(c),
  apply: (w, input) => {
    if (typeof input.upstreamAnswer === 'string') {
      // Issue 15.10: the office's text is the one report_upstream reports.
      w.next.upstreamAnswer = input.upstreamAnswer.trim();
      change(w, { kind: 'upstream_answer.edited', answer: w.next.upstreamAnswer, by: w.actor.userid, at: w.now });
      w.data = { upstreamAnswerEdited: true };
    }
    const following = nextReviewStep(w.next.chain, w.next.step!);
    if (following) enterReview(w, following);
    else close(w, input);
  },
  work: [reviewWork],
});

/** send_back: which assignments go back (default: the replies under review that answer for the ticket). */
function sendBackUnits(ticket: TicketState, input: Loose, ctx: DecideContext): string[] | Refusal {
  const active = activeAssignments(ticket);
  const replied = active.filter((a) => a.status === 'replied');
  if (ticket.directAnswer !== undefined) {
    // Issue 15.1: a direct answer under review goes back to whoever answered: the branch that
    // answered a lost item (rework), or the dispatchers (the ticket is registered again).
    const answered = replied.map((a) => a.unitCode);
    if (input.units !== undefined && input.units !== null) {
      if (!Array.isArray(input.units) || input.units.some((u) => !answered.includes(u as string))) {
        return refuse('VALIDATION', '这是直接答复，退回时不能另选单位：直接答复退回给答复人重新答复。', 'units');
      }
    }
    return answered;
  }
  let units: string[];
  if (input.units === undefined || input.units === null) {
    units = replied.filter((a) => a.role !== 'co').map((a) => a.unitCode);
  } else {
    if (!Array.isArray(input.units) || input.units.length === 0) {
      return refuse('VALIDATION', '请至少选择一个退回重办的单位，或不选（退回负责答复的单位）。', 'units');
    }
    units = [];
    for (const u of input.units) {
      if (!replied.some((a) => a.unitCode === u)) {
        return refuse('VALIDATION', `${unitLabel(ctx, String(u))}没有待审核的回复。`, 'units');
      }
      if (!units.includes(u as string)) units.push(u as string);
    }
    // R-6d: the lead's reply is built on the co replies, so reworking a co reworks the lead.
    const lead = replied.find((a) => a.role === 'lead');
    const hasCo = units.some((u) => active.find((a) => a.unitCode === u)?.role === 'co');
    if (hasCo && lead && !units.includes(lead.unitCode)) units.push(lead.unitCode);
  }
  if (units.length === 0) return refuse('VALIDATION', '没有待审核的回复。', 'units');
  return units;
}

export const sendBack = defineAction({
  action: 'send_back',
  rows: [
    {
      requirement: 'R-8, R-14',
      from: ['initiator_review'],
      chains: ['A', 'direct'],
      who: ['initiator'],
      scope: 'none',
      guards: [],
      to: ['in_progress'],
      note: 'rework: the replies go back to their units (accepted, reworkCount + 1); the deadline keeps running',
    },
    {
      requirement: 'R-8, R-14',
      from: ['ops_review'],
      chains: ['A', 'direct'],
      who: ['ops_head'],
      scope: 'none',
      guards: [],
      to: ['in_progress'],
      note: 'rework, as above',
    },
    {
      requirement: 'R-8, R-14, R-4',
      from: ['initiator_review', 'upstream_report'],
      chains: ['B'],
      who: ['initiator'],
      scope: 'none',
      guards: [],
      to: ['in_progress', 'registered'],
      note: 'rework, as above; a direct answer (issue 15.1) is withdrawn: the answering branch reworks, or the ticket is registered again for the dispatchers',
    },
    {
      requirement: 'R-8, R-14, R-4',
      from: ['ops_review'],
      chains: ['B'],
      who: ['ops_head'],
      scope: 'none',
      guards: [],
      to: ['in_progress', 'registered'],
      note: 'rework or a withdrawn direct answer, as above',
    },
    {
      requirement: 'R-8, R-14, R-4',
      from: ['office_review'],
      who: ['office_reviewer'],
      scope: 'none',
      guards: [],
      to: ['in_progress', 'registered'],
      note: 'rework or a withdrawn direct answer, as above',
    },
  ],
  validate: ({ ticket, input, ctx }) => {
    const missing = requireText(input, 'comment', '意见');
    if (missing) return missing;
    const units = sendBackUnits(ticket, input, ctx);
    return isRefusal(units) ? units : null;
  },
  apply: (w, input) => {
    // R-8, R-14: rework; the reply deadline keeps running.
    const units = sendBackUnits(w.next, input, {}) as string[];
    for (const u of units) {
      rework(w, activeFor(w.next, u)!);
      notice(w, 'rework', receivers(u), u);
    }
    const direct = w.next.directAnswer !== undefined;
    // Issue 15.1: a direct answer sent back is withdrawn; without a unit the ticket is registered again.
    delete w.next.directAnswer;
    if (w.next.upstreamAnswer !== undefined) {
      // Issue 15.10: the office's text goes with the answer it was made from (rework() did it for units).
      delete w.next.upstreamAnswer;
      change(w, { kind: 'upstream_answer.edited', answer: null, by: w.actor.userid, at: w.now });
    }
    w.next.status = direct && activeAssignments(w.next).length === 0 ? 'registered' : 'in_progress';
    w.next.step = null;
    if (w.next.status === 'registered') notice(w, 'rework', initiatingDepartment());
    w.data = direct ? { units, step: w.before.step, directAnswer: true } : { units, step: w.before.step };
  },
  sideEffects: [{ from: ['replied'], to: 'accepted', which: 'each unit sent back (reworkCount + 1)' }],
});

export const reportUpstream = defineAction({
  action: 'report_upstream',
  rows: [
    {
      requirement: 'R-4, R-8',
      from: ['upstream_report'],
      who: ['initiator'],
      scope: 'none',
      guards: [responsibleRepliesApproved],
      to: ['closed', 'follow_up'],
      note: "chain B closes; with followUp (report/complaint/help) it stays under follow-up (R-14(3)); what is reported is the office's edited consolidated answer, else the one composed from the approved replies (issue 15.10)",
    },
  ],
  validate: validateFollowUp,
  apply: (w, input) => {
    close(w, input);
    const edited = w.next.upstreamAnswer !== undefined;
    w.data = { ...w.data, upstreamAnswerEdited: edited };
    change(w, { kind: 'upstream_answer.reported', edited, by: w.actor.userid, at: w.now });
  },
});

export const recordFollowUp = defineAction({
  action: 'record_follow_up',
  rows: [
    {
      requirement: 'R-14',
      from: ['follow_up'],
      who: OPS_DEPARTMENT,
      scope: 'none',
      guards: [],
      to: ['follow_up'],
      note: 'a follow-up note (comment required)',
    },
  ],
  validate: ({ input }) => requireText(input, 'comment', '意见'),
  apply: () => undefined,
});

/**
 * Issue 15.6 (Art. 14(三) 做好后续跟踪服务): the units that handled the ticket (its active
 * assignments: receivers and leaders) record their follow-up progress as well, while the ops
 * department decides when the matter is fully resolved (finish_follow_up stays theirs: Art. 14
 * has the ops department approve that the matter is finished, 经审核同意办结的，即为事项办结).
 */
export const recordUnitFollowUp = defineAction({
  action: 'record_unit_follow_up',
  rows: [
    {
      requirement: 'R-14',
      from: ['follow_up'],
      who: ['unit_receiver', 'unit_leader'],
      scope: 'own',
      assignmentFrom: ['replied'],
      assignmentTo: ['replied'],
      guards: [],
      to: ['follow_up'],
      stays: true,
      note: 'the unit that handled the ticket records its follow-up progress (comment required); the ops department is told',
    },
  ],
  validate: ({ input }) => requireText(input, 'comment', '跟踪进展'),
  apply: (w) => {
    notice(w, 'follow_up_progress', initiatingDepartment(), w.unitCode);
    w.data = { progress: true };
  },
  work: [
    {
      doc: {
        key: '{ticket}:{unit}:follow_up',
        action: 'record_unit_follow_up',
        to: 'unit receivers and leaders (inbox only, no to-do)',
        due: '—',
        openWhile: 'ticket follow_up (each active assignment)',
      },
      scope: 'assignment',
      duringFollowUp: true,
      item: (t, a) =>
        t.status !== 'follow_up' || a.status !== 'replied'
          ? null
          : {
              key: `${t.id}:${a.unitCode}:follow_up`,
              action: 'record_unit_follow_up',
              unitCode: a.unitCode,
              holders: [receivers(a.unitCode), leaders(a.unitCode)],
              // Recording progress is the unit's to offer, not a step anyone waits on: inbox only.
              todo: null,
              deadline: { kind: 'none' },
            },
    },
  ],
});

export const finishFollowUp = defineAction({
  action: 'finish_follow_up',
  rows: [
    {
      requirement: 'R-14',
      from: ['follow_up'],
      who: OPS_DEPARTMENT,
      scope: 'none',
      guards: [],
      to: ['closed'],
      note: 'the matter is fully resolved',
    },
  ],
  apply: (w) => {
    w.next.status = 'closed';
    w.next.step = null;
  },
  work: [
    {
      doc: {
        key: '{ticket}:follow_up',
        action: 'finish_follow_up',
        to: 'the dispatchers (initiating department)',
        due: '—',
        openWhile: 'ticket follow_up',
      },
      scope: 'ticket',
      item: (t) =>
        t.status !== 'follow_up'
          ? null
          : {
              key: `${t.id}:follow_up`,
              action: 'finish_follow_up',
              holders: [initiatingDepartment(), { kind: 'role', role: 'ops_head' }],
              todo: initiatingDepartment(),
              deadline: { kind: 'none' },
            },
    },
  ],
});
