// Closing the loop: the follow-up call after closing, which may re-open the
// ticket to the unit at fault, the at-fault decision on a complaint, and the case file the unit at
// fault writes (Art. 16 建档、案例分析, issue 15.12).
import type { CaseFileInput, Refusal, Satisfaction, VisitOutcome, VisitState } from '../workflow.types';
import { VISIT_STATUS_LABELS, unitLabel } from '../workflow.labels';
import {
  OPS_DEPARTMENT,
  activeFor,
  change,
  copyDate,
  defineAction,
  leaders,
  isText,
  isValidDate,
  notice,
  receivers,
  refuse,
  requireText,
  rework,
  visitOf,
  type Check,
  type Guard,
  type Loose,
  type TicketWorkDecl,
} from './kit';

/** the third unanswered follow-up call ends the round as unreachable. */
export const VISIT_MAX_NO_ANSWER = 3;

/** only complaints get the 有责/无责 decision. */
export const RESPONSIBILITY_CATEGORIES: readonly string[] = ['complaint'];

/** who or what an at-fault complaint is about. */
export const CASE_PARTIES = ['driver', 'route', 'vehicle', 'unit'] as const;

export const visitDue: Guard = {
  name: 'visit_due',
  rule: 'X-5',
  describe:
    "a caller phone is on record and this round's follow-up call has not ended (reached, refused or 3 × no answer)",
  check: ({ ticket }) => {
    if (!ticket.callerReachable) return '没有登记来电人电话，无法回访（X-5）。';
    const v = visitOf(ticket);
    return v.status === 'pending'
      ? null
      : `本轮回访已结束（${VISIT_STATUS_LABELS[v.status] ?? v.status}），不能再记录回访（X-5）。`;
  },
};

export const notMerged: Guard = {
  name: 'not_merged',
  rule: 'X-6',
  describe:
    'the matter was not merged into another ticket (并单); the call back and any at-fault decision belong there',
  check: ({ ticket }) =>
    ticket.mergedInto ? '此事项已并入另一工单（并单，X-6）：请在并入的工单上记录回访和责任认定。' : null,
};

const VISIT_OUTCOMES: readonly VisitOutcome[] = ['reached', 'no_answer', 'refused'];
const VISIT_SATISFACTIONS: readonly Satisfaction[] = ['satisfied', 'basically_satisfied', 'unsatisfied'];

// solved and satisfaction only for a reached caller; a unit at fault only when unsatisfied.
const VISIT_FIELD_LABELS: Readonly<Record<string, string>> = {
  solved: '是否解决',
  satisfaction: '满意度',
  unitAtFault: '责任单位',
};

function validateVisit({ ticket, input, now, ctx }: Check): Refusal | null {
  const outcome = input.outcome as VisitOutcome;
  if (!VISIT_OUTCOMES.includes(outcome)) {
    return refuse('VALIDATION', '回访结果须为已接通、无人接听或拒绝回访。', 'outcome');
  }
  const given = (f: string) => input[f] !== undefined && input[f] !== null;
  if (outcome !== 'reached') {
    const extra = ['solved', 'satisfaction', 'unitAtFault'].find(given);
    return extra ? refuse('VALIDATION', `只有接通来电人时才记录${VISIT_FIELD_LABELS[extra]}（X-5）。`, extra) : null;
  }
  if (typeof input.solved !== 'boolean') {
    return refuse('VALIDATION', '请记录问题是否已解决（X-5）。', 'solved');
  }
  if (!VISIT_SATISFACTIONS.includes(input.satisfaction as Satisfaction)) {
    return refuse('VALIDATION', '请记录满意度：满意、基本满意或不满意。', 'satisfaction');
  }
  if (!given('unitAtFault')) return null;
  if (input.satisfaction !== 'unsatisfied') {
    return refuse('VALIDATION', '只有来电人不满意时才能退回承办单位重办（X-5）。', 'unitAtFault');
  }
  const a = typeof input.unitAtFault === 'string' ? activeFor(ticket, input.unitAtFault) : undefined;
  if (!a || a.status !== 'replied' || a.role === 'co') {
    return refuse(
      'VALIDATION',
      `${unitLabel(ctx, String(input.unitAtFault))}不是本工单负责答复的单位。`,
      'unitAtFault',
    );
  }
  const deadline = input.reworkDeadline;
  if (!isValidDate(deadline) || deadline.getTime() <= now.getTime()) {
    return refuse('VALIDATION', '重办须有晚于现在的最晚回复时间。', 'reworkDeadline');
  }
  return null;
}

