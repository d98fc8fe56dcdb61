import type { AssignmentDeadlineFacts, Light, TicketAggregate, TimelineRow } from '@hotline/db';
import { RETURN_WINDOW_MS, type ActionName, type AssignmentState } from '@hotline/workflow';
import { maskAddress, maskName, maskPhone } from './masking';
import type { TicketCallerView } from './intake/caller-view';
import type { UpstreamAnswerView } from './intake/intake-hooks';
import type { CaseFileView } from './loop/case-file-view';

export interface UnitRef {
  code: string;
  name: string;
}

export interface ReplyView {
  content: string;
  handledAt: string;
  handler: string;
  callerContact: {
    contacted: boolean;
    method: string;
    at: string;
    summary: string;
    /** why the caller was not reached (null when reached, or on a reply from before the reason). */
    notContactedReason: string | null;
  };
  satisfaction: string;
  submittedBy: string;
  submittedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

export interface AssignmentView {
  id: string;
  unit: UnitRef;
  role: string;
  status: string;
  dispatchedAt: string;
  dispatchedBy: string;
  replyDeadline: string;
  /** until when a return may be requested; null after a rejected return (Art. 12: no second request). */
  returnWindowEndsAt: string | null;
  /** green / yellow / red while the assignment is open; null otherwise. */
  light: Light | null;
  /** the accept limit of the policy (informational). */
  acceptDeadline: string | null;
  /** what the reply deadline was computed with (policy, upstream margin, dispatcher, extension). */
  deadlineBasis: Record<string, unknown> | null;
  calendarVersion: string | null;
  /** R-9d, R-18: when the deadline job found it overdue. */
  overdueAt: string | null;
  /** */
  extensionCount: number;
  extensionRequest: {
    days: number;
    reason: string;
    requestedBy: string;
    requestedAt: string;
    newDeadline: string;
  } | null;
  acceptedBy: string | null;
  acceptedAt: string | null;
  reworkCount: number;
  /** Issue 15.7 (Art. 10, R-18): times a leader-approved reply was found untrue and re-opened. */
  untrueCount: number;
  reply: ReplyView | null;
  returnRequest: { reason: string; basis: string; requestedBy: string; requestedAt: string } | null;
}

export interface TicketView {
  id: string;
  number: string;
  status: string;
  /** the worst light among the open assignments; null when nothing is open. */
  light: Light | null;
  step: string | null;
  chain: string;
  version: number;
  source: UnitRef;
  channel: string;
  category: UnitRef;
  urgency: string;
  subject: string;
  content: string;
  /** Always masked; all null for the handling units of a confidential ticket. */
  caller: { name: string | null; phone: string | null; address: string | null; masked: true; hidden: boolean };
  /** callers who joined by a merge (并单), masked like the caller; each is answered on their own. */
  callers?: TicketCallerView[];
  /** 13.7: whether this person may reveal the caller's number (POST /api/tickets/:id/caller/reveal). */
  callerRevealable?: boolean;
  /** Issue 15.10: chain B's consolidated answer upstream (composed, the office's edit, what was reported). */
  upstreamAnswer?: UpstreamAnswerView | null;
  /** Issue 15.12: the at-fault unit's case file (pending or written); for the office roles and that unit. */
  caseFile?: CaseFileView | null;
  confidential: boolean;
  upstreamRef: string | null;
  upstreamDeadline: string | null;
  route: string | null;
  direction: string | null;
  stop: string | null;
  vehiclePlate: string | null;
  occurredAt: string | null;
  receivedAt: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** the deadline of the current review step (the policy's review limit); null outside review. */
  stepDeadline: string | null;
  directAnswer: string | null;
  initiator: string;
  assignments: AssignmentView[];
  timeline: Array<{
    action: string;
    actor: { userid: string; name: string };
    at: string;
    comment: string | null;
    unit: string | null;
    fromStatus: string | null;
    toStatus: string | null;
    step: string | null;
    data: Record<string, unknown> | null;
  }>;
  actions: ActionName[];
}

const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const LIGHT_RANK: Record<Light, number> = { green: 1, yellow: 2, red: 3 };

function assignmentView(
  a: AssignmentState,
  unitNames: Map<string, string>,
  light: Light | undefined,
  facts: AssignmentDeadlineFacts | undefined,
): AssignmentView {
  return {
    id: a.id,
    unit: { code: a.unitCode, name: unitNames.get(a.unitCode) ?? a.unitCode },
    role: a.role,
    status: a.status,
    dispatchedAt: a.dispatchedAt.toISOString(),
    dispatchedBy: a.dispatchedBy,
    replyDeadline: a.replyDeadline.toISOString(),
    // Art. 12: after a rejected return there is no window left to show.
    returnWindowEndsAt: a.returnRejected ? null : new Date(a.dispatchedAt.getTime() + RETURN_WINDOW_MS).toISOString(),
    light: light ?? null,
    acceptDeadline: isoOrNull(facts?.acceptDeadline),
    deadlineBasis: facts?.basis ?? null,
    calendarVersion: facts?.calendarVersion ?? null,
    overdueAt: isoOrNull(facts?.overdueAt),
    extensionCount: a.extensionCount,
    extensionRequest: a.extensionRequest
      ? {
          days: a.extensionRequest.days,
          reason: a.extensionRequest.reason,
          requestedBy: a.extensionRequest.requestedBy,
          requestedAt: a.extensionRequest.requestedAt.toISOString(),
          newDeadline: a.extensionRequest.newDeadline.toISOString(),
        }
      : null,
    acceptedBy: a.acceptedBy ?? null,
    acceptedAt: isoOrNull(a.acceptedAt),
    reworkCount: a.reworkCount,
    untrueCount: a.untrueCount ?? 0,
    reply: a.reply
      ? {
          content: a.reply.content,
          handledAt: a.reply.handledAt.toISOString(),
          handler: a.reply.handler,
          callerContact: {
            contacted: a.reply.callerContact.contacted,
            method: a.reply.callerContact.method,
            at: a.reply.callerContact.at.toISOString(),
            summary: a.reply.callerContact.summary,
            notContactedReason: a.reply.callerContact.notContactedReason ?? null,
          },
          satisfaction: a.reply.satisfaction,
          submittedBy: a.reply.submittedBy,
          submittedAt: a.reply.submittedAt.toISOString(),
          approvedBy: a.reply.approvedBy ?? null,
          approvedAt: isoOrNull(a.reply.approvedAt),
        }
      : null,
    returnRequest: a.returnRequest
      ? {
          reason: a.returnRequest.reason,
          basis: a.returnRequest.basis,
          requestedBy: a.returnRequest.requestedBy,
          requestedAt: a.returnRequest.requestedAt.toISOString(),
        }
      : null,
  };
}

/** The API's ticket shape. Caller data is always masked here. */
export function toTicketView(
  agg: TicketAggregate,
  timeline: TimelineRow[],
  actions: ActionName[],
  unitNames: Map<string, string>,
  lights: Map<string, Light>,
  hideCaller = false,
): TicketView {
  const { state, facts } = agg;
  let light: Light | null = null;
  for (const l of lights.values()) if (!light || LIGHT_RANK[l] > LIGHT_RANK[light]) light = l;
  return {
    id: state.id,
    number: facts.number,
    status: state.status,
    light,
    step: state.step,
    chain: state.chain,
    version: state.version,
    source: { code: facts.sourceCode, name: facts.sourceName },
    channel: facts.channel,
    category: { code: facts.categoryCode, name: facts.categoryName },
    urgency: facts.urgency,
    subject: facts.subject,
    content: facts.content,
    caller: hideCaller
      ? { name: null, phone: null, address: null, masked: true, hidden: true }
      : {
          name: maskName(facts.callerName),
          phone: maskPhone(facts.callerPhone),
          address: maskAddress(facts.callerAddress),
          masked: true,
          hidden: false,
        },
    confidential: facts.confidential,
    upstreamRef: facts.upstreamRef,
    upstreamDeadline: isoOrNull(facts.upstreamDeadline),
    route: facts.route,
    direction: facts.direction,
    stop: facts.stop,
    vehiclePlate: facts.vehiclePlate,
    occurredAt: isoOrNull(facts.occurredAt),
    receivedAt: facts.receivedAt.toISOString(),
    createdAt: facts.createdAt.toISOString(),
    updatedAt: facts.updatedAt.toISOString(),
    closedAt: isoOrNull(facts.closedAt),
    stepDeadline: state.status === 'in_review' ? isoOrNull(facts.stepDeadline) : null,
    directAnswer: state.directAnswer ?? null,
    initiator: state.initiator,
    assignments: state.assignments.map((a) => assignmentView(a, unitNames, lights.get(a.id), agg.deadlines.get(a.id))),
    timeline: timeline.map((e) => ({
      action: e.action,
      actor: e.actor,
      at: e.at.toISOString(),
      comment: e.comment,
      unit: e.unit,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      step: e.toStep,
      data: e.data,
    })),
    actions,
  };
}
