// The vocabulary of the workflow (REQUIREMENTS.md glossary). Pure data types: no framework.

export type Chain = 'A' | 'B' | 'direct';

export type TicketStatus = 'registered' | 'in_progress' | 'in_review' | 'follow_up' | 'closed' | 'revoked';

export type ReviewStep = 'initiator_review' | 'ops_review' | 'office_review' | 'upstream_report';

export type AssignmentRole = 'sole' | 'lead' | 'co';

/** `withdrawn`: the ops department re-routed the matter to another unit (改派, issue 15.9). */
export type AssignmentStatus =
  | 'pending_accept'
  | 'accepted'
  | 'awaiting_leader'
  | 'replied'
  | 'return_requested'
  | 'returned'
  | 'cancelled'
  | 'withdrawn';

export type Role = 'dispatcher' | 'ops_head' | 'office_reviewer' | 'receiver' | 'unit_leader' | 'admin';

export const ACTIONS = [
  'dispatch',
  'answer_directly',
  'revoke',
  'accept',
  'request_return',
  'approve_return',
  'reject_return',
  'submit_reply',
  'approve_reply',
  'reject_reply',
  'pass_review',
  'send_back',
  'report_upstream',
  'record_follow_up',
  'finish_follow_up',
  'remind',
  'request_extension',
  'approve_extension',
  'reject_extension',
  'record_visit',
  'mark_responsible',
  'merge',
  'write_case_file',
  'record_unit_follow_up',
  'flag_untrue_reply',
  'reroute',
] as const;
export type ActionName = (typeof ACTIONS)[number];

export type CategoryCode =
  'consultation' | 'complaint' | 'report' | 'help' | 'suggestion' | 'lost_item' | 'praise' | (string & {});

export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'unsatisfied' | 'unknown';

/**
 * why a reply answers without having reached the caller. `summary` says what was tried
 * (for `no_answer_3_tries` the three attempts; for `other` the reason itself).
 */
export const NOT_CONTACTED_REASONS = [
  'empty_number',
  'no_answer_3_tries',
  'declined_contact',
  'no_contact_info',
  'other',
] as const;
export type NotContactedReason = (typeof NOT_CONTACTED_REASONS)[number];

export interface CallerContact {
  contacted: boolean;
  /** phone, sms, visit, wechat, other (when not contacted: how it was tried) */
  method: string;
  /** when the caller was answered (when not contacted: the last attempt, or when it was decided) */
  at: Date;
  summary: string;
  /** required when `contacted` is false, absent when true. */
  notContactedReason?: NotContactedReason;
}

export interface Reply {
  content: string;
  handledAt: Date;
  /** 经办人: the person who handled it (free text, R-14) */
  handler: string;
  callerContact: CallerContact;
  satisfaction: Satisfaction;
  submittedBy: string;
  submittedAt: Date;
  approvedBy?: string;
  approvedAt?: Date;
}

export interface ReturnRequest {
  reason: string;
  basis: string;
  requestedBy: string;
  requestedAt: Date;
}

/** a unit's pending request for more time (延期). */
export interface ExtensionRequest {
  /** Working days asked for. */
  days: number;
  reason: string;
  requestedBy: string;
  requestedAt: Date;
  /** The deadline the extension would give; computed by the application layer on its calendar. */
  newDeadline: Date;
}

export interface AssignmentState {
  /** Stable id (the persistence layer's uuid; the workflow creates ids through IdSource). */
  id: string;
  unitCode: string;
  role: AssignmentRole;
  status: AssignmentStatus;
  dispatchedAt: Date;
  dispatchedBy: string;
  /** 最晚回复时间 (R-9d); set by the application layer from the time-limit policy. */
  replyDeadline: Date;
  acceptedBy?: string;
  acceptedAt?: Date;
  /** The current reply (awaiting the leader, or approved). Cleared on send-back / leader reject. */
  reply?: Reply;
  returnRequest?: ReturnRequest;
  /** Art. 12 (由承办单位继续办理): a return of this assignment was rejected; it cannot be asked again. */
  returnRejected?: boolean;
  /** Times the reply was sent back for rework. */
  reworkCount: number;
  /** extensions granted so far (capped by DecideContext.extensionLimits.maxCount). */
  extensionCount: number;
  /** the pending extension request, if any (at most one at a time). */
  extensionRequest?: ExtensionRequest;
  /**
   * Issue 15.7 (Art. 10, R-10): times a leader-approved reply of this assignment was found untrue
   * and re-opened for correction (absent = 0). Counted against the unit apart from rework.
   */
  untrueCount?: number;
}