export const recordVisit = defineAction({
  action: 'record_visit',
  rows: [
    {
      requirement: 'X-5, R-13',
      from: ['closed'],
      who: OPS_DEPARTMENT,
      scope: 'none',
      guards: [notMerged, visitDue],
      to: ['closed', 'in_progress'],
      note: "one call: reached (solved yes/no and satisfaction), no answer (the third ends as unreachable) or refused; unsatisfied through a unit's fault (unitAtFault) re-opens the ticket: that unit's assignment back to accepted with a new reply deadline, reworkCount + 1, and a new round of calls after the next close",
    },
  ],
  validate: validateVisit,
  apply: (w, input) => {
    // attempts, solved and satisfied are recorded apart; the round ends reached, refused or unreachable.
    const { next } = w;
    const v = visitOf(next);
    const outcome = input.outcome!;
    const data: Record<string, unknown> = { outcome, round: v.round };
    let reopened: { id: string; previousDeadline: Date } | null = null;
    let visit: VisitState;
    if (outcome === 'no_answer') {
      const noAnswer = v.noAnswer + 1;
      visit = { ...v, noAnswer, status: noAnswer >= VISIT_MAX_NO_ANSWER ? 'unreachable' : 'pending' };
      data.attempt = noAnswer;
      data.visitStatus = visit.status;
    } else if (outcome === 'refused') {
      visit = { ...v, status: 'refused' };
      data.visitStatus = 'refused';
    } else {
      data.solved = input.solved;
      data.satisfaction = input.satisfaction;
      data.visitStatus = 'reached';
      const unit = input.unitAtFault as string | undefined | null;
      if (unit === undefined || unit === null) {
        visit = { ...v, status: 'reached' };
      } else {
        // 重办: the same ticket goes back to the unit at fault, counted, with a new deadline.
        const a = activeFor(next, unit)!;
        reopened = { id: a.id, previousDeadline: new Date(a.replyDeadline) };
        rework(w, a, input.reworkDeadline!);
        next.status = 'in_progress';
        next.step = null;
        visit = { status: 'pending', noAnswer: 0, round: v.round + 1 };
        notice(w, 'rework', receivers(unit), unit);
        w.unitCode = unit;
        data.unitAtFault = unit;
        data.rework = true;
        data.replyDeadline = a.replyDeadline.toISOString();
      }
    }
    next.visit = visit;
    change(w, {
      kind: 'visit.recorded',
      round: v.round,
      outcome,
      solved: outcome === 'reached' ? (input.solved ?? null) : null,
      satisfaction: outcome === 'reached' ? (input.satisfaction ?? null) : null,
      unitAtFault: reopened ? (input.unitAtFault ?? null) : null,
      visitStatus: data.visitStatus as VisitState['status'],
      visit: { ...visit },
      reworkAssignmentId: reopened?.id ?? null,
      previousDeadline: reopened?.previousDeadline ?? null,
      stillClosed: next.status === 'closed',
    });
    w.data = data;
  },
  sideEffects: [
    {
      from: ['replied'],
      to: 'accepted',
      which: 'the unit at fault after an unsatisfied call (reworkCount + 1, new reply deadline)',
    },
  ],
});

// a basis always; at fault: the unit that answers for it and a complete case file.
function validateResponsibility({ ticket, input }: Check): Refusal | null {
  if (typeof input.atFault !== 'boolean') {
    return refuse('VALIDATION', '请认定该投诉有责还是无责。', 'atFault');
  }
  const missing = requireText(input, 'basis', '认定依据');
  if (missing) return missing;
  const has = (f: string) => input[f] !== undefined && input[f] !== null;
  if (!input.atFault) {
    const extra = ['responsibleUnit', 'caseFile'].find(has);
    return extra
      ? refuse('VALIDATION', `认定无责时不填${extra === 'caseFile' ? '案例档案' : '责任单位'}，只有有责时才填。`, extra)
      : null;
  }
  const unit = input.responsibleUnit;
  if (!isText(unit) || !ticket.assignments.some((a) => a.unitCode === unit && a.status !== 'returned')) {
    return refuse('VALIDATION', '请选择对该投诉负责的单位（须是本工单派过的单位）。', 'responsibleUnit');
  }
  // Issue 15.12 (Art. 16): the case file is the unit's to write; the ops department may give it here.
  if (input.caseFile === undefined || input.caseFile === null) return null;
  return validateCaseFile(input.caseFile, 'caseFile.');
}

/** a complete case file (cause, party, measures, lesson); `prefix` names the fields. */
function validateCaseFile(value: unknown, prefix: string): Refusal | null {
  const file = value as Loose | undefined;
  if (typeof file !== 'object' || file === null) {
    return refuse('VALIDATION', '请填写案例档案（R-16）。', prefix ? prefix.slice(0, -1) : 'cause');
  }
  if (!(CASE_PARTIES as readonly string[]).includes(file.partyKind as string)) {
    return refuse('VALIDATION', '责任方类型须为驾驶员、线路、车辆或单位。', `${prefix}partyKind`);
  }
  for (const [f, label] of [
    ['party', '责任方'],
    ['cause', '原因'],
    ['measures', '整改措施'],
    ['lesson', '经验教训'],
  ] as const) {
    if (!isText(file[f])) return refuse('VALIDATION', `请填写${label}（R-16）。`, `${prefix}${f}`);
  }
  return null;
}

