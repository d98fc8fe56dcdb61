// What a DingTalk work notice and to-do say (R-9a). Only the ticket number, category, subject,
// unit and deadline: never the caller's name, phone or address (R-19). The content of a row is
// a pure function of the row, so a re-send after a crash is identical and DingTalk drops it
// (same content, same person, same day: reference §5.2).
import type { ActionCardMessage, CreateTodoRequest } from '@hotline/dingtalk';

export interface OutboxTicket {
  id: string;
  number: string;
  category: string;
  categoryName: string;
  subject: string;
  status: string;
  step: string | null;
}

/** One matter of a folded deadline notice (X-9: one notice per person per scan). */
export interface NoticeItem {
  ticket: OutboxTicket;
  unitName: string | null;
  deadline: string | null;
}

export interface NoticePayload {
  notice: string;
  userids: string[];
  unit: string | null;
  unitName?: string | null;
  deadline: string | null;
  /** When the event happened (ISO). */
  at?: string;
  /** The ticket; null for notices about no single ticket (the daily digest). */
  ticket: OutboxTicket | null;
  /** Deadline notices: the matters due for this person in one scan (the first is `ticket`; at most 20 stored). */
  items?: NoticeItem[];
  /** How many matters the folded notice covers (items may hold fewer). */
  count?: number;
  /**
   * remind: 'yellow' (most of the time used), 'due_soon' (shortly before the deadline),
   * 'accept_overdue' (not accepted in time) or 'review_overdue' (a review step past its limit);
   * overdue: 'accept_overdue' for the unit leader's escalation of a matter not accepted in time.
   */
  stage?: string;
  /** calendar_missing_year: the years without holiday data. */
  years?: number[];
  /** digest: the ops head's morning figures. */
  digest?: {
    dueToday: number;
    overdue: number;
    undispatched: number;
    overdueByUnit: Array<{ unit: string; unitName: string; count: number }>;
  };
}

export interface TodoOpenPayload {
  key: string;
  action: string;
  userids: string[];
  unit: string | null;
  dueAt: string | null;
  ticket: OutboxTicket;
}

const NOTICE_TITLES: Record<string, string> = {
  new_assignment: '新工单待签收',
  assignment_cancelled: '工单已撤销',
  reply_awaiting_approval: '回复待审批',
  reply_rejected: '回复被退回修改',
  co_reply_ready: '会办单位已回复',
  review_step: '工单待审核',
  return_requested: '退回申请待审核',
  return_decided: '退回申请已处理',
  rework: '工单需重新办理',
  remind: '工单催办',
  closed: '工单已办结',
  overdue: '工单已超期',
  undispatched: '当日未派单提醒',
  digest: '每日工单汇总',
  extension_requested: '延期申请待审核',
  extension_decided: '延期申请已处理',
  calendar_missing_year: '节假日数据缺失',
};

/** Deadline notices whose stage changes the title (the escalation of a matter not accepted in time). */
const STAGE_TITLES: Record<string, string> = {
  'overdue|accept_overdue': '工单超时未签收',
};

/** What the deadline of a stage is (the reply deadline unless said otherwise). */
const DEADLINE_LABELS: Record<string, string> = {
  accept_overdue: '最晚签收',
  review_overdue: '审核时限',
};

const STAGE_HINTS: Record<string, string> = {
  'remind|due_soon': '即将到期，请尽快办理',
  'remind|yellow': '办理时限已过大半，请抓紧办理',
  'remind|accept_overdue': '已超过签收时限，请立即签收',
  'overdue|accept_overdue': '本单位工单超过签收时限仍未签收，请督促签收',
  'remind|review_overdue': '已超过审核时限，请尽快审核',
};

/** How many matters a folded notice lists before "…等 N 件". */
const MAX_LISTED = 10;

const ACTION_TITLES: Record<string, string> = {
  accept: '签收工单',
  submit_reply: '办理并回复工单',
  approve_reply: '审批回复',
  pass_review: '审核工单',
  report_upstream: '上报办理结果',
  approve_return: '审核退回申请',
  dispatch: '重新派单',
  finish_follow_up: '跟踪工单至办结',
};

/** "2026-12-01 17:30" (or with seconds) in Asia/Shanghai. */
export function shanghaiText(iso: string, seconds = false): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}${seconds ? `:${p(d.getUTCSeconds())}` : ''}`;
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${hm}`;
}

/** The micro-app's page of the ticket, opened inside DingTalk (reference §7). */
export function ticketAppUrl(publicUrl: string, ticketId: string): string {
  return `${publicUrl}/#/ticket/${ticketId}`;
}

export function dingtalkLink(url: string, pcSlide = true): string {
  return `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}${pcSlide ? '&pc_slide=true' : ''}`;
}

const FULLWIDTH: Record<string, string> = { '*': '＊', '#': '＃', '`': '｀', '>': '＞', '[': '［', ']': '］' };

