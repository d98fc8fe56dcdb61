// How a simulated DingTalk endpoint is declared: family, method, path template, token rule,
// the permission scope it needs, and a handler.
import type { SimRequest, SimResponse } from './sim-http';
import type { SimState } from './sim-state';

export interface RouteContext {
  state: SimState;
  req: SimRequest;
  /** The calling app: from the token, or from the credentials on token endpoints. */
  appKey: string;
}

export interface SimRoute {
  family: 'oapi' | 'api';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. `/topapi/v2/user/get` or `/v1.0/todo/users/{unionId}/tasks/{taskId}`. */
  template: string;
  pattern: RegExp;
  /** `method template`: the unit of throttling (ref §8: per app and API). */
  api: string;
  /** Whether an access token is required (ref §1: query for oapi, header for api). */
  token: boolean;
  /** ref §3.3 / §6: the permission the app needs (see settings.deniedScopes). */
  scope?: string;
  handle(ctx: RouteContext): SimResponse;
}

export function defineRoute(
  family: SimRoute['family'],
  method: SimRoute['method'],
  template: string,
  options: { token: boolean; scope?: string },
  handle: SimRoute['handle'],
): SimRoute {
  const source = template
    .split('/')
    .map((part) =>
      /^\{\w+\}$/.test(part) ? `(?<${part.slice(1, -1)}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return {
    family,
    method,
    template,
    pattern: new RegExp(`^${source}$`),
    api: `${method} ${template}`,
    token: options.token,
    scope: options.scope,
    handle,
  };
}

/** Path parameters of a matched route, decoded. */
export function matchRoute(route: SimRoute, pathname: string): Record<string, string> | undefined {
  const m = route.pattern.exec(pathname);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.groups ?? {})) {
    try {
      params[k] = decodeURIComponent(v);
    } catch {
      params[k] = v;
    }
  }
  return params;
}