const caseFileOf = (f: Loose): CaseFileInput => ({
  cause: String(f.cause).trim(),
  partyKind: f.partyKind as CaseFileInput['partyKind'],
  party: String(f.party).trim(),
  measures: String(f.measures).trim(),
  lesson: String(f.lesson).trim(),
});

export const markResponsible = defineAction({
  action: 'mark_responsible',
  rows: [
    {
      requirement: 'R-16, X-8',
      from: ['ops_review', 'office_review', 'upstream_report', 'follow_up', 'closed'],
      categories: RESPONSIBILITY_CATEGORIES,
      who: OPS_DEPARTMENT,
      scope: 'none',
      guards: [notMerged],
      to: ['ops_review', 'office_review', 'upstream_report', 'follow_up', 'closed'],
      stays: true,
      note: "at fault / not at fault with the basis; at fault names the unit, which then owes its case file (write_case_file; the ops department may give it here: cause, party, measures, lesson); the ticket stays where it is, a later decision replaces the earlier one (the unit's case file stays only when the same unit is named again)",
    },
  ],
  validate: validateResponsibility,
  apply: (w, input) => {
    // the latest decision stands; the timeline keeps every one.
    const atFault = input.atFault === true;
    const unit = atFault ? input.responsibleUnit! : undefined;
    const given = atFault && input.caseFile ? caseFileOf(input.caseFile as unknown as Loose) : null;
    // Issue 15.12: the case file already written stays when the same unit is named again.
    const was = w.before.responsibility;
    const keepsCaseFile = !given && atFault && was?.atFault === true && was.unitCode === unit && !!was.caseFileWritten;
    w.next.responsibility = unit
      ? { atFault, unitCode: unit, caseFileWritten: given !== null || keepsCaseFile }
      : { atFault };
    w.comment = input.basis!;
    if (unit) w.unitCode = unit;
    w.data = atFault
      ? { atFault, basis: input.basis, responsibleUnit: unit, ...(given ? { caseFile: given } : {}) }
      : { atFault, basis: input.basis };
    if (unit && !given && !keepsCaseFile)
      notice(w, 'case_file_requested', { kind: 'unit_leaders', unitCode: unit }, unit);
    change(w, {
      kind: 'responsibility.decided',
      atFault,
      basis: input.basis!,
      responsibleUnit: unit ?? null,
      caseFile: given,
      keepsCaseFile,
    });
  },
});

export const atFaultDecided: Guard = {
  name: 'at_fault_decided',
  rule: 'R-16',
  describe: 'the complaint was decided at fault (有责) and names the unit that answers for it',
  check: ({ ticket }) =>
    ticket.responsibility?.atFault && ticket.responsibility.unitCode
      ? null
      : '该投诉尚未认定有责，没有需要填写的案例分析（R-16）。',
};

/** Issue 15.12: the unit at fault owes its case analysis until it is written (also after closing). */
const caseFileWork: TicketWorkDecl = {
  doc: {
    key: '{ticket}:case_file',
    action: 'write_case_file',
    to: 'the leaders of the unit named at fault (its receivers see it in the inbox too)',
    due: '—',
    openWhile: 'an at-fault decision names the unit and its case file is not written (also after closing)',
  },
  scope: 'ticket',
  afterClose: true,
  item: (t) => {
    const r = t.responsibility;
    if (!r?.atFault || !r.unitCode || r.caseFileWritten || t.status === 'revoked') return null;
    const leaders = { kind: 'unit_leaders', unitCode: r.unitCode } as const;
    return {
      key: `${t.id}:case_file`,
      action: 'write_case_file',
      unitCode: r.unitCode,
      holders: [leaders, receivers(r.unitCode)],
      todo: leaders,
      deadline: { kind: 'none' },
    };
  },
};

