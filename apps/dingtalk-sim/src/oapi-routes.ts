// The legacy family ("oapi.dingtalk.com"): gettoken, jsapi ticket, login-free, directory and
// work notices. Always HTTP 200 with errcode (ref §1, §11.1, §11.3).
//
// Codes the reference gives: 40035 missing parameter, 40096 bad app credentials, 40078 unknown
// auth code, 60121 unknown user, 143105 / 143106 silent drops. Where it is silent the simulator
// uses DingTalk's global code table (40008, 40032, 40056, 40066, 45002, 60003); see README.md.
import { randomBytes } from 'node:crypto';
import {
  asBoolean,
  asInteger,
  oapiError,
  oapiOk,
  parseBody,
  present,
  type ParsedBody,
  type SimResponse,
} from './sim-http';
import { defineRoute, type RouteContext, type SimRoute } from './sim-route';
import {
  NOTICE_QUERY_WINDOW_MS,
  STATUS_BAR_WINDOW_MS,
  TOKEN_TTL_MS,
  type NoticeTask,
  type SimState,
} from './sim-state';

const MISSING = (name: string): SimResponse => oapiError(40035, `缺少参数 ${name}`);
const INVALID = (detail: string): SimResponse => oapiError(40035, `不合法的参数：${detail}`);
const USER_NOT_FOUND = (): SimResponse => oapiError(60121, '找不到该用户');
const DEPT_NOT_FOUND = (): SimResponse => oapiError(60003, '部门不存在');
const BAD_AGENT = (): SimResponse => oapiError(40056, '不合法的agentid');

const MAX_USER_LIST_SIZE = 100; // ref §3.3
const MAX_NOTICE_USERIDS = 100; // ref §5.1
const MAX_NOTICE_DEPTS = 20; // ref §5.1
const MAX_MSG_BYTES = 2048; // ref §5.1
const MAX_RESULT_RECIPIENTS = 100; // ref §5.4: getsendresult unsupported above 100 recipients

type Body = Record<string, unknown>;

/** Runs `handler` on the JSON (or form) body; an unparsable body is an invalid parameter. */
function withBody(handler: (ctx: RouteContext, body: Body) => SimResponse): (ctx: RouteContext) => SimResponse {
  return (ctx) => {
    const parsed: ParsedBody = parseBody(ctx.req);
    if (!parsed.ok) return INVALID('请求体不是合法的JSON对象');
    return handler(ctx, parsed.value);
  };
}

function secondsLeft(state: SimState, expiresAt: number): number {
  return Math.max(0, Math.round((expiresAt - state.now()) / 1000));
}

// ---- tokens and tickets ----------------------------------------------------------------------------

/** ref §2.1: GET only, query params; flat errors (never wrapped in 88). */
const getToken = defineRoute('oapi', 'GET', '/gettoken', { token: false }, ({ state, req }) => {
  const appkey = req.query.get('appkey');
  const appsecret = req.query.get('appsecret');
  if (!present(appkey) || !present(appsecret)) return oapiError(40035, '缺少参数 corpid or appkey');
  if (appkey !== state.app.appKey || appsecret !== state.app.appSecret) {
    return oapiError(40096, '不合法的appKey或appSecret');
  }
  const token = state.issueToken(state.app.appKey);
  // ref §2.3 (UNVERIFIED whether a repeat call says 7200 or the remaining time): validity was just
  // pushed to now + 7200 s, so both readings give 7200 here.
  return oapiOk({ access_token: token.value, expires_in: secondsLeft(state, token.expiresAt) });
});

/** ref §4: GET with the token; the same ticket while valid. */
const getJsapiTicket = defineRoute('oapi', 'GET', '/get_jsapi_ticket', { token: true }, ({ state, appKey }) => {
  const ticket = state.issueJsapiTicket(appKey);
  return oapiOk({ ticket: ticket.value, expires_in: Math.round(TOKEN_TTL_MS / 1000) });
});

// ---- login-free and directory (ref §3.2, §3.3) ----------------------------------------------------------

