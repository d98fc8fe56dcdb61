// The new family ("api.dingtalk.com", /v1.0/...): app token, jsapi ticket and to-dos. Errors are
// HTTP 4xx/5xx with {code, message, requestid} (ref §1, §6, §11.1, §11.3).
//
// The to-do error codes (todo.taskCreate.paramError "task exist" / "subject is oversize",
// todo.taskUpdate.paramError "task not exist") follow DingTalk's published error tables for these
// endpoints; the reference only fixes "HTTP 400 with 'task not exist' in the body". See README.md.
import { apiError, apiOk, asBoolean, asInteger, parseBody, present, type SimResponse } from './sim-http';
import { defineRoute, type RouteContext, type SimRoute } from './sim-route';
import { TOKEN_TTL_MS, newRequestIdApi, type SimState, type SimTodo } from './sim-state';

type Body = Record<string, unknown>;

const SUBJECT_MAX = 1024; // ref §6; counted in UTF-8 bytes (16.7: the stricter reading)
const DESCRIPTION_MAX = 4096; // ref §6; bytes, as the subject
const DETAIL_URL_MAX_BYTES = 1024; // ref §6
const CREATE_EXECUTORS_MAX = 100; // ref §6 (advised)
const UPDATE_LIST_MAX = 1000; // ref §6
const QUERY_PAGE_SIZE = 20;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function invalidParam(detail: string): SimResponse {
  return apiError(400, 'invalidParam', `参数错误: ${detail}`);
}

function todoError(op: 'Create' | 'Update' | 'Delete' | 'Query', message: string): SimResponse {
  return apiError(400, `todo.task${op}.paramError`, message);
}

function withBody(handler: (ctx: RouteContext, body: Body) => SimResponse): (ctx: RouteContext) => SimResponse {
  return (ctx) => {
    const parsed = parseBody(ctx.req);
    if (!parsed.ok) return invalidParam('请求体不是合法的JSON对象');
    return handler(ctx, parsed.value);
  };
}

// ---- token and ticket (ref §2.2, §4) ----------------------------------------------------------------

const accessToken = defineRoute(
  'api',
  'POST',
  '/v1.0/oauth2/accessToken',
  { token: false },
  withBody(({ state }, body) => {
    if (!present(body.appKey)) return invalidParam('缺少参数 appKey');
    if (!present(body.appSecret)) return invalidParam('缺少参数 appSecret');
    if (body.appKey !== state.app.appKey || body.appSecret !== state.app.appSecret) {
      return apiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
    }
    // 16.7: the new family's own token; gettoken's is refused here (docs/dingtalk.md).
    const token = state.issueToken(state.app.appKey, 'api');
    return apiOk({ accessToken: token.value, expireIn: Math.round((token.expiresAt - state.now()) / 1000) });
  }),
);

const jsapiTickets = defineRoute('api', 'POST', '/v1.0/oauth2/jsapiTickets', { token: true }, ({ state, appKey }) => {
  const ticket = state.issueJsapiTicket(appKey);
  return apiOk({ jsapiTicket: ticket.value, expireIn: Math.round(TOKEN_TTL_MS / 1000) });
});

// ---- to-dos (ref §6): every id is a unionId ---------------------------------------------------------------

function todoView(todo: SimTodo, requestId?: string): Record<string, unknown> {
  return {
    id: todo.id,
    subject: todo.subject,
    description: todo.description,
    startTime: todo.startTime,
    ...(todo.dueTime !== undefined ? { dueTime: todo.dueTime } : {}),
    finishTime: todo.finishTime ?? 0,
    done: todo.done,
    executorIds: todo.executorIds,
    participantIds: todo.participantIds,
    ...(todo.detailUrl ? { detailUrl: todo.detailUrl } : {}),
    source: `todo_open_${todo.appKey}`,
    ...(todo.sourceId !== undefined ? { sourceId: todo.sourceId } : {}),
    createdTime: todo.createdTime,
    modifiedTime: todo.modifiedTime,
    creatorId: todo.creatorId,
    modifierId: todo.modifierId,
    bizTag: `todo_open_${todo.appKey}`,
    requestId: requestId ?? todo.requestId,
    isOnlyShowExecutor: todo.isOnlyShowExecutor,
    ...(todo.priority !== undefined ? { priority: todo.priority } : {}),
    ...(todo.notifyConfigs ? { notifyConfigs: todo.notifyConfigs } : {}),
  };
}

