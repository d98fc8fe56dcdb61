// The units' work (R-9, R-10, R-13, R-14): accept the assignment, reply, the unit leader's
// approval, and the ops department's reminder (催办) to units with work pending.
import {
  NOT_CONTACTED_REASONS,
  type AssignmentState,
  type Audience,
  type NotContactedReason,
  type Refusal,
  type Satisfaction,
  type TicketState,
  type WorkItem,
} from '../workflow.types';
import { unitLabel, unitList } from '../workflow.labels';
import {
  OPS_DEPARTMENT,
  PENDING_WORK,
  activeAssignments,
  activeFor,
  change,
  copyDate,
  defineAction,
  iso,
  isText,
  isValidDate,
  notice,
  readyForReview,
  receivers,
  refuse,
  requireText,
  type AssignmentWorkDecl,
  type Guard,
  type Loose,
} from './kit';
import { enterReview } from './review';

/** A reply's handledAt may be at most this far in the future (phone clocks drift). */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const SATISFACTIONS: readonly Satisfaction[] = ['satisfied', 'basically_satisfied', 'unsatisfied', 'unknown'];

export const coUnitsReplied: Guard = {
  name: 'co_units_replied',
  rule: 'R-6d',
  describe: 'a lead unit acts only when every active co unit has an approved reply',
  check: ({ ticket, assignment: a, ctx }) => {
    if (!a || a.role !== 'lead') return null;
    const pending = activeAssignments(ticket).filter((x) => x.role === 'co' && x.status !== 'replied');
    if (pending.length === 0) return null;
    return `主办单位须等各会办单位的回复经其领导审批后，才能提交或审批本单位的回复（R-6d）。尚未完成：${unitList(
      ctx,
      pending.map((x) => x.unitCode),
    )}。`;
  },
};

export const hasPendingWork: Guard = {
  name: 'has_pending_work',
  rule: 'X-9',
  describe: 'some active assignment awaits its unit (pending_accept, accepted or awaiting_leader)',
  check: ({ ticket }) =>
    activeAssignments(ticket).some((x) => PENDING_WORK.includes(x.status))
      ? null
      : '本工单没有尚待办理的承办单位，无需催办。',
};

/** A unit's own step on its assignment: its people hold it until the reply deadline (light from dispatch). */
function unitWork(
  suffix: string,
  action: 'accept' | 'submit_reply' | 'approve_reply',
  status: AssignmentState['status'],
  to: (unitCode: string) => Audience,
  doc: AssignmentWorkDecl['doc'],
): AssignmentWorkDecl {
  return {
    doc,
    scope: 'assignment',
    item: (t: TicketState, a: AssignmentState): WorkItem | null => {
      if (a.status !== status) return null;
      const holder = to(a.unitCode);
      return {
        key: `${t.id}:${a.unitCode}:${suffix}`,
        action,
        unitCode: a.unitCode,
        holders: [holder],
        todo: holder,
        dueAt: copyDate(a.replyDeadline),
        deadline: { kind: 'at', at: copyDate(a.replyDeadline), startedAt: copyDate(a.dispatchedAt) },
      };
    },
  };
}

export const accept = defineAction({
  action: 'accept',
  rows: [
    {
      requirement: 'R-9',
      from: ['in_progress'],
      who: ['unit_receiver'],
      scope: 'own',
      assignmentFrom: ['pending_accept'],
      assignmentTo: ['accepted'],
      guards: [],
      to: ['in_progress'],
      note: 'the unit takes the assignment',
    },
  ],
  apply: (w) => {
    const a = w.target!;
    a.status = 'accepted';
    a.acceptedBy = w.actor.userid;
    a.acceptedAt = copyDate(w.now);
    change(w, { kind: 'assignment.accepted', assignmentId: a.id, status: 'accepted', by: a.acceptedBy, at: w.now });
  },
  work: [
    unitWork('accept', 'accept', 'pending_accept', receivers, {
      key: '{ticket}:{unit}:accept',
      action: 'accept',
      to: 'unit receivers',
      due: 'reply deadline',
      openWhile: 'assignment pending_accept',
    }),
  ],
});

