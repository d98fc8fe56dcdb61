// The engine of the hotline workflow: the table is assembled from the phase modules in
// ./actions (each action declared once: rows, guards, input check, apply, work items), and one
// pure function decides (decide). allowedActions() answers from the same table and the same gate,
// and workOf() answers "who acts now" for the to-dos, the inbox and the docs. No framework, no
// I/O, no clock: `now` and `newId` come from the caller.
import {
  ACTIONS,
  type ActionInputs,
  type ActionName,
  type Actor,
  type AssignmentState,
  type AssignmentStatus,
  type Audience,
  type Chain,
  type DecideContext,
  type DecideResult,
  type Decision,
  type Effect,
  type ExtensionLimits,
  type IdSource,
  type Refusal,
  type ReviewStep,
  type TicketState,
  type TimelineEvent,
  type WorkItem,
} from './workflow.types';
import {
  ASSIGNMENT_STATUS_LABELS,
  PARTY_LABELS,
  actionLabel,
  categoryLabel,
  phaseLabel,
  unitLabel,
  unitList,
} from './workflow.labels';
import {
  CHAIN_STEPS,
  PARTIES,
  PHASES,
  activeAssignments,
  activeFor,
  copyDate,
  copyTicket,
  isActive,
  isRefusal,
  phaseOf,
  refuse,
  replyApprovedOnce,
  visitOf,
  type AssignmentScope,
  type GuardName,
  type Loose,
  type Party,
  type Passed,
  type Row,
  type TicketPhase,
  type Work,
} from './actions/kit';
import { ALL_GUARDS, SIDE_EFFECT_ORDER, SPECS, TABLE_ORDER, WORK } from './actions';
import { DEFAULT_EXTENSION_LIMITS, dropLapsedExtensions } from './actions/extensions';
import { RETURN_WINDOW_MS, redispatchEffects } from './actions/returns';
import { FOLLOW_UP_CATEGORIES } from './actions/review';

export { CHAIN_STEPS, PARTIES, PHASES, isActive, phaseOf, replyApprovedOnce, visitOf };
export type { AssignmentScope, GuardName, Party, TicketPhase };
export { RETURN_WINDOW_MS, RETURN_DECISION_MS } from './actions/returns';
export { CLOCK_SKEW_MS } from './actions/units';
export { FOLLOW_UP_CATEGORIES, reviewStepAudience } from './actions/review';
export { DEFAULT_EXTENSION_LIMITS } from './actions/extensions';
export { VISIT_MAX_NO_ANSWER, RESPONSIBILITY_CATEGORIES, CASE_PARTIES } from './actions/loop';

// ---------------------------------------------------------------------------------------------
// The table, as data (assembled from the phase modules)
// ---------------------------------------------------------------------------------------------

export interface TransitionRule extends Omit<Row, 'guards'> {
  action: ActionName;
  guards: readonly GuardName[];
}

/** What each guard requires, by name (for the docs): "rule: meaning". */
export const GUARDS: Readonly<Record<GuardName, string>> = Object.fromEntries(
  ALL_GUARDS.map((g) => [g.name, `${g.rule}: ${g.describe}`]),
) as Record<GuardName, string>;

interface TableRow {
  action: ActionName;
  row: Row;
  rule: TransitionRule;
}

const TABLE: readonly TableRow[] = TABLE_ORDER.flatMap((action) =>
  SPECS[action].rows.map((row) => ({
    action,
    row,
    rule: { action, ...row, guards: row.guards.map((g) => g.name) } as TransitionRule,
  })),
);

/**
 * The table. For any (action, phase, chain, category) at most one row applies (a test checks
 * this), so a refusal can say exactly why.
 */
export const TRANSITIONS: readonly TransitionRule[] = TABLE.map((t) => t.rule);

/** The to-do keys and who holds them; from the work items the actions declare (see workOf). */
export const TODO_KEYS: ReadonlyArray<{ key: string; action: ActionName; to: string; due: string; openWhile: string }> =
  WORK.flatMap((w) => (w.doc ? [w.doc] : []));

/**
 * How actions change assignments other than the one a scoped row acts on (docs only; the
 * scoped rows carry assignmentFrom / assignmentTo themselves).
 */
export const ASSIGNMENT_SIDE_EFFECTS: ReadonlyArray<{
  action: ActionName;
  from: readonly AssignmentStatus[] | 'new';
  to: AssignmentStatus;
  which: string;
}> = SIDE_EFFECT_ORDER.flatMap((action) => (SPECS[action].sideEffects ?? []).map((s) => ({ action, ...s })));

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
// Who acts now: the open work of a state (to-dos, inbox) — one answer
// ---------------------------------------------------------------------------------------------

/**
 * The open work a state implies: who may act on it (the inbox), who is waited on (the to-do) and
 * until when. The inbox reads these (persisted with each decision), the to-dos are their
 * difference between two states; the redispatch to-do is handled apart (not a function of state).
 */
