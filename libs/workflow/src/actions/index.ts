// Every action, declared once in the module of its phase: its rows, guards, input check, apply
// and work items. The engine (workflow.machine.ts) reads the table from here.
import type { ActionName } from '../workflow.types';
import type { ActionSpec, AssignmentWorkDecl, Guard, TicketWorkDecl } from './kit';
import { answerDirectly, dispatch, merge, reroute, revoke } from './intake';
import { accept, approveReply, rejectReply, remind, submitReply } from './units';
import {
  approveReturn,
  redispatchWork,
  rejectReturn,
  requestReturn,
  returnNotRejected,
  withinReturnWindow,
} from './returns';
import {
  finishFollowUp,
  passReview,
  recordFollowUp,
  reportUpstream,
  responsibleRepliesApproved,
  sendBack,
} from './review';
import { approveExtension, beforeDeadline, extensionsLeft, rejectExtension, requestExtension } from './extensions';
import {
  atFaultDecided,
  flagUntrueReply,
  markResponsible,
  notMerged,
  recordVisit,
  untrueReplyFlaggable,
  visitDue,
  writeCaseFile,
} from './loop';
import { recordUnitFollowUp } from './review';
import { coUnitsReplied, hasPendingWork } from './units';

/** Each action's declaration, by name. */
export const SPECS: { readonly [A in ActionName]: ActionSpec<A> } = {
  dispatch,
  answer_directly: answerDirectly,
  revoke,
  merge,
  accept,
  request_return: requestReturn,
  approve_return: approveReturn,
  reject_return: rejectReturn,
  submit_reply: submitReply,
  approve_reply: approveReply,
  reject_reply: rejectReply,
  pass_review: passReview,
  send_back: sendBack,
  report_upstream: reportUpstream,
  record_follow_up: recordFollowUp,
  finish_follow_up: finishFollowUp,
  remind,
  request_extension: requestExtension,
  approve_extension: approveExtension,
  reject_extension: rejectExtension,
  record_visit: recordVisit,
  mark_responsible: markResponsible,
  write_case_file: writeCaseFile,
  record_unit_follow_up: recordUnitFollowUp,
  flag_untrue_reply: flagUntrueReply,
  reroute,
};

/** The order the table reads in (the order a ticket meets the actions); the docs follow it. */
export const TABLE_ORDER: readonly ActionName[] = [
  'dispatch',
  'answer_directly',
  'revoke',
  'merge',
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
  'write_case_file',
  'record_unit_follow_up',
  'flag_untrue_reply',
  'reroute',
];

/** Every guard, in the order the docs list them. */
export const ALL_GUARDS: readonly Guard[] = [
  withinReturnWindow,
  returnNotRejected,
  coUnitsReplied,
  hasPendingWork,
  responsibleRepliesApproved,
  beforeDeadline,
  extensionsLeft,
  visitDue,
  notMerged,
  atFaultDecided,
  untrueReplyFlaggable,
];

/**
 * The open work a state implies, in the order todosOf lists it (per assignment, then per ticket)
 * and the docs' to-do table reads. Each item is declared by the action that does the work.
 */
export const WORK: readonly (AssignmentWorkDecl | TicketWorkDecl)[] = [
  ...accept.work!,
  ...submitReply.work!,
  ...approveReply.work!,
  ...approveReturn.work!,
  ...approveExtension.work!,
  ...passReview.work!,
  ...finishFollowUp.work!,
  ...dispatch.work!,
  redispatchWork,
  ...writeCaseFile.work!,
  ...recordUnitFollowUp.work!,
];

/** Assignment moves beside the acted-on one, in the order the docs list them. */
export const SIDE_EFFECT_ORDER: readonly ActionName[] = [
  'dispatch',
  'revoke',
  'answer_directly',
  'send_back',
  'record_visit',
  'reroute',
];
