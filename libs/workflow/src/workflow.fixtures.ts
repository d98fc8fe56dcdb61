// Test builders for the workflow specs (not part of the public surface): the demo organisation
// as actors, tickets in every state, and a valid input for every action.
import { decide, isActive } from './workflow.machine';
import type {
  ActionInputs,
  ActionName,
  Actor,
  AssignmentRole,
  AssignmentState,
  Decision,
  Effect,
  Reply,
  TicketState,
  TimelineEvent,
} from './workflow.types';

export const HOUR = 60 * 60 * 1000;
/** Monday 2025-03-03 09:00 in Shanghai. */
export const T0 = new Date('2025-03-03T01:00:00.000Z');
export const at = (hoursAfterT0: number): Date => new Date(T0.getTime() + hoursAfterT0 * HOUR);

const actor = (userid: string, roles: Actor['roles'], unitCodes: string[]): Actor => ({ userid, roles, unitCodes });

/** The demo organisation (units ops, office, branch1, branch2, safety, fare). */
export const ORG = {
  dispatcher1: actor('dispatcher1', ['dispatcher'], ['ops']),
  dispatcher2: actor('dispatcher2', ['dispatcher'], ['ops']),
  ops_head: actor('ops_head', ['ops_head'], ['ops']),
  office_reviewer: actor('office_reviewer', ['office_reviewer'], ['office']),
  b1_receiver: actor('b1_receiver', ['receiver'], ['branch1']),
  b1_leader: actor('b1_leader', ['unit_leader'], ['branch1']),
  b2_receiver: actor('b2_receiver', ['receiver'], ['branch2']),
  b2_leader: actor('b2_leader', ['unit_leader'], ['branch2']),
  safety_receiver: actor('safety_receiver', ['receiver'], ['safety']),
  safety_leader: actor('safety_leader', ['unit_leader'], ['safety']),
  fare_receiver: actor('fare_receiver', ['receiver'], ['fare']),
  fare_leader: actor('fare_leader', ['unit_leader'], ['fare']),
  admin: actor('admin', ['admin'], ['ops']),
} satisfies Record<string, Actor>;
export type PersonId = keyof typeof ORG;
export const PEOPLE = Object.keys(ORG) as PersonId[];
export const UNITS = ['ops', 'office', 'branch1', 'branch2', 'safety', 'fare'] as const;

/** Receivers and leaders per unit, for driving the flow. */
export const RECEIVER_OF: Record<string, PersonId> = {
  branch1: 'b1_receiver',
  branch2: 'b2_receiver',
  safety: 'safety_receiver',
  fare: 'fare_receiver',
};
export const LEADER_OF: Record<string, PersonId> = {
  branch1: 'b1_leader',
  branch2: 'b2_leader',
  safety: 'safety_leader',
  fare: 'fare_leader',
};

export function ticket(over: Partial<TicketState> = {}): TicketState {
  return {
    id: 'T1',
    chain: 'A',
    category: 'complaint',
    status: 'registered',
    step: null,
    initiator: 'dispatcher1',
    assignments: [],
    version: 1,
    ...over,
  };
}

export function reply(over: Partial<Reply> = {}): Reply {
  return {
    content: '已核实,驾驶员已批评教育,并向乘客致歉。',
    handledAt: at(2),
    handler: '张队长',
    callerContact: { contacted: true, method: 'phone', at: at(2), summary: '电话告知处理结果,乘客认可' },
    satisfaction: 'satisfied',
    submittedBy: 'b1_receiver',
    submittedAt: at(2),
    ...over,
  };
}

export function approvedReply(unit = 'branch1'): Reply {
  return reply({ submittedBy: RECEIVER_OF[unit], approvedBy: LEADER_OF[unit], approvedAt: at(3) });
}

/** A pending extension request of 2 days, asked at T0 + 2 h. */
export function extensionRequest(unitCode: string, newDeadline = at(168)): AssignmentState['extensionRequest'] {
  return { days: 2, reason: '需调取监控', requestedBy: RECEIVER_OF[unitCode], requestedAt: at(2), newDeadline };
}

/** An assignment dispatched at T0 by dispatcher1, deadline T0 + 5 days, in the given status. */
export function assignment(unitCode: string, over: Partial<AssignmentState> = {}): AssignmentState {
  const status = over.status ?? 'pending_accept';
  const base: AssignmentState = {
    id: `as-${unitCode}`,
    unitCode,
    role: 'sole',
    status,
    dispatchedAt: T0,
    dispatchedBy: 'dispatcher1',
    replyDeadline: at(120),
    reworkCount: 0,
    extensionCount: 0,
  };
  if (status !== 'pending_accept' && status !== 'cancelled') {
    base.acceptedBy = RECEIVER_OF[unitCode];
    base.acceptedAt = at(1);
  }
  if (status === 'awaiting_leader') base.reply = reply({ submittedBy: RECEIVER_OF[unitCode] });
  if (status === 'replied') base.reply = approvedReply(unitCode);
  if (status === 'return_requested' || status === 'returned') {
    base.returnRequest = {
      reason: '非本单位线路',
      basis: '线路划分表',
      requestedBy: RECEIVER_OF[unitCode],
      requestedAt: at(1),
    };
  }
  return { ...base, ...over };
}