const getUserInfo = defineRoute(
  'oapi',
  'POST',
  '/topapi/v2/user/getuserinfo',
  { token: true, scope: 'qyapi_base' },
  withBody(({ state }, body) => {
    if (!present(body.code)) return MISSING('code');
    const entry = state.consumeAuthCode(String(body.code));
    // ref §3.2: reused, unknown (and here also expired) codes.
    if (!entry) return oapiError(40078, '不存在的临时授权码');
    const user = state.org.user(entry.userid);
    if (!user) return USER_NOT_FOUND();
    return oapiOk({
      result: {
        userid: user.userid,
        unionid: user.unionid,
        associated_unionid: '',
        name: user.name,
        device_id: randomBytes(16).toString('hex'),
        sys: user.admin,
        sys_level: user.admin ? 2 : 0,
      },
    });
  }),
);

const getUser = defineRoute(
  'oapi',
  'POST',
  '/topapi/v2/user/get',
  { token: true, scope: 'qyapi_get_member' },
  withBody(({ state }, body) => {
    if (!present(body.userid)) return MISSING('userid');
    const user = state.org.user(String(body.userid));
    if (!user) return USER_NOT_FOUND();
    return oapiOk({ result: state.org.userView(user) });
  }),
);

const listUsers = defineRoute(
  'oapi',
  'POST',
  '/topapi/v2/user/list',
  { token: true, scope: 'qyapi_get_department_member' },
  withBody(({ state }, body) => {
    for (const name of ['dept_id', 'cursor', 'size']) if (!present(body[name])) return MISSING(name);
    const deptId = asInteger(body.dept_id);
    const cursor = asInteger(body.cursor);
    const size = asInteger(body.size);
    if (deptId === undefined) return INVALID('dept_id');
    if (cursor === undefined || cursor < 0) return INVALID('cursor');
    if (size === undefined || size < 1 || size > MAX_USER_LIST_SIZE)
      return INVALID(`size 须在1到${MAX_USER_LIST_SIZE}之间`);
    if (!state.org.department(deptId)) return DEPT_NOT_FOUND();
    const orderField = present(body.order_field) ? String(body.order_field) : 'custom';
    // ref §3.3: hidden (access-restricted) employees are listed only with contain_access_limit
    // true. Stricter than DingTalk where its documentation is silent: only the JSON boolean counts.
    const members = state.org.directMembers(deptId).filter((u) => !u.hidden || body.contain_access_limit === true);
    switch (orderField) {
      case 'entry_asc':
      case 'custom':
        break;
      case 'entry_desc':
        members.reverse();
        break;
      case 'modify_asc':
        members.sort((a, b) => a.modifiedAt - b.modifiedAt);
        break;
      case 'modify_desc':
        members.sort((a, b) => b.modifiedAt - a.modifiedAt);
        break;
      default:
        return INVALID('order_field');
    }
    const page = members.slice(cursor, cursor + size);
    const hasMore = cursor + size < members.length;
    return oapiOk({
      result: {
        has_more: hasMore,
        ...(hasMore ? { next_cursor: cursor + size } : {}),
        list: page.map((u) => state.org.userListItem(u, deptId)),
      },
    });
  }),
);

const listSubDepartments = defineRoute(
  'oapi',
  'POST',
  '/topapi/v2/department/listsub',
  { token: true, scope: 'qyapi_get_department_list' },
  withBody(({ state }, body) => {
    const deptId = present(body.dept_id) ? asInteger(body.dept_id) : 1;
    if (deptId === undefined) return INVALID('dept_id');
    if (!state.org.department(deptId)) return DEPT_NOT_FOUND();
    return oapiOk({ result: state.org.children(deptId).map((d) => state.org.departmentView(d)) });
  }),
);

const getByUnionid = defineRoute(
  'oapi',
  'POST',
  '/topapi/user/getbyunionid',
  { token: true, scope: 'qyapi_get_member' },
  withBody(({ state }, body) => {
    if (!present(body.unionid)) return MISSING('unionid');
    const user = state.org.userByUnionid(String(body.unionid));
    if (!user) return USER_NOT_FOUND();
    return oapiOk({ result: { contact_type: 0, userid: user.userid } });
  }),
);

// ---- work notices (ref §5) ---------------------------------------------------------------------------------

