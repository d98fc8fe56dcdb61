// The simulator's own endpoints under /_sim (tests and demo): credentials, what people received,
// auth codes, fault injection, clock, settings, and org changes. Documented in README.md.
import { OrgChangeError, type NewUserInput, type UserPatch } from './sim-org';
import { parseBody, plainJson, type SimRequest, type SimResponse } from './sim-http';
import {
  FAULT_KINDS,
  FORBIDDEN_CODES,
  type FaultKind,
  type FaultSpec,
  type SimSettings,
  type SimState,
} from './sim-state';
import { messagesOf, todosOf } from './sim-views';

type Body = Record<string, unknown>;

class BadInput extends Error {}

const bad = (message: string): SimResponse => plainJson(400, { error: message });
const notFound = (message: string): SimResponse => plainJson(404, { error: message });

function jsonBody(req: SimRequest): Body {
  const parsed = parseBody({ ...req, headers: { ...req.headers, 'content-type': 'application/json' } });
  if (!parsed.ok) throw new BadInput('the body must be a JSON object');
  return parsed.value;
}

function optString(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadInput(`${key} must be a string`);
  return v;
}

function reqString(body: Body, key: string): string {
  const v = optString(body, key);
  if (v === undefined || v.trim() === '') throw new BadInput(`${key} is required`);
  return v;
}

function optBool(body: Body, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new BadInput(`${key} must be true or false`);
  return v;
}

function optInt(body: Body, key: string, min: number): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new BadInput(`${key} must be a whole number ≥ ${min}`);
  return v;
}

function optIntList(body: Body, key: string): number[] | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new BadInput(`${key} must be a list of whole numbers`);
  }
  return v as number[];
}

/** `deptIds: [..]` or `deptId: n`. */
function deptIdsOf(body: Body): number[] | undefined {
  const list = optIntList(body, 'deptIds');
  const one = optInt(body, 'deptId', 1);
  if (list !== undefined && one !== undefined) throw new BadInput('give deptIds or deptId, not both');
  return list ?? (one === undefined ? undefined : [one]);
}

function userInput(body: Body): NewUserInput {
  const deptIds = deptIdsOf(body);
  if (deptIds === undefined) throw new BadInput('deptIds (or deptId) is required');
  return {
    userid: reqString(body, 'userid'),
    name: reqString(body, 'name'),
    deptIds,
    unionid: optString(body, 'unionid'),
    mobile: optString(body, 'mobile'),
    title: optString(body, 'title'),
    leader: optBool(body, 'leader'),
    leaderInDepts: optIntList(body, 'leaderInDepts'),
    admin: optBool(body, 'admin'),
    hidden: optBool(body, 'hidden'),
    email: optString(body, 'email'),
    jobNumber: optString(body, 'jobNumber'),
  };
}

function userPatch(body: Body): UserPatch {
  return {
    name: optString(body, 'name'),
    mobile: optString(body, 'mobile'),
    title: optString(body, 'title'),
    deptIds: deptIdsOf(body),
    leader: optBool(body, 'leader'),
    leaderInDepts: optIntList(body, 'leaderInDepts'),
    active: optBool(body, 'active'),
    admin: optBool(body, 'admin'),
    hidden: optBool(body, 'hidden'),
    email: optString(body, 'email'),
    jobNumber: optString(body, 'jobNumber'),
  };
}

