// The local DingTalk: both API families on one port, told apart by path (ref §11): legacy
// `/gettoken`, `/get_jsapi_ticket`, `/topapi/...`; new `/v1.0/...`. Plus `/_sim/...` for tests
// and a demo page at `/`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin-routes';
import { API_ROUTES } from './api-routes';
import { renderDemoPage } from './demo-page';
import { OAPI_ROUTES } from './oapi-routes';
import {
  apiError,
  html,
  oapiError,
  oapiFlatWrapped,
  oapiJson,
  oapiWrapped,
  parseBody,
  plainJson,
  type SimRequest,
  type SimResponse,
} from './sim-http';
import { matchRoute, type SimRoute } from './sim-route';
import { SimState, newRequestIdOapi, type FaultSpec, type TokenCheck } from './sim-state';

export { SIM_APP, SIM_APP_KEY, SIM_APP_SECRET, SIM_AGENT_ID, SIM_CORP_ID } from '@hotline/demo';
export type { SimAppCredentials } from '@hotline/demo';
export { SimState } from './sim-state';
export type { FaultKind, FaultSpec, SimSettings } from './sim-state';
export type { MessageView, TodoView } from './sim-views';

export interface DingTalkSimulatorOptions {
  /** 0 = a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Epoch ms; token and auth-code expiry, "same day" and throttling all use it. */
  now?: () => number;
}

export interface RunningDingTalkSimulator {
  /** Base URL for both families, e.g. http://127.0.0.1:41234 (use it as oapiBaseUrl and apiBaseUrl). */
  url: string;
  port: number;
  state: SimState;
  close(): Promise<void>;
}

const ROUTES: readonly SimRoute[] = [...OAPI_ROUTES, ...API_ROUTES];
const MAX_BODY_BYTES = 1024 * 1024;

export async function startDingTalkSimulator(options: DingTalkSimulatorOptions): Promise<RunningDingTalkSimulator> {
  const state = new SimState(options.now ?? Date.now);
  const host = options.host ?? '127.0.0.1';
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server: Server = createServer((req, res) => {
    void serve(state, delay, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(
  state: SimState,
  delay: (ms: number) => Promise<void>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let answer: SimResponse;
  try {
    const simReq = await readRequest(req);
    answer = simReq ? await dispatch(state, delay, simReq) : plainJson(413, { error: 'body too large' });
  } catch (err) {
    answer = plainJson(500, { error: err instanceof Error ? err.message : String(err) });
  }
  if (res.destroyed) return;
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

function readRequest(req: IncomingMessage): Promise<SimRequest | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (tooLarge) return resolve(undefined);
      const url = new URL(req.url ?? '/', 'http://sim.local');
      resolve({
        method: (req.method ?? 'GET').toUpperCase(),
        pathname: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
        params: {},
      });
    });
  });
}

async function dispatch(state: SimState, delay: (ms: number) => Promise<void>, req: SimRequest): Promise<SimResponse> {
  if (req.pathname === '/' && req.method === 'GET') {
    return html(200, renderDemoPage(state, req.query.get('userid') || undefined));
  }
  if (req.pathname === '/_sim' || req.pathname.startsWith('/_sim/')) {
    return handleAdmin(state, req) ?? plainJson(404, { error: `no simulator endpoint ${req.method} ${req.pathname}` });
  }
  if (req.pathname === '/favicon.ico') return { status: 204, headers: {}, body: '' };

  const family: SimRoute['family'] = req.pathname.startsWith('/v1.0/') ? 'api' : 'oapi';
  const candidates = ROUTES.filter((r) => r.family === family && r.pattern.test(req.pathname));
  if (candidates.length === 0) return unknownApi(family, req.pathname);
  const route = candidates.find((r) => r.method === req.method);
  if (!route) return wrongMethod(family, candidates[0]!);
  req.params = matchRoute(route, req.pathname) ?? {};

  const answer = await answerRoute(state, delay, route, req);
  state.recordCall({
    at: state.now(),
    method: req.method,
    path: req.pathname,
    api: route.api,
    family,
    outcome: outcomeOf(answer),
  });
  return answer;
}