export function workOf(ticket: TicketState): WorkItem[] {
  if (ticket.status === 'revoked') return [];
  // Issue 15.12: on a closed ticket only work declared afterClose (the unit's case analysis) is open.
  if (ticket.status === 'closed') {
    return WORK.flatMap((w) => (w.scope === 'ticket' && w.afterClose ? [w.item(ticket)].filter(isItem) : []));
  }
  const out: WorkItem[] = [];
  for (const a of activeAssignments(ticket)) {
    for (const w of WORK) {
      if (w.scope !== 'assignment') continue;
      // R-14(3): under follow-up only the follow-up work of the units holds.
      if (ticket.status === 'follow_up' && !w.duringFollowUp) continue;
      const item = w.item(ticket, a);
      if (item) out.push(item);
    }
  }
  for (const w of WORK) {
    if (w.scope !== 'ticket') continue;
    const item = w.item(ticket);
    if (item) out.push(item);
  }
  return out;
}

function isItem(w: WorkItem | null): w is WorkItem {
  return w !== null;
}

/** A to-do that a state implies (see todosOf). */
export interface TodoSpec {
  key: string;
  action: ActionName;
  to: Audience;
  dueAt?: Date;
  unitCode?: string;
}

/** The to-dos that should be open in a state: the work items that wait on someone (redispatch apart). */
export function todosOf(ticket: TicketState): TodoSpec[] {
  return workOf(ticket).flatMap((w) => {
    if (!w.todo) return [];
    const t: TodoSpec = { key: w.key, action: w.action, to: w.todo };
    if (w.dueAt) t.dueAt = copyDate(w.dueAt);
    if (w.unitCode) t.unitCode = w.unitCode;
    return [t];
  });
}

