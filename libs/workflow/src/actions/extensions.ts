// Extensions: a unit asks for more working days before its deadline, at most a few times
// and never past the upstream deadline; the ops department approves or rejects.
import type { AssignmentStatus, ExtensionLimits, Refusal } from '../workflow.types';
import { shanghaiMinute } from '../workflow.labels';
import {
  OPS_DEPARTMENT,
  change,
  copyDate,
  defineAction,
  initiatingDepartment,
  isValidDate,
  iso,
  limitsOf,
  notice,
  receivers,
  refuse,
  requireText,
  type Check,
  type Guard,
  type Row,
  type Work,
} from './kit';

/** at most 3 extensions of at most 3 working days each, unless the application says otherwise. */
export const DEFAULT_EXTENSION_LIMITS: Readonly<ExtensionLimits> = { maxCount: 3, maxDays: 3 };

/** a pending extension request lapses when its assignment no longer has work or a return pending. */
const EXTENSION_KEPT_WHILE: readonly AssignmentStatus[] = [
  'pending_accept',
  'accepted',
  'awaiting_leader',
  'return_requested',
];

export const beforeDeadline: Guard = {
  name: 'before_deadline',
  rule: 'X-4',
  describe: "now is before the assignment's reply deadline",
  check: ({ assignment: a, now }) => {
    if (!a || now.getTime() < a.replyDeadline.getTime()) return null;
    return '最晚回复时间已过，不能再申请延期：延期须在期限前申请（X-4）。';
  },
};

export const extensionsLeft: Guard = {
  name: 'extensions_left',
  rule: 'X-4',
  describe: 'the assignment has had fewer extensions than the cap (context.extensionLimits, default 3)',
  check: ({ assignment: a, ctx }) => {
    const max = limitsOf(ctx, DEFAULT_EXTENSION_LIMITS).maxCount;
    if (!a || a.extensionCount < max) return null;
    return `本单位已延期 ${max} 次，达到上限，不能再申请延期（X-4）。`;
  },
};

// whole working days within the cap, a reason, and never past the latest (upstream) deadline.
function validateExtension({ passed, input, ctx }: Check): Refusal | null {
  const a = passed.assignment!;
  const { maxDays } = limitsOf(ctx, DEFAULT_EXTENSION_LIMITS);
  const days = input.days;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > maxDays) {
    return refuse('VALIDATION', `延期须为 1 至 ${maxDays} 个工作日（X-4）。`, 'days');
  }
  const missing = requireText(input, 'reason', '延期理由');
  if (missing) return missing;
  const newDeadline = input.newDeadline;
  if (!isValidDate(newDeadline) || newDeadline.getTime() <= a.replyDeadline.getTime()) {
    return refuse('VALIDATION', '延期后的期限须晚于当前期限。', 'newDeadline');
  }
  const latest = ctx.latestDeadline;
  if (latest && newDeadline.getTime() > latest.getTime()) {
    return refuse('VALIDATION', `延期后将超过上级期限 ${shanghaiMinute(latest)}（X-3、X-4），请少申请几天。`, 'days');
  }
  return null;
}

export const requestExtension = defineAction({
  action: 'request_extension',
  rows: [
    {
      requirement: 'X-4',
      from: ['in_progress'],
      who: ['unit_receiver'],
      scope: 'own',
      assignmentFrom: ['pending_accept', 'accepted', 'awaiting_leader'],
      assignmentTo: ['pending_accept', 'accepted', 'awaiting_leader'],
      extension: 'none_pending',
      guards: [beforeDeadline, extensionsLeft],
      to: ['in_progress'],
      note: 'days (1 … maxDays) and a reason; never past the latest (upstream) deadline; the deadline keeps running until approved',
    },
  ],
  validate: validateExtension,
  apply: (w, input) => {
    const a = w.target!;
    const days = input.days!;
    const reason = input.reason!;
    const newDeadline = copyDate(input.newDeadline!);
    a.extensionRequest = { days, reason, requestedBy: w.actor.userid, requestedAt: copyDate(w.now), newDeadline };
    change(w, {
      kind: 'extension.requested',
      assignmentId: a.id,
      request: a.extensionRequest,
      previousDeadline: copyDate(a.replyDeadline),
    });
    notice(w, 'extension_requested', initiatingDepartment(), a.unitCode);
    notice(w, 'extension_requested', { kind: 'role', role: 'ops_head' }, a.unitCode);
    w.comment = reason;
    w.data = { days, reason, deadline: iso(a.replyDeadline), newDeadline: iso(newDeadline) };
  },
});

