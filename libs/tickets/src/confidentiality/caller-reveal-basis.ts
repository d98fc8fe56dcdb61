import type { CurrentUser } from '../auth/auth.service';
import { can } from '../access/access';

const OPEN_ASSIGNMENT = new Set(['pending_accept', 'accepted', 'awaiting_leader', 'return_requested']);

/**
 * why this person may see the caller's clear data, or null when they may not (the rule
 * below). One home: the reveal itself and the ticket page's 查看来电人号码 button (13.7) ask it.
 */
export function callerRevealBasis(
  user: CurrentUser,
  status: string,
  confidential: boolean,
  assignments: ReadonlyArray<{ unitCode: string; status: string }>,
  /** Issue 17, item 7: on a closed ticket the ops head needs the caller only for an open 回访 call. */
  followUpCallOpen = false,
): string | null {
  if (can(user, 'caller.reveal')) return 'dispatcher';
  if (can(user, 'caller.reveal_follow_up') && (status === 'follow_up' || followUpCallOpen)) return 'ops_follow_up';
  if (confidential) return null;
  const open = assignments.find((a) => user.unitCodes.includes(a.unitCode) && OPEN_ASSIGNMENT.has(a.status));
  if (can(user, 'caller.reveal_open_assignment') && open) return `unit:${open.unitCode}`;
  return null;
}