function todoDiff(before: TicketState, after: TicketState): Effect[] {
  const was = todosOf(before);
  const now = todosOf(after);
  const dueOf = (t: TodoSpec) => t.dueAt?.getTime() ?? null;
  const wasDue = new Map(was.map((t) => [t.key, dueOf(t)]));
  const nowDue = new Map(now.map((t) => [t.key, dueOf(t)]));
  // a to-do whose due time moved (an approved extension) is done and opened again.
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

function findRow(action: ActionName, ticket: TicketState): Row | undefined {
  const phase = phaseOf(ticket);
  if (phase === null) return undefined;
  return SPECS[action].rows.find(
    (r) =>
      r.from.includes(phase) &&
      (!r.chains || r.chains.includes(ticket.chain)) &&
      (!r.categories || r.categories.includes(ticket.category)) &&
      (r.replyApproved === undefined || r.replyApproved === replyApprovedOnce(ticket)),
  );
}

function fitsGlobalParty(who: readonly Party[], actor: Actor, ticket: TicketState): boolean {
  return who.some((p) => {
    switch (p) {
      case 'dispatcher':
      case 'ops_head':
      case 'office_reviewer':
        return actor.roles.includes(p);
      case 'initiator':
        // Issue 13.6: the initiating department, i.e. any dispatcher (see initiatingDepartment).
        return actor.roles.includes('dispatcher');
      case 'unit_receiver':
      case 'unit_leader':
        return false;
      case 'responsible_unit': {
        // Issue 15.12 (Art. 16): the unit named at fault, its leaders or receivers.
        const unit = ticket.responsibility?.atFault ? ticket.responsibility.unitCode : undefined;
        return (
          unit !== undefined &&
          actor.unitCodes.includes(unit) &&
          (actor.roles.includes('unit_leader') || actor.roles.includes('receiver'))
        );
      }
    }
  });
}

/** whether an assignment fits the row's extension condition; a message when it does not. */
function extensionMismatch(row: Row, a: AssignmentState, ctx: DecideContext): string | null {
  if (row.extension === 'pending' && !a.extensionRequest) return `${unitLabel(ctx, a.unitCode)}没有待审批的延期申请。`;
  if (row.extension === 'none_pending' && a.extensionRequest) {
    return `${unitLabel(ctx, a.unitCode)}已有一份延期申请在等待运营服务部审批（X-4），请勿重复申请。`;
  }
  return null;
}

function firstGuardFailure(
  row: Row,
  ticket: TicketState,
  assignment: AssignmentState | undefined,
  now: Date,
  ctx: DecideContext,
): string | null {
  for (const g of row.guards) {
    const failure = g.check({ ticket, assignment, now, ctx });
    if (failure) return failure;
  }
  return null;
}

/** Why no row of the table applies: the category has no such action, or the phase does not allow it. */
function noRuleMessage(action: ActionName, ticket: TicketState): string {
  const phase = phaseOf(ticket);
  const forPhase = SPECS[action].rows.filter((r) => phase !== null && r.from.includes(phase));
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
): Passed | Refusal {
  const row = findRow(action, ticket);
  const act = actionLabel(action);
  if (!row) return refuse('INVALID_STATE', noRuleMessage(action, ticket));

  if (row.scope === 'own') {
    // A unit row is for its receivers, its leaders, or (issue 15.6: follow-up progress) both.
    const roles = [
      ...(row.who.includes('unit_receiver') ? [['receiver', '接单员'] as const] : []),
      ...(row.who.includes('unit_leader') ? [['unit_leader', '领导'] as const] : []),
    ];
    const roleName = roles.map(([, n]) => n).join('或');
    if (!roles.some(([r]) => actor.roles.includes(r))) {
      return refuse('FORBIDDEN', `只有承办单位的${roleName}可以${act}。`);
    }
    if (unitHint !== undefined && !actor.unitCodes.includes(unitHint)) {
      return refuse('FORBIDDEN', `您不是${unitLabel(ctx, unitHint)}的人员，不能代该单位办理。`);
    }
    const units = unitHint !== undefined ? [unitHint] : actor.unitCodes;
    const own = units.map((u) => activeFor(ticket, u)).filter((a): a is AssignmentState => a !== undefined);
    if (own.length === 0) {
      // Issue 15.9: the unit was on the ticket until the ops department re-routed it (改派): the
      // state moved on under it (a race with the reroute is a 409, not a 403).
      const withdrawn = ticket.assignments.find((a) => a.status === 'withdrawn' && units.includes(a.unitCode));
      if (withdrawn) {
        return refuse(
          'INVALID_STATE',
          `${unitLabel(ctx, withdrawn.unitCode)}的派单已由运营服务部改派给其他单位，无需再${act}。`,
        );
      }
      return refuse('FORBIDDEN', `您所在的单位没有承办本工单：只有承办单位的${roleName}可以${act}。`);
    }
    const passing: AssignmentState[] = [];
    let failure: string | null = null;
    for (const a of own) {
      const why = !row.assignmentFrom?.includes(a.status)
        ? `${unitLabel(ctx, a.unitCode)}的派单当前为“${ASSIGNMENT_STATUS_LABELS[a.status]}”，不能${act}。`
        : (extensionMismatch(row, a, ctx) ?? firstGuardFailure(row, ticket, a, now, ctx));
      if (why) failure ??= why;
      else passing.push(a);
    }
    if (passing.length === 1) return { row, assignment: passing[0] };
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

  if (!fitsGlobalParty(row.who, actor, ticket)) {
    return refuse(
      'FORBIDDEN',
      row.forbidden ?? `此环节只有${row.who.map((p) => PARTY_LABELS[p]).join('或')}可以${act}。`,
    );
  }

  if (row.scope === 'target') {
    const candidates = activeAssignments(ticket).filter(
      (a) => row.assignmentFrom?.includes(a.status) && extensionMismatch(row, a, ctx) === null,
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
    const why = firstGuardFailure(row, ticket, target, now, ctx);
    if (why) return refuse('INVALID_STATE', why);
    return { row, assignment: target };
  }

  const why = firstGuardFailure(row, ticket, undefined, now, ctx);
  if (why) return refuse('INVALID_STATE', why);
  return { row };
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
// decide
// ---------------------------------------------------------------------------------------------

/**
 * Decide one action. Returns the new state (version + 1), exactly one timeline event, the
 * effects and the changes, or a coded refusal. Never mutates `ticket` or `input`.
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
  const spec = SPECS[action] as unknown as (typeof SPECS)[ActionName];
  const loose = (input ?? {}) as unknown as Loose;
  const passed = gate(ticket, actor, action, now, unitOf(loose, action, ticket), context);
  if (isRefusal(passed)) return passed;
  const invalid = spec.validate?.({ ticket, passed, input: loose, now, ctx: context }) ?? null;
  if (invalid) return invalid;

  const next = copyTicket(ticket);
  const w: Work = { before: ticket, next, actor, now, newId, notices: [], changes: [] };
  if (passed.assignment) {
    w.target = next.assignments.find((a) => a.id === passed.assignment!.id);
    if (w.target) w.unitCode = w.target.unitCode;
  }
  if (typeof loose.comment === 'string' && loose.comment.trim()) w.comment = loose.comment;
  (spec.apply as (w: Work, input: Loose) => void)(w, loose);
  dropLapsedExtensions(w);
  next.version = ticket.version + 1;

  const event: TimelineEvent = {
    action,
    actor: actor.userid,
    at: copyDate(now),
    fromStatus: ticket.status,
    toStatus: next.status,
    fromStep: ticket.step,
    toStep: next.step,
  };
  if (w.comment !== undefined) event.comment = w.comment;
  if (w.unitCode !== undefined) event.unitCode = w.unitCode;
  if (w.data !== undefined) event.data = w.data;

  const work = workOf(next);
  const effects: Effect[] = [...todoDiff(ticket, next), ...redispatchEffects(action, w), ...w.notices];
  const decision: Decision = { ok: true, state: next, events: [event], effects, changes: w.changes, work };
  return decision;
}

/** input.unit, for rows that act on an assignment (own / target); remind validates its own. */
function unitOf(input: Loose, action: ActionName, ticket: TicketState): string | undefined {
  const row = findRow(action, ticket);
  if (!row || row.scope === 'none') return undefined;
  const u = input.unit;
  return u === undefined || u === null ? undefined : String(u);
}