export function counterIds(prefix = 'as'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

const FRESH_UNITS = ['fare', 'safety', 'branch2', 'branch1'];

/** The unit of the first pending return, if any (the ops department names the one it decides). */
function returnRequested(t: TicketState): string | undefined {
  return t.assignments.find((a) => a.status === 'return_requested')?.unitCode;
}

/** A valid input for the action in this state (a person's own unit is left out: the workflow resolves it). */
export function validInput<A extends ActionName>(action: A, t: TicketState, now: Date): ActionInputs[A] {
  /** A unit not working on the ticket (dispatch, reroute). */
  const freshUnit = (): string => {
    const taken = (u: string) => t.assignments.some((a) => isActive(a) && a.unitCode === u);
    let unit = FRESH_UNITS.find((u) => !taken(u));
    for (let i = 1; unit === undefined; i++) if (!taken(`unit${i}`)) unit = `unit${i}`;
    return unit;
  };
  const inputs: { [K in ActionName]: () => ActionInputs[K] } = {
    dispatch: () => {
      const active = t.assignments.filter(isActive);
      const unit = freshUnit();
      const role: AssignmentRole = active.some((a) => a.role === 'lead')
        ? 'co'
        : active.some((a) => a.role === 'co')
          ? 'lead'
          : 'sole';
      return { assignments: [{ unit, role, replyDeadline: new Date(now.getTime() + 72 * HOUR) }] };
    },
    answer_directly: () => ({ answer: '失物已在第一分公司调度室,请携带证件领取。' }),
    revoke: () => ({ reason: '派错单位' }),
    merge: () => ({ into: 'ticket-open-1', comment: '同一来电人重复反映' }),
    accept: () => ({}),
    request_return: () => ({ reason: '该线路不属于本单位', basis: '《线路划分表》2025版' }),
    approve_return: () => ({ unit: returnRequested(t) }),
    reject_return: () => ({ comment: '属于本单位职责,请继续办理', unit: returnRequested(t) }),
    submit_reply: () => ({
      content: '已核实情况并处理,已电话回复乘客。',
      handledAt: now,
      handler: '张队长',
      callerContact: { contacted: true, method: 'phone', at: now, summary: '告知处理结果,乘客满意' },
      satisfaction: 'satisfied',
    }),
    approve_reply: () => ({}),
    reject_reply: () => ({ comment: '回复不完整,请补充办理时间' }),
    pass_review: () => ({}),
    send_back: () => ({ comment: '请补充与来电人沟通情况' }),
    report_upstream: () => ({}),
    record_follow_up: () => ({ comment: '已电话跟踪,问题仍在处理' }),
    finish_follow_up: () => ({}),
    remind: () => ({}),
    request_extension: () => {
      // The application computes the new deadline on its calendar; here: 2 days after the latest.
      const latest = Math.max(0, ...t.assignments.map((a) => a.replyDeadline.getTime()));
      return { days: 2, reason: '需协调公交集团调取车载监控，时间不足', newDeadline: new Date(latest + 48 * HOUR) };
    },
    approve_extension: () => ({ unit: t.assignments.find((a) => a.extensionRequest)?.unitCode }),
    reject_extension: () => ({
      comment: '期限内可以办结，请抓紧办理',
      unit: t.assignments.find((a) => a.extensionRequest)?.unitCode,
    }),
    record_visit: () => ({
      outcome: 'reached',
      solved: true,
      satisfaction: 'satisfied',
      comment: '来电人表示问题已解决',
    }),
    mark_responsible: () => ({ atFault: false, basis: '调取车载监控：车辆按规定进站停靠' }),
    write_case_file: () => ({
      cause: '驾驶员进站未停稳即开门',
      partyKind: 'driver',
      party: '1路驾驶员 1024 号',
      measures: '停岗培训三天，班前会通报',
      lesson: '车辆停稳后再开门，进站减速',
    }),
    record_unit_follow_up: () => ({ comment: '已约谈驾驶员并复查车载监控，整改仍在进行' }),
    flag_untrue_reply: () => ({
      unit: t.assignments.find((a) => a.status === 'replied' && a.role !== 'co')?.unitCode,
      reason: '经调取监控，回复所称“车辆已进站停靠”与事实不符',
      replyDeadline: new Date(now.getTime() + 72 * HOUR),
    }),
    // Issue 15.9: the first assignment still being worked on goes to a unit not on the ticket.
    reroute: () => ({
      unit: t.assignments.find((a) => isActive(a) && a.status !== 'replied')?.unitCode,
      newUnit: freshUnit(),
      reason: '派错单位：该线路属另一分公司',
      replyDeadline: new Date(now.getTime() + 72 * HOUR),
    }),
  };
  return inputs[action]() as ActionInputs[A];
}

/** Deep-freezes a value so that any mutation inside decide() throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Date) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** A small driver for scenarios: applies actions in turn, expecting success, keeping history. */
export class Flow {
  events: TimelineEvent[] = [];
  effects: Effect[][] = [];
  openTodos = new Set<string>();
  private ids = counterIds();

  constructor(public state: TicketState) {}

  do<A extends ActionName>(who: PersonId, action: A, input: ActionInputs[A], now: Date): Decision {
    const result = decide(this.state, ORG[who], action, input, now, this.ids);
    if (!result.ok) throw new Error(`${who} ${action} refused: ${result.code} ${result.message} ${result.field ?? ''}`);
    this.state = result.state;
    this.events.push(...result.events);
    this.effects.push(result.effects);
    for (const e of result.effects) {
      if (e.kind === 'todo_open') this.openTodos.add(e.key);
      if (e.kind === 'todo_done') this.openTodos.delete(e.key);
    }
    return result;
  }

  /** The same with a valid input. */
  step(who: PersonId, action: ActionName, now: Date, extra: Record<string, unknown> = {}): Decision {
    return this.do(who, action, { ...validInput(action, this.state, now), ...extra } as never, now);
  }

  assignment(unit: string): AssignmentState {
    const a = [...this.state.assignments].reverse().find((x) => x.unitCode === unit);
    if (!a) throw new Error(`no assignment for ${unit}`);
    return a;
  }
}
