// Typed errors for both DingTalk envelopes (ref §1, §2.4, §8, §11.3).
import type { DingTalkFamily } from './dingtalk.types';

/**
 * What kind of failure DingTalk reported, so callers can decide without knowing codes:
 * - token_invalid: the access token is unknown or expired (the client refreshes once by itself;
 *   one that persists after the refresh is left to the caller's backoff, never final)
 * - rate_limited: 90018 / 90002 or HTTP 403 QpsLimit… (ref §8), and the to-do API's HTTP 400
 *   `todo.taskCreate.flowControlError` (and the same for update/delete)
 * - busy: errcode -1 "系统繁忙" (ref §8), and the to-do API's HTTP 400 `…lockError`
 * - server_error: HTTP 5xx
 * - ip_blocked: the per-IP ban answer (ref §8), lasts about 5 minutes
 * - quota_exceeded: the monthly call quota (90020 / ApiCountLimitForOrg)
 * - permission_denied: the app lacks a scope (60011 / AccessTokenPermissionDenied): the admin must grant it
 * - ip_not_allowed: the server's IP is not on the app's allow-list (60020): the admin must add it
 * - invalid_credentials: gettoken / accessToken refused the app key or secret
 * - other: any other refusal (bad parameters, unknown user, used auth code…)
 */
export type DingTalkErrorKind =
  | 'token_invalid'
  | 'rate_limited'
  | 'busy'
  | 'server_error'
  | 'ip_blocked'
  | 'quota_exceeded'
  | 'permission_denied'
  | 'ip_not_allowed'
  | 'invalid_credentials'
  | 'other';

/**
 * Kinds that may succeed if the same request is sent again later. A token error is one of them
 * (issue 18.5): DingTalk answers 40014 for a token it has just replaced, so two in a row mean
 * "try again with backoff", not "this notice can never be sent".
 */
const TRANSIENT_KINDS: ReadonlySet<DingTalkErrorKind> = new Set([
  'token_invalid',
  'rate_limited',
  'busy',
  'server_error',
  'ip_blocked',
]);

export interface DingTalkApiErrorInit {
  family: DingTalkFamily;
  api: string;
  httpStatus: number;
  code: number | string;
  message: string;
  subCode?: string;
  requestId?: string;
  kind: DingTalkErrorKind;
}

/** DingTalk answered with an error envelope (or an unusable body). */
export class DingTalkApiError extends Error {
  readonly family: DingTalkFamily;
  /** The API key used by the limiter and the call counter, e.g. `POST /topapi/v2/user/get`. */
  readonly api: string;
  readonly httpStatus: number;
  /** oapi: the numeric errcode; api: the code string (e.g. `InvalidAuthentication`). */
  readonly code: number | string;
  /** ref §2.4: topapi's `sub_code` (a string), when errcode is 88. */
  readonly subCode: string | undefined;
  readonly requestId: string | undefined;
  readonly kind: DingTalkErrorKind;
  /** True when the same request may succeed later (token, rate limit, flow control, busy, 5xx, IP ban). */
  readonly retryable: boolean;

  constructor(init: DingTalkApiErrorInit) {
    super(init.message);
    this.name = 'DingTalkApiError';
    this.family = init.family;
    this.api = init.api;
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.subCode = init.subCode;
    this.requestId = init.requestId;
    this.kind = init.kind;
    this.retryable = TRANSIENT_KINDS.has(init.kind);
  }
}

/** No answer from DingTalk: connection refused or reset, DNS failure, timeout. */
export class DingTalkNetworkError extends Error {
  readonly family: DingTalkFamily;
  readonly api: string;
  /** e.g. ECONNREFUSED, ECONNABORTED (timeout). */
  readonly code: string;
  readonly retryable = true;

  constructor(family: DingTalkFamily, api: string, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DingTalkNetworkError';
    this.family = family;
    this.api = api;
    this.code = code;
  }
}

export type DingTalkError = DingTalkApiError | DingTalkNetworkError;

// ref §2.4: token codes; the Python SDK also refreshes on 40001/42001. 40000 / 41001 = token missing.
const OAPI_TOKEN_CODES = new Set(['40014', '42001', '40001', '41001', '40000']);
// ref §8: per-app-per-API (90018) and global (90002) QPS limits.
const OAPI_RATE_LIMIT_CODES = new Set(['90018', '90002']);
// ref §3.3: 60011 missing scope; 60020 (IP not on the allow-list) is its own kind.
const OAPI_PERMISSION_CODES = new Set(['60011']);

/** Classifies a legacy (oapi) error body: errcode, or its sub_code when errcode is 88 (ref §2.4). */
export function classifyOapiError(errcode: number, subCode: string | undefined): DingTalkErrorKind {
  const effective = errcode === 88 && subCode !== undefined ? subCode : String(errcode);
  if (OAPI_TOKEN_CODES.has(effective)) return 'token_invalid';
  if (OAPI_RATE_LIMIT_CODES.has(effective)) return 'rate_limited';
  if (effective === '-1') return 'busy';
  if (effective === '90020') return 'quota_exceeded';
  if (OAPI_PERMISSION_CODES.has(effective)) return 'permission_denied';
  if (effective === '60020') return 'ip_not_allowed';
  // ref §2.1: gettoken's bad-credentials answer is flat (not wrapped in 88).
  if (effective === '40096' || effective === '40089') return 'invalid_credentials';
  return 'other';
}

/** Classifies a new-family (api) error by HTTP status and code string (ref §2.4, §8, §11.3). */
export function classifyApiError(httpStatus: number, code: string): DingTalkErrorKind {
  if (httpStatus >= 500) return 'server_error';
  if (code === 'InvalidAuthentication') return 'token_invalid';
  if (code === 'invalidClientIdOrSecret') return 'invalid_credentials';
  if (httpStatus === 429 || code.startsWith('Forbidden.AccessDenied.QpsLimit')) return 'rate_limited';
  // 16.1/16.7: the to-do service's flow control (HTTP 400 todo.task<Op>.flowControlError) is a rate
  // limit and its lockError a transient conflict: both pass when sent again later.
  if (/^todo\.task\w*\.flowControlError$/.test(code)) return 'rate_limited';
  if (/^todo\.task\w*\.lockError$/.test(code)) return 'busy';
  if (code === 'Forbidden.AccessDenied.IpNotInWhiteList') return 'ip_not_allowed';
  if (code === 'Forbidden.AccessDenied.ApiCountLimitForOrg') return 'quota_exceeded';
  if (httpStatus === 403 || code === 'unauthorized.client') return 'permission_denied';
  return 'other';
}
