// Request parsing and DingTalk's two answer envelopes (ref §1, §11.3).
import type { IncomingHttpHeaders } from 'node:http';
import { newRequestIdApi, newRequestIdOapi } from './sim-state';

export interface SimRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Path parameters of the matched route. */
  params: Record<string, string>;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The JSON body of a request: an object, `{}` when empty, or `invalid` when it does not parse. */
export type ParsedBody = { ok: true; value: Record<string, unknown> } | { ok: false };

export function parseBody(req: SimRequest): ParsedBody {
  const text = req.rawBody.trim();
  if (text === '') return { ok: true, value: {} };
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  // ref §1: legacy calls may also come as a form (the old TOP style).
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false };
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false };
  }
}

// ---- oapi (ref §11.3: always HTTP 200, JSON with errcode) -------------------------------------------

export function oapiOk(payload: Record<string, unknown> = {}): SimResponse {
  return oapiJson({ errcode: 0, errmsg: 'ok', ...payload, request_id: newRequestIdOapi() });
}

/** A flat oapi error, e.g. `{errcode: 40078, errmsg: "不存在的临时授权码"}`. */
export function oapiError(errcode: number, errmsg: string): SimResponse {
  return oapiJson({ errcode, errmsg, request_id: newRequestIdOapi() });
}

/** ref §2.4: topapi wraps auth, permission and throttling failures in errcode 88 with a string sub_code. */
export function oapiWrapped(subCode: string, subMsg: string): SimResponse {
  return oapiJson({
    errcode: 88,
    sub_code: subCode,
    sub_msg: subMsg,
    errmsg: `ding talk error[subcode=${subCode},submsg=${subMsg}]`,
    request_id: newRequestIdOapi(),
  });
}

/** The flat variant some logs show for token errors (ref §2.4): errcode = the sub code, same message. */
export function oapiFlatWrapped(subCode: string, subMsg: string): SimResponse {
  return oapiJson({
    errcode: Number(subCode),
    errmsg: `ding talk error[subcode=${subCode},submsg=${subMsg}]`,
    request_id: newRequestIdOapi(),
  });
}

export function oapiJson(body: Record<string, unknown>): SimResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json;charset=UTF-8' },
    body: JSON.stringify(body),
  };
}

// ---- api (ref §11.3: HTTP status + {code, message, requestid}) ---------------------------------------

export function apiOk(payload: unknown, status = 200): SimResponse {
  const requestId = newRequestIdApi();
  return {
    status,
    headers: { 'Content-Type': 'application/json;charset=UTF-8', 'x-acs-request-id': requestId },
    body: JSON.stringify(payload),
  };
}

export function apiError(status: number, code: string, message: string): SimResponse {
  const requestid = newRequestIdApi();
  return {
    status,
    headers: { 'Content-Type': 'application/json;charset=UTF-8', 'x-acs-request-id': requestid },
    body: JSON.stringify({ requestid, code, message }),
  };
}

// ---- the simulator's own endpoints ---------------------------------------------------------------------

export function plainJson(status: number, body: unknown): SimResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

export function html(status: number, body: string): SimResponse {
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body };
}

// ---- small readers for DingTalk's loose parameter types ----------------------------------------------------

/** A present, non-empty parameter (DingTalk treats "" as missing). */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A whole number given as a number or a numeric string, else undefined. */
export function asInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}
