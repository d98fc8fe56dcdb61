// HTTP client for the Hotline Desk API: bearer token, JSON errors, idempotency keys, timeouts.
import type { CreateTicketDto, DevSignInDto, DingTalkSignInDto, RevealDto } from './api/schema';
import { clearSession, loadSession, saveSession } from './session';
import type {
  ActionName,
  Attachment,
  Category,
  InboxPage,
  JsapiConfig,
  RevealedCaller,
  Session,
  Source,
  Ticket,
  TicketPage,
  Unit,
  User,
} from './types';

/** Same origin by default (the API serves the built app); VITE_API_BASE overrides at build time. */
const BASE: string = (import.meta.env.VITE_API_BASE as string | undefined) ?? '';
const TIMEOUT_MS = 20_000;
const UPLOAD_TIMEOUT_MS = 120_000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
/** Called when the API answers 401: the session is gone, send the person to sign-in. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

interface RequestOptions {
  body?: unknown;
  /** Sent as is (multipart uploads): no JSON content type. */
  form?: FormData;
  /** Answer as a Blob (downloads) instead of JSON. */
  blob?: boolean;
  idempotencyKey?: string;
  /** The ticket version the person saw, sent as If-Match (a ticket changed since → 409). */
  ifMatchVersion?: number;
  auth?: boolean;
  /** Stops the call (a person cancelling a download): it fails with ApiError code 'Aborted'. */
  signal?: AbortSignal;
  /** Called with the answer's headers as soon as they arrive (before a download's body). */
  onHeaders?: (headers: Headers) => void;
  /**
   * An upload's progress (bytes sent of the total). fetch cannot report it, so such a call goes
   * through XMLHttpRequest (issue 19: a long import shows its upload, then its rows).
   */
  onUploadProgress?: (sent: number, total: number) => void;
}

/** `fetch` for an upload whose progress is wanted: the same answer, through XMLHttpRequest. */
function fetchWithUploadProgress(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: FormData | string; signal: AbortSignal },
  onProgress: (sent: number, total: number) => void,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(init.method, url);
    for (const [k, v] of Object.entries(init.headers)) xhr.setRequestHeader(k, v);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onload = () => {
      const headers = new Headers();
      for (const line of xhr
        .getAllResponseHeaders()
        .trim()
        .split(/[\r\n]+/)) {
        const at = line.indexOf(':');
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      const empty = [204, 205, 304].includes(xhr.status);
      resolve(
        new Response(empty ? null : xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers }),
      );
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    init.signal.addEventListener('abort', () => xhr.abort());
    xhr.send(init.body ?? null);
  });
}

let refreshing: Promise<Session | null> | null = null;

/**
 * Renews the session with its refresh token (one use each; the server ends every session of a
 * person whose refresh token is presented twice). Concurrent callers share one renewal; another
 * tab that renewed first is noticed through localStorage.
 */
