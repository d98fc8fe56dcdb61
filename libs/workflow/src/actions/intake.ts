// Intake (R-6, R-7, R-9b, X-6): the ops department dispatches a registered ticket to units,
// answers it at once, revokes a mis-dispatch, or merges a repeated matter into an open ticket.
import type { AssignmentRole, AssignmentState, Change, DecideContext, TicketState } from '../workflow.types';
import { unitLabel } from '../workflow.labels';
import { enterReview } from './review';
import {
  CHAIN_STEPS,
  OPS_DEPARTMENT,
  REVIEW_STEPS,
  activeAssignments,
  activeFor,
  cancelActive,
  change,
  endAssignment,
  copyDate,
  defineAction,
  initiatingDepartment,
  isText,
  isValidDate,
  iso,
  notice,
  receivers,
  refuse,
  requireText,
  type Check,
  type Loose,
  type Work,
} from './kit';
import type { Refusal } from '../workflow.types';

const ASSIGNMENT_ROLES: readonly AssignmentRole[] = ['sole', 'lead', 'co'];

/** A unit the matter is sent to (dispatch, reroute): named, and not already working on this ticket. */
function newUnitRefusal(ticket: TicketState, unit: unknown, field: string, ctx: DecideContext): Refusal | null {
  if (!isText(unit)) return refuse('VALIDATION', '请选择承办单位。', field);
  if (activeFor(ticket, unit)) {
    return refuse('INVALID_STATE', `${unitLabel(ctx, unit)}已在办理本工单，不能重复派单。`, field);
  }
  return null;
}

/** R-9d: a dispatched unit's reply deadline (from the application's deadline rules) lies ahead. */
function deadlineRefusal(deadline: unknown, field: string, now: Date): Refusal | null {
  if (isValidDate(deadline) && deadline.getTime() > now.getTime()) return null;
  return refuse('VALIDATION', '最晚回复时间须晚于现在。', field);
}

/** A unit's new assignment (dispatch, reroute): pending acceptance, its receivers told (R-9a). */
function dispatchUnit(w: Work, unit: string, role: AssignmentRole, replyDeadline: Date): AssignmentState {
  const a: AssignmentState = {
    id: w.newId(),
    unitCode: unit,
    role,
    status: 'pending_accept',
    dispatchedAt: copyDate(w.now),
    dispatchedBy: w.actor.userid,
    replyDeadline: copyDate(replyDeadline),
    reworkCount: 0,
    extensionCount: 0,
  };
  w.next.assignments.push(a);
  change(w, { kind: 'assignment.dispatched', assignment: a, seq: w.next.assignments.length - 1 });
  notice(w, 'new_assignment', receivers(unit), unit);
  return a;
}

function validateDispatch({ ticket, input, now, ctx }: Check): Refusal | null {
  const list = input.assignments;
  if (!Array.isArray(list) || list.length === 0) {
    return refuse('VALIDATION', '请至少选择一个承办单位。', 'assignments');
  }
  const seen = new Set<string>();
  const roles: AssignmentRole[] = activeAssignments(ticket).map((a) => a.role);
  for (let i = 0; i < list.length; i++) {
    const item = (list[i] ?? {}) as Loose;
    const unit = item.unit;
    if (!isText(unit)) return refuse('VALIDATION', '请选择承办单位。', `assignments[${i}].unit`);
    if (seen.has(unit)) {
      return refuse('VALIDATION', `${unitLabel(ctx, unit)}选了两次，每个单位只能选一次。`, `assignments[${i}].unit`);
    }
    seen.add(unit);
    const busy = newUnitRefusal(ticket, unit, `assignments[${i}].unit`, ctx);
    if (busy) return busy;
    const role = item.role as AssignmentRole;
    if (!ASSIGNMENT_ROLES.includes(role)) {
      return refuse('VALIDATION', '承办方式须为独办、主办或会办。', `assignments[${i}].role`);
    }
    roles.push(role);
    const late = deadlineRefusal(item.replyDeadline, `assignments[${i}].replyDeadline`, now);
    if (late) return late;
  }
  // R-6c / R-6d: the resulting active set is either all sole, or exactly one lead with co units.
  const sole = roles.filter((r) => r === 'sole').length;
  const lead = roles.filter((r) => r === 'lead').length;
  const co = roles.filter((r) => r === 'co').length;
  if (sole > 0 && lead + co > 0) {
    return refuse('VALIDATION', '独办单位不能与主办、会办单位一起派单（R-6c、R-6d）。', 'assignments');
  }
  if (sole === 0 && (lead !== 1 || co < 1)) {
    return refuse('VALIDATION', '主办会办派单须有且只有一个主办单位，并至少有一个会办单位（R-6d）。', 'assignments');
  }
  return null;
}