export const writeCaseFile = defineAction({
  action: 'write_case_file',
  rows: [
    {
      requirement: 'R-16',
      from: [
        'in_progress',
        'initiator_review',
        'ops_review',
        'office_review',
        'upstream_report',
        'follow_up',
        'closed',
      ],
      categories: RESPONSIBILITY_CATEGORIES,
      who: ['responsible_unit', 'dispatcher', 'ops_head'],
      forbidden: '只有被认定有责的单位（其领导或接单员）或运营服务部可以填写案例分析（R-16）。',
      scope: 'none',
      guards: [atFaultDecided],
      to: ['in_progress', 'initiator_review', 'ops_review', 'office_review', 'upstream_report', 'follow_up', 'closed'],
      stays: true,
      note: 'Art. 16 (建档、案例分析): the unit named at fault writes its case analysis (cause, party, measures, lesson) and may update it; the ops department sees it and may complete it; the ticket stays where it is',
    },
  ],
  validate: ({ input }) => validateCaseFile(input, ''),
  apply: (w, input) => {
    const r = w.next.responsibility!;
    const file = caseFileOf(input as Loose);
    r.caseFileWritten = true;
    w.unitCode = r.unitCode;
    w.data = { caseFile: file, update: w.before.responsibility?.caseFileWritten === true };
    change(w, { kind: 'case_file.written', unitCode: r.unitCode!, caseFile: file, by: w.actor.userid, at: w.now });
  },
  work: [caseFileWork],
});

/**
 * Issue 15.7 (Art. 10 回复经调查与事实不符的，应及时改正): the flagged unit's reply is what reached
 * the caller (or the upstream system): a sole or lead unit's leader-approved reply. A co unit's
 * input reaches the caller only through the lead's reply, which the lead's leader approved (R-6d),
 * and a direct answer has no leader-approved reply to correct.
 */
export const untrueReplyFlaggable: Guard = {
  name: 'untrue_reply_flaggable',
  rule: 'R-10',
  describe:
    "the unit's reply is a sole or lead unit's leader-approved reply (not a co unit's input, not a direct answer)",
  check: ({ assignment: a }) => {
    if (!a) return null;
    if (a.role === 'co') return '会办单位的意见由主办单位汇总答复：请对主办单位的回复记为不实（R-6d、第十条）。';
    if (!a.reply?.approvedAt) return '该单位没有经领导审批的回复，无法记为回复不实（第十条）。';
    return null;
  },
};

/** Issue 15.7: when a reply may be found untrue: under review, under follow-up, and after closing. */
export const UNTRUE_REPLY_PHASES = [
  'initiator_review',
  'ops_review',
  'office_review',
  'upstream_report',
  'follow_up',
  'closed',
] as const;

export const flagUntrueReply = defineAction({
  action: 'flag_untrue_reply',
  rows: [
    {
      requirement: 'R-10, R-18',
      from: UNTRUE_REPLY_PHASES,
      who: OPS_DEPARTMENT,
      scope: 'target',
      assignmentFrom: ['replied'],
      assignmentTo: ['accepted'],
      guards: [untrueReplyFlaggable],
      to: ['in_progress'],
      note: "Art. 10: review or a follow-up call finds a unit's approved reply untrue: with a reason and a new reply deadline the assignment goes back to accepted for a corrected reply through its leader again, untrueCount + 1 (the unit's 回复不实 figure, not rework); the ticket re-opens to in_progress (a closed one gets a new round of calls)",
    },
  ],
  validate: ({ input, now }) => {
    const missing = requireText(input, 'reason', '不实情况（理由）');
    if (missing) return missing;
    const deadline = input.replyDeadline;
    if (!isValidDate(deadline) || deadline.getTime() <= now.getTime()) {
      return refuse('VALIDATION', '请填写晚于现在的新的最晚回复时间（第十条：及时改正）。', 'replyDeadline');
    }
    return null;
  },
  apply: (w, input) => {
    // Art. 10: corrected through the leader again (back to accepted), recorded against the unit.
    const { next } = w;
    const a = w.target!;
    const previousDeadline = copyDate(a.replyDeadline);
    const newDeadline = copyDate(input.replyDeadline!);
    change(w, { kind: 'reply.sent_back', assignmentId: a.id });
    a.status = 'accepted';
    delete a.reply;
    a.replyDeadline = newDeadline;
    a.untrueCount = (a.untrueCount ?? 0) + 1;
    if (w.before.status === 'closed') {
      // the caller gets a call about the corrected answer after the next close.
      next.visit = { status: 'pending', noAnswer: 0, round: visitOf(next).round + 1 };
    }
    change(w, {
      kind: 'reply.flagged_untrue',
      assignmentId: a.id,
      reason: input.reason!,
      untrueCount: a.untrueCount,
      previousDeadline,
      newDeadline: copyDate(newDeadline),
      reopenedVisitRound: w.before.status === 'closed' ? next.visit!.round : null,
    });
    next.status = 'in_progress';
    next.step = null;
    notice(w, 'reply_untrue', receivers(a.unitCode), a.unitCode);
    notice(w, 'reply_untrue', leaders(a.unitCode), a.unitCode);
    w.comment = input.reason!;
    w.data = {
      reason: input.reason,
      replyDeadline: newDeadline.toISOString(),
      previousDeadline: previousDeadline.toISOString(),
      untrueCount: a.untrueCount,
      fromStatus: w.before.status,
      ...(w.before.step ? { fromStep: w.before.step } : {}),
    };
  },
});
