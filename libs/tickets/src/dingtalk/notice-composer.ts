// What a DingTalk work notice and to-do say (R-9a). Only the ticket number, category, subject,
// unit and deadline: never the caller's name, phone or address (R-19). The content of a row is
// a pure function of the row, so a re-send after a crash is identical and DingTalk drops it
// (same content, same person, same day: reference §5.2).
import { formatShanghai } from '@hotline/calendar';
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
  // Issue 15.9: the ops department re-routed this unit's work to another unit (改派).
  assignment_withdrawn: '工单已改派，本单位无需继续办理',
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
  follow_up: '工单转入跟踪办理',
  follow_up_progress: '承办单位记录了跟踪进展',
  reply_untrue: '回复经核查不实，请改正',
  calendar_missing_year: '节假日数据缺失',
  case_file_requested: '责任投诉待填写案例分析',
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
  'assignment_withdrawn|': '运营服务部已将本工单改派给其他单位，本单位的待办已关闭',
};

/** How many matters a folded notice lists at most (fewer when the bytes run out). */
const MAX_LISTED = 10;

// Reference §5.1: DingTalk refuses a work notice whose msg is over 2,048 bytes (UTF-8 of the
// JSON). The per-field limits inside action_card are not documented; docs/dingtalk.md lists the
// stricter ones the simulator enforces and this composer keeps to.
export const MSG_MAX_BYTES = 2048;
export const CARD_TITLE_MAX_BYTES = 128;
export const CARD_URL_MAX_BYTES = 1024;
/** Reference §6: subject ≤ 1024 and description ≤ 4096; read as bytes (the stricter reading). */
export const TODO_SUBJECT_MAX_BYTES = 1024;
export const TODO_DESCRIPTION_MAX_BYTES = 4096;
export const TODO_URL_MAX_BYTES = 1024;
/** A single notice shows at most this much of a subject (about 80 Chinese characters). */
const SUBJECT_BYTES = 240;
/** A folded notice's line shows at most this much of each subject (about 20 Chinese characters). */
const ITEM_SUBJECT_BYTES = 60;
const NAME_BYTES = 90;

const ACTION_TITLES: Record<string, string> = {
  accept: '签收工单',
  submit_reply: '办理并回复工单',
  approve_reply: '审批回复',
  pass_review: '审核工单',
  report_upstream: '上报办理结果',
  approve_return: '审核退回申请',
  dispatch: '重新派单',
  finish_follow_up: '跟踪工单至办结',
  write_case_file: '填写责任投诉案例分析',
  record_unit_follow_up: '记录跟踪进展',
};

/** "2026-12-01 17:30" (or with seconds) in Asia/Shanghai. */
export function shanghaiText(iso: string, seconds = false): string {
  return formatShanghai(new Date(iso), seconds ? 'always' : 'never');
}

/** Where the micro-app is and which company it signs people in to (13.5). */
export interface AppLinks {
  publicUrl: string;
  /** DingTalk's corp id: runtime.permission.requestAuthCode needs it (reference §3.1). */
  corpId: string;
}

/**
 * A page of the micro-app with the corp id in the query, so a person without a session who taps
 * the link signs in (免登) and lands on the page. DingTalk replaces `$CORPID$` only in the app's
 * home-page URL; for links in notices and to-dos the documentation says nothing, so the
 * configured corp id is written out (docs/dingtalk.md).
 */
export function appPageUrl(links: AppLinks, hashPath: string): string {
  const base = links.publicUrl.replace(/\/+$/, '');
  return `${base}/?corpId=${encodeURIComponent(links.corpId)}#${hashPath}`;
}

/** The micro-app's page of the ticket, opened inside DingTalk (reference §7). */
export function ticketAppUrl(links: AppLinks, ticketId: string): string {
  return appPageUrl(links, `/ticket/${ticketId}`);
}

export function dingtalkLink(url: string, pcSlide = true): string {
  return `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}${pcSlide ? '&pc_slide=true' : ''}`;
}