/** one follow-up call's outcome (回访). */
export type VisitOutcome = 'reached' | 'no_answer' | 'refused';

/** where the follow-up call of the current round stands; `pending` until it ends. */
export type VisitStatus = 'pending' | 'reached' | 'unreachable' | 'refused';

export interface VisitState {
  status: VisitStatus;
  /** Unanswered attempts in this round; the third ends it as unreachable. */
  noAnswer: number;
  /** 1, then + 1 each time a visit re-opens the ticket as rework (重办). */
  round: number;
}

/** the at-fault decision on a complaint (有责/无责). */
export interface Responsibility {
  atFault: boolean;
  /** The unit answering for an at-fault complaint. */
  unitCode?: string;
  /** Issue 15.12 (Art. 16): the at-fault unit's case analysis (案例分析) has been written. */
  caseFileWritten?: boolean;
}

export interface TicketState {
  id: string;
  chain: Chain;
  category: CategoryCode;
  status: TicketStatus;
  /** Set only while status is in_review. */
  step: ReviewStep | null;
  /** userid of the dispatcher who registered the ticket (发起人), kept for the record; the initiator's steps are the initiating department's, i.e. any dispatcher's (issue 13.6). */
  initiator: string;
  assignments: AssignmentState[];
  /** Direct answer, when closed that way. */
  directAnswer?: string;
  /** Optimistic-concurrency version; decide() returns version + 1. */
  version: number;
  /** a caller phone is on record, so a follow-up call is possible (absent = no). */
  callerReachable?: boolean;
  /** the follow-up call of the current round (absent = pending, round 1). */
  visit?: VisitState;
  /** the latest at-fault decision, if any. */
  responsibility?: Responsibility;
  /** the ticket this matter was merged into (并单); its caller is answered and called back there. */
  mergedInto?: string;
  /**
   * Issue 15.10 (Art. 4, X-3): the consolidated answer as the office reviewer edited it at
   * office_review; report_upstream reports it. Absent: the answer composed from the replies.
   */
  upstreamAnswer?: string;
}

/** Who is acting: global roles plus the units the person belongs to (receiver / leader there). */
export interface Actor {
  userid: string;
  roles: readonly Role[];
  unitCodes: readonly string[];
}

// ---- action inputs (already shape-validated by the API's DTOs) ----
export interface DispatchInput {
  assignments: Array<{ unit: string; role: AssignmentRole; replyDeadline: Date }>;
}
export interface UnitScopedInput {
  /** The acting unit when a person belongs to several units, or the target unit for ops. */
  unit?: string;
}
export interface RequestReturnInput extends UnitScopedInput {
  reason: string;
  basis: string;
}
export interface SubmitReplyInput extends UnitScopedInput {
  content: string;
  handledAt: Date;
  handler: string;
  callerContact: CallerContact;
  satisfaction: Satisfaction;
}
/** `newDeadline` is the current deadline plus `days` working days, from the application layer. */
export interface RequestExtensionInput extends UnitScopedInput {
  days: number;
  reason: string;
  newDeadline: Date;
}
export interface CommentInput extends UnitScopedInput {
  comment?: string;
}
export interface SendBackInput {
  comment: string;
  /** Units whose replies are sent back; default: every unit whose reply is under review. */
  units?: string[];
}
export interface RevokeInput {
  reason: string;
}
export interface AnswerDirectlyInput {
  answer: string;
  /** The answering branch, when a receiver belongs to several assigned units (lost items, R-7). */
  unit?: string;
}
export interface CloseInput {
  comment?: string;
  /** R-14(3): a report or accident found true stays under follow-up until finished. */
  followUp?: boolean;
}