function faultSpec(body: Body): FaultSpec {
  const kind = reqString(body, 'kind');
  if (!FAULT_KINDS.includes(kind as FaultKind)) throw new BadInput(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  const count = optInt(body, 'count', 1) ?? 1;
  const delayMs = optInt(body, 'delayMs', 0);
  if (kind === 'delay' && delayMs === undefined) throw new BadInput('delayMs is required for kind "delay"');
  const path = optString(body, 'path');
  const status = optInt(body, 'status', 200);
  const answer = body.body;
  if (kind === 'respond') {
    if (status === undefined || status > 599) throw new BadInput('status (200–599) is required for kind "respond"');
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
      throw new BadInput('body (a JSON object) is required for kind "respond"');
    }
  }
  return {
    kind: kind as FaultKind,
    count,
    ...(delayMs !== undefined ? { delayMs } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(optBool(body, 'afterHandling') ? { afterHandling: true } : {}),
    ...(optBool(body, 'global') ? { global: true } : {}),
    ...(kind === 'respond' ? { status, body: answer as Record<string, unknown> } : {}),
  };
}

function settingsPatch(body: Body): Partial<SimSettings> {
  const out: Partial<SimSettings> = {};
  const throttle = optBool(body, 'throttle');
  if (throttle !== undefined) out.throttle = throttle;
  const qps = optInt(body, 'qpsPerApi', 1);
  if (qps !== undefined) out.qpsPerApi = qps;
  const style = optString(body, 'tokenErrorStyle');
  if (style !== undefined) {
    if (style !== 'wrapped' && style !== 'flat') throw new BadInput('tokenErrorStyle must be "wrapped" or "flat"');
    out.tokenErrorStyle = style;
  }
  const sub = optString(body, 'expiredTokenSubCode');
  if (sub !== undefined) {
    if (sub !== '40014' && sub !== '42001') throw new BadInput('expiredTokenSubCode must be "40014" or "42001"');
    out.expiredTokenSubCode = sub;
  }
  if (body.deniedScopes !== undefined) {
    if (!Array.isArray(body.deniedScopes) || body.deniedScopes.some((s) => typeof s !== 'string')) {
      throw new BadInput('deniedScopes must be a list of strings');
    }
    out.deniedScopes = [...(body.deniedScopes as string[])];
  }
  const polls = optInt(body, 'progressPollsBeforeDone', 0);
  if (polls !== undefined) out.progressPollsBeforeDone = polls;
  return out;
}

function orgDump(state: SimState): unknown {
  return {
    corpId: state.app.corpId,
    departments: state.org.allDepartments().map((d) => ({ deptId: d.deptId, name: d.name, parentId: d.parentId })),
    users: state.org.allUsers().map((u) => ({
      userid: u.userid,
      unionid: u.unionid,
      name: u.name,
      mobile: u.mobile,
      title: u.title,
      deptIds: u.deptIds,
      leaderInDepts: u.leaderInDepts,
      active: u.active,
      admin: u.admin,
      hidden: u.hidden,
    })),
  };
}

/** Answers a /_sim request; undefined when no endpoint matches. */
export function handleAdmin(state: SimState, req: SimRequest): SimResponse | undefined {
  try {
    return route(state, req);
  } catch (err) {
    if (err instanceof BadInput) return bad(err.message);
    if (err instanceof OrgChangeError) return plainJson(err.status, { error: err.message });
    throw err;
  }
}

function route(state: SimState, req: SimRequest): SimResponse | undefined {
  const { method, pathname, query } = req;
  const key = `${method} ${pathname}`;
  switch (key) {
    case 'GET /_sim/app':
      return plainJson(200, { ...state.app });

    case 'GET /_sim/messages': {
      const userid = query.get('userid') || undefined;
      if (userid !== undefined && !state.org.user(userid)) return notFound(`no user ${userid}`);
      return plainJson(200, messagesOf(state, userid));
    }
    case 'POST /_sim/messages/read': {
      const body = jsonBody(req);
      const userid = reqString(body, 'userid');
      const taskId = optInt(body, 'taskId', 0);
      return plainJson(200, { marked: state.markRead(userid, taskId) });
    }
    case 'GET /_sim/todos': {
      const userid = query.get('userid');
      if (!userid) return bad('userid is required');
      const todos = todosOf(state, userid);
      return todos ? plainJson(200, todos) : notFound(`no user ${userid}`);
    }
    case 'POST /_sim/auth-code': {
      const userid = reqString(jsonBody(req), 'userid');
      if (!state.org.user(userid)) return notFound(`no user ${userid}`);
      return plainJson(200, { code: state.mintAuthCode(userid) });
    }

    case 'POST /_sim/notice-drops': {
      // 16.7: DingTalk accepts a notice and silently does not deliver it (ref §5.2): the next
      // `count` notices to this person show in the task's forbidden_list with `code`.
      const body = jsonBody(req);
      const userid = reqString(body, 'userid');
      const code = reqString(body, 'code');
      if (!(FORBIDDEN_CODES as readonly string[]).includes(code)) {
        return bad(`code must be one of ${FORBIDDEN_CODES.join(', ')}`);
      }
      if (!state.org.user(userid)) return notFound(`no user ${userid}`);
      state.dropNotices(userid, code, optInt(body, 'count', 1) ?? 1);
      return plainJson(200, { pending: state.noticeDrops.get(userid) });
    }

    case 'GET /_sim/faults':
      return plainJson(200, state.faults);
    case 'POST /_sim/faults': {
      const spec = faultSpec(jsonBody(req));
      state.addFault(spec);
      return plainJson(200, { pending: state.faults });
    }
    case 'DELETE /_sim/faults':
      state.faults = [];
      return plainJson(200, { pending: [] });

    case 'POST /_sim/expire-tokens':
      return plainJson(200, { expired: state.expireTokens() });
    case 'POST /_sim/reset':
      state.reset();
      return plainJson(200, { ok: true });

    case 'GET /_sim/settings':
      return plainJson(200, state.settings);
    case 'POST /_sim/settings':
      state.settings = { ...state.settings, ...settingsPatch(jsonBody(req)) };
      return plainJson(200, state.settings);

    case 'GET /_sim/clock':
      return plainJson(200, { now: state.now(), offsetMs: state.clockOffsetMs });
    case 'POST /_sim/clock': {
      const advanceMs = optInt(jsonBody(req), 'advanceMs', 0);
      if (advanceMs === undefined) return bad('advanceMs is required');
      state.clockOffsetMs += advanceMs;
      return plainJson(200, { now: state.now(), offsetMs: state.clockOffsetMs });
    }

    case 'GET /_sim/calls': {
      const prefix = query.get('path');
      return plainJson(
        200,
        state.calls.filter((c) => prefix === null || c.path.startsWith(prefix)),
      );
    }

    case 'GET /_sim/org':
      return plainJson(200, orgDump(state));
    case 'POST /_sim/org/users':
      return plainJson(201, state.org.userView(state.org.addUser(userInput(jsonBody(req)))));
    case 'POST /_sim/org/departments': {
      const body = jsonBody(req);
      const dept = state.org.addDepartment({
        name: reqString(body, 'name'),
        deptId: optInt(body, 'deptId', 2),
        parentId: optInt(body, 'parentId', 1),
      });
      return plainJson(201, state.org.departmentView(dept));
    }
  }

  const userMatch = /^\/_sim\/org\/users\/([^/]+)$/.exec(pathname);
  if (userMatch) {
    const userid = decodeURIComponent(userMatch[1]!);
    if (method === 'PATCH')
      return plainJson(200, state.org.userView(state.org.updateUser(userid, userPatch(jsonBody(req)))));
    if (method === 'DELETE') {
      state.org.removeUser(userid);
      return plainJson(200, { removed: userid });
    }
    return undefined;
  }
  const deptMatch = /^\/_sim\/org\/departments\/(\d+)$/.exec(pathname);
  if (deptMatch) {
    const deptId = Number(deptMatch[1]);
    if (method === 'PATCH') {
      const body = jsonBody(req);
      const dept = state.org.updateDepartment(deptId, {
        name: optString(body, 'name'),
        parentId: optInt(body, 'parentId', 1),
      });
      return plainJson(200, state.org.departmentView(dept));
    }
    if (method === 'DELETE') {
      state.org.removeDepartment(deptId);
      return plainJson(200, { removed: deptId });
    }
  }
  return undefined;
}