// a reply says when it was handled, by whom, and how the caller was answered.
function validateReply(input: Loose, now: Date): Refusal | null {
  const missing = requireText(input, 'content', '回复内容') ?? requireText(input, 'handler', '经办人');
  if (missing) return missing;
  const latest = now.getTime() + CLOCK_SKEW_MS;
  if (!isValidDate(input.handledAt) || input.handledAt.getTime() > latest) {
    return refuse('VALIDATION', '办理时间不能晚于现在。', 'handledAt');
  }
  const contact = input.callerContact as Loose | undefined;
  if (typeof contact !== 'object' || contact === null) {
    return refuse('VALIDATION', '请记录如何联系了来电人（R-13）。', 'callerContact');
  }
  if (typeof contact.contacted !== 'boolean') {
    return refuse('VALIDATION', '请说明是否已联系上来电人（R-13）。', 'callerContact.contacted');
  }
  // a reply that did not reach the caller names why, from the closed list; one that did has no reason.
  const reason = contact.notContactedReason;
  if (contact.contacted && reason !== undefined && reason !== null) {
    return refuse('VALIDATION', '已联系上来电人的回复不填写未联系原因。', 'callerContact.notContactedReason');
  }
  if (!contact.contacted && !NOT_CONTACTED_REASONS.includes(reason as NotContactedReason)) {
    return refuse(
      'VALIDATION',
      '未联系上来电人时，请选择原因：空号/停机、三次联系未接通/拒接、来电人要求不回访、未留联系方式/匿名或其他（R-13）。',
      'callerContact.notContactedReason',
    );
  }
  if (!isText(contact.method)) return refuse('VALIDATION', '请选择联系来电人的方式。', 'callerContact.method');
  if (!isText(contact.summary)) {
    const what = contact.contacted
      ? '请填写告知来电人的内容（R-13）。'
      : '请写明未联系上的经过（如三次联系的时间和方式，或“其他”的具体原因）（R-13）。';
    return refuse('VALIDATION', what, 'callerContact.summary');
  }
  if (!isValidDate(contact.at) || contact.at.getTime() > latest) {
    return refuse('VALIDATION', '联系来电人的时间不能晚于现在。', 'callerContact.at');
  }
  if (!SATISFACTIONS.includes(input.satisfaction as Satisfaction)) {
    return refuse('VALIDATION', '请记录来电人满意度（或“未表态”）。', 'satisfaction');
  }
  return null;
}

export const submitReply = defineAction({
  action: 'submit_reply',
  rows: [
    {
      requirement: 'R-6d, R-13, R-14',
      from: ['in_progress'],
      who: ['unit_receiver'],
      scope: 'own',
      assignmentFrom: ['accepted'],
      assignmentTo: ['awaiting_leader'],
      guards: [coUnitsReplied],
      to: ['in_progress'],
      note: "the reply (handled when, handler, caller contact) waits for the unit leader's approval",
    },
  ],
  validate: ({ input, now }) => validateReply(input, now),
  apply: (w, input) => {
    const a = w.target!;
    const contact = input.callerContact!;
    a.status = 'awaiting_leader';
    a.reply = {
      content: input.content!,
      handledAt: copyDate(input.handledAt!),
      handler: input.handler!,
      callerContact: {
        contacted: contact.contacted,
        method: contact.method,
        at: copyDate(contact.at),
        summary: contact.summary,
        ...(contact.contacted ? {} : { notContactedReason: contact.notContactedReason }),
      },
      satisfaction: input.satisfaction!,
      submittedBy: w.actor.userid,
      submittedAt: copyDate(w.now),
    };
    change(w, { kind: 'assignment.moved', assignmentId: a.id, status: 'awaiting_leader' });
    change(w, { kind: 'reply.submitted', assignmentId: a.id, reply: a.reply });
    // the unit leader approves before the reply counts.
    notice(w, 'reply_awaiting_approval', { kind: 'unit_leaders', unitCode: a.unitCode }, a.unitCode);
    w.data = {
      content: a.reply.content,
      handler: a.reply.handler,
      handledAt: iso(a.reply.handledAt),
      callerContact: {
        contacted: contact.contacted,
        method: contact.method,
        summary: contact.summary,
        ...(contact.contacted ? {} : { notContactedReason: contact.notContactedReason }),
      },
      satisfaction: a.reply.satisfaction,
      role: a.role,
    };
  },
  work: [
    unitWork('reply', 'submit_reply', 'accepted', receivers, {
      key: '{ticket}:{unit}:reply',
      action: 'submit_reply',
      to: 'unit receivers',
      due: 'reply deadline',
      openWhile: 'assignment accepted',
    }),
  ],
});

