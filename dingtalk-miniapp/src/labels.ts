// Chinese names for the API's codes. Unknown codes fall back to the code itself. The workflow's
// names (actions, timeline events, phases, assignment statuses, R-13 reasons) come from the
// server's one home, libs/workflow/src/workflow.labels.ts, through the generated src/api/labels.ts
// (issue 14.5); the rest are the micro-app's own.
import {
  ACTION_LABELS,
  ASSIGNMENT_STATUS_LABELS,
  EVENT_LABELS,
  NOT_CONTACTED_REASON_LABELS,
  PHASE_LABELS,
} from './api/labels';

const pick = (map: Readonly<Record<string, string>>, codes: string[]): Record<string, string> =>
  Object.fromEntries(codes.map((c) => [c, map[c] ?? c]));

export const STATUS: Record<string, string> = {
  ...pick(PHASE_LABELS, ['registered', 'in_progress']),
  in_review: '审核中',
  ...pick(PHASE_LABELS, ['follow_up', 'closed', 'revoked']),
};

export const STEP: Record<string, string> = pick(PHASE_LABELS, [
  'initiator_review',
  'ops_review',
  'office_review',
  'upstream_report',
]);

export const ASSIGNMENT_STATUS: Record<string, string> = { ...ASSIGNMENT_STATUS_LABELS };

export const ROLE: Record<string, string> = { sole: '独办', lead: '主办', co: '会办' };

export const USER_ROLE: Record<string, string> = {
  dispatcher: '派单员',
  receiver: '接单员',
  unit_leader: '部门领导',
  ops_head: '运营服务部负责人',
  office_reviewer: '办公室审核人',
  admin: '管理员',
};

/** Actions a person takes, then what the system records on the timeline. */
export const ACTION: Record<string, string> = { ...ACTION_LABELS, ...EVENT_LABELS };

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

/** R-13 (issue 15.8): why a reply did not reach the caller. */
export const NOT_CONTACTED_REASON: Record<string, string> = { ...NOT_CONTACTED_REASON_LABELS };

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
