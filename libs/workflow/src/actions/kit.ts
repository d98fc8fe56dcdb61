// The vocabulary every phase module declares its actions with: rows, guards, work items, and the
// small helpers on the state that decide() and the modules share. Pure: no framework, no I/O.
import type {
  ActionInputs,
  ActionName,
  Actor,
  AssignmentState,
  AssignmentStatus,
  Audience,
  Chain,
  Change,
  DecideContext,
  Effect,
  ExtensionLimits,
  IdSource,
  NoticeKind,
  Refusal,
  RefusalCode,
  Reply,
  ReviewStep,
  TicketState,
  VisitState,
  WorkItem,
} from '../workflow.types';

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

export const REVIEW_STEPS: readonly ReviewStep[] = [
  'initiator_review',
  'ops_review',
  'office_review',
  'upstream_report',
];

/** the review steps of each chain after the units have replied ('direct' reviews like A). */
export const CHAIN_STEPS: Readonly<Record<Chain, readonly ReviewStep[]>> = {
  A: ['initiator_review', 'ops_review'],
  B: ['initiator_review', 'ops_review', 'office_review', 'upstream_report'],
  direct: ['initiator_review', 'ops_review'],
};

/** Who may take a row's action. Unit parties act for a unit with an active assignment. */
export type Party =
  'dispatcher' | 'ops_head' | 'office_reviewer' | 'initiator' | 'unit_receiver' | 'unit_leader' | 'responsible_unit';

export const PARTIES: Readonly<Record<Party, string>> = {
  dispatcher: 'a dispatcher (派单员), any of them',
  ops_head: 'the ops head (运营服务部负责人)',
  office_reviewer: 'the office reviewer (公司办公室审核人)',
  initiator:
    'the initiating department (发起部门, R-8 article 8): any active dispatcher, not only the one who registered the ticket (ticket.initiator, kept for the record)',
  unit_receiver: "a receiver of a unit with an active assignment, acting on that unit's assignment",
  unit_leader: "a leader of a unit with an active assignment, acting on that unit's assignment",
  responsible_unit:
    'a leader or receiver of the unit an at-fault decision names (issue 15.12, Art. 16: the unit writes its case analysis)',
};

export const OPS_DEPARTMENT: readonly Party[] = ['dispatcher', 'ops_head'];

/**
 * Which assignment a row acts on: none (the ticket), `own` (the acting unit's, picked by
 * input.unit when the person belongs to several assigned units), or `target` (an assignment the
 * ops department picks with input.unit).
 */
export type AssignmentScope = 'none' | 'own' | 'target';

/** Named guards: conditions on the state (not the input); a failing guard is INVALID_STATE. */
export type GuardName =
  | 'within_return_window'
  | 'return_not_rejected'
  | 'co_units_replied'
  | 'has_pending_work'
  | 'responsible_replies_approved'
  | 'before_deadline'
  | 'extensions_left'
  | 'visit_due'
  | 'not_merged'
  | 'at_fault_decided'
  | 'untrue_reply_flaggable';

/** What a guard looks at: the ticket, the acted-on assignment (scoped rows), the clock, the context. */
export interface GuardArgs {
  ticket: TicketState;
  assignment: AssignmentState | undefined;
  now: Date;
  ctx: DecideContext;
}

/** A guard declared once: the rule it implements, what it means, and its check (a message when it fails). */
export interface Guard {
  name: GuardName;
  rule: string;
  describe: string;
  check: (g: GuardArgs) => string | null;
}

/** One row of the table as a phase module declares it (the action is the module's). */
export interface Row {
  /** The requirement ids this row implements. */
  requirement: string;
  /** Phases (status, or review step) the row applies to. */
  from: readonly TicketPhase[];
  /** Only for these chains (default: every chain). */
  chains?: readonly Chain[];
  /** Only for these categories (default: every category). */
  categories?: readonly string[];
  /**
   * Issue 15.2 (R-9b): only before a unit's first reply was approved (false), or only once one was
   * (true); see replyApprovedOnce. Default: either way.
   */
  replyApproved?: boolean;
  who: readonly Party[];
  /** The FORBIDDEN refusal's wording, when the generic "only … may" does not say why. */
  forbidden?: string;
  scope: AssignmentScope;
  /** For own/target scope: the statuses the acted-on assignment must be in. */
  assignmentFrom?: readonly AssignmentStatus[];
  /** For own/target scope: the statuses it may end in. */
  assignmentTo?: readonly AssignmentStatus[];
  /** whether the acted-on assignment must have a pending extension request, or must not. */
  extension?: 'pending' | 'none_pending';
  guards: readonly Guard[];
  /** Phases the ticket may end in. */
  to: readonly TicketPhase[];
  /** The ticket stays in the phase it was in (to lists the same phases; no edge in the diagrams). */
  stays?: boolean;
  /** What else happens, for the generated docs. */
  note: string;
}