/** Faults, token, throttling, permission, then the handler (ref §11.3, §11.4). */
async function answerRoute(
  state: SimState,
  delay: (ms: number) => Promise<void>,
  route: SimRoute,
  req: SimRequest,
): Promise<SimResponse> {
  const fault = state.takeFault(req.pathname);
  if (fault?.kind === 'delay') await delay(fault.delayMs ?? 0);
  else if (fault && !(fault.afterHandling && (fault.kind === 'busy' || fault.kind === 'server_error'))) {
    return faultAnswer(state, route, fault);
  }

  let appKey: string;
  if (route.token) {
    const check = state.checkToken(tokenOf(route.family, req), route.family);
    if (check.status !== 'ok') return tokenError(state, route.family, check);
    appKey = check.appKey;
  } else {
    appKey = credentialKeyOf(req);
  }
  if (!state.admit(appKey, route.api)) return throttled(route.family, false, state.settings.qpsPerApi);
  if (route.scope && state.settings.deniedScopes.includes(route.scope))
    return permissionDenied(route.family, route.scope);

  const answer = route.handle({ state, req, appKey });
  return fault ? faultAnswer(state, route, fault) : answer;
}

/** ref §1, §11.3: oapi reads `access_token` from the query or a form body only; api only the header. */
function tokenOf(family: SimRoute['family'], req: SimRequest): string | undefined {
  if (family === 'api') {
    const header = req.headers['x-acs-dingtalk-access-token'];
    return typeof header === 'string' ? header : undefined;
  }
  const fromQuery = req.query.get('access_token');
  if (fromQuery !== null) return fromQuery;
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    const parsed = parseBody(req);
    if (parsed.ok && typeof parsed.value.access_token === 'string') return parsed.value.access_token;
  }
  return undefined;
}

/** Who is calling a token endpoint, for throttling: the app key it presents. */
function credentialKeyOf(req: SimRequest): string {
  const fromQuery = req.query.get('appkey');
  if (fromQuery) return fromQuery;
  const parsed = parseBody(req);
  if (parsed.ok && typeof parsed.value.appKey === 'string') return parsed.value.appKey;
  return 'anonymous';
}

function tokenError(
  state: SimState,
  family: SimRoute['family'],
  check: Exclude<TokenCheck, { status: 'ok' }>,
): SimResponse {
  if (family === 'api') {
    // ref §2.4: header missing (token in the query or as Bearer counts as missing) vs bad token.
    if (check.status === 'missing') {
      return apiError(400, 'AuthenticationFailed.MissingParameter', '缺少参数：x-acs-dingtalk-access-token');
    }
    return apiError(400, 'InvalidAuthentication', '不合法的access_token');
  }
  // ref §2.4: topapi wraps token errors in errcode 88 with a string sub_code.
  if (check.status === 'missing') return oapiWrapped('40000', 'access_token is blank');
  const subCode = check.status === 'expired' ? state.settings.expiredTokenSubCode : '40014';
  const subMsg = subCode === '42001' ? 'access_token超时' : '不合法的access_token';
  return state.settings.tokenErrorStyle === 'flat' ? oapiFlatWrapped(subCode, subMsg) : oapiWrapped(subCode, subMsg);
}

/** ref §8, §11.3: 90018 (per app and API) / 90002 (global); HTTP 403 QpsLimit… on the new family. */
function throttled(family: SimRoute['family'], global: boolean, qps: number): SimResponse {
  if (family === 'api') {
    return global
      ? apiError(403, 'Forbidden.AccessDenied.QpsLimitForApi', '当前所有应用调用该接口次数过多，请求被暂时禁用了')
      : apiError(
          403,
          'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
          `当前应用调用该接口的频率超过了限制（每秒${qps}次）`,
        );
  }
  return global
    ? oapiWrapped('90002', '当前所有钉钉应用调用该接口次数过多，请求被暂时禁用了')
    : oapiWrapped('90018', `当前应用调用该接口次数过多，超过了每秒${qps}次的限制，请求被暂时禁用了`);
}

/** ref §3.3, §11.3: 88 + 60011 / HTTP 403 AccessTokenPermissionDenied. */
function permissionDenied(family: SimRoute['family'], scope: string): SimResponse {
  if (family === 'api') {
    return apiError(
      403,
      'Forbidden.AccessDenied.AccessTokenPermissionDenied',
      `没有调用该接口的权限，所需权限：[${scope}]`,
    );
  }
  return oapiWrapped('60011', `应用尚未开通所需的权限：[${scope}]`);
}