/** The field each msgtype requires (ref §5.3); returns the first missing one. */
function missingMsgField(msg: Body): string | undefined {
  const msgtype = msg.msgtype;
  const block = msg[String(msgtype)];
  if (block === null || typeof block !== 'object') return `msg.${String(msgtype)}`;
  const b = block as Body;
  const need = (...names: string[]): string | undefined => {
    const name = names.find((n) => !present(b[n]));
    return name === undefined ? undefined : `msg.${String(msgtype)}.${name}`;
  };
  switch (msgtype) {
    case 'text':
      return need('content');
    case 'image':
    case 'file':
      return need('media_id');
    case 'voice':
      return need('media_id', 'duration');
    case 'link':
      return need('messageUrl', 'picUrl', 'title', 'text');
    case 'markdown':
      return need('title', 'text');
    case 'oa': {
      const missing = need('message_url', 'head', 'body');
      if (missing) return missing;
      const head = b.head as Body;
      if (!present(head.bgcolor)) return 'msg.oa.head.bgcolor';
      if (!present(head.text)) return 'msg.oa.head.text';
      return undefined;
    }
    case 'action_card': {
      const missing = need('title', 'markdown');
      if (missing) return missing;
      const hasSingle = present(b.single_title) && present(b.single_url);
      const hasButtons = Array.isArray(b.btn_json_list) && b.btn_json_list.length > 0;
      return hasSingle || hasButtons ? undefined : 'msg.action_card.single_url';
    }
    default:
      return undefined;
  }
}

/**
 * 16.7: per-field limits inside a msg. The reference gives only the 2,048-byte message (§5.1) and
 * "≤ 500 characters advised" for text (§5.3); the rest are the simulator's stricter choices, listed
 * in docs/dingtalk.md: titles ≤ 128 bytes, button titles ≤ 64 bytes, URLs ≤ 1,024 bytes, text ≤ 500
 * characters, at most 5 buttons.
 */
const FIELD_LIMITS: Record<string, Array<[path: string, max: number, unit: 'bytes' | 'chars']>> = {
  text: [['content', 500, 'chars']],
  link: [
    ['title', 128, 'bytes'],
    ['text', 500, 'chars'],
    ['messageUrl', 1024, 'bytes'],
    ['picUrl', 1024, 'bytes'],
  ],
  markdown: [['title', 128, 'bytes']],
  oa: [
    ['message_url', 1024, 'bytes'],
    ['pc_message_url', 1024, 'bytes'],
    ['head.text', 128, 'bytes'],
    ['body.title', 128, 'bytes'],
  ],
  action_card: [
    ['title', 128, 'bytes'],
    ['single_title', 64, 'bytes'],
    ['single_url', 1024, 'bytes'],
  ],
};
const MAX_CARD_BUTTONS = 5;

function oversizeField(msg: Body): string | undefined {
  const type = String(msg.msgtype);
  const block = msg[type] as Body;
  const size = (value: unknown, unit: 'bytes' | 'chars'): number =>
    typeof value !== 'string' ? 0 : unit === 'bytes' ? Buffer.byteLength(value, 'utf8') : [...value].length;
  for (const [path, max, unit] of FIELD_LIMITS[type] ?? []) {
    const value = path
      .split('.')
      .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Body)[k] : undefined), block);
    if (size(value, unit) > max) return `msg.${type}.${path} 超过${max}${unit === 'bytes' ? '字节' : '个字符'}`;
  }
  if (type === 'action_card' && Array.isArray(block.btn_json_list)) {
    if (block.btn_json_list.length > MAX_CARD_BUTTONS)
      return `msg.action_card.btn_json_list 最多${MAX_CARD_BUTTONS}个按钮`;
    for (const [i, btn] of (block.btn_json_list as Body[]).entries()) {
      if (size(btn?.title, 'bytes') > 64) return `msg.action_card.btn_json_list[${i}].title 超过64字节`;
      if (size(btn?.action_url, 'bytes') > 1024) return `msg.action_card.btn_json_list[${i}].action_url 超过1024字节`;
    }
  }
  return undefined;
}