const decidingRow: Omit<Row, 'note'> = {
  requirement: 'X-4',
  from: ['in_progress'],
  who: OPS_DEPARTMENT,
  scope: 'target',
  assignmentFrom: ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'],
  assignmentTo: ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'],
  extension: 'pending',
  guards: [],
  to: ['in_progress'],
};

export const approveExtension = defineAction({
  action: 'approve_extension',
  rows: [{ ...decidingRow, note: 'the reply deadline becomes the requested one; extensionCount + 1' }],
  apply: (w) => {
    const a = w.target!;
    const req = a.extensionRequest!;
    const previousDeadline = copyDate(a.replyDeadline);
    w.data = {
      approved: true,
      days: req.days,
      reason: req.reason,
      from: iso(a.replyDeadline),
      to: iso(req.newDeadline),
    };
    a.replyDeadline = copyDate(req.newDeadline);
    a.extensionCount += 1;
    delete a.extensionRequest;
    change(w, {
      kind: 'assignment.extended',
      assignmentId: a.id,
      previousDeadline,
      replyDeadline: copyDate(a.replyDeadline),
      extensionCount: a.extensionCount,
      days: req.days,
    });
    change(w, { kind: 'extension.decided', assignmentId: a.id, decision: 'approved', by: w.actor.userid });
    notice(w, 'extension_decided', receivers(a.unitCode), a.unitCode);
  },
  work: [
    {
      doc: {
        key: '{ticket}:{unit}:extension_review',
        action: 'approve_extension',
        to: 'the dispatchers (initiating department)',
        due: '—',
        openWhile: 'the assignment has a pending extension request',
      },
      scope: 'assignment',
      item: (t, a) =>
        !a.extensionRequest
          ? null
          : {
              key: `${t.id}:${a.unitCode}:extension_review`,
              action: 'approve_extension',
              unitCode: a.unitCode,
              holders: [initiatingDepartment(), { kind: 'role', role: 'ops_head' }],
              todo: initiatingDepartment(),
              // decided before the unit's current deadline runs out.
              deadline: { kind: 'at', at: copyDate(a.replyDeadline), startedAt: null },
            },
    },
  ],
});

export const rejectExtension = defineAction({
  action: 'reject_extension',
  rows: [{ ...decidingRow, note: 'with a comment; the deadline stays' }],
  validate: ({ input }) => requireText(input, 'comment', '意见'),
  apply: (w) => {
    const a = w.target!;
    const req = a.extensionRequest!;
    w.data = { approved: false, days: req.days, reason: req.reason };
    delete a.extensionRequest;
    change(w, { kind: 'extension.decided', assignmentId: a.id, decision: 'rejected', by: w.actor.userid });
    notice(w, 'extension_decided', receivers(a.unitCode), a.unitCode);
  },
});

/** a pending extension request lapses with its assignment's work (replied, returned, cancelled). */
export function dropLapsedExtensions(w: Work): void {
  for (const a of w.next.assignments) {
    if (a.extensionRequest && !EXTENSION_KEPT_WHILE.includes(a.status)) {
      delete a.extensionRequest;
      change(w, { kind: 'extension.decided', assignmentId: a.id, decision: 'withdrawn', by: null });
    }
  }
}
