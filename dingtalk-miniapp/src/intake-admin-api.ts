// The intake desk's back-office calls (issue 9): the knowledge base, merged callers still to
// answer, transit master data, imports and routing rules, upstream intake keys and
// Excel batches. Shapes follow the API as it answers; nothing here un-masks a caller.
import { ApiError, apiRequest as request } from './api-client';

export interface KbArticleFull {
  id: string;
  title: string;
  body: string;
  category: string | null;
  tags: string[];
  routes: string[];
  validFrom: string | null;
  validUntil: string | null;
  author: { userid: string; name: string };
  reviewedAt: string | null;
  active: boolean;
  uses: number;
  createdAt: string;
  updatedAt: string;
}

/** What POST/PUT /api/kb/articles take (the API refuses any other field). */
export interface KbArticleInput {
  title: string;
  body: string;
  category?: string | null;
  tags?: string[];
  routes?: string[];
  validFrom?: string | null;
  validUntil?: string | null;
  reviewedAt?: string | null;
}

export interface CallerToAnswer {
  callerId: string;
  ticket: { id: string; number: string; subject: string };
  fromTicket: { id: string; number: string };
  /** Masked by the API (张*, 139****1111). */
  caller: { name: string | null; phone: string | null };
  closedAt: string;
  addedAt: string;
}

export interface TransitRoute {
  code: string;
  name: string;
  branchCode: string;
  branchName: string;
  upTerminal: string | null;
  downTerminal: string | null;
}

export interface TransitStop {
  routeCode: string;
  direction: 'up' | 'down';
  seq: number;
  name: string;
}

export interface TransitVehicle {
  plate: string;
  fleetNumber: string | null;
  routeCode: string | null;
  branchCode: string;
  branchName: string;
}

export type TransitKind = 'routes' | 'stops' | 'vehicles';

export interface RowError {
  line: number;
  field: string | null;
  message: string;
}

export interface TransitImportReport {
  kind: TransitKind;
  rows: number;
  imported: number;
  dryRun: boolean;
  errors: RowError[];
}

export interface RoutingRule {
  categoryCode: string | null;
  keywords: string[];
  unitCode: string;
  role: 'sole' | 'lead' | 'co';
  note: string | null;
}

export interface IntakeClient {
  code: string;
  name: string;
  sourceCode: string;
  initiator: string;
  keyHint: string;
  /** The id the system sends in X-Intake-Key-Id; null for a key of the old form (issue 17.2). */
  keyId: string | null;
  active: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  /** An old-form key (its secret sent in X-Intake-Key) is accepted until then. */
  legacyUntil: string | null;
  legacyUses: number;
  legacyLastUsedAt: string | null;
  /** Set while the key is of the old form: what the admin should do. */
  warning: string | null;
}

export interface UpstreamImportReport {
  source: string;
  rows: number;
  imported: number;
  dryRun: boolean;
  errors: RowError[];
  preview: Array<{
    line: number;
    ref: string;
    category: string;
    subject: string;
    caller: { name: string | null; phone: string | null };
  }>;
  tickets: Array<{ ref: string; id: string; number: string }>;
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
    request<{ items: KbArticleFull[]; nextCursor: string | null }>(
      'GET',
      `/api/kb/articles${query({ q: p.q, cursor: p.cursor, limit: p.limit ? String(p.limit) : undefined })}`,
    ),
  article: (id: string) => request<KbArticleFull>('GET', `/api/kb/articles/${encodeURIComponent(id)}`),
  createArticle: (body: KbArticleInput) => request<KbArticleFull>('POST', '/api/kb/articles', { body }),
  updateArticle: (id: string, body: KbArticleInput) =>
    request<KbArticleFull>('PUT', `/api/kb/articles/${encodeURIComponent(id)}`, { body }),
  withdrawArticle: (id: string) => request<KbArticleFull>('DELETE', `/api/kb/articles/${encodeURIComponent(id)}`),

  callersToAnswer: () => request<CallerToAnswer[]>('GET', '/api/intake/callers-to-answer'),
  answerCaller: (ticketId: string, callerId: string, body: { method: string; summary: string }) =>
    request<unknown>(
      'POST',
      `/api/tickets/${encodeURIComponent(ticketId)}/callers/${encodeURIComponent(callerId)}/answered`,
      { body },
    ),

  routes: (q?: string) => request<TransitRoute[]>('GET', `/api/transit/routes${query({ q })}`),
  stops: (route?: string, q?: string) => request<TransitStop[]>('GET', `/api/transit/stops${query({ route, q })}`),
  vehicles: (q?: string) => request<TransitVehicle[]>('GET', `/api/transit/vehicles${query({ q })}`),
  importTransit: (kind: TransitKind, file: File, dryRun = false) =>
    request<TransitImportReport>('POST', `/api/transit/import/${kind}${query({ dryRun })}`, { form: upload(file) }),
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
      },
    }),

  clients: () => request<IntakeClient[]>('GET', '/api/admin/intake-clients'),
  saveClient: (c: { code: string; name: string; source: string; initiator: string }) =>
    request<{ client: IntakeClient; keyId: string; secret: string }>('POST', '/api/admin/intake-clients', { body: c }),
  withdrawClient: (code: string) => request<null>('DELETE', `/api/admin/intake-clients/${encodeURIComponent(code)}`),
  importBatch: (source: string, file: File, dryRun: boolean) =>
    request<UpstreamImportReport>('POST', `/api/intake/import${query({ source, dryRun })}`, { form: upload(file) }),
};

/** Settings and master data, not tickets: the API's own reason for 400/404/409 is the useful one. */
/** Back-office pages describe errors alike (系统管理 and the intake desk's pages). */
export { adminError as intakeError } from './admin-api';

/** The field a 400 names (`rules.2.unit` → ['rules', '2', 'unit']), for putting it on the right box. */
export function errorField(e: unknown): string | undefined {
  return e instanceof ApiError && e.status === 400 ? e.field : undefined;
}
