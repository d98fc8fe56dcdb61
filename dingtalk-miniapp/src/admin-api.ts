// The admin's calls (issue 4: DingTalk usage, failed notices, org sync; time limits and
// calendar; R-19 reveal audit and retention) and the deadline preview of the new-ticket form.
import { ApiError, apiRequest as request, describeError } from './api-client';

export interface DingTalkUsage {
  month: string;
  /** Every call sent this month, token, sign-in and contacts calls included. */
  calls: number;
  /** Issue 16.4: the month's calls counted against the quota (all processes); at `quota` they are refused. */
  quotaCalls: number;
  /** DINGTALK_MONTHLY_QUOTA; 0 = no limit of ours. */
  quota: number;
  byApi: Record<string, number>;
  outbox: Record<string, number>;
}

export interface OutboxTicketRef {
  id: string;
  number: string;
  categoryName?: string;
  subject: string;
}

export interface OutboxRow {
  id: number;
  ticketId: string | null;
  kind: 'notice' | 'todo_open' | 'todo_done';
  dedupeKey: string;
  payload: { notice?: string; action?: string; userids?: string[]; ticket?: OutboxTicketRef | null };
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

export interface OrgSyncRun {
  id: number;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  summary: unknown;
}

export interface OrgSyncSummary {
  departments: number;
  units: { created: number; updated: number; deactivated: number };
  people: { created: number; updated: number; deactivated: number };
}

export interface CalendarStatus {
  dataSource: string;
  version: string;
  officeHours: { start: string; end: string };
  lunchBreak: { start: string; end: string } | null;
  coveredYears: number[];
  missingYears: Array<{ year: number; firstSeenAt: string; lastSeenAt: string; lastTicketId: string | null }>;
  overrides: Array<{ date: string; kind: 'closed' | 'working'; note: string | null; updatedBy: string | null }>;
  years: Array<{ year: number; holidays: string[]; workdays: string[]; updatedBy: string | null; updatedAt: string }>;
}

export interface Limit {
  amount: number;
  unit: 'minutes' | 'working_hours' | 'working_days' | 'calendar_months';
}

export interface TimeLimitPolicy {
  id: number;
  sourceCode: string | null;
  categoryCode: string | null;
  urgency: 'normal' | 'urgent' | null;
  accept: Limit | null;
  reply: Limit;
  review: Limit | null;
  /** R-6d, issue 15.4: co units' deadline this many working days before the lead's. */
  coLeadWorkingDays: number;
  /** X-3, issue 15.5: working days kept before an upstream deadline (≥ the four review limits). */
  upstreamMarginWorkingDays: number;
  note: string | null;
}

export interface RevealRow {
  id: number;
  ticketId: string;
  ticketNumber: string;
  userid: string;
  name: string;
  at: string;
  reason: string;
  basis: string;
}

export interface RetentionReport {
  dryRun: boolean;
  years: number;
  cutoff: string;
  count: number;
  oldestClosedAt: string | null;
  sample: string[];
}

export interface DeadlinePreview {
  replyDeadline: string;
  acceptDeadline?: string;
  /** Issue 15.4 (R-6d): a co unit's earlier deadline. */
  coReplyDeadline: string;
  coLeadWorkingDays: number;
  limit: Limit;
  policy: {
    id: number | null;
    note: string | null;
    source: 'policy' | 'upstream_margin' | 'dispatcher' | 'extension';
    policyDeadline: string;
    upstreamDeadline?: string;
    marginWorkingDays?: number;
  };
  calendarVersion: string;
  missingYears: number[];
}

function query(q: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const adminApi = {
  usage: () => request<DingTalkUsage>('GET', '/api/admin/dingtalk/usage'),
  outbox: (status = 'failed', before?: number) =>
    request<OutboxRow[]>('GET', `/api/admin/outbox${query({ status, limit: 50, before })}`),
  retryOutbox: (id: number) => request<{ id: number; status: 'pending' }>('POST', `/api/admin/outbox/${id}/retry`),
  lastOrgSync: () => request<OrgSyncRun | null>('GET', '/api/admin/org-sync'),
  orgSync: () => request<OrgSyncSummary>('POST', '/api/admin/org-sync'),
  calendar: () => request<CalendarStatus>('GET', '/api/admin/calendar'),
  putYear: (year: number, text: string) =>
    request<CalendarStatus>('PUT', `/api/admin/calendar/years/${year}`, { body: { text } }),
  putOverride: (date: string, kind: 'closed' | 'working', note?: string) =>
    request<CalendarStatus>('PUT', `/api/admin/calendar/overrides/${date}`, { body: { kind, note } }),
  deleteOverride: (date: string) => request<CalendarStatus>('DELETE', `/api/admin/calendar/overrides/${date}`),
  timeLimits: () => request<TimeLimitPolicy[]>('GET', '/api/admin/time-limits'),
  putTimeLimits: (policies: Array<Omit<TimeLimitPolicy, 'id'>>) =>
    request<TimeLimitPolicy[]>('PUT', '/api/admin/time-limits', { body: { policies } }),
  reveals: (before?: number) =>
    request<RevealRow[]>('GET', `/api/admin/audit/caller-reveals${query({ limit: 20, before })}`),
  retention: () => request<RetentionReport>('GET', '/api/admin/retention'),
  runRetention: () => request<RetentionReport>('POST', '/api/admin/retention/run'),
  deadlinePreview: (q: { source: string; category: string; urgency: string; upstreamDeadline?: string }) =>
    request<DeadlinePreview>('GET', `/api/deadlines/preview${query(q)}`),
};

/** The admin's errors are about settings, not tickets: show the API's own reason for 400/404/409. */
export function adminError(e: unknown): string {
  if (!(e instanceof ApiError)) return describeError(e);
  if (e.status === 400) return `填写有误：${e.message}`;
  if (e.status === 404) return `未找到：${e.message}`;
  if (e.status === 409) return `无法执行：${e.message}`;
  return describeError(e);
}

export const LIMIT_UNIT: Record<Limit['unit'], string> = {
  minutes: '分钟',
  working_hours: '个工作小时',
  working_days: '个工作日',
  calendar_months: '个月',
};

export const limitText = (l: Limit | null | undefined): string => (l ? `${l.amount} ${LIMIT_UNIT[l.unit]}` : '—');
