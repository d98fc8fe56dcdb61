// A small typed DingTalk client: token cache, typed errors, retries, a per-API limiter and a
// call counter. No business rules: callers decide what to send and to whom.
import axios, { type AxiosInstance } from 'axios';
import {
  DingTalkApiError,
  DingTalkNetworkError,
  classifyApiError,
  classifyOapiError,
  type DingTalkError,
} from './dingtalk.errors';
import type {
  CreateTodoRequest,
  DingTalkClientOptions,
  DingTalkDepartment,
  DingTalkFamily,
  DingTalkUser,
  CreateJsapiTicketResponse,
  GetTokenResponse,
  ListUsersRequest,
  OAuth2AccessTokenResponse,
  OapiEnvelope,
  SendProgress,
  SendResult,
  SendWorkNoticeRequest,
  SendWorkNoticeResult,
  TodoCard,
  TodoQueryPage,
  TodoTask,
  UpdateTodoRequest,
  UserInfoByCode,
  UserListPage,
} from './dingtalk.types';
import {
  BudgetRateLimiter,
  DingTalkCallCounter,
  InProcessCallBudget,
  countsAgainstQuota,
  type DingTalkCallBudget,
} from './rate-limiter';
import { shanghaiMonthKey } from '@hotline/calendar';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface CallSpec {
  family: DingTalkFamily;
  method: HttpMethod;
  /** The concrete path, e.g. `/v1.0/todo/users/abc/tasks`. */
  path: string;
  /** The API key for the limiter and the counter: method + path template. */
  api: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Attach the family's access token (query `access_token` or header `x-acs-dingtalk-access-token`). */
  withToken: boolean;
}

interface Expiring {
  value: string;
  expiresInSeconds: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_RATE = { perSecond: 16, burst: 3 };
// ref §2.3: the official doc suggests caching a bit below 7200 s; refresh 5 minutes early.
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
// ref §8: the QPS window is one second, so rate-limit retries start at about a second.
const RATE_LIMIT_BASE_DELAY_MS = 1000;
const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 10_000;
// ref §3.3: user/list pages hold at most 100.
const USER_LIST_MAX_SIZE = 100;

/**
 * A value (token or ticket) cached until shortly before it expires. Concurrent callers share one
 * fetch in flight; `invalidate` only drops the value that was found bad, so a late error from an
 * old token never throws away a fresh one.
 */
class ExpiringValueCache {
  private cached: { value: string; refreshAt: number } | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(
    private readonly fetchValue: () => Promise<Expiring>,
    private readonly now: () => number,
  ) {}

