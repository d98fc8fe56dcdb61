// Issue 15.10 (Art. 4, Art. 7(二), X-3): the one answer a ticket gives upstream. Pure.
import { activeAssignments } from './actions/kit';
import type { AssignmentState, TicketState } from './workflow.types';

const ROLE_ORDER: Readonly<Record<string, number>> = { lead: 0, sole: 1, co: 2 };
const ROLE_SUFFIX: Readonly<Record<string, string>> = { lead: '（主办）', sole: '', co: '（会办）' };

/** The leader-approved replies that make up the answer: lead first, then sole units, then co units. */
export function answeringReplies(ticket: TicketState): AssignmentState[] {
  return activeAssignments(ticket)
    .filter((a) => a.status === 'replied' && a.reply?.approvedAt)
    .sort((x, y) => (ROLE_ORDER[x.role] ?? 9) - (ROLE_ORDER[y.role] ?? 9));
}

/**
 * The consolidated answer composed from the ticket's state: the direct answer (R-7), or every
 * active unit's approved reply (R-6c each unit, R-6d the lead's then its co units'), each headed
 * with its unit when there are several. Empty when nothing is answered yet.
 */
export function composeUpstreamAnswer(ticket: TicketState, unitNames: Readonly<Record<string, string>> = {}): string {
  if (ticket.directAnswer !== undefined) return ticket.directAnswer;
  const replies = answeringReplies(ticket);
  if (replies.length === 1) return replies[0].reply!.content;
  return replies
    .map((a) => `【${unitNames[a.unitCode] ?? a.unitCode}${ROLE_SUFFIX[a.role] ?? ''}】\n${a.reply!.content}`)
    .join('\n\n');
}

/** What report_upstream reports and the read-back returns: the office's edit, else the composition. */
export function upstreamAnswerOf(ticket: TicketState, unitNames: Readonly<Record<string, string>> = {}): string {
  return ticket.upstreamAnswer ?? composeUpstreamAnswer(ticket, unitNames);
}

/** Longest consolidated answer the office may store (the upstream systems' field limits are of this order). */
export const UPSTREAM_ANSWER_MAX = 8000;