/** User text (a subject) stays one plain line in the markdown: its markup becomes full-width. */
function clean(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[#*`>[\]]/g, (c) => FULLWIDTH[c])
    .trim();
}

export function composeNotice(p: NoticePayload, publicUrl: string): ActionCardMessage {
  const title = STAGE_TITLES[`${p.notice}|${p.stage ?? ''}`] ?? NOTICE_TITLES[p.notice] ?? '工单通知';
  if (p.digest) return composeDigest(title, p, publicUrl);
  if (!p.ticket) throw new Error(`notice ${p.notice} has no ticket`);
  if ((p.count ?? p.items?.length ?? 0) > 1) return composeFolded(title, p, publicUrl);
  const lines = [
    `### ${title}`,
    `**工单号**：${p.ticket.number}`,
    `**类别**：${clean(p.ticket.categoryName)}`,
    `**事项**：${clean(p.ticket.subject)}`,
  ];
  if (p.unitName) lines.push(`**承办单位**：${clean(p.unitName)}`);
  if (p.deadline) lines.push(`**${DEADLINE_LABELS[p.stage ?? ''] ?? '最晚回复'}**：${shanghaiText(p.deadline)}`);
  if (p.years?.length) lines.push(`**缺少年份**：${p.years.join('、')}（请管理员按国务院通知录入节假日安排）`);
  const hint = STAGE_HINTS[`${p.notice}|${p.stage ?? ''}`];
  if (hint) lines.push(`**提示**：${hint}`);
  if (p.at) lines.push(`**时间**：${shanghaiText(p.at, true)}`);
  return {
    msgtype: 'action_card',
    action_card: {
      title: `${title} ${p.ticket.number}`,
      markdown: lines.join('  \n'),
      single_title: '查看工单',
      single_url: dingtalkLink(ticketAppUrl(publicUrl, p.ticket.id)),
    },
  };
}

export function composeTodo(
  p: TodoOpenPayload,
  publicUrl: string,
  executorUnionIds: string[],
  sourceId: string,
): CreateTodoRequest {
  const action = ACTION_TITLES[p.action] ?? '处理工单';
  const url = ticketAppUrl(publicUrl, p.ticket.id);
  return {
    subject: `${action}：${p.ticket.number} ${clean(p.ticket.subject)}`.slice(0, 200),
    description: `类别：${clean(p.ticket.categoryName)}${p.dueAt ? `；最晚：${shanghaiText(p.dueAt)}` : ''}`,
    ...(p.dueAt ? { dueTime: new Date(p.dueAt).getTime() } : {}),
    executorIds: executorUnionIds,
    detailUrl: { appUrl: dingtalkLink(url, false), pcUrl: dingtalkLink(url) },
    isOnlyShowExecutor: true,
    priority: 20,
    sourceId,
  };
}

/** X-9: several matters due for one person in one scan, in one notice (DingTalk quota, reference §5.2). */
function composeFolded(title: string, p: NoticePayload, publicUrl: string): ActionCardMessage {
  const items = p.items ?? [];
  const total = p.count ?? items.length;
  const lines = [`### ${title}（${total}件）`];
  for (const it of items.slice(0, MAX_LISTED)) {
    const unit = it.unitName ? ` ${clean(it.unitName)}` : '';
    const due = it.deadline ? ` 最晚 ${shanghaiText(it.deadline)}` : '';
    lines.push(`- ${it.ticket.number} ${clean(it.ticket.subject)}${unit}${due}`);
  }
  if (total > Math.min(items.length, MAX_LISTED)) lines.push(`- …等 ${total} 件`);
  const hint = STAGE_HINTS[`${p.notice}|${p.stage ?? ''}`];
  if (hint) lines.push(`**提示**：${hint}`);
  if (p.at) lines.push(`**时间**：${shanghaiText(p.at, true)}`);
  return {
    msgtype: 'action_card',
    action_card: {
      title: `${title}（${total}件）`,
      markdown: lines.join('  \n'),
      single_title: '查看待办',
      single_url: dingtalkLink(`${publicUrl}/#/inbox`),
    },
  };
}

/** The ops head's daily digest (08:30 on working days). */
function composeDigest(title: string, p: NoticePayload, publicUrl: string): ActionCardMessage {
  const d = p.digest!;
  const lines = [
    `### ${title}`,
    `**今日到期**：${d.dueToday} 件`,
    `**已超期**：${d.overdue} 件`,
    `**待派单**：${d.undispatched} 件`,
  ];
  for (const u of d.overdueByUnit.slice(0, MAX_LISTED)) lines.push(`- ${clean(u.unitName)}：超期 ${u.count} 件`);
  if (p.at) lines.push(`**时间**：${shanghaiText(p.at, true)}`);
  return {
    msgtype: 'action_card',
    action_card: {
      title,
      markdown: lines.join('  \n'),
      single_title: '查看工单',
      single_url: dingtalkLink(`${publicUrl}/#/tickets`),
    },
  };
}