function faultAnswer(state: SimState, route: SimRoute, fault: FaultSpec): SimResponse {
  switch (fault.kind) {
    case 'busy':
      // ref §8: -1 系统繁忙. The new family has no documented equivalent: 503 is the simulator's choice.
      return route.family === 'oapi' ? oapiError(-1, '系统繁忙') : apiError(503, 'ServiceUnavailable', '系统繁忙');
    case 'rate_limit':
      return throttled(route.family, fault.global === true, state.settings.qpsPerApi);
    case 'expired_token':
      return tokenError(state, route.family, { status: 'expired', appKey: state.app.appKey });
    case 'permission_denied':
      return permissionDenied(route.family, route.scope ?? 'qyapi_base');
    case 'server_error':
      return route.family === 'oapi'
        ? html(
            502,
            '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
          )
        : apiError(500, 'InternalError', '系统内部错误');
    case 'ip_not_allowed':
      // ref §3.3: the server's IP is not on the app's allow-list: 88 + 60020. The new family's code is UNVERIFIED.
      return route.family === 'oapi'
        ? oapiWrapped('60020', '访问ip不在白名单之中,request ip=203.0.113.7 appKey(' + state.app.appKey + ')')
        : apiError(403, 'Forbidden.AccessDenied.IpNotInWhiteList', '访问ip不在白名单之中');
    case 'todo_flow_control':
    case 'todo_lock': {
      // 16.7: DingTalk's to-do service answers HTTP 400 todo.task<Op>.flowControlError / lockError
      // when it throttles or a task is being changed concurrently; both pass if sent again later.
      if (route.family === 'oapi') return oapiError(-1, '系统繁忙');
      const op = route.template.endsWith('/query')
        ? 'Query'
        : ({ POST: 'Create', PUT: 'Update', DELETE: 'Delete', GET: 'Query' } as const)[route.method];
      return fault.kind === 'todo_flow_control'
        ? apiError(400, `todo.task${op}.flowControlError`, '触发流控，请稍后重试')
        : apiError(400, `todo.task${op}.lockError`, '获取锁失败，请稍后重试');
    }
    case 'delay':
      return plainJson(500, { error: 'delay is not an error fault' });
    case 'respond':
      // Any answer DingTalk gives (e.g. HTTP 400 todo.taskCreate.flowControlError), as the test wrote it.
      return {
        status: fault.status ?? 400,
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        body: JSON.stringify(fault.body ?? {}),
      };
  }
}

/** ref §11.1: unknown oapi path → errcode 22 on HTTP 200; unknown api path → a 404 (shape UNVERIFIED). */
function unknownApi(family: SimRoute['family'], pathname: string): SimResponse {
  if (family === 'api') {
    return apiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
  }
  const apiName = `dingtalk.oapi.${pathname.replace(/^\/(topapi\/)?/, '').replace(/\//g, '.')}`;
  const subMsg = `不合法ApiName，ApiName = ${apiName}`;
  return oapiJson({
    errcode: 22,
    sub_msg: subMsg,
    errmsg: `Invalid method[submsg=${subMsg}]`,
    request_id: newRequestIdOapi(),
  });
}

/** ref §2.1: 43001 需要GET请求; the POST-only topapi answer 43002 comes from DingTalk's global code table. */
function wrongMethod(family: SimRoute['family'], route: SimRoute): SimResponse {
  if (family === 'api') {
    return apiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
  }
  return route.method === 'GET' ? oapiError(43001, '需要GET请求') : oapiError(43002, '需要POST请求');
}

/** For the call log: 'ok', or the code answered. */
function outcomeOf(answer: SimResponse): string {
  try {
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    if (typeof body.errcode === 'number') {
      if (body.errcode === 0) return 'ok';
      return body.sub_code !== undefined ? `${body.errcode}/${String(body.sub_code)}` : String(body.errcode);
    }
    if (answer.status >= 400) return `${answer.status}/${String(body.code)}`;
    return 'ok';
  } catch {
    return answer.status < 400 ? 'ok' : String(answer.status);
  }
}