export const approveReply = defineAction({
  action: 'approve_reply',
  rows: [
    {
      requirement: 'R-6d, R-10',
      from: ['in_progress'],
      who: ['unit_leader'],
      scope: 'own',
      assignmentFrom: ['awaiting_leader'],
      assignmentTo: ['replied'],
      guards: [coUnitsReplied],
      to: ['in_progress', 'initiator_review'],
      note: 'a co reply goes to the lead; review starts when every active assignment has replied',
    },
  ],
  apply: (w) => {
    const a = w.target!;
    a.status = 'replied';
    change(w, { kind: 'assignment.moved', assignmentId: a.id, status: 'replied' });
    if (a.reply) {
      a.reply.approvedBy = w.actor.userid;
      a.reply.approvedAt = copyDate(w.now);
      change(w, { kind: 'reply.approved', assignmentId: a.id, by: w.actor.userid, at: w.now });
    }
    w.data = { role: a.role };
    if (a.role === 'co') {
      // R-6d: a co unit's reply is input for the lead.
      const lead = activeAssignments(w.next).find((x) => x.role === 'lead');
      if (lead) notice(w, 'co_reply_ready', receivers(lead.unitCode), a.unitCode);
    }
    if (readyForReview(w.next)) enterReview(w, 'initiator_review');
  },
  work: [
    unitWork('approve', 'approve_reply', 'awaiting_leader', (unitCode) => ({ kind: 'unit_leaders', unitCode }), {
      key: '{ticket}:{unit}:approve',
      action: 'approve_reply',
      to: 'unit leaders',
      due: 'reply deadline',
      openWhile: 'assignment awaiting_leader',
    }),
  ],
});

export const rejectReply = defineAction({
  action: 'reject_reply',
  rows: [
    {
      requirement: 'R-10',
      from: ['in_progress'],
      who: ['unit_leader'],
      scope: 'own',
      assignmentFrom: ['awaiting_leader'],
      assignmentTo: ['accepted'],
      guards: [],
      to: ['in_progress'],
      note: 'with a comment; the reply is cleared and redone',
    },
  ],
  validate: ({ input }) => requireText(input, 'comment', '意见'),
  apply: (w) => {
    const a = w.target!;
    w.data = { rejectedContent: a.reply?.content };
    a.status = 'accepted';
    if (a.reply) change(w, { kind: 'reply.rejected', assignmentId: a.id });
    delete a.reply;
    change(w, { kind: 'assignment.moved', assignmentId: a.id, status: 'accepted' });
    notice(w, 'reply_rejected', receivers(a.unitCode), a.unitCode);
  },
});

export const remind = defineAction({
  action: 'remind',
  rows: [
    {
      requirement: 'X-9, R-17',
      from: ['in_progress'],
      who: OPS_DEPARTMENT,
      scope: 'none',
      guards: [hasPendingWork],
      to: ['in_progress'],
      note: 'a 催办 notice to each unit with pending work (receivers, or leaders when awaiting approval)',
    },
  ],
  validate: ({ ticket, input, ctx }) => {
    if (input.unit === undefined || input.unit === null) return null;
    const a = activeFor(ticket, String(input.unit));
    if (!a || !PENDING_WORK.includes(a.status)) {
      return refuse('VALIDATION', `${unitLabel(ctx, String(input.unit))}在本工单上没有待办理的事项。`, 'unit');
    }
    return null;
  },
  apply: (w, input) => {
    const only = input.unit === undefined || input.unit === null ? undefined : String(input.unit);
    const units: string[] = [];
    for (const a of activeAssignments(w.next)) {
      if (!PENDING_WORK.includes(a.status) || (only !== undefined && a.unitCode !== only)) continue;
      const to: Audience =
        a.status === 'awaiting_leader' ? { kind: 'unit_leaders', unitCode: a.unitCode } : receivers(a.unitCode);
      notice(w, 'remind', to, a.unitCode);
      units.push(a.unitCode);
    }
    if (only !== undefined) w.unitCode = only;
    w.data = { units };
  },
});