/** pass_review; at office_review (chain B) the office may give its edited consolidated answer (issue 15.10). */
export interface PassReviewInput extends CloseInput {
  upstreamAnswer?: string;
}

/** one follow-up call. `reworkDeadline` comes from the application's time-limit policy. */
export interface RecordVisitInput {
  outcome: VisitOutcome;
  solved?: boolean;
  satisfaction?: Exclude<Satisfaction, 'unknown'>;
  comment?: string;
  /** Only with an unsatisfied result judged to be this unit's fault: re-opens the ticket to it. */
  unitAtFault?: string;
  reworkDeadline?: Date;
}

export type CaseParty = 'driver' | 'route' | 'vehicle' | 'unit';

/** the case file of an at-fault complaint (for training). */
export interface CaseFileInput {
  cause: string;
  partyKind: CaseParty;
  /** The driver's name or number, the route, the plate, or the unit. */
  party: string;
  measures: string;
  lesson: string;
}

/**
 * 有责/无责 with its basis; an at-fault decision names the unit. The case file is the
 * unit's to write (write_case_file, issue 15.12); the ops department may give it here.
 */
export interface MarkResponsibleInput {
  atFault: boolean;
  basis: string;
  responsibleUnit?: string;
  caseFile?: CaseFileInput;
}

/**
 * Issue 15.7 (Art. 10 应及时改正): the unit whose approved reply was found untrue, why, and the
 * new reply deadline for the corrected reply.
 */
export interface FlagUntrueReplyInput {
  unit?: string;
  reason: string;
  replyDeadline: Date;
}

/** 并单. `into` is the open ticket this matter joins (checked by the application). */
export interface MergeInput {
  into: string;
  comment?: string;
}

/**
 * Issue 15.9 (改派): the ops department withdraws `unit`'s assignment and dispatches `newUnit` in
 * its place, in the same role; `replyDeadline` comes from the application's deadline rules.
 */
export interface RerouteInput {
  unit?: string;
  newUnit: string;
  reason: string;
  replyDeadline: Date;
}

export interface ActionInputs {
  dispatch: DispatchInput;
  answer_directly: AnswerDirectlyInput;
  revoke: RevokeInput;
  accept: UnitScopedInput;
  request_return: RequestReturnInput;
  approve_return: CommentInput;
  reject_return: CommentInput & { comment: string };
  submit_reply: SubmitReplyInput;
  approve_reply: CommentInput;
  reject_reply: CommentInput & { comment: string };
  pass_review: PassReviewInput;
  send_back: SendBackInput;
  report_upstream: CloseInput;
  record_follow_up: { comment: string };
  finish_follow_up: { comment?: string };
  remind: { comment?: string; unit?: string };
  request_extension: RequestExtensionInput;
  approve_extension: CommentInput;
  reject_extension: CommentInput & { comment: string };
  record_visit: RecordVisitInput;
  mark_responsible: MarkResponsibleInput;
  merge: MergeInput;
  write_case_file: CaseFileInput;
  record_unit_follow_up: { comment: string; unit?: string };
  flag_untrue_reply: FlagUntrueReplyInput;
  reroute: RerouteInput;
}

/** the caps on extensions (default: at most 3, at most 3 working days each). */
export interface ExtensionLimits {
  maxCount: number;
  maxDays: number;
}

/**
 * Settings and facts the application layer passes in, so the library stays pure: the extension
 * caps, the latest deadline an extension may reach (the upstream deadline, X-3), and the unit
 * names for the refusals' wording.
 */
export interface DecideContext {
  extensionLimits?: ExtensionLimits;
  latestDeadline?: Date | null;
  /** Unit names by code, so a refusal can name the unit (else it names the code). */
  unitNames?: Readonly<Record<string, string>>;
}