const MSG_TYPES = new Set(['text', 'image', 'voice', 'file', 'link', 'markdown', 'oa', 'action_card']);

/** ref §5.1: agent_id must be the calling app's AgentId. */
function checkAgent(state: SimState, body: Body): SimResponse | undefined {
  if (!present(body.agent_id)) return MISSING('agent_id');
  if (String(body.agent_id) !== state.app.agentId) return BAD_AGENT();
  return undefined;
}

/** A task of this app, not older than `windowMs`; or the error to answer. */
function findTask(state: SimState, taskIdRaw: unknown, windowMs: number): NoticeTask | SimResponse {
  const taskId = asInteger(taskIdRaw);
  const task = taskId === undefined ? undefined : state.tasks.get(taskId);
  if (!task) return INVALID('task_id 不存在');
  if (state.now() - task.createdAt > windowMs) return INVALID(`任务已超过${Math.round(windowMs / 3600000)}小时`);
  return task;
}

function splitList(value: unknown): string[] | undefined {
  if (!present(value)) return [];
  if (typeof value !== 'string') return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const asyncSend = defineRoute(
  'oapi',
  'POST',
  '/topapi/message/corpconversation/asyncsend_v2',
  { token: true, scope: 'qyapi_base' },
  withBody(({ state, appKey }, body) => {
    const agentError = checkAgent(state, body);
    if (agentError) return agentError;
    if (!present(body.msg)) return MISSING('msg');
    // ref §5.1: msg as an object works; a JSON string (older libraries) is UNVERIFIED — accepted here.
    let msg: unknown = body.msg;
    if (typeof msg === 'string') {
      try {
        msg = JSON.parse(msg);
      } catch {
        return INVALID('msg 不是合法的JSON');
      }
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return INVALID('msg');
    const msgObj = msg as Body;
    if (!present(msgObj.msgtype)) return MISSING('msg.msgtype');
    if (!MSG_TYPES.has(String(msgObj.msgtype))) return oapiError(40008, '不合法的消息类型');
    const missing = missingMsgField(msgObj);
    if (missing) return MISSING(missing);
    if (Buffer.byteLength(JSON.stringify(msgObj), 'utf8') > MAX_MSG_BYTES) return oapiError(45002, '消息内容超过限制');
    const oversize = oversizeField(msgObj);
    if (oversize) return oapiError(45002, `消息内容超过限制：${oversize}`);

    // ref §5.1: userid_list / dept_id_list are comma-separated strings.
    const userids = splitList(body.userid_list);
    if (userids === undefined) return INVALID('userid_list 须为逗号分隔的字符串');
    const deptStrings = splitList(body.dept_id_list);
    if (deptStrings === undefined) return INVALID('dept_id_list 须为逗号分隔的字符串');
    const deptIds = deptStrings.map((d) => asInteger(d));
    if (deptIds.some((d) => d === undefined)) return INVALID('dept_id_list');
    const toAllUser = present(body.to_all_user) ? asBoolean(body.to_all_user) : false;
    if (toAllUser === undefined) return INVALID('to_all_user');
    if (!toAllUser && userids.length === 0 && deptIds.length === 0) return MISSING('userid_list');
    if (userids.length > MAX_NOTICE_USERIDS) return oapiError(40032, '不合法的UserID列表长度');
    if (deptIds.length > MAX_NOTICE_DEPTS) return oapiError(40066, '不合法的部门列表');

    const task = state.createNoticeTask({
      appKey,
      agentId: state.app.agentId,
      msg: msgObj,
      userids,
      deptIds: deptIds as number[],
      toAllUser,
    });
    return oapiOk({ task_id: task.taskId });
  }),
);

const getSendProgress = defineRoute(
  'oapi',
  'POST',
  '/topapi/message/corpconversation/getsendprogress',
  { token: true, scope: 'qyapi_base' },
  withBody(({ state }, body) => {
    const agentError = checkAgent(state, body);
    if (agentError) return agentError;
    if (!present(body.task_id)) return MISSING('task_id');
    const task = findTask(state, body.task_id, NOTICE_QUERY_WINDOW_MS);
    if (!('taskId' in task)) return task;
    // 16.7: sending is asynchronous (ref §5.1): "processing" below 100 % at first.
    task.progressPolls += 1;
    if (!state.taskDone(task)) return oapiOk({ progress: { progress_in_percent: 50, status: 1 } });
    return oapiOk({ progress: { progress_in_percent: 100, status: 2 } });
  }),
);

/** ref §5.4: getsendresult, including the silent drops in forbidden_list (ref §5.2). */
const getSendResult = defineRoute(
  'oapi',
  'POST',
  '/topapi/message/corpconversation/getsendresult',
  { token: true, scope: 'qyapi_base' },
  withBody(({ state }, body) => {
    const agentError = checkAgent(state, body);
    if (agentError) return agentError;
    if (!present(body.task_id)) return MISSING('task_id');
    const task = findTask(state, body.task_id, NOTICE_QUERY_WINDOW_MS);
    if (!('taskId' in task)) return task;
    if (task.recipients.length > MAX_RESULT_RECIPIENTS) {
      return INVALID(`调用超时：接收人超过${MAX_RESULT_RECIPIENTS}人的任务不支持查询发送结果`);
    }
    // 16.7: while the task is still being sent nothing is known yet: every list is empty, so a
    // caller that reads the result without waiting for the progress learns nothing (stricter choice).
    if (!state.taskDone(task)) {
      return oapiOk({
        send_result: {
          invalid_user_id_list: [],
          forbidden_user_id_list: [],
          failed_user_id_list: [],
          read_user_id_list: [],
          unread_user_id_list: [],
          invalid_dept_id_list: [],
          forbidden_list: [],
        },
      });
    }
    const deliveries = state.deliveriesOf(task.taskId);
    return oapiOk({
      send_result: {
        invalid_user_id_list: task.invalidUserIds,
        forbidden_user_id_list: task.forbidden.map((f) => f.userid),
        failed_user_id_list: [],
        read_user_id_list: deliveries.filter((d) => d.read).map((d) => d.userid),
        unread_user_id_list: deliveries.filter((d) => !d.read).map((d) => d.userid),
        invalid_dept_id_list: task.invalidDeptIds,
        forbidden_list: task.forbidden.map((f) => ({ code: f.code, count: f.count, userid: f.userid })),
      },
    });
  }),
);

/** ref §5.4: recall takes `msg_task_id`, within 24 h. */
const recall = defineRoute(
  'oapi',
  'POST',
  '/topapi/message/corpconversation/recall',
  { token: true, scope: 'qyapi_base' },
  withBody(({ state }, body) => {
    const agentError = checkAgent(state, body);
    if (agentError) return agentError;
    if (!present(body.msg_task_id)) return MISSING('msg_task_id');
    const task = findTask(state, body.msg_task_id, NOTICE_QUERY_WINDOW_MS);
    if (!('taskId' in task)) return task;
    task.recalled = true;
    for (const d of state.deliveriesOf(task.taskId)) d.recalled = true;
    return oapiOk();
  }),
);

/** ref §5.4: the OA status bar, within 7 days. */
const updateStatusBar = defineRoute(
  'oapi',
  'POST',
  '/topapi/message/corpconversation/status_bar/update',
  { token: true, scope: 'qyapi_base' },
  withBody(({ state }, body) => {
    const agentError = checkAgent(state, body);
    if (agentError) return agentError;
    if (!present(body.task_id)) return MISSING('task_id');
    if (!present(body.status_value)) return MISSING('status_value');
    const task = findTask(state, body.task_id, STATUS_BAR_WINDOW_MS);
    if (!('taskId' in task)) return task;
    const statusBar = {
      statusValue: String(body.status_value),
      ...(present(body.status_bg) ? { statusBg: String(body.status_bg) } : {}),
    };
    for (const d of state.deliveriesOf(task.taskId)) d.statusBar = statusBar;
    return oapiOk();
  }),
);

export const OAPI_ROUTES: readonly SimRoute[] = [
  getToken,
  getJsapiTicket,
  getUserInfo,
  getUser,
  listUsers,
  listSubDepartments,
  getByUnionid,
  asyncSend,
  getSendProgress,
  getSendResult,
  recall,
  updateStatusBar,
];