/** Which row passed the gate, and the acting (own) or target assignment for scoped rows. */
export interface Passed {
  row: Row;
  assignment?: AssignmentState;
}

/** What an action's input check sees (the gate has passed). */
export interface Check {
  ticket: TicketState;
  passed: Passed;
  input: Loose;
  now: Date;
  ctx: DecideContext;
}

export type Loose = Record<string, unknown>;

/** The decision being built: the copy of the state the action changes, and what it records. */
export interface Work {
  before: TicketState;
  next: TicketState;
  actor: Actor;
  now: Date;
  /** Ids for new assignments. */
  newId: IdSource;
  /** The assignment acted on (own / target rows), in the copy. */
  target?: AssignmentState;
  notices: Effect[];
  changes: Change[];
  comment?: string;
  unitCode?: string;
  data?: Record<string, unknown>;
  /** the dispatchers owe a re-dispatch after an approved return. */
  openRedispatch?: boolean;
}

/** Open work a state implies (see workOf), declared by the action that does it. */
export interface WorkDecl {
  /** For the docs' to-do table: the key pattern, who holds it, when due, while open (none: inbox only). */
  doc?: { key: string; action: ActionName; to: string; due: string; openWhile: string };
  /** `assignment`: one item per active assignment it holds for; `ticket`: at most one per ticket. */
  scope: 'assignment' | 'ticket';
  /** Issue 15.12: the work stays open after the ticket closes (the unit's case analysis). */
  afterClose?: boolean;
  /**
   * Issue 15.6 (R-14(3)): an assignment item that also holds while the ticket is under follow-up
   * (the others end with the units' handling).
   */
  duringFollowUp?: boolean;
  /** The item while the state waits for it; null when it does not. */
  item: (t: TicketState, a: AssignmentState) => WorkItem | null;
}

export interface TicketWorkDecl extends Omit<WorkDecl, 'scope' | 'item'> {
  scope: 'ticket';
  item: (t: TicketState) => WorkItem | null;
}

export interface AssignmentWorkDecl extends WorkDecl {
  scope: 'assignment';
}

/** An assignment move on assignments other than the one a scoped row acts on (docs only). */
export interface SideEffect {
  from: readonly AssignmentStatus[] | 'new';
  to: AssignmentStatus;
  which: string;
}

/** One action, declared once: its rows, its input check, what it does, its work items. */
export interface ActionSpec<A extends ActionName = ActionName> {
  action: A;
  rows: readonly Row[];
  /** VALIDATION (with the field at fault) when the input does not fit; null when it does. */
  validate?: (c: Check) => Refusal | null;
  /** Changes the copy `w.next`, records notices, changes and the timeline details. */
  apply: (w: Work, input: Loose & Partial<ActionInputs[A]>) => void;
  /** The open work this action does (its to-dos, its inbox entries). */
  work?: readonly (TicketWorkDecl | AssignmentWorkDecl)[];
  /** How it moves assignments other than the acted-on one (docs). */
  sideEffects?: readonly SideEffect[];
}

