// Chinese names for the API's codes. Unknown codes fall back to the code itself.

export const STATUS: Record<string, string> = {
  registered: '待派单',
  in_progress: '办理中',
  in_review: '审核中',
  follow_up: '跟踪中',
  closed: '已办结',
  revoked: '已撤销',
};

export const STEP: Record<string, string> = {
  initiator_review: '发起人审核',
  ops_review: '运营服务部负责人审核',
  office_review: '办公室审核',
  upstream_report: '待上报',
};

export const ASSIGNMENT_STATUS: Record<string, string> = {
  pending_accept: '待签收',
  accepted: '办理中',
  awaiting_leader: '待领导审批',
  replied: '已回复',
  return_requested: '退回申请中',
  returned: '已退回',
  cancelled: '已取消',
  withdrawn: '已改派',
};

export const ROLE: Record<string, string> = { sole: '独办', lead: '主办', co: '会办' };

export const USER_ROLE: Record<string, string> = {
  dispatcher: '派单员',
  receiver: '接单员',
  unit_leader: '部门领导',
  ops_head: '运营服务部负责人',
  office_reviewer: '办公室审核人',
  admin: '管理员',
};

export const ACTION: Record<string, string> = {
  register: '登记工单',
  dispatch: '派单',
  answer_directly: '直接答复',
  merge: '并单',
  revoke: '撤销工单',
  accept: '签收',
  request_return: '申请退回',
  approve_return: '同意退回',
  reject_return: '驳回退回',
  submit_reply: '提交回复',
  approve_reply: '审批通过',
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
  write_case_file: '填写案例分析',
  flag_untrue_reply: '记为回复不实',
  record_unit_follow_up: '记录跟踪进展',
  reroute: '改派',
  // Recorded by the system (the deadline jobs, retention), not taken by a person.
  overdue: '超期督办',
  accept_overdue: '超时未签收',
  review_overdue: '审核超时',
  return_window_closed: '退回期限已过',
  anonymise_caller: '来电人信息已清除',
};

/** one follow-up call's outcome. */
export const VISIT_OUTCOME: Record<string, string> = {
  reached: '已接通',
  no_answer: '无人接听',
  refused: '拒绝回访',
};

/** who or what an at-fault complaint is about. */
export const PARTY_KIND: Record<string, string> = {
  driver: '驾驶员',
  route: '线路',
  vehicle: '车辆',
  unit: '单位',
};

export const CHANNEL: Record<string, string> = {
  phone: '电话',
  wechat: '微信',
  dingtalk: '钉钉',
  oa: 'OA',
  mailbox: '信箱',
  letter: '来信',
  web: '网站',
  other: '其他',
};

export const CONTACT_METHOD: Record<string, string> = {
  phone: '电话',
  sms: '短信',
  visit: '上门',
  wechat: '微信',
  other: '其他',
};

/** R-13 (issue 15.8): why a reply did not reach the caller (the server's NOT_CONTACTED_REASON_LABELS). */
export const NOT_CONTACTED_REASON: Record<string, string> = {
  empty_number: '空号/停机',
  no_answer_3_tries: '三次联系未接通/拒接',
  declined_contact: '来电人要求不回访',
  no_contact_info: '未留联系方式/匿名',
  other: '其他',
};

export const SATISFACTION: Record<string, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
  unknown: '未表态',
};

export const URGENCY: Record<string, string> = { normal: '一般', urgent: '紧急' };

export function label(map: Record<string, string>, code: string | null | undefined): string {
  if (!code) return '';
  return map[code] ?? code;
}

export function statusText(status: string, step: string | null | undefined): string {
  const s = label(STATUS, status);
  return status === 'in_review' && step ? `${s} · ${label(STEP, step)}` : s;
}

export function options(map: Record<string, string>): { label: string; value: string }[] {
  return Object.entries(map).map(([value, text]) => ({ label: text, value }));
}
