// Table-driven: every action × every ticket status/step × every kind of person, with a valid
// input, against an oracle written out here by hand from the rules (not from TRANSITIONS).
import { allowedActions, decide, type TicketPhase } from './workflow.machine';
import { ACTIONS, type ActionName, type TicketState } from './workflow.types';
import {
  assignment,
  at,
  counterIds,
  deepFreeze,
  extensionRequest,
  ORG,
  ticket,
  validInput,
  type PersonId,
} from './workflow.fixtures';

const MATRIX_PEOPLE: PersonId[] = [
  'dispatcher1', // the initiator of every fixture
  'dispatcher2', // a dispatcher who is not the initiator (issue 13.6: may take the initiator's steps)
  'ops_head',
  'office_reviewer',
  'b1_receiver', // receiver of the assigned unit
  'b1_leader',
  'b2_receiver', // receiver of another unit (assigned only in the lead/co fixtures)
  'b2_leader',
  'admin',
];

const OPS: PersonId[] = ['dispatcher1', 'dispatcher2', 'ops_head'];
/**
 * X-6: 并单 is the dispatchers' (the ops head does not register matters). Issue 13.6: so are the
 * initiator's steps (initiator review, report upstream), for any dispatcher, registrant or not.
 * Issue 15.2 (R-9b): so is revoke, until a unit's reply is approved; from then on only the ops head.
 */
const DISPATCHERS: PersonId[] = ['dispatcher1', 'dispatcher2'];

const REQUIREMENT: Record<ActionName, string> = {
  dispatch: 'R-6',
  answer_directly: 'R-7',
  revoke: 'R-9b',
  accept: 'R-9',
  request_return: 'R-11',
  approve_return: 'R-12',
  reject_return: 'R-12',
  submit_reply: 'R-13',
  approve_reply: 'R-10',
  reject_reply: 'R-10',
  pass_review: 'R-8',
  send_back: 'R-8',
  report_upstream: 'R-4',
  record_follow_up: 'R-14',
  finish_follow_up: 'R-14',
  remind: 'X-9',
  request_extension: 'X-4',
  approve_extension: 'X-4',
  reject_extension: 'X-4',
  record_visit: 'X-5',
  mark_responsible: 'R-16',
  merge: 'X-6',
  write_case_file: 'R-16',
  record_unit_follow_up: 'issue 15.6 (Art. 14(三))',
  flag_untrue_reply: 'issue 15.7 (Art. 10)',
  reroute: 'issue 15.9 (Art. 12)',
};

/** Where each action can happen at all (restated from the brief); elsewhere: INVALID_STATE. */
const PHASES_OF: Record<ActionName, TicketPhase[]> = {
  dispatch: ['registered', 'in_progress'],
  answer_directly: ['registered', 'in_progress'],
  revoke: ['registered', 'in_progress', 'initiator_review', 'ops_review', 'office_review', 'upstream_report'],
  accept: ['in_progress'],
  request_return: ['in_progress'],
  approve_return: ['in_progress'],
  reject_return: ['in_progress'],
  submit_reply: ['in_progress'],
  approve_reply: ['in_progress'],
  reject_reply: ['in_progress'],
  pass_review: ['initiator_review', 'ops_review', 'office_review'],
  send_back: ['initiator_review', 'ops_review', 'office_review', 'upstream_report'],
  report_upstream: ['upstream_report'],
  record_follow_up: ['follow_up'],
  finish_follow_up: ['follow_up'],
  remind: ['in_progress'],
  request_extension: ['in_progress'],
  approve_extension: ['in_progress'],
  reject_extension: ['in_progress'],
  record_visit: ['closed'],
  mark_responsible: ['ops_review', 'office_review', 'upstream_report', 'follow_up', 'closed'],
  merge: ['registered'],
  write_case_file: [
    'in_progress',
    'initiator_review',
    'ops_review',
    'office_review',
    'upstream_report',
    'follow_up',
    'closed',
  ],
  record_unit_follow_up: ['follow_up'],
  flag_untrue_reply: ['initiator_review', 'ops_review', 'office_review', 'upstream_report', 'follow_up', 'closed'],
  reroute: ['in_progress'],
};

interface Fixture {
  name: string;
  phase: TicketPhase;
  ticket: TicketState;
  now: Date;
  /** Who succeeds, per action. */
  ok: Partial<Record<ActionName, PersonId[]>>;
  /** Who is refused INVALID_STATE although the phase allows the action (status of their assignment, a guard, the category). */
  invalid?: Partial<Record<ActionName, PersonId[] | 'all'>>;
}