export function defineAction<A extends ActionName>(spec: ActionSpec<A>): ActionSpec<A> {
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Helpers on the state
// ---------------------------------------------------------------------------------------------

export const PENDING_WORK: readonly AssignmentStatus[] = ['pending_accept', 'accepted', 'awaiting_leader'];

export function phaseOf(ticket: TicketState): TicketPhase | null {
  if (ticket.status !== 'in_review') return ticket.status;
  return ticket.step ?? null;
}

/** Where an assignment ended: returned, cancelled (revoke, direct answer), withdrawn (改派, issue 15.9). */
export const ENDED: readonly AssignmentStatus[] = ['returned', 'cancelled', 'withdrawn'];

/** "Active" = still part of the matter: not returned, cancelled or withdrawn. */
export function isActive(a: AssignmentState): boolean {
  return !ENDED.includes(a.status);
}

export function activeAssignments(ticket: TicketState): AssignmentState[] {
  return ticket.assignments.filter(isActive);
}

export function activeFor(ticket: TicketState, unitCode: string): AssignmentState | undefined {
  return ticket.assignments.find((a) => a.unitCode === unitCode && isActive(a));
}

/**
 * Issue 15.2 (R-9b): a unit's reply has been approved on this ticket at some point: an assignment
 * holds a leader-approved reply or is replied (a branch's direct answer counts), or one was sent
 * back for rework (its approved reply is gone, the record of it is not). From then on the units'
 * records are at stake, so only the ops head revokes, with a reason.
 */
export function replyApprovedOnce(ticket: TicketState): boolean {
  // Issue 15.7: a reply flagged untrue was approved too (its record stays against the unit).
  return ticket.assignments.some(
    (a) => Boolean(a.reply?.approvedAt) || a.status === 'replied' || a.reworkCount > 0 || (a.untrueCount ?? 0) > 0,
  );
}

/** Review starts when every active assignment has an approved reply and someone answers for it. */
export function readyForReview(ticket: TicketState): boolean {
  const active = activeAssignments(ticket);
  return active.some((a) => a.role !== 'co') && active.every((a) => a.status === 'replied');
}

/** the visit state, defaults filled in. */
export function visitOf(t: TicketState): VisitState {
  return t.visit ?? { status: 'pending', noAnswer: 0, round: 1 };
}

export function isText(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

export function isValidDate(v: unknown): v is Date {
  return v instanceof Date && !Number.isNaN(v.getTime());
}

export function refuse(code: RefusalCode, message: string, field?: string): Refusal {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}

export function isRefusal(v: unknown): v is Refusal {
  return typeof v === 'object' && v !== null && (v as { ok?: unknown }).ok === false;
}

export function requireText(input: Loose, field: string, label: string): Refusal | null {
  return isText(input[field]) ? null : refuse('VALIDATION', `请填写${label}。`, field);
}

export function copyDate(d: Date): Date {
  return new Date(d);
}

export function iso(d: Date): string {
  return d.toISOString();
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

/** Deep copy: decide never mutates its input. */
export function copyTicket(t: TicketState): TicketState {
  const out: TicketState = { ...t, assignments: t.assignments.map(copyAssignment) };
  if (t.visit) out.visit = { ...t.visit };
  if (t.responsibility) out.responsibility = { ...t.responsibility };
  // upstreamAnswer is a string: the spread copies it.
  return out;
}

// ---------------------------------------------------------------------------------------------
// What apply() records
// ---------------------------------------------------------------------------------------------

export function receivers(unitCode: string): Audience {
  return { kind: 'unit_receivers', unitCode };
}

export function leaders(unitCode: string): Audience {
  return { kind: 'unit_leaders', unitCode };
}

/**
 * Issue 13.6: the initiating department (发起部门). Article 8 names the department, not one
 * person, so the initiator's steps (initiator review, report upstream, deciding returns and
 * extensions, the re-dispatch) reach, and may be taken by, every dispatcher. The dispatcher role
 * (派单员) is by definition the operations service department's (admin-people.service: 运营服务部登记、
 * 派单), so the role is enough; people who are deactivated hold no role audience (peopleWithRole
 * lists active people only). `ticket.initiator` stays the person who registered, for the record;
 * the timeline records whoever acted.
 */
export function initiatingDepartment(): Audience {
  return { kind: 'role', role: 'dispatcher' };
}

export function notice(w: Work, kind: NoticeKind, to: Audience, unitCode?: string): void {
  const e: Effect = { kind: 'notice', notice: kind, to };
  if (unitCode !== undefined) e.unitCode = unitCode;
  w.notices.push(e);
}

export function change(w: Work, c: Change): void {
  w.changes.push(c);
}

/**
 * Ends one active assignment another way than a return (cancelled or withdrawn): a pending return
 * request is withdrawn with it (a pending extension lapses in decide, dropLapsedExtensions).
 */
export function endAssignment(w: Work, a: AssignmentState, status: 'cancelled' | 'withdrawn'): void {
  if (a.status === 'return_requested') {
    change(w, { kind: 'return.decided', assignmentId: a.id, decision: 'withdrawn', by: w.actor.userid });
  }
  a.status = status;
}

/** Ends every active assignment (but `except`): cancelled, a pending return withdrawn, its unit told. */
export function cancelActive(w: Work, except?: AssignmentState): string[] {
  const cancelled: string[] = [];
  for (const a of w.next.assignments) {
    if (!isActive(a) || a === except) continue;
    endAssignment(w, a, 'cancelled');
    change(w, { kind: 'assignment.cancelled', assignmentId: a.id });
    cancelled.push(a.unitCode);
    notice(w, 'assignment_cancelled', receivers(a.unitCode), a.unitCode);
  }
  return cancelled;
}

/** Back to accepted for rework (R-14 send-back, X-5 re-opening call): the reply is sent back. */
export function rework(w: Work, a: AssignmentState, newDeadline?: Date): void {
  const previousDeadline = copyDate(a.replyDeadline);
  if (a.reply) change(w, { kind: 'reply.sent_back', assignmentId: a.id });
  if (w.next.upstreamAnswer !== undefined) {
    // Issue 15.10: the office's consolidated answer was made from the replies that go back; it goes too.
    delete w.next.upstreamAnswer;
    change(w, { kind: 'upstream_answer.edited', answer: null, by: w.actor.userid, at: copyDate(w.now) });
  }
  a.status = 'accepted';
  delete a.reply;
  a.reworkCount += 1;
  if (newDeadline) a.replyDeadline = copyDate(newDeadline);
  change(w, {
    kind: 'assignment.reworked',
    assignmentId: a.id,
    reworkCount: a.reworkCount,
    previousDeadline,
    ...(newDeadline ? { newDeadline: copyDate(newDeadline) } : {}),
  });
}

export function limitsOf(ctx: DecideContext, defaults: Readonly<ExtensionLimits>): ExtensionLimits {
  return ctx.extensionLimits ?? defaults;
}
