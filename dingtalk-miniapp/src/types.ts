// Response shapes of the Hotline Desk API (the contract in the brief; the API is the source of truth).

export type ActionName =
  | 'dispatch'
  | 'answer_directly'
  | 'merge'
  | 'revoke'
  | 'accept'
  | 'request_return'
  | 'approve_return'
  | 'reject_return'
  | 'submit_reply'
  | 'approve_reply'
  | 'reject_reply'
  | 'pass_review'
  | 'send_back'
  | 'report_upstream'
  | 'record_follow_up'
  | 'finish_follow_up'
  | 'remind'
  | 'request_extension'
  | 'approve_extension'
  | 'reject_extension'
  | 'record_visit'
  | 'mark_responsible'
  | 'write_case_file'
  | 'record_unit_follow_up'
  | 'flag_untrue_reply'
  | 'reroute';

export type Light = 'green' | 'yellow' | 'red';

export interface UserUnit {
  code: string;
  name: string;
  isLeader: boolean;
}

export interface User {
  userid: string;
  name: string;
  title?: string;
  roles: string[];
  units: UserUnit[];
}

export interface Session {
  token: string;
  expiresAt: string;
  /** One-use token that renews the session (POST /api/auth/refresh) when the access token expires. */
  refreshToken?: string;
  refreshExpiresAt?: string;
  user: User;
}

export interface Unit {
  code: string;
  name: string;
  kind: string;
}

export interface Source {
  code: string;
  name: string;
  chain: string;
}

export interface Category {
  code: string;
  name: string;
}

/** GET /api/inbox/page: one page, the next cursor, and the true totals per action (issue 19). */
export interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
  counts: Partial<Record<ActionName, number>>;
  total: number;
}

export interface InboxItem {
  action: ActionName;
  unit: string | null;
  deadline: string | null;
  /** When the item's clock started (dispatch, or the review step's start); null without a deadline. */
  startedAt: string | null;
  /** computed by the API on the working-day calendar; null without a deadline. */
  light: Light | null;
  ticket: {
    id: string;
    number: string;
    subject: string;
    status: string;
    step: string | null;
    category: string;
    urgency: string;
  };
}

export interface TicketListItem {
  id: string;
  number: string;
  subject: string;
  status: string;
  step: string | null;
  sourceCode: string;
  categoryCode: string;
  urgency: string;
  createdAt: string;
  replyDeadline: string | null;
  /** X-9, once the API computes it: the worst light of the open assignments. */
  light?: Light | null;
  units: { code: string; role: string; status: string }[];
}

export interface TicketPage {
  items: TicketListItem[];
  nextCursor: string | null;
}

export interface CallerContact {
  contacted: boolean;
  method: string;
  at: string;
  summary: string;
  /** why the caller was not reached (null when reached). */
  notContactedReason?: string | null;
}

export interface Reply {
  content: string;
  handledAt: string;
  handler: string;
  callerContact: CallerContact;
  satisfaction: string;
  submittedBy: string;
  submittedAt: string;
  approvedBy?: string | null;
  approvedAt?: string | null;
}

export interface Assignment {
  id: string;
  unit: { code: string; name: string };
  role: string;
  status: string;
  dispatchedAt: string;
  replyDeadline: string | null;
  returnWindowEndsAt: string | null;
  acceptedBy: string | null;
  acceptedAt: string | null;
  reworkCount: number;
  /** Issue 15.7 (Art. 10): times a leader-approved reply was found untrue and re-opened. */
  untrueCount?: number;
  reply: Reply | null;
  returnRequest: { reason: string; basis: string; requestedBy: string; requestedAt: string } | null;
  /** once the API sends them. */
  light?: Light | null;
  extensionCount?: number;
  extensionRequest?: {
    days: number;
    reason: string;
    requestedBy: string;
    requestedAt: string;
    newDeadline: string;
  } | null;
}

export interface TimelineEvent {
  action: string;
  actor: { userid: string; name: string } | null;
  at: string;
  comment: string | null;
  unit: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  step: string | null;
  data: Record<string, unknown> | null;
}

export interface Ticket {
  id: string;
  number: string;
  status: string;
  step: string | null;
  chain: string;
  version: number;
  source: { code: string; name: string };
  channel: string;
  category: { code: string; name: string };
  urgency: string;
  subject: string;
  content: string;
  /** Masked; all null and `hidden` for the handling units of a confidential ticket (保密件). */
  caller: { name: string | null; phone: string | null; address: string | null; masked: boolean; hidden?: boolean };
  /** 13.7: this person may reveal the caller (查看来电人号码, audited). */
  callerRevealable?: boolean;
  confidential?: boolean;
  upstreamRef: string | null;
  upstreamDeadline: string | null;
  route: string | null;
  direction: string | null;
  stop: string | null;
  vehiclePlate: string | null;
  occurredAt: string | null;
  receivedAt: string;
  createdAt: string;
  closedAt: string | null;
  directAnswer: string | null;
  initiator: string;
  /** the current review step's deadline (the policy's review limit); null outside review. */
  stepDeadline?: string | null;
  assignments: Assignment[];
  timeline: TimelineEvent[];
  actions: ActionName[];
  /** callers of matters merged into this one (masked like `caller`). */
  callers?: TicketCaller[];
  /** Issue 15.10: chain B's consolidated answer upstream. */
  upstreamAnswer?: UpstreamAnswer | null;
  /** Issue 15.12: the case file of the unit at fault (office roles and that unit). */
  caseFile?: CaseFile | null;
}

/** Issue 15.10 (Art. 4): composed from the approved replies, edited by the office, reported upstream. */
export interface UpstreamAnswer {
  composed: string;
  edited: string | null;
  editedBy: string | null;
  editedAt: string | null;
  /** What report_upstream reports: the office's text, else the composition. */
  answer: string;
  reported: { answer: string; edited: boolean; by: string; at: string } | null;
}

/** R-16, issue 15.12: a case file, pending until the unit at fault writes its analysis. */
export interface CaseFile {
  id: string;
  ticketId: string;
  ticketNumber: string;
  subject: string;
  route: string | null;
  unit: { code: string; name: string };
  basis: string;
  status: 'pending' | 'written';
  cause: string | null;
  partyKind: string | null;
  party: string | null;
  measures: string | null;
  lesson: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  writtenBy: { userid: string; name: string } | null;
  writtenAt: string | null;
}

export interface TicketCaller {
  id: string;
  fromTicket: { id: string; number: string };
  name: string | null;
  phone: string | null;
  address: string | null;
  addedBy: string;
  addedAt: string;
  answered: { at: string; by: string; method: string | null; summary: string | null } | null;
}

export interface Attachment {
  id: string;
  ticketId: string;
  assignmentId: string | null;
  kind: 'ticket' | 'reply';
  fileName: string;
  contentType: string;
  sizeBytes: number;
  uploadedBy: { userid: string; name: string };
  createdAt: string;
  url: string;
}

export interface JsapiConfig {
  agentId: string;
  corpId: string;
  timeStamp: number;
  nonceStr: string;
  signature: string;
  url: string;
}

/** POST /api/tickets/:id/caller/reveal (13.7, R-19: on the record). */
export interface RevealedCaller {
  name: string | null;
  phone: string | null;
  address: string | null;
}