/** approve/reject_extension find no assignment with a pending request. */
const NO_EXTENSION_PENDING = { approve_extension: OPS, reject_extension: OPS };

const inReview = (step: TicketState['step'], chain: TicketState['chain']) =>
  ticket({ status: 'in_review', step, chain, assignments: [assignment('branch1', { status: 'replied' })] });

const FIXTURES: Fixture[] = [
  {
    name: 'registered complaint',
    phase: 'registered',
    ticket: ticket(),
    now: at(0),
    ok: { dispatch: OPS, revoke: DISPATCHERS, merge: DISPATCHERS },
    invalid: { answer_directly: 'all' },
  },
  {
    name: 'registered consultation',
    phase: 'registered',
    ticket: ticket({ category: 'consultation' }),
    now: at(0),
    ok: { dispatch: OPS, revoke: DISPATCHERS, answer_directly: ['dispatcher1', 'dispatcher2'], merge: DISPATCHERS },
  },
  {
    // Issue 15.1 (Art. 4, Art. 8): on chain B the direct answer is offered too, and goes to review.
    name: 'registered consultation (chain B)',
    phase: 'registered',
    ticket: ticket({ category: 'consultation', chain: 'B' }),
    now: at(0),
    ok: { dispatch: OPS, revoke: DISPATCHERS, answer_directly: ['dispatcher1', 'dispatcher2'], merge: DISPATCHERS },
  },
  {
    name: 'registered again after branch1 was returned',
    phase: 'registered',
    ticket: ticket({ assignments: [assignment('branch1', { status: 'returned' })] }),
    now: at(5),
    ok: { dispatch: OPS, revoke: DISPATCHERS, merge: DISPATCHERS },
    invalid: { answer_directly: 'all' },
  },
  {
    name: 'in_progress lost item, branch1 pending_accept',
    phase: 'in_progress',
    ticket: ticket({ status: 'in_progress', category: 'lost_item', assignments: [assignment('branch1')] }),
    now: at(1),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      accept: ['b1_receiver'],
      request_return: ['b1_receiver'],
      answer_directly: ['b1_receiver'],
      request_extension: ['b1_receiver'],
    },
    invalid: {
      submit_reply: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      approve_return: OPS,
      reject_return: OPS,
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    name: 'in_progress, branch1 accepted 2 h after dispatch',
    phase: 'in_progress',
    ticket: ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'accepted' })] }),
    now: at(2),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      request_return: ['b1_receiver'],
      submit_reply: ['b1_receiver'],
      request_extension: ['b1_receiver'],
    },
    invalid: {
      accept: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    name: 'in_progress, branch1 accepted 25 h after dispatch',
    phase: 'in_progress',
    ticket: ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'accepted' })] }),
    now: at(25),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      submit_reply: ['b1_receiver'],
      request_extension: ['b1_receiver'],
    },
    invalid: {
      accept: ['b1_receiver'],
      request_return: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    name: 'in_progress, branch1 awaiting_leader',
    phase: 'in_progress',
    ticket: ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'awaiting_leader' })] }),
    now: at(3),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      request_extension: ['b1_receiver'],
    },
    invalid: {
      accept: ['b1_receiver'],
      request_return: ['b1_receiver'],
      submit_reply: ['b1_receiver'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    name: 'in_progress, branch1 return_requested',
    phase: 'in_progress',
    ticket: ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'return_requested' })] }),
    now: at(3),
    ok: { dispatch: OPS, reroute: OPS, revoke: DISPATCHERS, approve_return: OPS, reject_return: OPS },
    invalid: {
      remind: OPS,
      accept: ['b1_receiver'],
      request_return: ['b1_receiver'],
      submit_reply: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      answer_directly: 'all',
      request_extension: ['b1_receiver'],
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    name: 'in_progress, lead branch1 and co branch2 both accepted',
    phase: 'in_progress',
    ticket: ticket({
      status: 'in_progress',
      assignments: [
        assignment('branch1', { role: 'lead', status: 'accepted' }),
        assignment('branch2', { role: 'co', status: 'accepted' }),
      ],
    }),
    now: at(2),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      request_return: ['b1_receiver', 'b2_receiver'],
      submit_reply: ['b2_receiver'],
      request_extension: ['b1_receiver', 'b2_receiver'],
    },
    invalid: {
      submit_reply: ['b1_receiver'],
      accept: ['b1_receiver', 'b2_receiver'],
      approve_reply: ['b1_leader', 'b2_leader'],
      reject_reply: ['b1_leader', 'b2_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    name: 'in_progress, lead branch1 and co branch2 both awaiting_leader',
    phase: 'in_progress',
    ticket: ticket({
      status: 'in_progress',
      assignments: [
        assignment('branch1', { role: 'lead', status: 'awaiting_leader' }),
        assignment('branch2', { role: 'co', status: 'awaiting_leader' }),
      ],
    }),
    now: at(3),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      approve_reply: ['b2_leader'],
      reject_reply: ['b1_leader', 'b2_leader'],
      request_extension: ['b1_receiver', 'b2_receiver'],
    },
    invalid: {
      approve_reply: ['b1_leader'],
      accept: ['b1_receiver', 'b2_receiver'],
      request_return: ['b1_receiver', 'b2_receiver'],
      submit_reply: ['b1_receiver', 'b2_receiver'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    name: 'in_progress, branch1 accepted with an extension request pending',
    phase: 'in_progress',
    ticket: ticket({
      status: 'in_progress',
      assignments: [assignment('branch1', { status: 'accepted', extensionRequest: extensionRequest('branch1') })],
    }),
    now: at(3),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      request_return: ['b1_receiver'],
      submit_reply: ['b1_receiver'],
      approve_extension: OPS,
      reject_extension: OPS,
    },
    invalid: {
      request_extension: ['b1_receiver'],
      accept: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
    },
  },
  {
    name: 'in_progress, branch1 return_requested with an extension request pending',
    phase: 'in_progress',
    ticket: ticket({
      status: 'in_progress',
      assignments: [
        assignment('branch1', { status: 'return_requested', extensionRequest: extensionRequest('branch1') }),
      ],
    }),
    now: at(3),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      approve_return: OPS,
      reject_return: OPS,
      approve_extension: OPS,
      reject_extension: OPS,
    },
    invalid: {
      remind: OPS,
      accept: ['b1_receiver'],
      request_return: ['b1_receiver'],
      submit_reply: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      answer_directly: 'all',
      request_extension: ['b1_receiver'],
    },
  },
  {
    name: 'in_progress, branch1 accepted, its deadline passed',
    phase: 'in_progress',
    ticket: ticket({ status: 'in_progress', assignments: [assignment('branch1', { status: 'accepted' })] }),
    now: at(121),
    ok: { dispatch: OPS, reroute: OPS, revoke: DISPATCHERS, remind: OPS, submit_reply: ['b1_receiver'] },
    invalid: {
      request_extension: ['b1_receiver'],
      accept: ['b1_receiver'],
      request_return: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    name: 'in_progress, branch1 accepted, extended 3 times already (the cap)',
    phase: 'in_progress',
    ticket: ticket({
      status: 'in_progress',
      assignments: [assignment('branch1', { status: 'accepted', extensionCount: 3 })],
    }),
    now: at(2),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      request_return: ['b1_receiver'],
      submit_reply: ['b1_receiver'],
    },
    invalid: {
      request_extension: ['b1_receiver'],
      accept: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    // Issue 15.9 (改派): branch1's assignment was withdrawn and branch2 dispatched in its place; branch1's
    // people find the state moved on (INVALID_STATE, not FORBIDDEN), branch2 takes over.
    name: 'in_progress, branch1 withdrawn (rerouted), branch2 pending_accept',
    phase: 'in_progress',
    ticket: ticket({
      status: 'in_progress',
      assignments: [assignment('branch1', { status: 'withdrawn' }), assignment('branch2', { dispatchedAt: at(2) })],
    }),
    now: at(3),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: DISPATCHERS,
      remind: OPS,
      accept: ['b2_receiver'],
      request_return: ['b2_receiver'],
      request_extension: ['b2_receiver'],
    },
    invalid: {
      accept: ['b1_receiver'],
      request_return: ['b1_receiver'],
      submit_reply: ['b1_receiver', 'b2_receiver'],
      request_extension: ['b1_receiver'],
      approve_reply: ['b1_leader', 'b2_leader'],
      reject_reply: ['b1_leader', 'b2_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    // Issue 15.2 (R-9b): a co unit's reply is approved, so revoking is the ops head's.
    name: 'in_progress, lead branch1 accepted, co branch2 replied (approved)',
    phase: 'in_progress',
    ticket: ticket({
      status: 'in_progress',
      assignments: [
        assignment('branch1', { role: 'lead', status: 'accepted' }),
        assignment('branch2', { role: 'co', status: 'replied' }),
      ],
    }),
    now: at(4),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: ['ops_head'],
      remind: OPS,
      request_return: ['b1_receiver'],
      submit_reply: ['b1_receiver'],
      request_extension: ['b1_receiver'],
    },
    invalid: {
      request_return: ['b2_receiver'],
      submit_reply: ['b2_receiver'],
      request_extension: ['b2_receiver'],
      accept: ['b1_receiver', 'b2_receiver'],
      approve_reply: ['b1_leader', 'b2_leader'],
      reject_reply: ['b1_leader', 'b2_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    // Issue 15.2 (R-9b): the approved reply was sent back for rework; its record stays, so does the rule.
    name: 'in_progress, branch1 reworking a reply sent back',
    phase: 'in_progress',
    ticket: ticket({
      status: 'in_progress',
      assignments: [assignment('branch1', { status: 'accepted', reworkCount: 1 })],
    }),
    now: at(25),
    ok: {
      dispatch: OPS,
      reroute: OPS,
      revoke: ['ops_head'],
      remind: OPS,
      submit_reply: ['b1_receiver'],
      request_extension: ['b1_receiver'],
    },
    invalid: {
      accept: ['b1_receiver'],
      request_return: ['b1_receiver'],
      approve_reply: ['b1_leader'],
      reject_reply: ['b1_leader'],
      approve_return: OPS,
      reject_return: OPS,
      answer_directly: 'all',
      ...NO_EXTENSION_PENDING,
    },
  },
  {
    // Issue 15.1: a chain-B direct answer under review; no unit replied, so revoking stays the dispatchers'.
    name: 'in_review initiator_review (chain B, a direct answer)',
    phase: 'initiator_review',
    ticket: ticket({
      status: 'in_review',
      step: 'initiator_review',
      chain: 'B',
      category: 'consultation',
      directAnswer: '12路首班车6:00发车。',
    }),
    now: at(1),
    ok: { revoke: DISPATCHERS, pass_review: DISPATCHERS, send_back: DISPATCHERS },
    invalid: { flag_untrue_reply: OPS }, // issue 15.7: no unit reply to find untrue
  },
  {
    name: 'in_review upstream_report (chain B, a direct answer)',
    phase: 'upstream_report',
    ticket: ticket({
      status: 'in_review',
      step: 'upstream_report',
      chain: 'B',
      category: 'consultation',
      directAnswer: '12路首班车6:00发车。',
    }),
    now: at(3),
    ok: { revoke: DISPATCHERS, report_upstream: DISPATCHERS, send_back: DISPATCHERS },
    invalid: { mark_responsible: 'all', flag_untrue_reply: OPS }, // no at-fault decision; 15.7: no unit reply
  },
  {
    name: 'in_review initiator_review (chain B)',
    phase: 'initiator_review',
    ticket: inReview('initiator_review', 'B'),
    now: at(4),
    ok: { revoke: ['ops_head'], pass_review: DISPATCHERS, send_back: DISPATCHERS, flag_untrue_reply: OPS },
  },
  {
    name: 'in_review ops_review (chain A)',
    phase: 'ops_review',
    ticket: inReview('ops_review', 'A'),
    now: at(4),
    ok: {
      revoke: ['ops_head'],
      pass_review: ['ops_head'],
      send_back: ['ops_head'],
      mark_responsible: OPS,
      flag_untrue_reply: OPS,
    },
  },
  {
    name: 'in_review ops_review (chain B)',
    phase: 'ops_review',
    ticket: inReview('ops_review', 'B'),
    now: at(4),
    ok: {
      revoke: ['ops_head'],
      pass_review: ['ops_head'],
      send_back: ['ops_head'],
      mark_responsible: OPS,
      flag_untrue_reply: OPS,
    },
  },
  {
    name: 'in_review ops_review (direct chain, reviewed like A)',
    phase: 'ops_review',
    ticket: inReview('ops_review', 'direct'),
    now: at(4),
    ok: {
      revoke: ['ops_head'],
      pass_review: ['ops_head'],
      send_back: ['ops_head'],
      mark_responsible: OPS,
      flag_untrue_reply: OPS,
    },
  },
  {
    name: 'in_review ops_review of a suggestion (no at-fault decision)',
    phase: 'ops_review',
    ticket: { ...inReview('ops_review', 'A'), category: 'suggestion' },
    now: at(4),
    ok: { revoke: ['ops_head'], pass_review: ['ops_head'], send_back: ['ops_head'], flag_untrue_reply: OPS },
    invalid: { mark_responsible: 'all' },
  },
  {
    name: 'in_review office_review (chain B)',
    phase: 'office_review',
    ticket: inReview('office_review', 'B'),
    now: at(4),
    ok: {
      revoke: ['ops_head'],
      pass_review: ['office_reviewer'],
      send_back: ['office_reviewer'],
      mark_responsible: OPS,
      flag_untrue_reply: OPS,
    },
  },
  {
    name: 'in_review upstream_report (chain B)',
    phase: 'upstream_report',
    ticket: inReview('upstream_report', 'B'),
    now: at(4),
    ok: {
      revoke: ['ops_head'],
      report_upstream: DISPATCHERS,
      send_back: DISPATCHERS,
      mark_responsible: OPS,
      flag_untrue_reply: OPS,
    },
  },
  {
    name: 'follow_up (report found true)',
    phase: 'follow_up',
    ticket: ticket({
      status: 'follow_up',
      category: 'report',
      assignments: [assignment('branch1', { status: 'replied' })],
    }),
    now: at(30),
    ok: {
      record_follow_up: OPS,
      finish_follow_up: OPS,
      record_unit_follow_up: ['b1_receiver', 'b1_leader'],
      flag_untrue_reply: OPS,
    },
    invalid: { mark_responsible: 'all' },
  },
  {
    name: 'follow_up (complaint found true)',
    phase: 'follow_up',
    ticket: ticket({ status: 'follow_up', assignments: [assignment('branch1', { status: 'replied' })] }),
    now: at(30),
    ok: {
      record_follow_up: OPS,
      finish_follow_up: OPS,
      mark_responsible: OPS,
      record_unit_follow_up: ['b1_receiver', 'b1_leader'],
      flag_untrue_reply: OPS,
    },
  },
  {
    name: 'closed complaint, no caller phone on record',
    phase: 'closed',
    ticket: ticket({ status: 'closed', assignments: [assignment('branch1', { status: 'replied' })] }),
    now: at(30),
    ok: { mark_responsible: OPS, flag_untrue_reply: OPS },
    invalid: { record_visit: OPS },
  },
  {
    name: 'closed complaint, caller reachable, not yet called',
    phase: 'closed',
    ticket: ticket({
      status: 'closed',
      callerReachable: true,
      assignments: [assignment('branch1', { status: 'replied' })],
    }),
    now: at(30),
    ok: { record_visit: OPS, mark_responsible: OPS, flag_untrue_reply: OPS },
  },
  {
    name: 'closed help request, caller reachable, two calls unanswered',
    phase: 'closed',
    ticket: ticket({
      status: 'closed',
      category: 'help',
      callerReachable: true,
      visit: { status: 'pending', noAnswer: 2, round: 1 },
      assignments: [assignment('branch1', { status: 'replied' })],
    }),
    now: at(30),
    ok: { record_visit: OPS, flag_untrue_reply: OPS },
    invalid: { mark_responsible: 'all' },
  },
  {
    name: 'closed complaint, caller unreachable after three calls',
    phase: 'closed',
    ticket: ticket({
      status: 'closed',
      callerReachable: true,
      visit: { status: 'unreachable', noAnswer: 3, round: 1 },
      assignments: [assignment('branch1', { status: 'replied' })],
    }),
    now: at(30),
    ok: { mark_responsible: OPS, flag_untrue_reply: OPS },
    invalid: { record_visit: OPS },
  },
  {
    name: 'closed consultation, caller reached',
    phase: 'closed',
    ticket: ticket({
      status: 'closed',
      category: 'consultation',
      callerReachable: true,
      visit: { status: 'reached', noAnswer: 0, round: 1 },
      assignments: [assignment('branch1', { status: 'replied' })],
    }),
    now: at(30),
    ok: { flag_untrue_reply: OPS },
    invalid: { record_visit: OPS, mark_responsible: 'all' },
  },
  {
    name: 'closed complaint, caller refused the call',
    phase: 'closed',
    ticket: ticket({
      status: 'closed',
      callerReachable: true,
      visit: { status: 'refused', noAnswer: 1, round: 1 },
      assignments: [assignment('branch1', { status: 'replied' })],
    }),
    now: at(30),
    ok: { mark_responsible: OPS, flag_untrue_reply: OPS },
    invalid: { record_visit: OPS },
  },
  {
    // Issue 15.12 (Art. 16): the unit at fault owes its case analysis after closing.
    name: 'closed complaint, branch1 at fault, case file not written',
    phase: 'closed',
    ticket: ticket({
      status: 'closed',
      responsibility: { atFault: true, unitCode: 'branch1', caseFileWritten: false },
      assignments: [assignment('branch1', { status: 'replied' })],
    }),
    now: at(30),
    ok: { mark_responsible: OPS, flag_untrue_reply: OPS },
    invalid: { record_visit: OPS },
  },
  {
    name: 'follow_up complaint, branch2 at fault, case file written',
    phase: 'follow_up',
    ticket: ticket({
      status: 'follow_up',
      responsibility: { atFault: true, unitCode: 'branch2', caseFileWritten: true },
      assignments: [assignment('branch2', { status: 'replied' })],
    }),
    now: at(30),
    ok: {
      record_follow_up: OPS,
      finish_follow_up: OPS,
      mark_responsible: OPS,
      flag_untrue_reply: OPS,
      record_unit_follow_up: ['b2_receiver', 'b2_leader'],
    },
  },
  {
    name: 'revoked',
    phase: 'revoked',
    ticket: ticket({ status: 'revoked', assignments: [assignment('branch1', { status: 'cancelled' })] }),
    now: at(30),
    ok: {},
  },
];

type Outcome = 'ok' | 'FORBIDDEN' | 'INVALID_STATE' | 'VALIDATION';

/**
 * Issue 15.12 (Art. 16): write_case_file, restated: a complaint with an at-fault decision, by the
 * ops department or a leader/receiver of the unit named; without the decision the ops department
 * is refused INVALID_STATE and everyone else FORBIDDEN; other categories have no such step.
 */
const UNIT_PEOPLE: Record<string, PersonId[]> = {
  branch1: ['b1_receiver', 'b1_leader'],
  branch2: ['b2_receiver', 'b2_leader'],
};
function caseFileOracle(f: Fixture, who: PersonId): Outcome {
  if (!PHASES_OF.write_case_file.includes(f.phase) || f.ticket.category !== 'complaint') return 'INVALID_STATE';
  const r = f.ticket.responsibility;
  const named = r?.atFault && r.unitCode ? (UNIT_PEOPLE[r.unitCode] ?? []) : [];
  if (!OPS.includes(who) && !named.includes(who)) return 'FORBIDDEN';
  return r?.atFault ? 'ok' : 'INVALID_STATE';
}

function expected(f: Fixture, action: ActionName, who: PersonId): Outcome {
  if (action === 'write_case_file') return caseFileOracle(f, who);
  if (f.ok[action]?.includes(who)) return 'ok';
  const invalid = f.invalid?.[action];
  if (invalid === 'all' || invalid?.includes(who)) return 'INVALID_STATE';
  if (!PHASES_OF[action].includes(f.phase)) return 'INVALID_STATE';
  return 'FORBIDDEN';
}

describe('the decision matrix: action × status/step × person', () => {
  for (const f of FIXTURES) deepFreeze(f.ticket);

  const cases = FIXTURES.flatMap((f) => ACTIONS.map((action) => ({ f, action })));

  test.each(cases.map((c) => [`${REQUIREMENT[c.action]}: ${c.action} | ${c.f.name}`, c] as const))(
    '%s',
    (_title, c) => {
      const { f, action } = c;
      const got: Record<string, Outcome> = {};
      const want: Record<string, Outcome> = {};
      for (const who of MATRIX_PEOPLE) {
        const input = deepFreeze(validInput(action, f.ticket, f.now));
        const result = decide(f.ticket, ORG[who], action, input, f.now, counterIds());
        got[who] = result.ok ? 'ok' : result.code;
        want[who] = expected(f, action, who);
        if (result.ok) expect(result.state.version).toBe(f.ticket.version + 1);
        // allowedActions draws the same buttons.
        expect({ who, listed: allowedActions(f.ticket, ORG[who], f.now).includes(action) }).toEqual({
          who,
          listed: want[who] === 'ok',
        });
      }
      expect(got).toEqual(want);
    },
  );

  test('R-8: every fixture ticket is in the phase it claims', () => {
    for (const f of FIXTURES) {
      expect(f.ticket.status === 'in_review' ? f.ticket.step : f.ticket.status).toBe(f.phase);
    }
  });
});