/** A list of known unionIds, or the reason it is not one. */
function unionIdList(state: SimState, value: unknown, name: string, max: number): string[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return `${name} must be a list of unionIds`;
  if (value.length > max) return `${name.replace(/Ids$/, 's')} is oversize`;
  const unknown = (value as string[]).filter((id) => !state.org.userByUnionid(id));
  // ref §6: all user ids here are unionIds; a userid in their place is the usual mistake.
  if (unknown.length > 0) return `${name} contains unknown unionIds: ${unknown.join(',')}`;
  return [...(value as string[])];
}

function detailUrlOf(value: unknown): SimTodo['detailUrl'] | string {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') return 'detailUrl is invalid';
  const v = value as Body;
  for (const key of ['appUrl', 'pcUrl']) {
    if (v[key] !== undefined && typeof v[key] !== 'string') return `detailUrl.${key} is invalid`;
    if (typeof v[key] === 'string' && Buffer.byteLength(v[key], 'utf8') > DETAIL_URL_MAX_BYTES) {
      return `detailUrl.${key} is oversize`;
    }
  }
  return {
    ...(typeof v.appUrl === 'string' ? { appUrl: v.appUrl } : {}),
    ...(typeof v.pcUrl === 'string' ? { pcUrl: v.pcUrl } : {}),
  };
}

/** The path's unionId and the optional operatorId must be people of the company. */
function checkPeople(ctx: RouteContext, op: 'Create' | 'Update' | 'Delete' | 'Query'): SimResponse | undefined {
  const unionId = ctx.req.params.unionId ?? '';
  if (!ctx.state.org.userByUnionid(unionId)) return todoError(op, `user not exist: ${unionId}`);
  const operatorId = ctx.req.query.get('operatorId');
  if (operatorId !== null && operatorId !== '' && !ctx.state.org.userByUnionid(operatorId)) {
    return todoError(op, `operatorId not exist: ${operatorId}`);
  }
  return undefined;
}

/**
 * 16.7: the path's unionId must be the to-do's: its owner or creator, or (to read it, or to change
 * it as an executor) one of its executors or participants. DingTalk's exact rule and code are
 * not in the reference; the simulator refuses others with HTTP 403 (docs/dingtalk.md).
 */
function notYours(todo: SimTodo, unionId: string, purpose: 'read' | 'update'): SimResponse | undefined {
  const own = todo.ownerUnionId === unionId || todo.creatorId === unionId;
  const executor = todo.executorIds.includes(unionId);
  const participant = todo.participantIds.includes(unionId);
  if (own || executor || (purpose === 'read' && participant)) return undefined;
  return apiError(
    403,
    'Forbidden.AccessDenied.NoPermission',
    `用户${unionId}无权${purpose === 'read' ? '查看' : '修改'}该待办`,
  );
}

function liveTodo(state: SimState, taskId: string | undefined): SimTodo | undefined {
  const todo = taskId === undefined ? undefined : state.todos.get(taskId);
  return todo && !todo.deleted ? todo : undefined;
}

const createTodo = defineRoute(
  'api',
  'POST',
  '/v1.0/todo/users/{unionId}/tasks',
  { token: true, scope: 'Todo.Todo.Write' },
  withBody((ctx, body) => {
    const { state, appKey, req } = ctx;
    const peopleError = checkPeople(ctx, 'Create');
    if (peopleError) return peopleError;
    if (!present(body.subject) || typeof body.subject !== 'string') return todoError('Create', 'subject is required');
    if (bytes(body.subject) > SUBJECT_MAX) return todoError('Create', 'subject is oversize');
    if (body.description !== undefined && typeof body.description !== 'string') {
      return todoError('Create', 'description is invalid');
    }
    if (typeof body.description === 'string' && bytes(body.description) > DESCRIPTION_MAX) {
      return todoError('Create', 'description is oversize');
    }
    const dueTime = body.dueTime === undefined ? undefined : asInteger(body.dueTime);
    if (body.dueTime !== undefined && (dueTime === undefined || dueTime < 0))
      return todoError('Create', 'dueTime is invalid');
    const executorIds = unionIdList(state, body.executorIds, 'executorIds', CREATE_EXECUTORS_MAX);
    if (typeof executorIds === 'string') return todoError('Create', executorIds);
    const participantIds = unionIdList(state, body.participantIds, 'participantIds', CREATE_EXECUTORS_MAX);
    if (typeof participantIds === 'string') return todoError('Create', participantIds);
    const detailUrl = detailUrlOf(body.detailUrl);
    if (typeof detailUrl === 'string') return todoError('Create', detailUrl);
    const priority = body.priority === undefined ? undefined : asInteger(body.priority);
    if (body.priority !== undefined && (priority === undefined || ![10, 20, 30, 40].includes(priority))) {
      return todoError('Create', 'priority is invalid');
    }
    const sourceId = present(body.sourceId) ? String(body.sourceId) : undefined;
    if (sourceId !== undefined) {
      // DingTalk's table: "task exist" when the app already has a live to-do with this sourceId.
      for (const t of state.todos.values()) {
        if (!t.deleted && t.appKey === appKey && t.sourceId === sourceId) return todoError('Create', 'task exist');
      }
    }
    const ownerUnionId = req.params.unionId!;
    const operatorId = req.query.get('operatorId') || ownerUnionId;
    const creatorId = present(body.creatorId) ? String(body.creatorId) : ownerUnionId;
    const now = state.now();
    const requestId = newRequestIdApi();
    const todo: SimTodo = {
      id: state.newTodoId(),
      appKey,
      ownerUnionId,
      subject: body.subject,
      description: typeof body.description === 'string' ? body.description : '',
      startTime: 0,
      dueTime,
      finishTime: undefined,
      done: false,
      executorIds,
      participantIds,
      executorDone: {},
      detailUrl,
      isOnlyShowExecutor: asBoolean(body.isOnlyShowExecutor) ?? false,
      priority,
      notifyConfigs:
        body.notifyConfigs && typeof body.notifyConfigs === 'object' ? (body.notifyConfigs as Body) : undefined,
      sourceId,
      creatorId,
      modifierId: operatorId,
      createdTime: now,
      modifiedTime: now,
      requestId,
      deleted: false,
    };
    state.todos.set(todo.id, todo);
    return apiOk(todoView(todo, requestId));
  }),
);

