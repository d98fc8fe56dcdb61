// Chinese names for the workflow's codes, for the refusals people read (dispatchers, receivers,
// leaders). The codes stay the contract for programs; these words are only for messages.
import type { ActionName, AssignmentStatus, DecideContext, NotContactedReason, TicketState } from './workflow.types';

export const ACTION_LABELS: Readonly<Record<ActionName, string>> = {
  dispatch: '派单',
  answer_directly: '直接答复',
  revoke: '撤销工单',
  accept: '签收',
  request_return: '申请退回',
  approve_return: '同意退回',
  reject_return: '驳回退回',
  submit_reply: '提交回复',
  approve_reply: '审批回复',
  reject_reply: '驳回回复',
  pass_review: '审核通过',
  send_back: '退回重办',
  report_upstream: '上报办结',
  record_follow_up: '记录跟踪',
  finish_follow_up: '结束跟踪',
  remind: '催办',
  request_extension: '申请延期',
  approve_extension: '同意延期',
  reject_extension: '驳回延期',
  record_visit: '回访',
  mark_responsible: '责任认定',
  merge: '并单',
  write_case_file: '填写案例分析',
  record_unit_follow_up: '记录跟踪进展',
  flag_untrue_reply: '记为回复不实',
  reroute: '改派',
};

/**
 * Timeline events that are not actions a person takes (registration, and what the deadline jobs
 * and retention record), so the micro-app's timeline reads them from here too (issue 14.5).
 */
export const EVENT_LABELS: Readonly<Record<string, string>> = {
  register: '登记工单',
  overdue: '超期督办',
  accept_overdue: '超时未签收',
  review_overdue: '审核超时',
  return_window_closed: '退回期限已过',
  anonymise_caller: '来电人信息已清除',
};

/** Where a ticket is: its status, or its review step while in review. */
export const PHASE_LABELS: Readonly<Record<string, string>> = {
  registered: '待派单',
  in_progress: '办理中',
  initiator_review: '发起人审核',
  ops_review: '运营服务部负责人审核',
  office_review: '办公室审核',
  upstream_report: '待上报',
  follow_up: '跟踪中',
  closed: '已办结',
  revoked: '已撤销',
};

export const ASSIGNMENT_STATUS_LABELS: Readonly<Record<AssignmentStatus, string>> = {
  pending_accept: '待签收',
  accepted: '办理中',
  awaiting_leader: '待领导审批',
  replied: '已回复',
  return_requested: '退回申请中',
  returned: '已退回',
  cancelled: '已取消',
  withdrawn: '已改派',
};

export const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  consultation: '咨询',
  complaint: '投诉',
  report: '举报',
  help: '求助',
  suggestion: '建议',
  lost_item: '寻物',
  praise: '表扬',
};

export const PARTY_LABELS: Readonly<Record<string, string>> = {
  dispatcher: '派单员',
  ops_head: '运营服务部负责人',
  office_reviewer: '办公室审核人',
  initiator: '发起部门（运营服务部）的派单员',
  unit_receiver: '承办单位接单员',
  unit_leader: '承办单位领导',
  responsible_unit: '责任单位的领导或接单员',
};

export const VISIT_STATUS_LABELS: Readonly<Record<string, string>> = {
  pending: '待回访',
  reached: '已接通',
  unreachable: '无法联系',
  refused: '拒绝回访',
};

/** why a reply answers without having reached the caller (the ledger shows 未联系：<label>). */
export const NOT_CONTACTED_REASON_LABELS: Readonly<Record<NotContactedReason, string>> = {
  empty_number: '空号/停机',
  no_answer_3_tries: '三次联系未接通/拒接',
  declined_contact: '来电人要求不回访',
  no_contact_info: '未留联系方式/匿名',
  other: '其他',
};

export function actionLabel(action: string): string {
  return (ACTION_LABELS as Record<string, string>)[action] ?? action;
}

export function phaseLabel(ticket: TicketState): string {
  const phase = ticket.status === 'in_review' ? ticket.step : ticket.status;
  return (phase && PHASE_LABELS[phase]) ?? ticket.status;
}

export function categoryLabel(code: string): string {
  return CATEGORY_LABELS[code] ?? code;
}

/** A unit's name when the application passed the names in (DecideContext.unitNames), else its code. */
export function unitLabel(ctx: DecideContext, code: string): string {
  return ctx.unitNames?.[code] ?? code;
}

export function unitList(ctx: DecideContext, codes: readonly string[]): string {
  return codes.map((c) => unitLabel(ctx, c)).join('、');
}

/** A time as people in the office read it: Asia/Shanghai (UTC+8, no daylight saving), to the minute. */
export function shanghaiMinute(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}
