// The hotline workflow as data (TRANSITIONS) and one pure function that decides (decide).
// allowedActions() answers from the same table and the same gate, so the buttons the UI draws
// and the decisions the API takes cannot disagree. No framework, no I/O, no clock: `now` and
// `newId` come from the caller.
import {
  ACTIONS,
  type ActionInputs,
  type ActionName,
  type Actor,
  type AssignmentRole,
  type AssignmentState,
  type AssignmentStatus,
  type Audience,
  type CallerContact,
  type Chain,
  type DecideContext,
  type DecideResult,
  type Decision,
  type Effect,
  type ExtensionLimits,
  type IdSource,
  type Refusal,
  type RefusalCode,
  type Reply,
  type ReviewStep,
  type Satisfaction,
  type TicketState,
  type TicketStatus,
  type TimelineEvent,
  type VisitOutcome,
  type VisitState,
} from './workflow.types';
import {
  ASSIGNMENT_STATUS_LABELS,
  PARTY_LABELS,
  VISIT_STATUS_LABELS,
  actionLabel,
  categoryLabel,
  phaseLabel,
  shanghaiMinute,
  unitLabel,
  unitList,
} from './workflow.labels';

// ---------------------------------------------------------------------------------------------
// Vocabulary of the table
// ---------------------------------------------------------------------------------------------

/** R-11: a unit may return a matter only within 24 hours of its dispatch. */
export const RETURN_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A reply's handledAt may be at most this far in the future (phone clocks drift). */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * R-14(3): categories that may stay under follow-up after closing. The regulation names
 * reports (举报) and accidents (事故); accidents arrive as complaints or help requests.
 */
export const FOLLOW_UP_CATEGORIES: readonly string[] = ['report', 'complaint', 'help'];

/** X-4: at most 3 extensions of at most 3 working days each, unless the application says otherwise. */
export const DEFAULT_EXTENSION_LIMITS: Readonly<ExtensionLimits> = { maxCount: 3, maxDays: 3 };

/** X-5: the third unanswered follow-up call ends the round as unreachable. */
export const VISIT_MAX_NO_ANSWER = 3;

/** X-8: only complaints get the 有责/无责 decision (R-16). */
export const RESPONSIBILITY_CATEGORIES: readonly string[] = ['complaint'];

/** R-16: who or what an at-fault complaint is about. */
export const CASE_PARTIES = ['driver', 'route', 'vehicle', 'unit'] as const;

/** Where a ticket is: its status, or its review step while in review. */
export type TicketPhase =
  | 'registered'
  | 'in_progress'
  | 'initiator_review'
  | 'ops_review'
  | 'office_review'
  | 'upstream_report'
  | 'follow_up'
  | 'closed'
  | 'revoked';

export const PHASES: readonly TicketPhase[] = [
  'registered',
  'in_progress',
  'initiator_review',
  'ops_review',
  'office_review',
  'upstream_report',
  'follow_up',
  'closed',
  'revoked',
];

const REVIEW_STEPS: readonly ReviewStep[] = ['initiator_review', 'ops_review', 'office_review', 'upstream_report'];

/** R-8: the review steps of each chain after the units have replied ('direct' reviews like A). */
export const CHAIN_STEPS: Readonly<Record<Chain, readonly ReviewStep[]>> = {
  A: ['initiator_review', 'ops_review'],
  B: ['initiator_review', 'ops_review', 'office_review', 'upstream_report'],
  direct: ['initiator_review', 'ops_review'],
};

/** Who may take a row's action. Unit parties act for a unit with an active assignment. */
export type Party = 'dispatcher' | 'ops_head' | 'office_reviewer' | 'initiator' | 'unit_receiver' | 'unit_leader';

export const PARTIES: Readonly<Record<Party, string>> = {
  dispatcher: 'a dispatcher (派单员), any of them',
  ops_head: 'the ops head (运营服务部负责人)',
  office_reviewer: 'the office reviewer (公司办公室审核人)',
  initiator: 'the initiator (发起人): actor.userid === ticket.initiator',
  unit_receiver: "a receiver of a unit with an active assignment, acting on that unit's assignment",
  unit_leader: "a leader of a unit with an active assignment, acting on that unit's assignment",
};

/**
 * Which assignment a row acts on: none (the ticket), `own` (the acting unit's, picked by
 * input.unit when the person belongs to several assigned units), or `target` (an assignment the
 * ops department picks with input.unit).
 */
export type AssignmentScope = 'none' | 'own' | 'target';

/** Named guards: conditions on the state (not the input); a failing guard is INVALID_STATE. */
export type GuardName =
  | 'within_return_window'
  | 'co_units_replied'
  | 'has_pending_work'
  | 'responsible_replies_approved'
  | 'before_deadline'
  | 'extensions_left'
  | 'visit_due'
  | 'not_merged';

export const GUARDS: Readonly<Record<GuardName, string>> = {
  within_return_window: 'R-11: now is less than 24 h after the assignment was dispatched',
  co_units_replied: 'R-6d: a lead unit acts only when every active co unit has an approved reply',
  has_pending_work: 'X-9: some active assignment awaits its unit (pending_accept, accepted or awaiting_leader)',
  responsible_replies_approved:
    'R-10, R-14: every active sole or lead assignment is replied with a leader-approved reply',
  before_deadline: "X-4: now is before the assignment's reply deadline",
  extensions_left: 'X-4: the assignment has had fewer extensions than the cap (context.extensionLimits, default 3)',
  visit_due:
    "X-5: a caller phone is on record and this round's follow-up call has not ended (reached, refused or 3 × no answer)",
  not_merged:
    'X-6: the matter was not merged into another ticket (并单); the call back and any at-fault decision belong there',
};

export interface TransitionRule {
  action: ActionName;
  /** The requirement ids this row implements. */
  requirement: string;
  /** Phases (status, or review step) the row applies to. */
  from: readonly TicketPhase[];
  /** Only for these chains (default: every chain). */
  chains?: readonly Chain[];
  /** Only for these categories (default: every category). */
  categories?: readonly string[];
  who: readonly Party[];
  scope: AssignmentScope;
  /** For own/target scope: the statuses the acted-on assignment must be in. */
  assignmentFrom?: readonly AssignmentStatus[];
  /** For own/target scope: the statuses it may end in. */
  assignmentTo?: readonly AssignmentStatus[];
  /** X-4: whether the acted-on assignment must have a pending extension request, or must not. */
  extension?: 'pending' | 'none_pending';
  guards: readonly GuardName[];
  /** Phases the ticket may end in. */
  to: readonly TicketPhase[];
  /** The ticket stays in the phase it was in (to lists the same phases; no edge in the diagrams). */
  stays?: boolean;
  /** What else happens, for the generated docs. */
  note: string;
}

const OPS_DEPARTMENT: readonly Party[] = ['dispatcher', 'ops_head'];

/**
 * The table. For any (action, phase, chain, category) at most one row applies (a test checks
 * this), so a refusal can say exactly why.
 */