const updateTodo = defineRoute(
  'api',
  'PUT',
  '/v1.0/todo/users/{unionId}/tasks/{taskId}',
  { token: true, scope: 'Todo.Todo.Write' },
  withBody((ctx, body) => {
    const { state, req } = ctx;
    const peopleError = checkPeople(ctx, 'Update');
    if (peopleError) return peopleError;
    const todo = liveTodo(state, req.params.taskId);
    if (!todo) return todoError('Update', 'task not exist');
    const refused = notYours(todo, req.params.unionId!, 'update');
    if (refused) return refused;
    if (body.subject !== undefined) {
      if (typeof body.subject !== 'string' || body.subject === '') return todoError('Update', 'subject is invalid');
      if (bytes(body.subject) > SUBJECT_MAX) return todoError('Update', 'subject is oversize');
    }
    if (body.description !== undefined) {
      if (typeof body.description !== 'string') return todoError('Update', 'description is invalid');
      if (bytes(body.description) > DESCRIPTION_MAX) return todoError('Update', 'description is oversize');
    }
    const dueTime = body.dueTime === undefined ? undefined : asInteger(body.dueTime);
    if (body.dueTime !== undefined && (dueTime === undefined || dueTime < 0))
      return todoError('Update', 'dueTime is invalid');
    const done = body.done === undefined ? undefined : asBoolean(body.done);
    if (body.done !== undefined && done === undefined) return todoError('Update', 'done is invalid');
    const executorIds =
      body.executorIds === undefined ? undefined : unionIdList(state, body.executorIds, 'executorIds', UPDATE_LIST_MAX);
    if (typeof executorIds === 'string') return todoError('Update', executorIds);
    const participantIds =
      body.participantIds === undefined
        ? undefined
        : unionIdList(state, body.participantIds, 'participantIds', UPDATE_LIST_MAX);
    if (typeof participantIds === 'string') return todoError('Update', participantIds);

    const now = state.now();
    if (typeof body.subject === 'string') todo.subject = body.subject;
    if (typeof body.description === 'string') todo.description = body.description;
    if (dueTime !== undefined) todo.dueTime = dueTime;
    if (executorIds !== undefined) todo.executorIds = executorIds;
    if (participantIds !== undefined) todo.participantIds = participantIds;
    if (done !== undefined) {
      todo.done = done;
      todo.finishTime = done ? now : undefined;
    }
    todo.modifierId = req.query.get('operatorId') || req.params.unionId!;
    todo.modifiedTime = now;
    return apiOk({ result: true, requestId: newRequestIdApi() });
  }),
);

