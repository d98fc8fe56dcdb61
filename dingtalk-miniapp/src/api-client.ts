// HTTP client for the Hotline Desk API: bearer token, JSON errors, idempotency keys, timeouts.
import { clearSession, loadSession } from './session';
import type { ActionName, Category, InboxItem, Session, Source, Ticket, TicketPage, Unit, User } from './types';

/** Same origin by default (the API serves the built app); VITE_API_BASE overrides at build time. */
const BASE: string = (import.meta.env.VITE_API_BASE as string | undefined) ?? '';
const TIMEOUT_MS = 20_000;

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
  idempotencyKey?: string;
  auth?: boolean;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  if (opts.auth !== false) {
    const session = loadSession();
    if (!session) {
      onUnauthorized();
      throw new ApiError(401, 'Unauthorized', '登录已过期，请重新登录');
    }
    headers.Authorization = `Bearer ${session.token}`;
  }
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: controller.signal,
    });
  } catch {
    throw new ApiError(0, 'Network', '网络异常，请检查网络后重试');
  } finally {
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
      clearSession();
      onUnauthorized();
    }
    throw new ApiError(res.status, err.error ?? String(res.status), message, err.field);
  }
  return data as T;
}

/** A message a person can act on, for any failed call. */
export function describeError(e: unknown): string {
  if (!(e instanceof ApiError)) return '操作失败，请稍后重试';
  switch (e.status) {
    case 0:
      return e.message;
    case 400:
      return `填写有误：${e.field ? `${e.field} ` : ''}${e.message}`;
    case 401:
      return '登录已过期，请重新登录';
    case 403:
      return '您没有权限执行此操作';
    case 404:
      return '工单不存在或您无权查看';
    case 409:
      return '该工单已被他人处理，已刷新';
    case 429:
      return '操作太频繁，请稍后再试';
    default:
      return `服务器出错（${e.status}），请稍后重试`;
  }
}

export type ListQuery = Partial<
  Record<'status' | 'source' | 'category' | 'unit' | 'q' | 'from' | 'to' | 'cursor', string>
> & { limit?: number };

function query(q: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const api = {
  devSignIn: (userid: string) => request<Session>('POST', '/api/auth/dev', { body: { userid }, auth: false }),
  dingtalkSignIn: (code: string) => request<Session>('POST', '/api/auth/dingtalk', { body: { code }, auth: false }),
  me: () => request<User>('GET', '/api/me'),
  units: () => request<Unit[]>('GET', '/api/units'),
  sources: () => request<Source[]>('GET', '/api/sources'),
  categories: () => request<Category[]>('GET', '/api/categories'),
  inbox: (limit = 200) => request<InboxItem[]>('GET', `/api/inbox${query({ limit })}`),
  tickets: (q: ListQuery) => request<TicketPage>('GET', `/api/tickets${query(q)}`),
  ticket: (id: string) => request<Ticket>('GET', `/api/tickets/${encodeURIComponent(id)}`),
  createTicket: (body: unknown, idempotencyKey: string) =>
    request<Ticket>('POST', '/api/tickets', { body, idempotencyKey }),
  act: (id: string, action: ActionName, body: unknown, idempotencyKey: string) =>
    request<Ticket>('POST', `/api/tickets/${encodeURIComponent(id)}/actions/${action}`, { body, idempotencyKey }),
};