function renewSession(stale: Session): Promise<Session | null> {
  refreshing ??= (async () => {
    const current = loadSession();
    if (current && current.refreshToken !== stale.refreshToken) return current; // renewed elsewhere
    if (!stale.refreshToken) return null;
    try {
      const res = await fetch(`${BASE}/api/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refreshToken: stale.refreshToken }),
      });
      if (!res.ok) return null;
      const next = (await res.json()) as Session;
      saveSession(next);
      return next;
    } catch {
      return null;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}, retried = false): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  if (opts.ifMatchVersion !== undefined) headers['If-Match'] = `"${opts.ifMatchVersion}"`;
  if (opts.auth !== false) {
    let session = loadSession();
    // Renew ahead of time when the access token has (almost) run out.
    if (session && Date.parse(session.expiresAt) - Date.now() < 30_000) session = await renewSession(session);
    if (!session) {
      clearSession();
      onUnauthorized();
      throw new ApiError(401, 'Unauthorized', '登录已过期，请重新登录');
    }
    headers.Authorization = `Bearer ${session.token}`;
  }
  const controller = new AbortController();
  // An import followed by its progress takes as long as its rows do; the person may cancel it.
  const timer = opts.onUploadProgress
    ? undefined
    : window.setTimeout(() => controller.abort(), opts.form || opts.blob ? UPLOAD_TIMEOUT_MS : TIMEOUT_MS);
  const cancel = () => controller.abort();
  opts.signal?.addEventListener('abort', cancel);
  let res: Response;
  try {
    const init = {
      method,
      headers,
      body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: controller.signal,
    };
    res = opts.onUploadProgress
      ? await fetchWithUploadProgress(BASE + path, init, opts.onUploadProgress)
      : await fetch(BASE + path, init);
    opts.onHeaders?.(res.headers);
    if (opts.blob && res.ok) {
      // The answer has begun: a long download (a year's ledger) takes as long as it takes; the
      // person sees its progress and may cancel it (signal), so no timeout cuts it off.
      window.clearTimeout(timer);
      return (await res.blob()) as T;
    }
  } catch {
    if (opts.signal?.aborted) throw new ApiError(0, 'Aborted', '已取消');
    throw new ApiError(0, 'Network', '网络异常，请检查网络后重试');
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
    window.clearTimeout(timer);
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data ?? {}) as { error?: string; message?: string | string[]; field?: string };
    const message = Array.isArray(err.message) ? err.message.join('；') : (err.message ?? res.statusText);
    if (res.status === 401 && opts.auth !== false) {
      // The access token was refused: renew once and try again, else back to sign-in.
      const stale = loadSession();
      const renewed = !retried && stale ? await renewSession(stale) : null;
      if (renewed && !opts.form) return request<T>(method, path, opts, true);
      clearSession();
      onUnauthorized();
    }
    throw new ApiError(res.status, err.error ?? String(res.status), message, err.field);
  }
  return data as T;
}

/** For feature modules that keep their own typed calls (admin-api.ts). */
export { request as apiRequest };

/** Chinese names of the fields the API names in a 400, so "填写有误" says which box. */
const FIELD: Record<string, string> = {
  file: '附件 ',
  reason: '理由 ',
  basis: '依据 ',
  comment: '意见 ',
  content: '内容 ',
  days: '延期天数 ',
  handledAt: '办理时间 ',
  handler: '经办人 ',
  satisfaction: '满意度 ',
  assignments: '承办单位 ',
  replyDeadline: '最晚回复时间 ',
  upstreamDeadline: '上级期限 ',
  occurredAt: '发生时间 ',
  subject: '主题 ',
  source: '来源 ',
  category: '事项类型 ',
};
const fieldLabel = (field: string | undefined) => (field ? (FIELD[field] ?? `${field} `) : '');

/** What a person sees when someone else's change won (409 CONFLICT); the page is refreshed. */
export const CONFLICT_TEXT = '该工单已被他人处理，已刷新';

/**
 * Whether a failed call may have been carried out all the same (no answer, or a server error):
 * then a retry keeps its Idempotency-Key, so the server answers from the first one's record.
 */
export function outcomeUnknown(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 0 || e.status >= 500);
}

/** A message a person can act on, for any failed call. */
export function describeError(e: unknown): string {
  if (!(e instanceof ApiError)) return '操作失败，请稍后重试';
  // 16.5: DingTalk refused us for a reason only the admin can fix: the server says which.
  if (e.code === 'DINGTALK_MISCONFIGURED') return e.message;
  switch (e.status) {
    case 0:
      return e.message;
    case 400: {
      // The server's Chinese message often names the field already (请填写退回理由。): no label twice.
      const label = fieldLabel(e.field);
      // A shape check names the field first (`days：不能大于 3`): put its Chinese label there.
      if (e.field && e.message.startsWith(`${e.field}：`)) {
        return `填写有误：${label.trim() || e.field}：${e.message.slice(e.field.length + 1)}`;
      }
      return `填写有误：${label && !e.message.includes(label.trim()) ? label : ''}${e.message}`;
    }
    case 401:
      return '登录已过期，请重新登录';
    case 403:
      return '您没有权限执行此操作';
    case 404:
      return '工单不存在或您无权查看';
    case 409:
      // CONFLICT: another person's change won the race. INVALID_STATE: the rule that stopped the
      // person (e.g. the 24 h return window, R-11), in the server's words.
      return e.code === 'CONFLICT' ? CONFLICT_TEXT : e.message;
    case 413:
      return '文件或内容太大';
    case 429:
      return '操作太频繁，请稍后再试';
    default:
      return `服务器出错（${e.status}），请稍后重试`;
  }
}

export type ListQuery = Partial<
  Record<'status' | 'source' | 'category' | 'unit' | 'light' | 'sort' | 'q' | 'from' | 'to' | 'cursor', string>
> & { limit?: number };

function query(q: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const api = {
  devSignIn: (userid: string) =>
    request<Session>('POST', '/api/auth/dev', { body: { userid } satisfies DevSignInDto, auth: false }),
  dingtalkSignIn: (code: string) =>
    request<Session>('POST', '/api/auth/dingtalk', { body: { code } satisfies DingTalkSignInDto, auth: false }),
  dingtalkCorp: () => request<{ corpId: string }>('GET', '/api/auth/dingtalk/corp', { auth: false }),
  me: () => request<User>('GET', '/api/me'),
  units: () => request<Unit[]>('GET', '/api/units'),
  sources: () => request<Source[]>('GET', '/api/sources'),
  categories: () => request<Category[]>('GET', '/api/categories'),
  /** `actions`: only these (a tab); `cursor`: the previous page's nextCursor. */
  inboxPage: (q: { limit?: number; cursor?: string; actions?: readonly ActionName[] }) =>
    request<InboxPage>(
      'GET',
      `/api/inbox/page${query({ limit: q.limit, cursor: q.cursor, actions: q.actions?.join(',') })}`,
    ),
  tickets: (q: ListQuery) => request<TicketPage>('GET', `/api/tickets${query(q)}`),
  ticket: (id: string) => request<Ticket>('GET', `/api/tickets/${encodeURIComponent(id)}`),
  createTicket: (body: CreateTicketDto, idempotencyKey: string) =>
    request<Ticket>('POST', '/api/tickets', { body, idempotencyKey }),
  /** `version`: the ticket's version as the person saw it; another person's change since is a 409. */
  act: (id: string, action: ActionName, body: unknown, idempotencyKey: string, version: number) =>
    request<Ticket>('POST', `/api/tickets/${encodeURIComponent(id)}/actions/${action}`, {
      body,
      idempotencyKey,
      ifMatchVersion: version,
    }),
  attachments: (ticketId: string) =>
    request<Attachment[]>('GET', `/api/tickets/${encodeURIComponent(ticketId)}/attachments`),
  uploadAttachment: (ticketId: string, file: Blob, fileName: string, assignmentId?: string) => {
    const form = new FormData();
    form.append('file', file, fileName);
    return request<Attachment>('POST', attachmentUploadPath(ticketId, assignmentId), { form });
  },
  /** The file's bytes (thumbnails and downloads go through here: the API wants the bearer token). */
  attachmentBlob: (url: string) => request<Blob>('GET', url, { blob: true }),
  revealCaller: (id: string, reason: string) =>
    request<RevealedCaller>('POST', `/api/tickets/${encodeURIComponent(id)}/caller/reveal`, {
      body: { reason } satisfies RevealDto,
    }),
  jsapiConfig: (url: string) => request<JsapiConfig>('GET', `/api/dingtalk/jsapi-config${query({ url })}`),
};

export function attachmentUploadPath(ticketId: string, assignmentId?: string): string {
  return `/api/tickets/${encodeURIComponent(ticketId)}/attachments${query({ assignment: assignmentId })}`;
}

/** Absolute URL of an API path (DingTalk's native uploader needs one). */
export function absoluteApiUrl(path: string): string {
  return new URL(BASE + path, window.location.href).toString();
}