const updateExecutorStatus = defineRoute(
  'api',
  'PUT',
  '/v1.0/todo/users/{unionId}/tasks/{taskId}/executorStatus',
  { token: true, scope: 'Todo.Todo.Write' },
  withBody((ctx, body) => {
    const { state, req } = ctx;
    const peopleError = checkPeople(ctx, 'Update');
    if (peopleError) return peopleError;
    const todo = liveTodo(state, req.params.taskId);
    if (!todo) return todoError('Update', 'task not exist');
    const refused = notYours(todo, req.params.unionId!, 'update');
    if (refused) return refused;
    const list = body.executorStatusList;
    if (!Array.isArray(list) || list.length === 0) return todoError('Update', 'executorStatusList is required');
    for (const item of list) {
      const entry = item as Body;
      if (!present(entry?.id) || asBoolean(entry.isDone) === undefined) {
        return todoError('Update', 'executorStatusList is invalid');
      }
      if (!todo.executorIds.includes(String(entry.id)))
        return todoError('Update', `not an executor: ${String(entry.id)}`);
    }
    for (const item of list as Body[]) todo.executorDone[String(item.id)] = asBoolean(item.isDone)!;
    todo.modifiedTime = state.now();
    return apiOk({ result: true, requestId: newRequestIdApi() });
  }),
);

const deleteTodo = defineRoute(
  'api',
  'DELETE',
  '/v1.0/todo/users/{unionId}/tasks/{taskId}',
  { token: true, scope: 'Todo.Todo.Write' },
  (ctx) => {
    const peopleError = checkPeople(ctx, 'Delete');
    if (peopleError) return peopleError;
    const todo = liveTodo(ctx.state, ctx.req.params.taskId);
    if (!todo) return todoError('Delete', 'task not exist');
    const refused = notYours(todo, ctx.req.params.unionId!, 'update');
    if (refused) return refused;
    todo.deleted = true;
    todo.modifiedTime = ctx.state.now();
    return apiOk({ result: true, requestId: newRequestIdApi() });
  },
);

const getTodo = defineRoute(
  'api',
  'GET',
  '/v1.0/todo/users/{unionId}/tasks/{taskId}',
  { token: true, scope: 'Todo.Todo.Read' },
  (ctx) => {
    const peopleError = checkPeople(ctx, 'Query');
    if (peopleError) return peopleError;
    const todo = liveTodo(ctx.state, ctx.req.params.taskId);
    // ref §6: a deleted task is HTTP 400 with "task not exist" (code string UNVERIFIED).
    if (!todo) return apiError(400, 'ResourceNotFound.TaskNotExist', 'task not exist');
    const refused = notYours(todo, ctx.req.params.unionId!, 'read');
    if (refused) return refused;
    return apiOk(todoView(todo, newRequestIdApi()));
  },
);

const queryTodos = defineRoute(
  'api',
  'POST',
  '/v1.0/todo/users/{unionId}/org/tasks/query',
  { token: true, scope: 'Todo.Todo.Read' },
  withBody((ctx, body) => {
    const peopleError = checkPeople(ctx, 'Query');
    if (peopleError) return peopleError;
    const unionId = ctx.req.params.unionId!;
    const isDone = body.isDone === undefined ? undefined : asBoolean(body.isDone);
    const start = present(body.nextToken) ? asInteger(body.nextToken) : 0;
    if (start === undefined || start < 0) return todoError('Query', 'nextToken is invalid');
    const all = ctx.state
      .todosForUnionid(unionId)
      .map(({ todo }) => todo)
      .filter((t) => isDone === undefined || (t.done || t.executorDone[unionId] === true) === isDone);
    const page = all.slice(start, start + QUERY_PAGE_SIZE);
    const next = start + QUERY_PAGE_SIZE < all.length ? String(start + QUERY_PAGE_SIZE) : undefined;
    return apiOk({
      todoCards: page.map((t) => ({
        taskId: t.id,
        subject: t.subject,
        ...(t.dueTime !== undefined ? { dueTime: t.dueTime } : {}),
        ...(t.detailUrl ? { detailUrl: t.detailUrl } : {}),
        ...(t.priority !== undefined ? { priority: t.priority } : {}),
        isDone: t.done || t.executorDone[unionId] === true,
        createdTime: t.createdTime,
        modifiedTime: t.modifiedTime,
        creatorId: t.creatorId,
        ...(t.sourceId !== undefined ? { sourceId: t.sourceId } : {}),
        bizTag: `todo_open_${t.appKey}`,
        isOnlyShowExecutor: t.isOnlyShowExecutor,
      })),
      ...(next !== undefined ? { nextToken: next } : {}),
    });
  }),
);

export const API_ROUTES: readonly SimRoute[] = [
  accessToken,
  jsapiTickets,
  createTodo,
  updateTodo,
  updateExecutorStatus,
  deleteTodo,
  getTodo,
  queryTodos,
];
