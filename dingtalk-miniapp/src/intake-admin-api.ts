// The intake desk's back-office calls (issue 9): the knowledge base, merged callers still to
// answer, transit master data, imports and routing rules, upstream intake keys and
// Excel batches. Shapes follow the API as it answers; nothing here un-masks a caller.
import { ApiError, apiRequest as request } from './api-client';
import type * as api from './api/schema';

// Shapes generated from the API's OpenAPI document (src/api/schema.ts, issue 14.5).
export type KbArticleFull = api.KbArticleResponseDto;
/** What POST/PUT /api/kb/articles take (the API refuses any other field). */
export type KbArticleInput = api.KbArticleDto;
export type CallerToAnswer = api.CallerToAnswerResponseDto;
/** how a merged caller was told the result. */
export type AnswerMethod = api.AnswerCallerDto['method'];
export type TransitRoute = api.TransitRouteResponseDto;
export type TransitStop = api.TransitStopResponseDto;
export type TransitVehicle = api.TransitVehicleResponseDto;
export type TransitKind = api.TransitKind;
export type RowError = api.RowErrorDto;
export type TransitImportReport = api.TransitImportReportResponseDto;
export type RoutingRule = api.RoutingRuleResponseDto;
export type IntakeClient = api.IntakeClientResponseDto;
export type UpstreamImportReport = api.UpstreamImportReportResponseDto;
/** Issue 19: a long import's run (GET /api/imports/:key). */
export type ImportRun = api.ImportRunResponseDto;

/** Issue 19: how a page follows an import: its key, its cancel switch, its upload's bytes. */
export interface ImportFollow {
  key: string;
  signal: AbortSignal;
  onUploadProgress: (sent: number, total: number) => void;
}

function query(q: Record<string, string | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '' && v !== false) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

const upload = (file: File) => {
  const form = new FormData();
  form.append('file', file, file.name);
  return form;
};

export const intakeAdminApi = {
  /** With q: the best 50 matches (one page); else most used first, `limit` at a time. */
  articles: (p: { q?: string; cursor?: string; limit?: number }) =>
    request<api.KbArticlePageResponseDto>(
      'GET',
      `/api/kb/articles${query({ q: p.q, cursor: p.cursor, limit: p.limit ? String(p.limit) : undefined })}`,
    ),
  article: (id: string) => request<KbArticleFull>('GET', `/api/kb/articles/${encodeURIComponent(id)}`),
  createArticle: (body: KbArticleInput) => request<KbArticleFull>('POST', '/api/kb/articles', { body }),
  updateArticle: (id: string, body: KbArticleInput) =>
    request<KbArticleFull>('PUT', `/api/kb/articles/${encodeURIComponent(id)}`, { body }),
  withdrawArticle: (id: string) => request<KbArticleFull>('DELETE', `/api/kb/articles/${encodeURIComponent(id)}`),

  callersToAnswer: () => request<CallerToAnswer[]>('GET', '/api/intake/callers-to-answer'),
  answerCaller: (ticketId: string, callerId: string, body: api.AnswerCallerDto) =>
    request<api.TicketResponseDto>(
      'POST',
      `/api/tickets/${encodeURIComponent(ticketId)}/callers/${encodeURIComponent(callerId)}/answered`,
      { body },
    ),

  routes: (q?: string) => request<TransitRoute[]>('GET', `/api/transit/routes${query({ q })}`),
  stops: (route?: string, q?: string) => request<TransitStop[]>('GET', `/api/transit/stops${query({ route, q })}`),
  vehicles: (q?: string) => request<TransitVehicle[]>('GET', `/api/transit/vehicles${query({ q })}`),
  importTransit: (kind: TransitKind, file: File, dryRun = false, follow?: ImportFollow) =>
    request<TransitImportReport>('POST', `/api/transit/import/${kind}${query({ dryRun, progress: follow?.key })}`, {
      form: upload(file),
      signal: follow?.signal,
      onUploadProgress: follow?.onUploadProgress,
    }),
  rules: () => request<RoutingRule[]>('GET', '/api/admin/routing-rules'),
  replaceRules: (rules: RoutingRule[]) =>
    request<RoutingRule[]>('PUT', '/api/admin/routing-rules', {
      body: {
        rules: rules.map((r) => ({
          category: r.categoryCode || null,
          keywords: r.keywords,
          unit: r.unitCode,
          role: r.role,
          note: r.note || null,
        })),
      } satisfies api.RoutingRulesDto,
    }),

  clients: () => request<IntakeClient[]>('GET', '/api/admin/intake-clients'),
  saveClient: (c: api.IntakeClientDto) =>
    request<api.IntakeClientKeyResponseDto>('POST', '/api/admin/intake-clients', { body: c }),
  withdrawClient: (code: string) => request<null>('DELETE', `/api/admin/intake-clients/${encodeURIComponent(code)}`),
  importBatch: (source: string, file: File, dryRun: boolean, follow?: ImportFollow) =>
    request<UpstreamImportReport>('POST', `/api/intake/import${query({ source, dryRun, progress: follow?.key })}`, {
      form: upload(file),
      signal: follow?.signal,
      onUploadProgress: follow?.onUploadProgress,
    }),
  /** Issue 19: a running import's rows so far; 404 until the server has recorded its start. */
  importRun: (key: string) => request<ImportRun>('GET', `/api/imports/${encodeURIComponent(key)}`),
  cancelImport: (key: string) => request<ImportRun>('POST', `/api/imports/${encodeURIComponent(key)}/cancel`),
};

/** Settings and master data, not tickets: the API's own reason for 400/404/409 is the useful one. */
/** Back-office pages describe errors alike (系统管理 and the intake desk's pages). */
export { adminError as intakeError } from './admin-api';

/** The field a 400 names (`rules.2.unit` → ['rules', '2', 'unit']), for putting it on the right box. */
export function errorField(e: unknown): string | undefined {
  return e instanceof ApiError && e.status === 400 ? e.field : undefined;
}