// ---- what a decision produces ----
export interface TimelineEvent {
  action: ActionName;
  actor: string;
  at: Date;
  comment?: string;
  unitCode?: string;
  fromStatus: TicketStatus;
  toStatus: TicketStatus;
  fromStep: ReviewStep | null;
  toStep: ReviewStep | null;
  /** Small structured details (e.g. the dispatched units, the return reason/basis). */
  data?: Record<string, unknown>;
}

/** Who a notice or to-do is for; the application layer resolves it to people. */
export type Audience =
  | { kind: 'unit_receivers'; unitCode: string }
  | { kind: 'unit_leaders'; unitCode: string }
  | { kind: 'person'; userid: string }
  | { kind: 'role'; role: 'dispatcher' | 'ops_head' | 'office_reviewer' };

export type NoticeKind =
  | 'new_assignment'
  | 'assignment_cancelled'
  /** Issue 15.9: the unit's assignment was re-routed to another unit (改派). */
  | 'assignment_withdrawn'
  | 'reply_awaiting_approval'
  | 'reply_rejected'
  | 'co_reply_ready'
  | 'review_step'
  | 'return_requested'
  | 'return_decided'
  | 'rework'
  | 'remind'
  | 'closed'
  | 'extension_requested'
  | 'extension_decided'
  /** Issue 15.12: an at-fault decision asks the unit for its case analysis. */
  | 'case_file_requested'
  /** R-14(3): the ticket stays under follow-up; the units may record progress. */
  | 'follow_up'
  /** Issue 15.6: a handling unit recorded follow-up progress (to the ops department). */
  | 'follow_up_progress'
  /** Issue 15.7 (Art. 10): the unit's reply was found untrue and must be corrected. */
  | 'reply_untrue';

export type Effect =
  | { kind: 'notice'; notice: NoticeKind; to: Audience; unitCode?: string }
  /** A pending action for someone: becomes a DingTalk to-do; `key` is stable per ticket. */
  | { kind: 'todo_open'; key: string; action: ActionName; to: Audience; dueAt?: Date; unitCode?: string }
  | { kind: 'todo_done'; key: string };

export type RefusalCode = 'FORBIDDEN' | 'INVALID_STATE' | 'VALIDATION';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
  /** The input field at fault, for VALIDATION. */
  field?: string;
}

/**
 * What a decision changed, as facts the repository persists one statement per kind (nothing
 * diffs the state before and after). Ordered as they happened.
 */
