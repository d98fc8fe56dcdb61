// Returns: a unit says "not ours" within 24 hours of dispatch, with reason and
// basis; the ops department approves (and dispatches again) or rejects with a reason.
import type { ActionName, Effect, TicketStatus } from '../workflow.types';
import {
  OPS_DEPARTMENT,
  activeAssignments,
  change,
  copyDate,
  defineAction,
  initiatingDepartment,
  notice,
  readyForReview,
  receivers,
  requireText,
  type Guard,
  type TicketWorkDecl,
  type Work,
} from './kit';
import { enterReview } from './review';

/** a unit may return a matter only within 24 hours of its dispatch. */
export const RETURN_WINDOW_MS = 24 * 60 * 60 * 1000;

/** the inbox orders a pending return by a day after it was asked (the ops department decides promptly). */
export const RETURN_DECISION_MS = 24 * 60 * 60 * 1000;

export const withinReturnWindow: Guard = {
  name: 'within_return_window',
  rule: 'R-11',
  describe: 'now is less than 24 h after the assignment was dispatched',
  check: ({ assignment: a, now }) => {
    if (!a) return null;
    if (now.getTime() < a.dispatchedAt.getTime() + RETURN_WINDOW_MS) return null;
    return '退回须在派单后 24 小时内申请，现已超过（R-11），本单位须继续办理。';
  },
};

/** Art. 12: a rejected return is final: the unit goes on handling the matter and does not ask again. */
export const returnNotRejected: Guard = {
  name: 'return_not_rejected',
  rule: 'R-12',
  describe: 'no return of this assignment was rejected before',
  check: ({ assignment: a }) => {
    if (!a?.returnRejected) return null;
    return '本单位的退回申请已被驳回，须由本单位继续办理（第十二条），不能再次申请退回。';
  },
};

export const requestReturn = defineAction({
  action: 'request_return',
  rows: [
    {
      requirement: 'R-11',
      from: ['in_progress'],
      who: ['unit_receiver'],
      scope: 'own',
      assignmentFrom: ['pending_accept', 'accepted'],
      assignmentTo: ['return_requested'],
      guards: [withinReturnWindow, returnNotRejected],
      to: ['in_progress'],
      note: 'with reason and basis; the ops department (any dispatcher, or the ops head) decides it',
    },
  ],
  // a return states its reason and basis.
  validate: ({ input }) => requireText(input, 'reason', '退回理由') ?? requireText(input, 'basis', '退回依据'),
  apply: (w, input) => {
    const a = w.target!;
    const reason = input.reason!;
    const basis = input.basis!;
    a.status = 'return_requested';
    a.returnRequest = { reason, basis, requestedBy: w.actor.userid, requestedAt: copyDate(w.now) };
    change(w, { kind: 'assignment.moved', assignmentId: a.id, status: 'return_requested' });
    change(w, { kind: 'return.requested', assignmentId: a.id, request: a.returnRequest });
    notice(w, 'return_requested', initiatingDepartment(), a.unitCode);
    notice(w, 'return_requested', { kind: 'role', role: 'ops_head' }, a.unitCode);
    w.comment = reason;
    w.data = { reason, basis };
  },
});

export const approveReturn = defineAction({
  action: 'approve_return',
  rows: [
    {
      requirement: 'R-12',
      from: ['in_progress'],
      who: OPS_DEPARTMENT,
      scope: 'target',
      assignmentFrom: ['return_requested'],
      assignmentTo: ['returned'],
      guards: [],
      to: ['registered', 'in_progress', 'initiator_review'],
      note: 'registered when no active assignment is left; review when the remaining units have all replied; else in_progress awaiting re-dispatch',
    },
  ],
  apply: (w) => {
    const a = w.target!;
    a.status = 'returned';
    change(w, { kind: 'assignment.returned', assignmentId: a.id });
    change(w, { kind: 'return.decided', assignmentId: a.id, decision: 'approved', by: w.actor.userid });
    notice(w, 'return_decided', receivers(a.unitCode), a.unitCode);
    w.data = { approved: true, reason: a.returnRequest?.reason, basis: a.returnRequest?.basis };
    if (readyForReview(w.next)) {
      // The remaining units have all replied: nothing waits for a re-dispatch.
      enterReview(w, 'initiator_review');
    } else {
      // the ops department defines responsibility and dispatches again.
      w.next.status = activeAssignments(w.next).length === 0 ? 'registered' : 'in_progress';
      w.next.step = null;
      w.openRedispatch = true;
    }
  },
  work: [
    {
      doc: {
        key: '{ticket}:{unit}:return_review',
        action: 'approve_return',
        to: 'the dispatchers (initiating department)',
        due: '—',
        openWhile: 'assignment return_requested',
      },
      scope: 'assignment',
      item: (t, a) =>
        a.status !== 'return_requested'
          ? null
          : {
              key: `${t.id}:${a.unitCode}:return_review`,
              action: 'approve_return',
              unitCode: a.unitCode,
              holders: [initiatingDepartment(), { kind: 'role', role: 'ops_head' }],
              todo: initiatingDepartment(),
              deadline: a.returnRequest
                ? {
                    kind: 'at',
                    at: new Date(a.returnRequest.requestedAt.getTime() + RETURN_DECISION_MS),
                    startedAt: null,
                  }
                : { kind: 'none' },
            },
    },
  ],
});

export const rejectReturn = defineAction({
  action: 'reject_return',
  rows: [
    {
      requirement: 'R-12',
      from: ['in_progress'],
      who: OPS_DEPARTMENT,
      scope: 'target',
      assignmentFrom: ['return_requested'],
      assignmentTo: ['pending_accept', 'accepted'],
      guards: [],
      to: ['in_progress'],
      note: 'with a reason; the unit goes on handling (back to accepted if it had accepted)',
    },
  ],
  validate: ({ input }) => requireText(input, 'comment', '意见'),
  apply: (w) => {
    const a = w.target!;
    w.data = { approved: false, reason: a.returnRequest?.reason, basis: a.returnRequest?.basis };
    a.status = a.acceptedAt ? 'accepted' : 'pending_accept';
    delete a.returnRequest;
    a.returnRejected = true;
    change(w, { kind: 'assignment.moved', assignmentId: a.id, status: a.status });
    change(w, { kind: 'return.decided', assignmentId: a.id, decision: 'rejected', by: w.actor.userid });
    notice(w, 'return_decided', receivers(a.unitCode), a.unitCode);
  },
});

const WORKING: readonly TicketStatus[] = ['registered', 'in_progress'];

/**
 * the re-dispatch the dispatchers owe after an approved return (any of them, issue 13.6). Not a function of the state:
 * opened by the approval, done by the next dispatch or when the ticket leaves registered/in_progress.
 */
export const redispatchWork: TicketWorkDecl = {
  doc: {
    key: '{ticket}:redispatch',
    action: 'dispatch',
    to: 'the dispatchers (initiating department)',
    due: '—',
    openWhile: 'from an approved return until the next dispatch or the ticket leaves registered/in_progress',
  },
  scope: 'ticket',
  item: () => null,
};

export function redispatchEffects(action: ActionName, w: Work): Effect[] {
  const key = `${w.next.id}:redispatch`;
  if (w.openRedispatch) return [{ kind: 'todo_open', key, action: 'dispatch', to: initiatingDepartment() }];
  const couldBeOpen = w.before.assignments.some((a) => a.status === 'returned') && WORKING.includes(w.before.status);
  const moved = action === 'dispatch' || !WORKING.includes(w.next.status);
  return couldBeOpen && moved ? [{ kind: 'todo_done', key }] : [];
}