/** UTF-8 bytes of a text, or of a message as DingTalk receives it (JSON). */
export function utf8Bytes(value: string | object): number {
  return Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

/** The longest prefix of `text` (whole characters) within `maxBytes`, with … when cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Bytes('…');
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = utf8Bytes(ch);
    if (used + n > budget) break;
    out += ch;
    used += n;
  }
  return `${out}…`;
}

const FULLWIDTH: Record<string, string> = { '*': '＊', '#': '＃', '`': '｀', '>': '＞', '[': '［', ']': '］' };

/** User text (a subject) stays one plain line in the markdown: its markup becomes full-width. */
function clean(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[#*`>[\]]/g, (c) => FULLWIDTH[c])
    .trim();
}

/**
 * The work notice of an outbox row, within DingTalk's limits (16.2): the whole msg within
 * MSG_MAX_BYTES, the title and the link within their field limits. Subjects and names are
 * shortened by bytes; a folded notice lists as many matters as fit and says 另有 N 条.
 */
export function composeNotice(p: NoticePayload, links: AppLinks): ActionCardMessage {
  const title = STAGE_TITLES[`${p.notice}|${p.stage ?? ''}`] ?? NOTICE_TITLES[p.notice] ?? '工单通知';
  if (p.digest) return composeDigest(title, p, links);
  if (!p.ticket) throw new Error(`notice ${p.notice} has no ticket`);
  if ((p.count ?? p.items?.length ?? 0) > 1) return composeFolded(title, p, links);
  const ticket = p.ticket;
  const build = (subjectBytes: number): ActionCardMessage => {
    const lines = [
      `### ${title}`,
      `**工单号**：${ticket.number}`,
      `**类别**：${short(ticket.categoryName, NAME_BYTES)}`,
      `**事项**：${short(ticket.subject, subjectBytes)}`,
    ];
    if (p.unitName) lines.push(`**承办单位**：${short(p.unitName, NAME_BYTES)}`);
    if (p.deadline) lines.push(`**${DEADLINE_LABELS[p.stage ?? ''] ?? '最晚回复'}**：${shanghaiText(p.deadline)}`);
    if (p.years?.length) lines.push(`**缺少年份**：${p.years.join('、')}（请管理员按国务院通知录入节假日安排）`);
    const hint = STAGE_HINTS[`${p.notice}|${p.stage ?? ''}`];
    if (hint) lines.push(`**提示**：${hint}`);
    if (p.at) lines.push(`**时间**：${shanghaiText(p.at, true)}`);
    return card(`${title} ${ticket.number}`, lines, '查看工单', ticketAppUrl(links, ticket.id));
  };
  for (const bytes of [SUBJECT_BYTES, 120, 60, 30]) {
    const msg = build(bytes);
    if (fits(msg)) return msg;
  }
  throw new Error(`notice ${p.notice} for ${ticket.number} does not fit DingTalk's ${MSG_MAX_BYTES} bytes`);
}

export function composeTodo(
  p: TodoOpenPayload,
  links: AppLinks,
  executorUnionIds: string[],
  sourceId: string,
): CreateTodoRequest {
  const action = ACTION_TITLES[p.action] ?? '处理工单';
  const url = ticketAppUrl(links, p.ticket.id);
  const detailUrl = { appUrl: dingtalkLink(url, false), pcUrl: dingtalkLink(url) };
  if (utf8Bytes(detailUrl.pcUrl) > TODO_URL_MAX_BYTES) {
    throw new Error(`the to-do link is over ${TODO_URL_MAX_BYTES} bytes: shorten PUBLIC_URL`);
  }
  return {
    subject: truncateBytes(`${action}：${p.ticket.number} ${clean(p.ticket.subject)}`, 600),
    description: truncateBytes(
      `类别：${clean(p.ticket.categoryName)}${p.dueAt ? `；最晚：${shanghaiText(p.dueAt)}` : ''}`,
      TODO_DESCRIPTION_MAX_BYTES,
    ),
    ...(p.dueAt ? { dueTime: new Date(p.dueAt).getTime() } : {}),
    executorIds: executorUnionIds,
    detailUrl,
    isOnlyShowExecutor: true,
    priority: 20,
    sourceId,
  };
}

/**
 * X-9: several matters due for one person in one scan, in one notice (DingTalk quota, reference
 * §5.2). As many lines as fit in the bytes (at most MAX_LISTED), then 另有 N 条 and the inbox link.
 */
function composeFolded(title: string, p: NoticePayload, links: AppLinks): ActionCardMessage {
  const items = p.items ?? [];
  const total = Math.max(p.count ?? items.length, items.length);
  const hint = STAGE_HINTS[`${p.notice}|${p.stage ?? ''}`];
  const build = (listed: number, subjectBytes: number): ActionCardMessage => {
    const lines = [`### ${title}（${total}件）`];
    for (const it of items.slice(0, listed)) {
      const unit = it.unitName ? ` ${short(it.unitName, 30)}` : '';
      const due = it.deadline ? ` 最晚 ${shanghaiText(it.deadline)}` : '';
      lines.push(`- ${it.ticket.number} ${short(it.ticket.subject, subjectBytes)}${unit}${due}`);
    }
    if (total > listed) lines.push(`- 另有 ${total - listed} 条，请点击查看全部待办`);
    if (hint) lines.push(`**提示**：${hint}`);
    if (p.at) lines.push(`**时间**：${shanghaiText(p.at, true)}`);
    return card(`${title}（${total}件）`, lines, '查看待办', appPageUrl(links, '/inbox'));
  };
  for (let listed = Math.min(items.length, MAX_LISTED); listed >= 0; listed--) {
    for (const bytes of [ITEM_SUBJECT_BYTES, 30]) {
      const msg = build(listed, bytes);
      if (fits(msg)) return msg;
    }
  }
  throw new Error(`folded notice ${p.notice} does not fit DingTalk's ${MSG_MAX_BYTES} bytes`);
}

/** The ops head's daily digest (08:30 on working days). */
function composeDigest(title: string, p: NoticePayload, links: AppLinks): ActionCardMessage {
  const d = p.digest!;
  const build = (units: number): ActionCardMessage => {
    const lines = [
      `### ${title}`,
      `**今日到期**：${d.dueToday} 件`,
      `**已超期**：${d.overdue} 件`,
      `**待派单**：${d.undispatched} 件`,
    ];
    for (const u of d.overdueByUnit.slice(0, units)) lines.push(`- ${short(u.unitName, 60)}：超期 ${u.count} 件`);
    if (d.overdueByUnit.length > units) lines.push(`- 另有 ${d.overdueByUnit.length - units} 个单位有超期工单`);
    if (p.at) lines.push(`**时间**：${shanghaiText(p.at, true)}`);
    return card(title, lines, '查看工单', appPageUrl(links, '/tickets'));
  };
  for (let units = Math.min(d.overdueByUnit.length, MAX_LISTED); units >= 0; units--) {
    const msg = build(units);
    if (fits(msg)) return msg;
  }
  throw new Error(`digest does not fit DingTalk's ${MSG_MAX_BYTES} bytes`);
}

function short(text: string, maxBytes: number): string {
  return truncateBytes(clean(text), maxBytes);
}

function card(title: string, lines: string[], button: string, url: string): ActionCardMessage {
  const singleUrl = dingtalkLink(url);
  if (utf8Bytes(singleUrl) > CARD_URL_MAX_BYTES) {
    throw new Error(`the notice link is over ${CARD_URL_MAX_BYTES} bytes: shorten PUBLIC_URL`);
  }
  return {
    msgtype: 'action_card',
    action_card: {
      title: truncateBytes(title, CARD_TITLE_MAX_BYTES),
      markdown: lines.join('  \n'),
      single_title: button,
      single_url: singleUrl,
    },
  };
}

function fits(msg: ActionCardMessage): boolean {
  return utf8Bytes(msg) <= MSG_MAX_BYTES;
}
