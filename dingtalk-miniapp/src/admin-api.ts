// The admin's calls (issue 4: DingTalk usage, failed notices, org sync; time limits and
// calendar; R-19 reveal audit and retention) and the deadline preview of the new-ticket form.
import { ApiError, apiRequest as request, describeError } from './api-client';
import type * as api from './api/schema';

// Shapes generated from the API's OpenAPI document (src/api/schema.ts, issue 14.5).
export type DingTalkUsage = api.DingTalkUsageResponseDto;
export type OutboxTicketRef = api.OutboxTicketRefDto;
export type OutboxRow = api.OutboxRowResponseDto;
export type OrgSyncRun = api.OrgSyncRunResponseDto;
export type OrgSyncSummary = api.OrgSyncSummaryResponseDto;
export type CalendarStatus = api.CalendarStatusResponseDto;
export type Limit = api.LimitResponseDto;
export type TimeLimitPolicy = api.TimeLimitPolicyResponseDto;
/** What PUT /api/admin/time-limits takes, one policy. */
export type TimeLimitPolicyInput = api.TimeLimitPolicyDto;
export type RevealRow = api.RevealAuditResponseDto;
export type RetentionReport = api.RetentionReportResponseDto;
export type DeadlinePreview = api.DeadlinePreviewResponseDto;

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
  retryOutbox: (id: number) => request<api.OutboxRetryResponseDto>('POST', `/api/admin/outbox/${id}/retry`),
  lastOrgSync: () => request<OrgSyncRun | null>('GET', '/api/admin/org-sync'),
  orgSync: () => request<OrgSyncSummary>('POST', '/api/admin/org-sync'),
  calendar: () => request<CalendarStatus>('GET', '/api/admin/calendar'),
  putYear: (year: number, text: string) =>
    request<CalendarStatus>('PUT', `/api/admin/calendar/years/${year}`, {
      body: { text } satisfies api.CalendarYearDto,
    }),
  putOverride: (date: string, kind: api.CalendarOverrideDto['kind'], note?: string) =>
    request<CalendarStatus>('PUT', `/api/admin/calendar/overrides/${date}`, {
      body: { kind, note } satisfies api.CalendarOverrideDto,
    }),
  deleteOverride: (date: string) => request<CalendarStatus>('DELETE', `/api/admin/calendar/overrides/${date}`),
  timeLimits: () => request<TimeLimitPolicy[]>('GET', '/api/admin/time-limits'),
  putTimeLimits: (policies: TimeLimitPolicyInput[]) =>
    request<TimeLimitPolicy[]>('PUT', '/api/admin/time-limits', { body: { policies } satisfies api.TimeLimitsDto }),
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

export const LIMIT_UNIT: Record<api.LimitUnit, string> = {
  minutes: '分钟',
  working_hours: '个工作小时',
  working_days: '个工作日',
  calendar_months: '个月',
};

export const limitText = (l: Limit | null | undefined): string => (l ? `${l.amount} ${LIMIT_UNIT[l.unit]}` : '—');