  get(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    if (!this.inFlight) {
      const startedAt = this.now();
      this.inFlight = this.fetchValue()
        .then((fresh) => {
          const lifetimeMs = fresh.expiresInSeconds * 1000;
          const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
          this.cached = { value: fresh.value, refreshAt: startedAt + lifetimeMs - margin };
          return fresh.value;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  invalidate(stale: string): void {
    if (this.cached?.value === stale) this.cached = undefined;
  }
}

export class DingTalkClient {
  /** Every HTTP request sent, per month (Asia/Shanghai) and API. */
  readonly calls = new DingTalkCallCounter();
  readonly agentId: string;
  readonly corpId: string;

  private readonly http: AxiosInstance;
  private readonly maxRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly limiter: BudgetRateLimiter;
  private readonly budget: DingTalkCallBudget;
  private readonly tokens: Record<DingTalkFamily, ExpiringValueCache>;
  private readonly jsapiTicket: ExpiringValueCache;

  constructor(private readonly options: DingTalkClientOptions) {
    this.agentId = options.agentId;
    this.corpId = options.corpId;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    const rate = options.rateLimit ?? DEFAULT_RATE;
    // 16.4: one budget for the deployment when the caller passes a shared one; else this process's own.
    this.budget = options.budget ?? new InProcessCallBudget();
    this.limiter = new BudgetRateLimiter(this.budget, rate, this.now, this.sleep);
    this.http = axios.create({
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      // We read both envelopes ourselves (ref §1): never let axios throw on a status.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
    });
    // ref §2.3: whether one family's token works on the other is not documented; fetch each with its own endpoint.
    this.tokens = {
      oapi: new ExpiringValueCache(() => this.requestLegacyToken(), this.now),
      api: new ExpiringValueCache(() => this.requestOAuth2Token(), this.now),
    };
    this.jsapiTicket = new ExpiringValueCache(() => this.requestJsapiTicket(), this.now);
  }

  // ---- tokens (ref §2) ---------------------------------------------------------------------

  /** The cached access token of one family, fetched when missing or about to expire. */
  getAccessToken(family: DingTalkFamily = 'oapi'): Promise<string> {
    return this.tokens[family].get();
  }

  /** ref §2.1: `GET /gettoken?appkey&appsecret`, uncached. */
  private async requestLegacyToken(): Promise<Expiring> {
    const res = await this.call<GetTokenResponse>({
      family: 'oapi',
      method: 'GET',
      path: '/gettoken',
      api: 'GET /gettoken',
      query: { appkey: this.options.appKey, appsecret: this.options.appSecret },
      withToken: false,
    });
    return { value: res.access_token, expiresInSeconds: res.expires_in };
  }

  /** ref §2.2: `POST /v1.0/oauth2/accessToken`, uncached. */
  private async requestOAuth2Token(): Promise<Expiring> {
    const res = await this.call<OAuth2AccessTokenResponse>({
      family: 'api',
      method: 'POST',
      path: '/v1.0/oauth2/accessToken',
      api: 'POST /v1.0/oauth2/accessToken',
      body: { appKey: this.options.appKey, appSecret: this.options.appSecret },
      withToken: false,
    });
    return { value: res.accessToken, expiresInSeconds: res.expireIn };
  }

  // ---- login-free and directory (ref §3) ---------------------------------------------------

  /** ref §3.2: exchanges a one-shot auth code (valid 5 minutes) for the user's ids. */
  async getUserInfoByCode(code: string): Promise<UserInfoByCode> {
    const res = await this.topapi<{ result: UserInfoByCode }>('/topapi/v2/user/getuserinfo', { code });
    return res.result;
  }

  /** ref §3.3: `topapi/v2/user/get`; unknown user → DingTalkApiError code 60121. */
  async getUser(userid: string, language?: 'zh_CN' | 'en_US'): Promise<DingTalkUser> {
    const res = await this.topapi<{ result: DingTalkUser }>('/topapi/v2/user/get', {
      userid,
      ...(language ? { language } : {}),
    });
    return res.result;
  }

  /** ref §3.3: one page of a department's direct members. */
  async listUsers(req: ListUsersRequest): Promise<UserListPage> {
    const body: Record<string, unknown> = {
      dept_id: req.deptId,
      cursor: req.cursor ?? 0,
      size: req.size ?? USER_LIST_MAX_SIZE,
    };
    if (req.orderField) body.order_field = req.orderField;
    if (req.containAccessLimit !== undefined) body.contain_access_limit = req.containAccessLimit;
    if (req.language) body.language = req.language;
    const res = await this.topapi<{ result: UserListPage }>('/topapi/v2/user/list', body);
    return res.result;
  }

  /** All direct members of a department, following `next_cursor`. */
  async listAllUsers(deptId: number): Promise<DingTalkUser[]> {
    const users: DingTalkUser[] = [];
    let cursor = 0;
    for (;;) {
      const page = await this.listUsers({ deptId, cursor, size: USER_LIST_MAX_SIZE });
      users.push(...page.list);
      if (!page.has_more || page.next_cursor === undefined) return users;
      cursor = page.next_cursor;
    }
  }

  /** ref §3.3: the direct sub-departments (one level) of `deptId` (root = 1). */
  async listSubDepartments(deptId = 1): Promise<DingTalkDepartment[]> {
    const res = await this.topapi<{ result: DingTalkDepartment[] }>('/topapi/v2/department/listsub', {
      dept_id: deptId,
    });
    return res.result;
  }

  // ---- work notices (ref §5) ---------------------------------------------------------------

  /**
   * ref §5.1: queues a work notice and returns its task id. Success does not mean delivery:
   * DingTalk drops some silently (ref §5.2), see getSendResult.
   */
  async sendWorkNotice(req: SendWorkNoticeRequest): Promise<SendWorkNoticeResult> {
    const body: Record<string, unknown> = { agent_id: this.agentIdForBody(), msg: req.msg };
    if (req.useridList && req.useridList.length > 0) body.userid_list = req.useridList.join(',');
    if (req.deptIdList && req.deptIdList.length > 0) body.dept_id_list = req.deptIdList.join(',');
    if (req.toAllUser !== undefined) body.to_all_user = req.toAllUser;
    const res = await this.topapi<{ task_id: number }>('/topapi/message/corpconversation/asyncsend_v2', body);
    return { taskId: res.task_id, requestId: res.request_id };
  }

  /** ref §5.4: progress of a send task. */
  async getSendProgress(taskId: number): Promise<SendProgress> {
    const res = await this.topapi<{ progress: SendProgress }>('/topapi/message/corpconversation/getsendprogress', {
      agent_id: this.agentIdForBody(),
      task_id: taskId,
    });
    return res.progress;
  }

  /** ref §5.4: who got it, who did not (forbidden_list holds the silent drops); tasks ≤ 24 h old. */
  async getSendResult(taskId: number): Promise<SendResult> {
    const res = await this.topapi<{ send_result: SendResult }>('/topapi/message/corpconversation/getsendresult', {
      agent_id: this.agentIdForBody(),
      task_id: taskId,
    });
    return res.send_result;
  }

  /**
   * The send result once DingTalk has finished sending (16.3): getsendprogress until status 2,
   * pausing `pauseMs` between polls, then getsendresult. Undefined while still sending after
   * `maxPolls`: a result read earlier would list nobody (delivery is asynchronous, ref §5.1).
   */
  async getCompletedSendResult(taskId: number, maxPolls = 3, pauseMs = 1000): Promise<SendResult | undefined> {
    for (let poll = 0; poll < maxPolls; poll++) {
      if (poll > 0) await this.sleep(pauseMs);
      const progress = await this.getSendProgress(taskId);
      if (progress.status === 2) return this.getSendResult(taskId);
    }
    return undefined;
  }

  /** ref §5.4: recalls a notice (≤ 24 h); note the field is `msg_task_id`. */
  async recallWorkNotice(taskId: number): Promise<void> {
    await this.topapi<OapiEnvelope>('/topapi/message/corpconversation/recall', {
      agent_id: this.agentIdForBody(),
      msg_task_id: taskId,
    });
  }

  // ---- to-dos (ref §6): every id is a unionId -------------------------------------------------

  /** ref §6: `POST /v1.0/todo/users/{unionId}/tasks?operatorId=`; `unionId` is the creator. */
  createTodo(unionId: string, req: CreateTodoRequest, operatorId: string = unionId): Promise<TodoTask> {
    return this.call<TodoTask>({
      family: 'api',
      method: 'POST',
      path: `/v1.0/todo/users/${encodeURIComponent(unionId)}/tasks`,
      api: 'POST /v1.0/todo/users/{unionId}/tasks',
      query: { operatorId },
      body: req,
      withToken: true,
    });
  }

  /** ref §6: `PUT /v1.0/todo/users/{unionId}/tasks/{taskId}?operatorId=`. */
  async updateTodo(
    unionId: string,
    taskId: string,
    req: UpdateTodoRequest,
    operatorId: string = unionId,
  ): Promise<void> {
    await this.call<unknown>({
      family: 'api',
      method: 'PUT',
      path: `/v1.0/todo/users/${encodeURIComponent(unionId)}/tasks/${encodeURIComponent(taskId)}`,
      api: 'PUT /v1.0/todo/users/{unionId}/tasks/{taskId}',
      query: { operatorId },
      body: req,
      withToken: true,
    });
  }

  /** Marks a to-do done (an update with `done: true`, ref §6). */
  completeTodo(unionId: string, taskId: string, operatorId: string = unionId): Promise<void> {
    return this.updateTodo(unionId, taskId, { done: true }, operatorId);
  }

  /** ref §6: `DELETE /v1.0/todo/users/{unionId}/tasks/{taskId}?operatorId=`. */
  async deleteTodo(unionId: string, taskId: string, operatorId: string = unionId): Promise<void> {
    await this.call<unknown>({
      family: 'api',
      method: 'DELETE',
      path: `/v1.0/todo/users/${encodeURIComponent(unionId)}/tasks/${encodeURIComponent(taskId)}`,
      api: 'DELETE /v1.0/todo/users/{unionId}/tasks/{taskId}',
      query: { operatorId },
      withToken: true,
    });
  }

  /** ref §6: `GET /v1.0/todo/users/{unionId}/tasks/{taskId}`; a deleted task is an HTTP 400. */
  getTodo(unionId: string, taskId: string): Promise<TodoTask> {
    return this.call<TodoTask>({
      family: 'api',
      method: 'GET',
      path: `/v1.0/todo/users/${encodeURIComponent(unionId)}/tasks/${encodeURIComponent(taskId)}`,
      api: 'GET /v1.0/todo/users/{unionId}/tasks/{taskId}',
      withToken: true,
    });
  }

  /**
   * ref §6: `POST /v1.0/todo/users/{unionId}/org/tasks/query`, one page of a person's to-dos.
   * Used to find a to-do by our sourceId after a crash between creating and recording it.
   */
  queryTodos(unionId: string, req: { isDone?: boolean; nextToken?: string } = {}): Promise<TodoQueryPage> {
    return this.call<TodoQueryPage>({
      family: 'api',
      method: 'POST',
      path: `/v1.0/todo/users/${encodeURIComponent(unionId)}/org/tasks/query`,
      api: 'POST /v1.0/todo/users/{unionId}/org/tasks/query',
      body: req,
      withToken: true,
    });
  }

  /** Walks the open to-dos of a person for the one with this sourceId (bounded: 10 pages). */
  async findOpenTodoBySourceId(unionId: string, sourceId: string): Promise<TodoCard | undefined> {
    let nextToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await this.queryTodos(unionId, { isDone: false, ...(nextToken ? { nextToken } : {}) });
      const hit = (res.todoCards ?? []).find((c) => c.sourceId === sourceId);
      if (hit) return hit;
      if (!res.nextToken) return undefined;
      nextToken = res.nextToken;
    }
    return undefined;
  }

  // ---- JSAPI (ref §4) --------------------------------------------------------------------------

  /**
   * ref §4, §S16: the jsapi ticket from the current `POST /v1.0/oauth2/jsapiTickets` (new family,
   * header token, no body), cached for its lifetime (2 h). The legacy `get_jsapi_ticket` is archived.
   */
  getJsapiTicket(): Promise<string> {
    return this.jsapiTicket.get();
  }

  private async requestJsapiTicket(): Promise<Expiring> {
    const res = await this.call<CreateJsapiTicketResponse>({
      family: 'api',
      method: 'POST',
      path: '/v1.0/oauth2/jsapiTickets',
      api: 'POST /v1.0/oauth2/jsapiTickets',
      withToken: true,
    });
    return { value: res.jsapiTicket, expiresInSeconds: res.expireIn };
  }

  // ---- the machinery ---------------------------------------------------------------------------

  private topapi<T>(path: string, body: Record<string, unknown>): Promise<T & OapiEnvelope> {
    return this.call<T & OapiEnvelope>({
      family: 'oapi',
      method: 'POST',
      path,
      api: `POST ${path}`,
      body,
      withToken: true,
    });
  }

  /** ref §5.1: agent_id is a Long. */
  private agentIdForBody(): number | string {
    return /^\d+$/.test(this.options.agentId) ? Number(this.options.agentId) : this.options.agentId;
  }

  /**
   * Sends one logical call: refreshes the token once on a token error (ref §2.4), and retries
   * rate limits, busy, 5xx and network errors with exponential backoff and jitter (ref §8).
   * Other refusals (permissions, bad parameters) are thrown at once.
   */
  private async call<T>(spec: CallSpec): Promise<T> {
    let retries = 0;
    let refreshedToken = false;
    for (;;) {
      const token = spec.withToken ? await this.tokens[spec.family].get() : undefined;
      try {
        return await this.sendOnce<T>(spec, token);
      } catch (err) {
        if (!(err instanceof DingTalkApiError || err instanceof DingTalkNetworkError)) throw err;
        if (token !== undefined && err instanceof DingTalkApiError && err.kind === 'token_invalid' && !refreshedToken) {
          refreshedToken = true;
          this.tokens[spec.family].invalidate(token);
          continue;
        }
        if (!this.isRetriedHere(err) || retries >= this.maxRetries) throw err;
        await this.sleep(this.backoffMs(retries, err));
        retries += 1;
      }
    }
  }

  /**
   * The IP ban lasts minutes (ref §8): a short backoff cannot outwait it, so it is left to the
   * caller. A token error is refreshed once above; one that persists is left to the caller too.
   */
  private isRetriedHere(err: DingTalkError): boolean {
    if (err instanceof DingTalkNetworkError) return true;
    return err.retryable && err.kind !== 'ip_blocked' && err.kind !== 'token_invalid';
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  private backoffMs(retry: number, err: DingTalkError): number {
    const base =
      err instanceof DingTalkApiError && err.kind === 'rate_limited' ? RATE_LIMIT_BASE_DELAY_MS : BASE_DELAY_MS;
    const ceiling = Math.min(MAX_DELAY_MS, base * 2 ** retry);
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  private async sendOnce<T>(spec: CallSpec, token: string | undefined): Promise<T> {
    const month = shanghaiMonthKey((this.options.monthClock ?? this.now)());
    await this.takeQuota(spec, month);
    await this.limiter.acquire(spec.api);
    const baseUrl = spec.family === 'oapi' ? this.options.oapiBaseUrl : this.options.apiBaseUrl;
    const params: Record<string, string> = { ...spec.query };
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token !== undefined) {
      // ref §1: oapi reads the token from the query, api only from this header.
      if (spec.family === 'oapi') params.access_token = token;
      else headers['x-acs-dingtalk-access-token'] = token;
    }
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';

    this.calls.record(spec.api, month);
    this.options.onCall?.(spec.api, month);

    let response;
    try {
      response = await this.http.request<string>({
        method: spec.method,
        url: baseUrl.replace(/\/+$/, '') + spec.path,
        params,
        headers,
        data: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      });
    } catch (err) {
      const code = axios.isAxiosError(err) ? (err.code ?? 'ERR_NETWORK') : 'ERR_NETWORK';
      const message = err instanceof Error ? err.message : String(err);
      throw new DingTalkNetworkError(spec.family, spec.api, code, `${spec.api}: ${message}`, { cause: err });
    }

    const status = response.status;
    const text = typeof response.data === 'string' ? response.data : '';
    const headerRequestId = headerValue(response.headers['x-acs-request-id']);
    const parsed = parseJson(text);

    if (status >= 500) {
      const body = isRecord(parsed) ? parsed : {};
      throw new DingTalkApiError({
        family: spec.family,
        api: spec.api,
        httpStatus: status,
        code: stringField(body, 'code') ?? numberField(body, 'errcode') ?? `HTTP_${status}`,
        message: stringField(body, 'message') ?? stringField(body, 'errmsg') ?? `HTTP ${status}`,
        requestId: stringField(body, 'requestid') ?? stringField(body, 'request_id') ?? headerRequestId,
        kind: 'server_error',
      });
    }
    if (!isRecord(parsed)) {
      if (spec.family === 'api' && status >= 200 && status < 300 && text.trim() === '') return undefined as T;
      throw new DingTalkApiError({
        family: spec.family,
        api: spec.api,
        httpStatus: status,
        code: 'NON_JSON_RESPONSE',
        message: `${spec.api}: HTTP ${status} with a body that is not a JSON object`,
        requestId: headerRequestId,
        kind: 'other',
      });
    }
    // ref §8: the per-IP ban answers {"status":1111,"wait":5,"source":"x5","punish":"deny"} on either host.
    if (parsed.status === 1111 && parsed.punish !== undefined) {
      throw new DingTalkApiError({
        family: spec.family,
        api: spec.api,
        httpStatus: status,
        code: 1111,
        message: `${spec.api}: the IP address is blocked for a while (status 1111)`,
        requestId: headerRequestId,
        kind: 'ip_blocked',
      });
    }
    return spec.family === 'oapi'
      ? this.readOapi<T>(spec, status, parsed, headerRequestId)
      : this.readApi<T>(spec, status, parsed, headerRequestId);
  }

  /**
   * 16.4, ref §8: a counted call past the month's quota is not sent. It fails the way DingTalk's
   * own refusal does (90020 / ApiCountLimitForOrg, kind `quota_exceeded`, not retryable), so
   * callers need no second path; the outbox marks the row failed and the admin can retry it.
   */
  private async takeQuota(spec: CallSpec, month: string): Promise<void> {
    const quota = this.options.monthlyQuota;
    if (quota === undefined || !countsAgainstQuota(spec.api)) return;
    if (await this.budget.takeQuota(month, quota)) return;
    const message = `本月（${month}）的钉钉接口调用额度 ${quota} 次已用完，本次调用未发出`;
    throw new DingTalkApiError(
      spec.family === 'oapi'
        ? {
            family: 'oapi',
            api: spec.api,
            httpStatus: 200,
            code: 88,
            subCode: '90020',
            message,
            kind: 'quota_exceeded',
          }
        : {
            family: 'api',
            api: spec.api,
            httpStatus: 403,
            code: 'Forbidden.AccessDenied.ApiCountLimitForOrg',
            message,
            kind: 'quota_exceeded',
          },
    );
  }

  /** ref §1, §2.4: HTTP 200 with errcode 0, or a non-zero errcode (88 wraps the real reason in sub_code). */
  private readOapi<T>(spec: CallSpec, status: number, body: Record<string, unknown>, headerRequestId?: string): T {
    const errcode = Number(body.errcode ?? 0);
    if (status >= 200 && status < 300 && errcode === 0) return body as T;
    const subCode = body.sub_code === undefined || body.sub_code === null ? undefined : String(body.sub_code);
    throw new DingTalkApiError({
      family: 'oapi',
      api: spec.api,
      httpStatus: status,
      code: Number.isFinite(errcode) ? errcode : String(body.errcode),
      message: stringField(body, 'errmsg') ?? stringField(body, 'sub_msg') ?? `errcode ${String(body.errcode)}`,
      subCode,
      requestId: stringField(body, 'request_id') ?? headerRequestId,
      kind: errcode === 0 ? 'other' : classifyOapiError(errcode, subCode),
    });
  }

  /** ref §1, §11.3: 2xx with the payload, or 4xx with {code, message, requestid}. */
  private readApi<T>(spec: CallSpec, status: number, body: Record<string, unknown>, headerRequestId?: string): T {
    if (status >= 200 && status < 300) return body as T;
    const code = stringField(body, 'code') ?? `HTTP_${status}`;
    throw new DingTalkApiError({
      family: 'api',
      api: spec.api,
      httpStatus: status,
      code,
      message: stringField(body, 'message') ?? `HTTP ${status}`,
      requestId: stringField(body, 'requestid') ?? stringField(body, 'requestId') ?? headerRequestId,
      kind: classifyApiError(status, code),
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function numberField(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  return typeof v === 'number' ? v : undefined;
}

function headerValue(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