export const dispatch = defineAction({
  action: 'dispatch',
  rows: [
    {
      requirement: 'R-6, R-12',
      from: ['registered', 'in_progress'],
      who: OPS_DEPARTMENT,
      scope: 'none',
      guards: [],
      to: ['in_progress'],
      note: 'adds pending_accept assignments; the active set stays all sole (R-6c) or one lead + co units (R-6d)',
    },
  ],
  validate: validateDispatch,
  apply: (w, input) => {
    const { next } = w;
    const added = input.assignments!.map((x) => dispatchUnit(w, x.unit, x.role, x.replyDeadline));
    next.status = 'in_progress';
    next.step = null;
    w.data = {
      assignments: added.map((a) => ({ unit: a.unitCode, role: a.role, replyDeadline: iso(a.replyDeadline) })),
    };
  },
  work: [
    {
      // The ticket waits to be dispatched (again): any dispatcher does it (inbox only; no to-do; issue 13.6).
      scope: 'ticket',
      item: (t) =>
        t.status !== 'registered'
          ? null
          : {
              key: `${t.id}:dispatch`,
              action: 'dispatch',
              holders: [initiatingDepartment()],
              todo: null,
              deadline: { kind: 'none' },
            },
    },
  ],
  sideEffects: [{ from: 'new', to: 'pending_accept', which: 'each dispatched unit' }],
});

const ACTIVE_STATUSES = ['pending_accept', 'accepted', 'awaiting_leader', 'replied', 'return_requested'] as const;

/**
 * Issue 15.1 (Art. 4, Art. 8): on chain B (mayor's hotline, digital city management …) the answer
 * is the company's answer to the upstream system, so a direct answer passes the same review steps
 * as a unit's reply (initiator, ops head, office) and ends with report_upstream.
 */
const DIRECT_NOTE_B =
  'chain B (Art. 4, Art. 8): directAnswer is set and goes to initiator_review → ops_review → office_review → report_upstream';

export const answerDirectly = defineAction({
  action: 'answer_directly',
  rows: [
    {
      requirement: 'R-6a, R-7',
      from: ['registered'],
      chains: ['A', 'direct'],
      categories: ['consultation', 'lost_item'],
      who: ['dispatcher'],
      scope: 'none',
      guards: [],
      to: ['closed'],
      note: 'the dispatcher answers at once; directAnswer is set',
    },
    {
      requirement: 'R-6a, R-7, R-4',
      from: ['registered'],
      chains: ['B'],
      categories: ['consultation', 'lost_item'],
      who: ['dispatcher'],
      scope: 'none',
      guards: [],
      to: ['initiator_review'],
      note: `the dispatcher answers; ${DIRECT_NOTE_B}`,
    },
    {
      requirement: 'R-7',
      from: ['in_progress'],
      chains: ['A', 'direct'],
      categories: ['lost_item'],
      who: ['unit_receiver'],
      scope: 'own',
      assignmentFrom: ['pending_accept', 'accepted'],
      assignmentTo: ['replied'],
      guards: [],
      to: ['closed'],
      note: 'the branch answers a lost item directly; other active assignments are cancelled',
    },
    {
      requirement: 'R-7, R-4',
      from: ['in_progress'],
      chains: ['B'],
      categories: ['lost_item'],
      who: ['unit_receiver'],
      scope: 'own',
      assignmentFrom: ['pending_accept', 'accepted'],
      assignmentTo: ['replied'],
      guards: [],
      to: ['initiator_review'],
      note: `the branch answers a lost item; other active assignments are cancelled; ${DIRECT_NOTE_B}`,
    },
  ],
  validate: ({ input }) => requireText(input, 'answer', '答复内容'),
  apply: (w, input) => {
    // direct handling; the answering branch's assignment counts as replied.
    const target = w.target;
    if (target) {
      target.status = 'replied';
      if (!target.acceptedAt) {
        target.acceptedBy = w.actor.userid;
        target.acceptedAt = copyDate(w.now);
      }
      change(w, {
        kind: 'assignment.accepted',
        assignmentId: target.id,
        status: 'replied',
        by: target.acceptedBy!,
        at: target.acceptedAt!,
      });
    }
    const cancelled = cancelActive(w, target);
    w.next.directAnswer = input.answer!;
    w.comment = input.answer!;
    w.data = { cancelledUnits: cancelled };
    if (w.next.chain === 'B') {
      // Issue 15.1: the answer is reviewed and reported upstream like a unit's reply.
      enterReview(w, CHAIN_STEPS.B[0]);
    } else {
      w.next.status = 'closed';
      w.next.step = null;
    }
  },
  sideEffects: [{ from: ACTIVE_STATUSES, to: 'cancelled', which: 'every other active assignment' }],
});

const OPEN_PHASES = ['registered', 'in_progress', ...REVIEW_STEPS] as const;