export const TRANSITIONS: readonly TransitionRule[] = [
  {
    action: 'dispatch',
    requirement: 'R-6, R-12',
    from: ['registered', 'in_progress'],
    who: OPS_DEPARTMENT,
    scope: 'none',
    guards: [],
    to: ['in_progress'],
    note: 'adds pending_accept assignments; the active set stays all sole (R-6c) or one lead + co units (R-6d)',
  },
  {
    action: 'answer_directly',
    requirement: 'R-6a, R-7',
    from: ['registered'],
    categories: ['consultation', 'lost_item'],
    who: ['dispatcher'],
    scope: 'none',
    guards: [],
    to: ['closed'],
    note: 'the dispatcher answers at once; directAnswer is set',
  },
  {
    action: 'answer_directly',
    requirement: 'R-7',
    from: ['in_progress'],
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
    action: 'revoke',
    requirement: 'R-9b',
    from: ['registered', 'in_progress', ...REVIEW_STEPS],
    who: OPS_DEPARTMENT,
    scope: 'none',
    guards: [],
    to: ['revoked'],
    note: 'every active assignment is cancelled and every open to-do is done',
  },
  {
    action: 'merge',
    requirement: 'X-6',
    from: ['registered'],
    who: ['dispatcher'],
    scope: 'none',
    guards: [],
    to: ['closed'],
    note: '并单: the matter joins an open ticket (input.into), whose answer its caller gets; this one closes',
  },
  {
    action: 'accept',
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
  {
    action: 'request_return',
    requirement: 'R-11',
    from: ['in_progress'],
    who: ['unit_receiver'],
    scope: 'own',
    assignmentFrom: ['pending_accept', 'accepted'],
    assignmentTo: ['return_requested'],
    guards: ['within_return_window'],
    to: ['in_progress'],
    note: 'with reason and basis; the initiator reviews it',
  },
  {
    action: 'approve_return',
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
  {
    action: 'reject_return',
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
  {
    action: 'submit_reply',
    requirement: 'R-6d, R-13, R-14',
    from: ['in_progress'],
    who: ['unit_receiver'],
    scope: 'own',
    assignmentFrom: ['accepted'],
    assignmentTo: ['awaiting_leader'],
    guards: ['co_units_replied'],
    to: ['in_progress'],
    note: "the reply (handled when, handler, caller contact) waits for the unit leader's approval",
  },
  {
    action: 'approve_reply',
    requirement: 'R-6d, R-10',
    from: ['in_progress'],
    who: ['unit_leader'],
    scope: 'own',
    assignmentFrom: ['awaiting_leader'],
    assignmentTo: ['replied'],
    guards: ['co_units_replied'],
    to: ['in_progress', 'initiator_review'],
    note: 'a co reply goes to the lead; review starts when every active assignment has replied',
  },
  {
    action: 'reject_reply',
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
  {
    action: 'pass_review',
    requirement: 'R-8',
    from: ['initiator_review'],
    who: ['initiator'],
    scope: 'none',
    guards: [],
    to: ['ops_review'],
    note: 'the initiator checks the reply',
  },
  {
    action: 'pass_review',
    requirement: 'R-8, R-14',
    from: ['ops_review'],
    chains: ['A', 'direct'],
    who: ['ops_head'],
    scope: 'none',
    guards: ['responsible_replies_approved'],
    to: ['closed', 'follow_up'],
    note: 'chain A closes; with followUp (report/complaint/help) it stays under follow-up (R-14(3))',
  },
  {
    action: 'pass_review',
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
    action: 'pass_review',
    requirement: 'R-8, R-4',
    from: ['office_review'],
    who: ['office_reviewer'],
    scope: 'none',
    guards: [],
    to: ['upstream_report'],
    note: 'the office checks the wording; the initiator then reports upstream',
  },
  {
    action: 'send_back',
    requirement: 'R-8, R-14',
    from: ['initiator_review', 'upstream_report'],
    who: ['initiator'],
    scope: 'none',
    guards: [],
    to: ['in_progress'],
    note: 'rework: the replies go back to their units (accepted, reworkCount + 1); the deadline keeps running',
  },
  {
    action: 'send_back',
    requirement: 'R-8, R-14',
    from: ['ops_review'],
    who: ['ops_head'],
    scope: 'none',
    guards: [],
    to: ['in_progress'],
    note: 'rework, as above',
  },
  {
    action: 'send_back',
    requirement: 'R-8, R-14',
    from: ['office_review'],
    who: ['office_reviewer'],
    scope: 'none',
    guards: [],
    to: ['in_progress'],
    note: 'rework, as above',
  },
  {
    action: 'report_upstream',
    requirement: 'R-4, R-8',
    from: ['upstream_report'],
    who: ['initiator'],
    scope: 'none',
    guards: ['responsible_replies_approved'],
    to: ['closed', 'follow_up'],
    note: 'chain B closes; with followUp (report/complaint/help) it stays under follow-up (R-14(3))',
  },
  {
    action: 'record_follow_up',
    requirement: 'R-14',
    from: ['follow_up'],
    who: OPS_DEPARTMENT,
    scope: 'none',
    guards: [],
    to: ['follow_up'],
    note: 'a follow-up note (comment required)',
  },
  {
    action: 'finish_follow_up',
    requirement: 'R-14',
    from: ['follow_up'],
    who: OPS_DEPARTMENT,
    scope: 'none',
    guards: [],
    to: ['closed'],
    note: 'the matter is fully resolved',
  },
  {
    action: 'remind',
    requirement: 'X-9, R-17',
    from: ['in_progress'],
    who: OPS_DEPARTMENT,
    scope: 'none',
    guards: ['has_pending_work'],
    to: ['in_progress'],
    note: 'a 催办 notice to each unit with pending work (receivers, or leaders when awaiting approval)',
  },
  {
    action: 'request_extension',
    requirement: 'X-4',
    from: ['in_progress'],
    who: ['unit_receiver'],
    scope: 'own',
    assignmentFrom: ['pending_accept', 'accepted', 'awaiting_leader'],
    assignmentTo: ['pending_accept', 'accepted', 'awaiting_leader'],
    extension: 'none_pending',
    guards: ['before_deadline', 'extensions_left'],
    to: ['in_progress'],
    note: 'days (1 … maxDays) and a reason; never past the latest (upstream) deadline; the deadline keeps running until approved',
  },
  {
    action: 'approve_extension',
    requirement: 'X-4',
    from: ['in_progress'],
    who: OPS_DEPARTMENT,
    scope: 'target',
    assignmentFrom: ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'],
    assignmentTo: ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'],
    extension: 'pending',
    guards: [],
    to: ['in_progress'],
    note: 'the reply deadline becomes the requested one; extensionCount + 1',
  },
  {
    action: 'reject_extension',
    requirement: 'X-4',
    from: ['in_progress'],
    who: OPS_DEPARTMENT,
    scope: 'target',
    assignmentFrom: ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'],
    assignmentTo: ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'],
    extension: 'pending',
    guards: [],
    to: ['in_progress'],
    note: 'with a comment; the deadline stays',
  },
  {
    action: 'record_visit',
    requirement: 'X-5, R-13',
    from: ['closed'],
    who: OPS_DEPARTMENT,
    scope: 'none',
    guards: ['not_merged', 'visit_due'],
    to: ['closed', 'in_progress'],
    note: "one call: reached (solved yes/no and satisfaction), no answer (the third ends as unreachable) or refused; unsatisfied through a unit's fault (unitAtFault) re-opens the ticket: that unit's assignment back to accepted with a new reply deadline, reworkCount + 1, and a new round of calls after the next close",
  },
  {
    action: 'mark_responsible',
    requirement: 'R-16, X-8',
    from: ['ops_review', 'office_review', 'upstream_report', 'follow_up', 'closed'],
    categories: RESPONSIBILITY_CATEGORIES,
    who: OPS_DEPARTMENT,
    scope: 'none',
    guards: ['not_merged'],
    to: ['ops_review', 'office_review', 'upstream_report', 'follow_up', 'closed'],
    stays: true,
    note: 'at fault / not at fault with the basis; at fault names the unit and carries the case file (cause, party, measures, lesson); the ticket stays where it is, a later decision replaces the earlier one',
  },
];

/** The to-do keys and who holds them; derived from the state, so they cannot leak (see todosOf). */
export const TODO_KEYS: ReadonlyArray<{ key: string; action: ActionName; to: string; due: string; openWhile: string }> =
  [
    {
      key: '{ticket}:{unit}:accept',
      action: 'accept',
      to: 'unit receivers',
      due: 'reply deadline',
      openWhile: 'assignment pending_accept',
    },
    {
      key: '{ticket}:{unit}:reply',
      action: 'submit_reply',
      to: 'unit receivers',
      due: 'reply deadline',
      openWhile: 'assignment accepted',
    },
    {
      key: '{ticket}:{unit}:approve',
      action: 'approve_reply',
      to: 'unit leaders',
      due: 'reply deadline',
      openWhile: 'assignment awaiting_leader',
    },
    {
      key: '{ticket}:{unit}:return_review',
      action: 'approve_return',
      to: 'the initiator',
      due: '—',
      openWhile: 'assignment return_requested',
    },
    {
      key: '{ticket}:{unit}:extension_review',
      action: 'approve_extension',
      to: 'the initiator',
      due: '—',
      openWhile: 'the assignment has a pending extension request',
    },
    {
      key: '{ticket}:review:{step}',
      action: 'pass_review',
      to: 'initiator / ops head / office reviewer / initiator (report_upstream)',
      due: '—',
      openWhile: 'ticket in_review at that step',
    },
    {
      key: '{ticket}:follow_up',
      action: 'finish_follow_up',
      to: 'the initiator',
      due: '—',
      openWhile: 'ticket follow_up',
    },
    {
      key: '{ticket}:redispatch',
      action: 'dispatch',
      to: 'the initiator',
      due: '—',
      openWhile: 'from an approved return until the next dispatch or the ticket leaves registered/in_progress',
    },
  ];

/**
 * How actions change assignments other than the one a scoped row acts on (docs only; the
 * scoped rows carry assignmentFrom / assignmentTo themselves).
 */
export const ASSIGNMENT_SIDE_EFFECTS: ReadonlyArray<{
  action: ActionName;
  from: readonly AssignmentStatus[] | 'new';
  to: AssignmentStatus;
  which: string;
}> = [
  { action: 'dispatch', from: 'new', to: 'pending_accept', which: 'each dispatched unit' },
  {
    action: 'revoke',
    from: ['pending_accept', 'accepted', 'awaiting_leader', 'replied', 'return_requested'],
    to: 'cancelled',
    which: 'every active assignment',
  },
  {
    action: 'answer_directly',
    from: ['pending_accept', 'accepted', 'awaiting_leader', 'replied', 'return_requested'],
    to: 'cancelled',
    which: 'every other active assignment',
  },
  { action: 'send_back', from: ['replied'], to: 'accepted', which: 'each unit sent back (reworkCount + 1)' },
  {
    action: 'record_visit',
    from: ['replied'],
    to: 'accepted',
    which: 'the unit at fault after an unsatisfied call (reworkCount + 1, new reply deadline)',
  },
];

/** X-4: a pending extension request lapses when its assignment no longer has work or a return pending. */
const EXTENSION_KEPT_WHILE: readonly AssignmentStatus[] = [
  'pending_accept',
  'accepted',
  'awaiting_leader',
  'return_requested',
];

export interface WorkflowDescription {
  actions: readonly ActionName[];
  phases: readonly TicketPhase[];
  chainSteps: Readonly<Record<Chain, readonly ReviewStep[]>>;
  parties: Readonly<Record<Party, string>>;
  guards: Readonly<Record<GuardName, string>>;
  transitions: readonly TransitionRule[];
  todoKeys: typeof TODO_KEYS;
  assignmentSideEffects: typeof ASSIGNMENT_SIDE_EFFECTS;
  returnWindowMs: number;
  followUpCategories: readonly string[];
  defaultExtensionLimits: Readonly<ExtensionLimits>;
}

/** The workflow as data, for the docs generator and the UI. */
export function describeWorkflow(): WorkflowDescription {
  return {
    actions: ACTIONS,
    phases: PHASES,
    chainSteps: CHAIN_STEPS,
    parties: PARTIES,
    guards: GUARDS,
    transitions: TRANSITIONS,
    todoKeys: TODO_KEYS,
    assignmentSideEffects: ASSIGNMENT_SIDE_EFFECTS,
    returnWindowMs: RETURN_WINDOW_MS,
    followUpCategories: FOLLOW_UP_CATEGORIES,
    defaultExtensionLimits: DEFAULT_EXTENSION_LIMITS,
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers on the state
// ---------------------------------------------------------------------------------------------

const ASSIGNMENT_ROLES: readonly AssignmentRole[] = ['sole', 'lead', 'co'];
const SATISFACTIONS: readonly Satisfaction[] = ['satisfied', 'basically_satisfied', 'unsatisfied', 'unknown'];
const PENDING_WORK: readonly AssignmentStatus[] = ['pending_accept', 'accepted', 'awaiting_leader'];

export function phaseOf(ticket: TicketState): TicketPhase | null {
  if (ticket.status !== 'in_review') return ticket.status;
  return ticket.step ?? null;
}

/** "Active" = still part of the matter: not returned and not cancelled. */
export function isActive(a: AssignmentState): boolean {
  return a.status !== 'returned' && a.status !== 'cancelled';
}

function activeAssignments(ticket: TicketState): AssignmentState[] {
  return ticket.assignments.filter(isActive);
}

function activeFor(ticket: TicketState, unitCode: string): AssignmentState | undefined {
  return ticket.assignments.find((a) => a.unitCode === unitCode && isActive(a));
}

/** Review starts when every active assignment has an approved reply and someone answers for it. */
function readyForReview(ticket: TicketState): boolean {
  const active = activeAssignments(ticket);
  return active.some((a) => a.role !== 'co') && active.every((a) => a.status === 'replied');
}

function reviewAudience(ticket: TicketState, step: ReviewStep): Audience {
  return reviewStepAudience(step, ticket.initiator);
}

/** Who acts at a review step (R-8): the initiator, the ops head or the office reviewer. */
export function reviewStepAudience(step: ReviewStep, initiator: string): Audience {
  switch (step) {
    case 'initiator_review':
    case 'upstream_report':
      return { kind: 'person', userid: initiator };
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

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function isValidDate(v: unknown): v is Date {
  return v instanceof Date && !Number.isNaN(v.getTime());
}

function refuse(code: RefusalCode, message: string, field?: string): Refusal {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}

function isRefusal(v: unknown): v is Refusal {
  return typeof v === 'object' && v !== null && (v as { ok?: unknown }).ok === false;
}

// ---------------------------------------------------------------------------------------------
// Deep copy (decide never mutates its input)
// ---------------------------------------------------------------------------------------------

function copyDate(d: Date): Date {
  return new Date(d);
}

function copyReply(r: Reply): Reply {
  const out: Reply = {
    ...r,
    handledAt: copyDate(r.handledAt),
    submittedAt: copyDate(r.submittedAt),
    callerContact: { ...r.callerContact, at: copyDate(r.callerContact.at) },
  };
  if (r.approvedAt) out.approvedAt = copyDate(r.approvedAt);
  return out;
}

function copyAssignment(a: AssignmentState): AssignmentState {
  const out: AssignmentState = {
    ...a,
    dispatchedAt: copyDate(a.dispatchedAt),
    replyDeadline: copyDate(a.replyDeadline),
  };
  if (a.acceptedAt) out.acceptedAt = copyDate(a.acceptedAt);
  if (a.reply) out.reply = copyReply(a.reply);
  if (a.returnRequest) out.returnRequest = { ...a.returnRequest, requestedAt: copyDate(a.returnRequest.requestedAt) };
  if (a.extensionRequest) {
    out.extensionRequest = {
      ...a.extensionRequest,
      requestedAt: copyDate(a.extensionRequest.requestedAt),
      newDeadline: copyDate(a.extensionRequest.newDeadline),
    };
  }
  return out;
}

function copyTicket(t: TicketState): TicketState {
  const out: TicketState = { ...t, assignments: t.assignments.map(copyAssignment) };
  if (t.visit) out.visit = { ...t.visit };
  if (t.responsibility) out.responsibility = { ...t.responsibility };
  return out;
}

/** X-5: the visit state, defaults filled in. */
export function visitOf(t: TicketState): VisitState {
  return t.visit ?? { status: 'pending', noAnswer: 0, round: 1 };
}

// ---------------------------------------------------------------------------------------------
// To-dos are a function of the state: decide() emits the difference (done, then open)
// ---------------------------------------------------------------------------------------------

/** A to-do that a state implies (see todosOf). */
export interface TodoSpec {
  key: string;
  action: ActionName;
  to: Audience;
  dueAt?: Date;
  unitCode?: string;
}

/** The to-dos that should be open in a state (the redispatch to-do is handled apart). */
export function todosOf(ticket: TicketState): TodoSpec[] {
  const id = ticket.id;
  if (ticket.status === 'closed' || ticket.status === 'revoked') return [];
  if (ticket.status === 'follow_up') {
    return [{ key: `${id}:follow_up`, action: 'finish_follow_up', to: { kind: 'person', userid: ticket.initiator } }];
  }
  const out: TodoSpec[] = [];
  for (const a of activeAssignments(ticket)) {
    const unitCode = a.unitCode;
    const receivers: Audience = { kind: 'unit_receivers', unitCode };
    const due = copyDate(a.replyDeadline);
    switch (a.status) {
      case 'pending_accept':
        out.push({ key: `${id}:${unitCode}:accept`, action: 'accept', to: receivers, dueAt: due, unitCode });
        break;
      case 'accepted':
        out.push({ key: `${id}:${unitCode}:reply`, action: 'submit_reply', to: receivers, dueAt: due, unitCode });
        break;
      case 'awaiting_leader':
        out.push({
          key: `${id}:${unitCode}:approve`,
          action: 'approve_reply',
          to: { kind: 'unit_leaders', unitCode },
          dueAt: due,
          unitCode,
        });
        break;
      case 'return_requested':
        out.push({
          key: `${id}:${unitCode}:return_review`,
          action: 'approve_return',
          to: { kind: 'person', userid: ticket.initiator },
          unitCode,
        });
        break;
      default:
        break;
    }
    if (a.extensionRequest) {
      out.push({
        key: `${id}:${unitCode}:extension_review`,
        action: 'approve_extension',
        to: { kind: 'person', userid: ticket.initiator },
        unitCode,
      });
    }
  }
  if (ticket.status === 'in_review' && ticket.step) {
    out.push({
      key: `${id}:review:${ticket.step}`,
      action: ticket.step === 'upstream_report' ? 'report_upstream' : 'pass_review',
      to: reviewAudience(ticket, ticket.step),
    });
  }
  return out;
}

function todoDiff(before: TicketState, after: TicketState): Effect[] {
  const was = todosOf(before);
  const now = todosOf(after);
  const dueOf = (t: TodoSpec) => t.dueAt?.getTime() ?? null;
  const wasDue = new Map(was.map((t) => [t.key, dueOf(t)]));
  const nowDue = new Map(now.map((t) => [t.key, dueOf(t)]));
  // X-4: a to-do whose due time moved (an approved extension) is done and opened again.
  const moved = (key: string) => wasDue.has(key) && nowDue.has(key) && wasDue.get(key) !== nowDue.get(key);
  const effects: Effect[] = [];
  for (const t of was) if (!nowDue.has(t.key) || moved(t.key)) effects.push({ kind: 'todo_done', key: t.key });
  for (const t of now) {
    if (wasDue.has(t.key) && !moved(t.key)) continue;
    const e: Effect = { kind: 'todo_open', key: t.key, action: t.action, to: t.to };
    if (t.dueAt) e.dueAt = t.dueAt;
    if (t.unitCode) e.unitCode = t.unitCode;
    effects.push(e);
  }
  return effects;
}

// ---------------------------------------------------------------------------------------------
// The gate: everything that does not depend on the input (except which unit)
// ---------------------------------------------------------------------------------------------

interface Passed {
  rule: TransitionRule;
  /** The acting (own) or target assignment, for scoped rows. */
  assignment?: AssignmentState;
}

function findRule(action: ActionName, ticket: TicketState): TransitionRule | undefined {
  const phase = phaseOf(ticket);
  if (phase === null) return undefined;
  return TRANSITIONS.find(
    (r) =>
      r.action === action &&
      r.from.includes(phase) &&
      (!r.chains || r.chains.includes(ticket.chain)) &&
      (!r.categories || r.categories.includes(ticket.category)),
  );
}

function fitsGlobalParty(who: readonly Party[], ticket: TicketState, actor: Actor): boolean {
  return who.some((p) => {
    switch (p) {
      case 'dispatcher':
      case 'ops_head':
      case 'office_reviewer':
        return actor.roles.includes(p);
      case 'initiator':
        return actor.userid === ticket.initiator;
      case 'unit_receiver':
      case 'unit_leader':
        return false;
    }
  });
}

/** A failing guard's message, or null when it holds. */
function checkGuard(
  guard: GuardName,
  ticket: TicketState,
  a: AssignmentState | undefined,
  now: Date,
  ctx: DecideContext,
): string | null {
  switch (guard) {
    case 'within_return_window': {
      if (!a) return null;
      if (now.getTime() < a.dispatchedAt.getTime() + RETURN_WINDOW_MS) return null;
      return '退回须在派单后 24 小时内申请，现已超过（R-11），本单位须继续办理。';
    }
    case 'co_units_replied': {
      if (!a || a.role !== 'lead') return null;
      const pending = activeAssignments(ticket).filter((x) => x.role === 'co' && x.status !== 'replied');
      if (pending.length === 0) return null;
      return `主办单位须等各会办单位的回复经其领导审批后，才能提交或审批本单位的回复（R-6d）。尚未完成：${unitList(
        ctx,
        pending.map((x) => x.unitCode),
      )}。`;
    }
    case 'has_pending_work':
      return activeAssignments(ticket).some((x) => PENDING_WORK.includes(x.status))
        ? null
        : '本工单没有尚待办理的承办单位，无需催办。';
    case 'responsible_replies_approved': {
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
    }
    case 'before_deadline': {
      if (!a || now.getTime() < a.replyDeadline.getTime()) return null;
      return '最晚回复时间已过，不能再申请延期：延期须在期限前申请（X-4）。';
    }
    case 'extensions_left': {
      const max = limitsOf(ctx).maxCount;
      if (!a || a.extensionCount < max) return null;
      return `本单位已延期 ${max} 次，达到上限，不能再申请延期（X-4）。`;
    }
    case 'not_merged': {
      if (!ticket.mergedInto) return null;
      return '此事项已并入另一工单（并单，X-6）：请在并入的工单上记录回访和责任认定。';
    }
    case 'visit_due': {
      if (!ticket.callerReachable) return '没有登记来电人电话，无法回访（X-5）。';
      const v = visitOf(ticket);
      return v.status === 'pending'
        ? null
        : `本轮回访已结束（${VISIT_STATUS_LABELS[v.status] ?? v.status}），不能再记录回访（X-5）。`;
    }
  }
}

function limitsOf(ctx: DecideContext): ExtensionLimits {
  return ctx.extensionLimits ?? DEFAULT_EXTENSION_LIMITS;
}

/** X-4: whether an assignment fits the row's extension condition; a message when it does not. */
function extensionMismatch(rule: TransitionRule, a: AssignmentState, ctx: DecideContext): string | null {
  if (rule.extension === 'pending' && !a.extensionRequest) return `${unitLabel(ctx, a.unitCode)}没有待审批的延期申请。`;
  if (rule.extension === 'none_pending' && a.extensionRequest) {
    return `${unitLabel(ctx, a.unitCode)}已有一份延期申请在等待运营服务部审批（X-4），请勿重复申请。`;
  }
  return null;
}

function firstGuardFailure(
  rule: TransitionRule,
  ticket: TicketState,
  a: AssignmentState | undefined,
  now: Date,
  ctx: DecideContext,
) {
  for (const g of rule.guards) {
    const failure = checkGuard(g, ticket, a, now, ctx);
    if (failure) return failure;
  }
  return null;
}

/** Why no row of the table applies: the category has no such action, or the phase does not allow it. */
function noRuleMessage(action: ActionName, ticket: TicketState): string {
  const phase = phaseOf(ticket);
  const forPhase = TRANSITIONS.filter((r) => r.action === action && phase !== null && r.from.includes(phase));
  const categories = forPhase.flatMap((r) => r.categories ?? []);
  if (forPhase.length > 0 && forPhase.every((r) => r.categories && !r.categories.includes(ticket.category))) {
    return `${categoryLabel(ticket.category)}类工单不能${actionLabel(action)}，只有${[...new Set(categories)]
      .map(categoryLabel)
      .join('、')}类可以。`;
  }
  return `工单当前为“${phaseLabel(ticket)}”，不能${actionLabel(action)}。`;
}

/**
 * Refusal precedence: the action is impossible in this phase → INVALID_STATE; the actor lacks
 * the role / unit / initiator → FORBIDDEN; the state fails an assignment status or a guard →
 * INVALID_STATE; a choice only the input can settle (which unit) → VALIDATION.
 */
function gate(
  ticket: TicketState,
  actor: Actor,
  action: ActionName,
  now: Date,
  unitHint: string | undefined,
  ctx: DecideContext,
) {
  const rule = findRule(action, ticket);
  const act = actionLabel(action);
  if (!rule) return refuse('INVALID_STATE', noRuleMessage(action, ticket));

  if (rule.scope === 'own') {
    const role = rule.who.includes('unit_leader') ? 'unit_leader' : 'receiver';
    const roleName = role === 'unit_leader' ? '领导' : '接单员';
    if (!actor.roles.includes(role)) return refuse('FORBIDDEN', `只有承办单位的${roleName}可以${act}。`);
    if (unitHint !== undefined && !actor.unitCodes.includes(unitHint)) {
      return refuse('FORBIDDEN', `您不是${unitLabel(ctx, unitHint)}的人员，不能代该单位办理。`);
    }
    const units = unitHint !== undefined ? [unitHint] : actor.unitCodes;
    const own = units.map((u) => activeFor(ticket, u)).filter((a): a is AssignmentState => a !== undefined);
    if (own.length === 0) {
      return refuse('FORBIDDEN', `您所在的单位没有承办本工单：只有承办单位的${roleName}可以${act}。`);
    }
    const passing: AssignmentState[] = [];
    let failure: string | null = null;
    for (const a of own) {
      const why = !rule.assignmentFrom?.includes(a.status)
        ? `${unitLabel(ctx, a.unitCode)}的派单当前为“${ASSIGNMENT_STATUS_LABELS[a.status]}”，不能${act}。`
        : (extensionMismatch(rule, a, ctx) ?? firstGuardFailure(rule, ticket, a, now, ctx));
      if (why) failure ??= why;
      else passing.push(a);
    }
    if (passing.length === 1) return { rule, assignment: passing[0] } satisfies Passed;
    if (passing.length > 1) {
      return refuse(
        'VALIDATION',
        `您属于多个承办单位，请选择代表哪个单位${act}：${unitList(
          ctx,
          passing.map((a) => a.unitCode),
        )}。`,
        'unit',
      );
    }
    return refuse('INVALID_STATE', failure ?? `现在不能${act}。`);
  }

  if (!fitsGlobalParty(rule.who, ticket, actor)) {
    return refuse('FORBIDDEN', `此环节只有${rule.who.map((p) => PARTY_LABELS[p]).join('或')}可以${act}。`);
  }

  if (rule.scope === 'target') {
    const candidates = activeAssignments(ticket).filter(
      (a) => rule.assignmentFrom?.includes(a.status) && extensionMismatch(rule, a, ctx) === null,
    );
    if (candidates.length === 0) return refuse('INVALID_STATE', `本工单没有可以${act}的承办单位。`);
    let target: AssignmentState | undefined;
    if (unitHint !== undefined) {
      target = candidates.find((a) => a.unitCode === unitHint);
      if (!target) return refuse('VALIDATION', `${unitLabel(ctx, unitHint)}没有可以${act}的派单。`, 'unit');
    } else if (candidates.length === 1) {
      target = candidates[0];
    } else {
      return refuse(
        'VALIDATION',
        `请选择要${act}的单位：${unitList(
          ctx,
          candidates.map((a) => a.unitCode),
        )}。`,
        'unit',
      );
    }
    const why = firstGuardFailure(rule, ticket, target, now, ctx);
    if (why) return refuse('INVALID_STATE', why);
    return { rule, assignment: target } satisfies Passed;
  }

  const why = firstGuardFailure(rule, ticket, undefined, now, ctx);
  if (why) return refuse('INVALID_STATE', why);
  return { rule } satisfies Passed;
}

/**
 * The actions this actor could take now, for some input (input validation aside). Agrees with
 * decide(): listed iff decide() with a valid input succeeds.
 */
export function allowedActions(
  ticket: TicketState,
  actor: Actor,
  now: Date,
  context: DecideContext = {},
): ActionName[] {
  return ACTIONS.filter((action) => {
    const g = gate(ticket, actor, action, now, undefined, context);
    // VALIDATION here only means "pick a unit": some input.unit makes it pass.
    return !isRefusal(g) || g.code === 'VALIDATION';
  });
}

// ---------------------------------------------------------------------------------------------
// Input validation (VALIDATION, with the field at fault)
// ---------------------------------------------------------------------------------------------

type Loose = Record<string, unknown>;

function requireText(input: Loose, field: string, label: string): Refusal | null {
  return isText(input[field]) ? null : refuse('VALIDATION', `请填写${label}。`, field);
}

function validateDispatch(ticket: TicketState, input: Loose, now: Date, ctx: DecideContext): Refusal | null {
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
    if (activeFor(ticket, unit)) {
      return refuse('INVALID_STATE', `${unitLabel(ctx, unit)}已在办理本工单，不能重复派单。`, `assignments[${i}].unit`);
    }
    const role = item.role as AssignmentRole;
    if (!ASSIGNMENT_ROLES.includes(role)) {
      return refuse('VALIDATION', '承办方式须为独办、主办或会办。', `assignments[${i}].role`);
    }
    roles.push(role);
    const deadline = item.replyDeadline;
    if (!isValidDate(deadline) || deadline.getTime() <= now.getTime()) {
      return refuse('VALIDATION', '最晚回复时间须晚于现在。', `assignments[${i}].replyDeadline`);
    }
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

/** send_back: which assignments go back (default: the replies under review that answer for the ticket). */
function sendBackUnits(ticket: TicketState, input: Loose, ctx: DecideContext): string[] | Refusal {
  const active = activeAssignments(ticket);
  const replied = active.filter((a) => a.status === 'replied');
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

function closesAt(rule: TransitionRule): boolean {
  return rule.to.includes('closed');
}

function validateFollowUp(ticket: TicketState, rule: TransitionRule, input: Loose): Refusal | null {
  if (input.followUp !== true) return null;
  if (!closesAt(rule)) return refuse('VALIDATION', '只有在办结这一步才能选择继续跟踪。', 'followUp');
  if (!FOLLOW_UP_CATEGORIES.includes(ticket.category)) {
    return refuse('VALIDATION', '只有举报、投诉和求助类工单可以在办结后继续跟踪（R-14）。', 'followUp');
  }
  return null;
}

function validateInput(
  action: ActionName,
  ticket: TicketState,
  passed: Passed,
  input: Loose,
  now: Date,
  ctx: DecideContext,
): Refusal | null {
  switch (action) {
    case 'dispatch':
      return validateDispatch(ticket, input, now, ctx);
    case 'answer_directly':
      return requireText(input, 'answer', '答复内容');
    case 'revoke':
      return requireText(input, 'reason', '撤销理由');
    case 'request_return':
      // R-11: a return states its reason and basis.
      return requireText(input, 'reason', '退回理由') ?? requireText(input, 'basis', '退回依据');
    case 'reject_return':
    case 'reject_reply':
    case 'reject_extension':
    case 'record_follow_up':
      return requireText(input, 'comment', '意见');
    case 'request_extension':
      return validateExtension(passed.assignment!, input, ctx);
    case 'send_back': {
      const missing = requireText(input, 'comment', '意见');
      if (missing) return missing;
      const units = sendBackUnits(ticket, input, ctx);
      return isRefusal(units) ? units : null;
    }
    case 'submit_reply':
      return validateReply(input, now);
    case 'pass_review':
    case 'report_upstream':
      return validateFollowUp(ticket, passed.rule, input);
    case 'remind': {
      if (input.unit === undefined || input.unit === null) return null;
      const a = activeFor(ticket, String(input.unit));
      if (!a || !PENDING_WORK.includes(a.status)) {
        return refuse('VALIDATION', `${unitLabel(ctx, String(input.unit))}在本工单上没有待办理的事项。`, 'unit');
      }
      return null;
    }
    case 'record_visit':
      return validateVisit(ticket, input, now, ctx);
    case 'mark_responsible':
      return validateResponsibility(ticket, input);
    case 'merge': {
      const missing = requireText(input, 'into', '要并入的工单');
      if (missing) return missing;
      return input.into === ticket.id ? refuse('VALIDATION', '工单不能并入自身。', 'into') : null;
    }
    case 'accept':
    case 'approve_return':
    case 'approve_reply':
    case 'approve_extension':
    case 'finish_follow_up':
      return null;
  }
}

const VISIT_OUTCOMES: readonly VisitOutcome[] = ['reached', 'no_answer', 'refused'];
const VISIT_SATISFACTIONS: readonly Satisfaction[] = ['satisfied', 'basically_satisfied', 'unsatisfied'];

// X-5: solved and satisfaction only for a reached caller; a unit at fault only when unsatisfied.
const VISIT_FIELD_LABELS: Readonly<Record<string, string>> = {
  solved: '是否解决',
  satisfaction: '满意度',
  unitAtFault: '责任单位',
};

function validateVisit(ticket: TicketState, input: Loose, now: Date, ctx: DecideContext): Refusal | null {
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

// R-16: a basis always; at fault: the unit that answers for it and a complete case file.
function validateResponsibility(ticket: TicketState, input: Loose): Refusal | null {
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
  const file = input.caseFile as Loose | undefined;
  if (typeof file !== 'object' || file === null) {
    return refuse('VALIDATION', '有责投诉须填写案例档案（R-16）。', 'caseFile');
  }
  if (!(CASE_PARTIES as readonly string[]).includes(file.partyKind as string)) {
    return refuse('VALIDATION', '责任方类型须为驾驶员、线路、车辆或单位。', 'caseFile.partyKind');
  }
  for (const [f, label] of [
    ['party', '责任方'],
    ['cause', '原因'],
    ['measures', '整改措施'],
    ['lesson', '经验教训'],
  ] as const) {
    if (!isText(file[f])) return refuse('VALIDATION', `请填写${label}（R-16）。`, `caseFile.${f}`);
  }
  return null;
}

// X-4: whole working days within the cap, a reason, and never past the latest (upstream) deadline.
function validateExtension(a: AssignmentState, input: Loose, ctx: DecideContext): Refusal | null {
  const { maxDays } = limitsOf(ctx);
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

// R-13, R-14: a reply says when it was handled, by whom, and how the caller was answered.
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
  if (!isText(contact.method)) return refuse('VALIDATION', '请选择联系来电人的方式。', 'callerContact.method');
  if (!isText(contact.summary)) {
    return refuse('VALIDATION', '请填写告知来电人的内容（R-13）。', 'callerContact.summary');
  }
  if (!isValidDate(contact.at) || contact.at.getTime() > latest) {
    return refuse('VALIDATION', '联系来电人的时间不能晚于现在。', 'callerContact.at');
  }
  if (!SATISFACTIONS.includes(input.satisfaction as Satisfaction)) {
    return refuse('VALIDATION', '请记录来电人满意度（或“未表态”）。', 'satisfaction');
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// decide
// ---------------------------------------------------------------------------------------------

interface Work {
  before: TicketState;
  next: TicketState;
  actor: Actor;
  now: Date;
  notices: Effect[];
  comment?: string;
  unitCode?: string;
  data?: Record<string, unknown>;
  /** R-12: the initiator owes a re-dispatch after an approved return. */
  openRedispatch?: boolean;
}

function notice(w: Work, kind: Extract<Effect, { kind: 'notice' }>['notice'], to: Audience, unitCode?: string) {
  const e: Effect = { kind: 'notice', notice: kind, to };
  if (unitCode !== undefined) e.unitCode = unitCode;
  w.notices.push(e);
}

function receivers(unitCode: string): Audience {
  return { kind: 'unit_receivers', unitCode };
}

function enterReview(w: Work, step: ReviewStep) {
  w.next.status = 'in_review';
  w.next.step = step;
  notice(w, 'review_step', reviewAudience(w.next, step));
}

/** CLOSE (R-14): closed, or follow_up for a report/complaint/help found true (R-14(3)). */
function close(w: Work, input: Loose) {
  const followUp = input.followUp === true;
  w.next.status = followUp ? 'follow_up' : 'closed';
  w.next.step = null;
  for (const a of activeAssignments(w.next)) notice(w, 'closed', receivers(a.unitCode), a.unitCode);
  w.data = { followUp };
}

function cancelActive(w: Work, except?: AssignmentState): string[] {
  const cancelled: string[] = [];
  for (const a of w.next.assignments) {
    if (!isActive(a) || a === except) continue;
    a.status = 'cancelled';
    cancelled.push(a.unitCode);
    notice(w, 'assignment_cancelled', receivers(a.unitCode), a.unitCode);
  }
  return cancelled;
}

function iso(d: Date): string {
  return d.toISOString();
}

function apply(action: ActionName, w: Work, passed: Passed, input: Loose, newId: IdSource): void {
  const { next, actor, now } = w;
  // The assignment acted on, in the copy.
  const target = passed.assignment ? next.assignments.find((a) => a.id === passed.assignment!.id) : undefined;
  if (target) w.unitCode = target.unitCode;

  switch (action) {
    case 'dispatch': {
      const items = input.assignments as ActionInputs['dispatch']['assignments'];
      const added = items.map((x): AssignmentState => ({
        id: newId(),
        unitCode: x.unit,
        role: x.role,
        status: 'pending_accept',
        dispatchedAt: copyDate(now),
        dispatchedBy: actor.userid,
        replyDeadline: copyDate(x.replyDeadline),
        reworkCount: 0,
        extensionCount: 0,
      }));
      next.assignments.push(...added);
      next.status = 'in_progress';
      next.step = null;
      for (const a of added) notice(w, 'new_assignment', receivers(a.unitCode), a.unitCode);
      w.data = {
        assignments: added.map((a) => ({ unit: a.unitCode, role: a.role, replyDeadline: iso(a.replyDeadline) })),
      };
      return;
    }

    case 'answer_directly': {
      // R-7: direct handling; the answering branch's assignment counts as replied.
      if (target) {
        target.status = 'replied';
        if (!target.acceptedAt) {
          target.acceptedBy = actor.userid;
          target.acceptedAt = copyDate(now);
        }
      }
      const cancelled = cancelActive(w, target);
      next.status = 'closed';
      next.step = null;
      next.directAnswer = input.answer as string;
      w.comment = input.answer as string;
      w.data = { cancelledUnits: cancelled };
      return;
    }

    case 'merge': {
      // X-6: the caller joins the open ticket and is answered with it; this matter ends here.
      const cancelled = cancelActive(w);
      next.status = 'closed';
      next.step = null;
      next.mergedInto = input.into as string;
      w.comment = typeof input.comment === 'string' && input.comment.trim() ? input.comment : undefined;
      w.data = { into: input.into, cancelledUnits: cancelled };
      return;
    }

    case 'revoke': {
      // R-9b: a mis-dispatched ticket is revoked; its assignments end.
      const cancelled = cancelActive(w);
      next.status = 'revoked';
      next.step = null;
      w.comment = input.reason as string;
      w.data = { cancelledUnits: cancelled };
      return;
    }

    case 'accept': {
      target!.status = 'accepted';
      target!.acceptedBy = actor.userid;
      target!.acceptedAt = copyDate(now);
      return;
    }

    case 'request_return': {
      const reason = input.reason as string;
      const basis = input.basis as string;
      target!.status = 'return_requested';
      target!.returnRequest = { reason, basis, requestedBy: actor.userid, requestedAt: copyDate(now) };
      notice(w, 'return_requested', { kind: 'person', userid: next.initiator }, target!.unitCode);
      notice(w, 'return_requested', { kind: 'role', role: 'ops_head' }, target!.unitCode);
      w.comment = reason;
      w.data = { reason, basis };
      return;
    }

    case 'approve_return': {
      const a = target!;
      a.status = 'returned';
      notice(w, 'return_decided', receivers(a.unitCode), a.unitCode);
      w.data = { approved: true, reason: a.returnRequest?.reason, basis: a.returnRequest?.basis };
      if (readyForReview(next)) {
        // The remaining units have all replied: nothing waits for a re-dispatch.
        enterReview(w, 'initiator_review');
      } else {
        // R-12: the ops department defines responsibility and dispatches again.
        next.status = activeAssignments(next).length === 0 ? 'registered' : 'in_progress';
        next.step = null;
        w.openRedispatch = true;
      }
      return;
    }

    case 'reject_return': {
      const a = target!;
      w.data = { approved: false, reason: a.returnRequest?.reason, basis: a.returnRequest?.basis };
      a.status = a.acceptedAt ? 'accepted' : 'pending_accept';
      delete a.returnRequest;
      notice(w, 'return_decided', receivers(a.unitCode), a.unitCode);
      return;
    }

    case 'submit_reply': {
      const a = target!;
      const contact = input.callerContact as CallerContact;
      a.status = 'awaiting_leader';
      a.reply = {
        content: input.content as string,
        handledAt: copyDate(input.handledAt as Date),
        handler: input.handler as string,
        callerContact: {
          contacted: contact.contacted,
          method: contact.method,
          at: copyDate(contact.at),
          summary: contact.summary,
        },
        satisfaction: input.satisfaction as Satisfaction,
        submittedBy: actor.userid,
        submittedAt: copyDate(now),
      };
      // R-10: the unit leader approves before the reply counts.
      notice(w, 'reply_awaiting_approval', { kind: 'unit_leaders', unitCode: a.unitCode }, a.unitCode);
      w.data = {
        content: a.reply.content,
        handler: a.reply.handler,
        handledAt: iso(a.reply.handledAt),
        callerContact: { contacted: contact.contacted, method: contact.method, summary: contact.summary },
        satisfaction: a.reply.satisfaction,
        role: a.role,
      };
      return;
    }

    case 'approve_reply': {
      const a = target!;
      a.status = 'replied';
      if (a.reply) {
        a.reply.approvedBy = actor.userid;
        a.reply.approvedAt = copyDate(now);
      }
      w.data = { role: a.role };
      if (a.role === 'co') {
        // R-6d: a co unit's reply is input for the lead.
        const lead = activeAssignments(next).find((x) => x.role === 'lead');
        if (lead) notice(w, 'co_reply_ready', receivers(lead.unitCode), a.unitCode);
      }
      if (readyForReview(next)) enterReview(w, 'initiator_review');
      return;
    }

    case 'reject_reply': {
      const a = target!;
      w.data = { rejectedContent: a.reply?.content };
      a.status = 'accepted';
      delete a.reply;
      notice(w, 'reply_rejected', receivers(a.unitCode), a.unitCode);
      return;
    }

    case 'pass_review': {
      const step = next.step!;
      const following = nextReviewStep(next.chain, step);
      if (following) enterReview(w, following);
      else close(w, input);
      return;
    }

    case 'report_upstream':
      close(w, input);
      return;

    case 'send_back': {
      // R-8, R-14: rework; the reply deadline keeps running.
      const units = sendBackUnits(next, input, {}) as string[];
      for (const u of units) {
        const a = activeFor(next, u)!;
        a.status = 'accepted';
        delete a.reply;
        a.reworkCount += 1;
        notice(w, 'rework', receivers(u), u);
      }
      next.status = 'in_progress';
      next.step = null;
      w.data = { units, step: w.before.step };
      return;
    }

    case 'record_follow_up':
      return;

    case 'finish_follow_up':
      next.status = 'closed';
      next.step = null;
      return;

    case 'remind': {
      const only = input.unit === undefined || input.unit === null ? undefined : String(input.unit);
      const units: string[] = [];
      for (const a of activeAssignments(next)) {
        if (!PENDING_WORK.includes(a.status) || (only !== undefined && a.unitCode !== only)) continue;
        const to: Audience =
          a.status === 'awaiting_leader' ? { kind: 'unit_leaders', unitCode: a.unitCode } : receivers(a.unitCode);
        notice(w, 'remind', to, a.unitCode);
        units.push(a.unitCode);
      }
      if (only !== undefined) w.unitCode = only;
      w.data = { units };
      return;
    }

    case 'request_extension': {
      const a = target!;
      const days = input.days as number;
      const reason = input.reason as string;
      const newDeadline = copyDate(input.newDeadline as Date);
      a.extensionRequest = { days, reason, requestedBy: actor.userid, requestedAt: copyDate(now), newDeadline };
      notice(w, 'extension_requested', { kind: 'person', userid: next.initiator }, a.unitCode);
      notice(w, 'extension_requested', { kind: 'role', role: 'ops_head' }, a.unitCode);
      w.comment = reason;
      w.data = { days, reason, deadline: iso(a.replyDeadline), newDeadline: iso(newDeadline) };
      return;
    }

    case 'approve_extension': {
      const a = target!;
      const req = a.extensionRequest!;
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
      notice(w, 'extension_decided', receivers(a.unitCode), a.unitCode);
      return;
    }

    case 'reject_extension': {
      const a = target!;
      const req = a.extensionRequest!;
      w.data = { approved: false, days: req.days, reason: req.reason };
      delete a.extensionRequest;
      notice(w, 'extension_decided', receivers(a.unitCode), a.unitCode);
      return;
    }

    case 'record_visit': {
      // X-5: attempts, solved and satisfied are recorded apart; the round ends reached, refused or unreachable.
      const v = visitOf(next);
      const outcome = input.outcome as VisitOutcome;
      const data: Record<string, unknown> = { outcome, round: v.round };
      if (outcome === 'no_answer') {
        const noAnswer = v.noAnswer + 1;
        next.visit = { ...v, noAnswer, status: noAnswer >= VISIT_MAX_NO_ANSWER ? 'unreachable' : 'pending' };
        data.attempt = noAnswer;
        data.visitStatus = next.visit.status;
      } else if (outcome === 'refused') {
        next.visit = { ...v, status: 'refused' };
        data.visitStatus = 'refused';
      } else {
        data.solved = input.solved;
        data.satisfaction = input.satisfaction;
        data.visitStatus = 'reached';
        const unit = input.unitAtFault as string | undefined;
        if (unit === undefined || unit === null) {
          next.visit = { ...v, status: 'reached' };
        } else {
          // 重办: the same ticket goes back to the unit at fault, counted, with a new deadline.
          const a = activeFor(next, unit)!;
          a.status = 'accepted';
          delete a.reply;
          a.reworkCount += 1;
          a.replyDeadline = copyDate(input.reworkDeadline as Date);
          next.status = 'in_progress';
          next.step = null;
          next.visit = { status: 'pending', noAnswer: 0, round: v.round + 1 };
          notice(w, 'rework', receivers(unit), unit);
          w.unitCode = unit;
          data.unitAtFault = unit;
          data.rework = true;
          data.replyDeadline = iso(a.replyDeadline);
        }
      }
      w.data = data;
      return;
    }

    case 'mark_responsible': {
      // R-16, X-8: the latest decision stands; the timeline keeps every one.
      const atFault = input.atFault === true;
      const unit = atFault ? (input.responsibleUnit as string) : undefined;
      next.responsibility = unit ? { atFault, unitCode: unit } : { atFault };
      w.comment = input.basis as string;
      if (unit) w.unitCode = unit;
      w.data = atFault
        ? { atFault, basis: input.basis, responsibleUnit: unit, caseFile: input.caseFile }
        : { atFault, basis: input.basis };
      return;
    }
  }
}

/** X-4: a pending extension request lapses with its assignment's work (replied, returned, cancelled). */
function dropLapsedExtensions(next: TicketState): void {
  for (const a of next.assignments) {
    if (a.extensionRequest && !EXTENSION_KEPT_WHILE.includes(a.status)) delete a.extensionRequest;
  }
}

const WORKING: readonly TicketStatus[] = ['registered', 'in_progress'];

/** The redispatch to-do (R-12): opened by an approved return, done by the next dispatch or when the ticket moves on. */
function redispatchEffects(action: ActionName, w: Work): Effect[] {
  const key = `${w.next.id}:redispatch`;
  if (w.openRedispatch) {
    return [{ kind: 'todo_open', key, action: 'dispatch', to: { kind: 'person', userid: w.next.initiator } }];
  }
  const couldBeOpen = w.before.assignments.some((a) => a.status === 'returned') && WORKING.includes(w.before.status);
  const moved = action === 'dispatch' || !WORKING.includes(w.next.status);
  return couldBeOpen && moved ? [{ kind: 'todo_done', key }] : [];
}

/**
 * Decide one action. Returns the new state (version + 1), exactly one timeline event and the
 * effects, or a coded refusal. Never mutates `ticket` or `input`.
 */
export function decide<A extends ActionName>(
  ticket: TicketState,
  actor: Actor,
  action: A,
  input: ActionInputs[A],
  now: Date,
  newId: IdSource,
  context: DecideContext = {},
): DecideResult {
  if (!(ACTIONS as readonly string[]).includes(action)) {
    return refuse('VALIDATION', `未知的操作“${String(action)}”。`, 'action');
  }
  const loose = (input ?? {}) as unknown as Loose;
  const passed = gate(ticket, actor, action, now, unitOf(loose, action, ticket), context);
  if (isRefusal(passed)) return passed;
  const invalid = validateInput(action, ticket, passed, loose, now, context);
  if (invalid) return invalid;

  const w: Work = { before: ticket, next: copyTicket(ticket), actor, now, notices: [] };
  if (typeof loose.comment === 'string' && loose.comment.trim()) w.comment = loose.comment;
  apply(action, w, passed, loose, newId);
  dropLapsedExtensions(w.next);
  w.next.version = ticket.version + 1;

  const event: TimelineEvent = {
    action,
    actor: actor.userid,
    at: copyDate(now),
    fromStatus: ticket.status,
    toStatus: w.next.status,
    fromStep: ticket.step,
    toStep: w.next.step,
  };
  if (w.comment !== undefined) event.comment = w.comment;
  if (w.unitCode !== undefined) event.unitCode = w.unitCode;
  if (w.data !== undefined) event.data = w.data;

  const effects: Effect[] = [...todoDiff(ticket, w.next), ...redispatchEffects(action, w), ...w.notices];
  const decision: Decision = { ok: true, state: w.next, events: [event], effects };
  return decision;
}

/** input.unit, for rows that act on an assignment (own / target); remind validates its own. */
function unitOf(input: Loose, action: ActionName, ticket: TicketState): string | undefined {
  const rule = findRule(action, ticket);
  if (!rule || rule.scope === 'none') return undefined;
  const u = input.unit;
  return u === undefined || u === null ? undefined : String(u);
}