export type Change =
  | { kind: 'assignment.dispatched'; assignment: AssignmentState; seq: number }
  | { kind: 'assignment.accepted'; assignmentId: string; status: AssignmentStatus; by: string; at: Date }
  | { kind: 'assignment.moved'; assignmentId: string; status: AssignmentStatus }
  | { kind: 'assignment.returned'; assignmentId: string }
  | { kind: 'assignment.cancelled'; assignmentId: string }
  /** Issue 15.9 (改派): withdrawn by the ops department, `replacementId` dispatched in its place. */
  | { kind: 'assignment.withdrawn'; assignmentId: string; by: string; reason: string; replacementId: string }
  /** Back to accepted for rework (reworkCount + 1); a follow-up call also gives a new deadline. */
  | {
      kind: 'assignment.reworked';
      assignmentId: string;
      reworkCount: number;
      previousDeadline: Date;
      newDeadline?: Date;
    }
  /** an approved extension moved the deadline. */
  | {
      kind: 'assignment.extended';
      assignmentId: string;
      previousDeadline: Date;
      replyDeadline: Date;
      extensionCount: number;
      days: number;
    }
  | { kind: 'reply.submitted'; assignmentId: string; reply: Reply }
  | { kind: 'reply.approved'; assignmentId: string; by: string; at: Date }
  | { kind: 'reply.rejected'; assignmentId: string }
  | { kind: 'reply.sent_back'; assignmentId: string }
  | { kind: 'return.requested'; assignmentId: string; request: ReturnRequest }
  /** `withdrawn`: the assignment ended another way (revoked, cancelled) with the request pending. */
  | { kind: 'return.decided'; assignmentId: string; decision: 'approved' | 'rejected' | 'withdrawn'; by: string }
  | { kind: 'extension.requested'; assignmentId: string; request: ExtensionRequest; previousDeadline: Date }
  /** `withdrawn` (by nobody): the request lapsed with its assignment's work. */
  | {
      kind: 'extension.decided';
      assignmentId: string;
      decision: 'approved' | 'rejected' | 'withdrawn';
      by: string | null;
    }
  /** one follow-up call; `visit` is the round's state after it. */
  | {
      kind: 'visit.recorded';
      round: number;
      outcome: VisitOutcome;
      solved: boolean | null;
      satisfaction: Satisfaction | null;
      unitAtFault: string | null;
      visitStatus: VisitStatus;
      visit: VisitState;
      /** The re-opened unit's assignment and the deadline it had (X-5 rework). */
      reworkAssignmentId: string | null;
      previousDeadline: Date | null;
      /** The ticket stays closed (no rework): its call-back queue entry stays. */
      stillClosed: boolean;
    }
  /** Issue 15.7 (Art. 10): an approved reply found untrue; the assignment re-opened with a new deadline. */
  | {
      kind: 'reply.flagged_untrue';
      assignmentId: string;
      reason: string;
      untrueCount: number;
      previousDeadline: Date;
      newDeadline: Date;
      /** A closed ticket re-opened: the caller is called again, in this new round, after the next close. */
      reopenedVisitRound: number | null;
    }
  /** the at-fault decision; at fault carries the case file. */
  | {
      kind: 'responsibility.decided';
      atFault: boolean;
      basis: string;
      responsibleUnit: string | null;
      caseFile: CaseFileInput | null;
      /** Issue 15.12: the case file already written stays (same unit, none given); else it is withdrawn. */
      keepsCaseFile: boolean;
    }
  /** Issue 15.12 (Art. 16): the at-fault unit (or the ops department) writes or updates the case analysis. */
  | { kind: 'case_file.written'; unitCode: string; caseFile: CaseFileInput; by: string; at: Date }
  /** Issue 15.10: the office reviewer's edited consolidated answer (null: withdrawn by a send-back). */
  | { kind: 'upstream_answer.edited'; answer: string | null; by: string; at: Date }
  /** Issue 15.10: report_upstream reported the answer (the office's edit, or the composed one). */
  | { kind: 'upstream_answer.reported'; edited: boolean; by: string; at: Date };

export type ChangeKind = Change['kind'];

/**
 * One piece of open work (the single answer to "who acts now", see workOf): who may act on it
 * (the inbox), who is waited on (the DingTalk to-do, when it has one) and until when.
 */
export interface WorkItem {
  /** Stable per ticket, e.g. `{ticket}:{unit}:accept`; the to-do's key. */
  key: string;
  action: ActionName;
  unitCode?: string;
  /** Everyone who may take the action now (each sees it in the inbox). */
  holders: Audience[];
  /** Who is waited on: the DingTalk to-do's audience; null when the work has no to-do. */
  todo: Audience | null;
  /** The to-do's due time (an assignment's reply deadline); review steps get theirs from the policy. */
  dueAt?: Date;
  /**
   * The inbox's deadline: a time (with when the time started, for the light), the review step's
   * deadline from the time-limit policy (`step`, X-1), or none.
   */
  deadline: { kind: 'at'; at: Date; startedAt: Date | null } | { kind: 'step' } | { kind: 'none' };
}

export interface Decision {
  ok: true;
  state: TicketState;
  events: TimelineEvent[];
  effects: Effect[];
  /** What changed, for the repository (one statement per kind). */
  changes: Change[];
  /** Who acts now on the new state (workOf): stored with the decision, read by the inbox. */
  work: WorkItem[];
}

export type DecideResult = Decision | Refusal;

/** Creates ids for new assignments (uuid in production, counters in tests). */
export type IdSource = () => string;