export const revoke = defineAction({
  action: 'revoke',
  rows: [
    {
      requirement: 'R-9b',
      from: OPEN_PHASES,
      replyApproved: false,
      who: ['initiator'],
      scope: 'none',
      guards: [],
      to: ['revoked'],
      note: 'the initiating department (any dispatcher) revokes a mis-dispatch; every active assignment is cancelled, every open to-do is done, an upstream reference is released',
    },
    {
      requirement: 'R-9b, R-18',
      from: OPEN_PHASES,
      replyApproved: true,
      who: ['ops_head'],
      forbidden: '已有承办单位的回复经领导审批，此后只有运营服务部负责人可以撤销工单，并须写明理由（R-9b）。',
      scope: 'none',
      guards: [],
      to: ['revoked'],
      note: 'once a reply was approved only the ops head revokes, with a reason; as above; assignments already overdue keep counting (R-18)',
    },
  ],
  validate: ({ input }) => requireText(input, 'reason', '撤销理由'),
  apply: (w, input) => {
    // R-9b: a mis-dispatched ticket is revoked; its assignments end (the figures keep the ones
    // already overdue, R-18); the application releases an upstream reference for a new intake.
    const cancelled = cancelActive(w);
    w.next.status = 'revoked';
    w.next.step = null;
    w.comment = input.reason!;
    w.data = { cancelledUnits: cancelled };
  },
  sideEffects: [{ from: ACTIVE_STATUSES, to: 'cancelled', which: 'every active assignment' }],
});

export const merge = defineAction({
  action: 'merge',
  rows: [
    {
      requirement: 'X-6',
      from: ['registered'],
      who: ['dispatcher'],
      scope: 'none',
      guards: [],
      to: ['closed'],
      note: '并单: the matter joins an open ticket (input.into), whose answer its caller gets; this one closes',
    },
  ],
  validate: ({ ticket, input }) => {
    const missing = requireText(input, 'into', '要并入的工单');
    if (missing) return missing;
    return input.into === ticket.id ? refuse('VALIDATION', '工单不能并入自身。', 'into') : null;
  },
  apply: (w, input) => {
    // the caller joins the open ticket and is answered with it; this matter ends here.
    const cancelled = cancelActive(w);
    w.next.status = 'closed';
    w.next.step = null;
    w.next.mergedInto = input.into!;
    w.comment = typeof input.comment === 'string' && input.comment.trim() ? input.comment : undefined;
    w.data = { into: input.into, cancelledUnits: cancelled };
  },
});

/**
 * Issue 15.9 (改派; Art. 9(二), Art. 12 职责界定后再次转派): the initiating department (any
 * dispatcher) or the ops head takes one unit's assignment back and sends the matter to another
 * unit in the same role, without revoking the ticket. Only while that unit still works on it (its
 * reply not approved yet): a pending return request is withdrawn with it, a pending extension
 * lapses, a reply waiting for its leader is withdrawn. The withdrawn assignment is no longer
 * active and does not count for its unit (R-18, docs/kpi.md); the new unit's starts afresh.
 */
const REROUTABLE = ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'] as const;

export const reroute = defineAction({
  action: 'reroute',
  rows: [
    {
      requirement: 'R-9b, R-12, R-18',
      from: ['in_progress'],
      who: OPS_DEPARTMENT,
      scope: 'target',
      assignmentFrom: REROUTABLE,
      assignmentTo: ['withdrawn'],
      guards: [],
      to: ['in_progress'],
      note: "改派 (issue 15.9): input.unit's assignment is withdrawn (a pending return or extension request closes, a reply awaiting its leader is withdrawn; not counted for that unit) and input.newUnit, not on the ticket, is dispatched in its role with a fresh reply deadline; a reason is required",
    },
  ],
  validate: ({ ticket, input, now, ctx }) =>
    requireText(input, 'reason', '改派理由') ??
    newUnitRefusal(ticket, input.newUnit, 'newUnit', ctx) ??
    deadlineRefusal(input.replyDeadline, 'replyDeadline', now),
  apply: (w, input) => {
    const old = w.target!;
    const was = old.status;
    endAssignment(w, old, 'withdrawn');
    // The leader's pending approval goes with the assignment (its reply row is marked withdrawn).
    delete old.reply;
    // Recorded before the replacement's dispatch: the changes are stored in order, and a ticket
    // holds one active lead (and one active assignment per unit) at any time.
    const withdrawn: Extract<Change, { kind: 'assignment.withdrawn' }> = {
      kind: 'assignment.withdrawn',
      assignmentId: old.id,
      by: w.actor.userid,
      reason: input.reason!,
      replacementId: '',
    };
    change(w, withdrawn);
    const added = dispatchUnit(w, input.newUnit!, old.role, input.replyDeadline!);
    withdrawn.replacementId = added.id;
    notice(w, 'assignment_withdrawn', receivers(old.unitCode), old.unitCode);
    if (was === 'awaiting_leader')
      notice(w, 'assignment_withdrawn', { kind: 'unit_leaders', unitCode: old.unitCode }, old.unitCode);
    w.comment = input.reason!;
    w.data = {
      from: old.unitCode,
      to: added.unitCode,
      role: added.role,
      withdrawnStatus: was,
      replyDeadline: iso(added.replyDeadline),
    };
  },
  sideEffects: [{ from: 'new', to: 'pending_accept', which: "the new unit, in the withdrawn unit's role" }],
});
