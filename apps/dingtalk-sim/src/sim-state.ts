// Everything the simulator remembers, in memory, on one controllable clock (ref §11).
import { randomBytes, randomUUID } from 'node:crypto';
import { shanghaiDate } from '@hotline/calendar';
import { SIM_APP, type SimAppCredentials } from '@hotline/demo';
import { SimOrg } from './sim-org';

export const TOKEN_TTL_MS = 7200 * 1000; // ref §2.3
export const AUTH_CODE_TTL_MS = 5 * 60 * 1000; // ref §3.1: one-shot, 5 minutes
export const NOTICE_QUERY_WINDOW_MS = 24 * 3600 * 1000; // ref §5.4: result / recall within 24 h
export const STATUS_BAR_WINDOW_MS = 7 * 24 * 3600 * 1000; // ref §5.4: status bar within 7 days
export const NOTICES_PER_USER_PER_DAY = 500; // ref §5.2: internal apps
export const FORBIDDEN_SAME_CONTENT = '143106'; // ref §5.2
export const FORBIDDEN_DAILY_LIMIT = '143105'; // ref §5.2
/** ref §5.2: at most 5000 recipients a minute receive an app's notices; the code is the simulator's choice (docs/dingtalk.md). */
export const FORBIDDEN_MINUTE_LIMIT = '143103';
export const RECIPIENTS_PER_MINUTE = 5000;
/** 16.7: the forbidden codes a test may make DingTalk answer for a person (silent drops, ref §5.2). */
export const FORBIDDEN_CODES = ['143103', '143104', '143105', '143106', '1430002', '1430004'] as const;
/** 16.7: a task is still being delivered (status 1, below 100 %) for this long, unless polled enough. */
export const DELIVERY_TIME_MS = 60_000;
const CALL_LOG_LIMIT = 5000;

export type FaultKind =
  | 'busy'
  | 'rate_limit'
  | 'expired_token'
  | 'server_error'
  | 'delay'
  | 'permission_denied'
  | 'ip_not_allowed'
  | 'todo_flow_control'
  | 'todo_lock'
  | 'respond';
export const FAULT_KINDS: readonly FaultKind[] = [
  'busy',
  'rate_limit',
  'expired_token',
  'server_error',
  'delay',
  'permission_denied',
  'ip_not_allowed',
  'todo_flow_control',
  'todo_lock',
  'respond',
];

export interface FaultSpec {
  kind: FaultKind;
  /** How many of the next matching calls fail. */
  count: number;
  /** For `delay`: how long the answer is held back (then answered normally). */
  delayMs?: number;
  /** Only calls whose path starts with this. */
  path?: string;
  /** For `busy` / `server_error`: do the work first, then answer the error (ref §8: -1 may still have delivered). */
  afterHandling?: boolean;
  /** For `rate_limit`: the global limiter (90002 / QpsLimitForApi) instead of the per-app one. */
  global?: boolean;
  /** For `respond`: the HTTP status and JSON body answered instead of the handler's (any error DingTalk gives). */
  status?: number;
  body?: Record<string, unknown>;
}

export interface SimSettings {
  /** ref §11.4: 20 calls/s per app and API; switchable. */
  throttle: boolean;
  qpsPerApi: number;
  /** ref §11.3: how oapi reports bad tokens: `{errcode:88, sub_code}` (observed) or a flat errcode. */
  tokenErrorStyle: 'wrapped' | 'flat';
  /** ref §2.4 / §11.3: the sub_code of an expired (not unknown) token, UNVERIFIED which is real. */
  expiredTokenSubCode: '40014' | '42001';
  /** Scopes the app lacks: calls needing them get 88 + 60011 / HTTP 403 (ref §3.3, §11.3). */
  deniedScopes: string[];
  /** 16.7: getsendprogress answers "still sending" (status 1, below 100 %) this many times per task first. */
  progressPollsBeforeDone: number;
}

export function defaultSettings(): SimSettings {
  return {
    throttle: true,
    qpsPerApi: 20,
    tokenErrorStyle: 'wrapped',
    expiredTokenSubCode: '40014',
    deniedScopes: [],
    progressPollsBeforeDone: 1,
  };
}

/** ref §1: the legacy family (oapi.dingtalk.com) or the new one (api.dingtalk.com). */
export type ApiFamily = 'oapi' | 'api';

export interface IssuedToken {
  value: string;
  appKey: string;
  expiresAt: number;
  /** 16.7: a token works only on the family that issued it (docs/dingtalk.md: the stricter reading of ref §2.3). */
  family: ApiFamily;
}

export type TokenCheck =
  | { status: 'ok'; appKey: string }
  | { status: 'missing' }
  | { status: 'unknown' }
  | { status: 'expired'; appKey: string };

export interface AuthCode {
  code: string;
  userid: string;
  appKey: string;
  expiresAt: number;
}

export interface ForbiddenEntry {
  code: string;
  count: number;
  userid: string;
}

export interface NoticeTask {
  taskId: number;
  appKey: string;
  agentId: string;
  createdAt: number;
  msg: Record<string, unknown>;
  /** Every valid person the task was addressed to (after expanding departments). */
  recipients: string[];
  delivered: string[];
  invalidUserIds: string[];
  invalidDeptIds: number[];
  forbidden: ForbiddenEntry[];
  recalled: boolean;
  /** 16.7: progress queries answered so far; the task is done after settings.progressPollsBeforeDone or DELIVERY_TIME_MS. */
  progressPolls: number;
}

export interface Delivery {
  taskId: number;
  userid: string;
  at: number;
  msg: Record<string, unknown>;
  read: boolean;
  recalled: boolean;
  statusBar?: { statusValue: string; statusBg?: string };
}

export interface SimTodo {
  id: string;
  appKey: string;
  /** The `{unionId}` in the create path. */
  ownerUnionId: string;
  subject: string;
  description: string;
  startTime: number;
  dueTime: number | undefined;
  finishTime: number | undefined;
  done: boolean;
  executorIds: string[];
  participantIds: string[];
  /** ref §6: per-executor completion (executorStatus). */
  executorDone: Record<string, boolean>;
  detailUrl: { appUrl?: string; pcUrl?: string } | undefined;
  isOnlyShowExecutor: boolean;
  priority: number | undefined;
  notifyConfigs: Record<string, unknown> | undefined;
  sourceId: string | undefined;
  creatorId: string;
  modifierId: string;
  createdTime: number;
  modifiedTime: number;
  requestId: string;
  deleted: boolean;
}

export interface CallRecord {
  at: number;
  method: string;
  path: string;
  /** Method + path template, the unit of throttling. */
  api: string;
  family: 'oapi' | 'api';
  /** 'ok' or the error code answered. */
  outcome: string;
}

export class SimState {
  readonly app: SimAppCredentials = SIM_APP;
  readonly org: SimOrg;
  settings: SimSettings = defaultSettings();
  /** Added to the base clock by POST /_sim/clock. */
  clockOffsetMs = 0;
  faults: Array<FaultSpec & { remaining: number }> = [];
  calls: CallRecord[] = [];
  readonly tasks = new Map<number, NoticeTask>();
  deliveries: Delivery[] = [];
  readonly todos = new Map<string, SimTodo>();

  private readonly tokens = new Map<string, IssuedToken>();
  private readonly currentToken = new Map<string, IssuedToken>();
  private readonly currentTicket = new Map<string, IssuedToken>();
  private readonly authCodes = new Map<string, AuthCode>();
  /** `${userid}|${day}` → notices delivered that day. */
  private readonly dailyCounts = new Map<string, number>();
  /** `${userid}|${day}|${content}` → deliveries of that exact content that day. */
  private readonly sameContent = new Map<string, number>();
  /** 16.7: `${appKey}|${minute}` → recipients reached that minute (ref §5.2: 5000 a minute). */
  private readonly minuteRecipients = new Map<string, number>();
  /** 16.7: silent drops a test asked for: userid → codes, used one per notice. */
  noticeDrops = new Map<string, string[]>();
  /** api key → times of admitted calls within the last second. */
  private readonly windows = new Map<string, number[]>();
  private nextTaskId = 100_000_000_001;

  constructor(private readonly baseNow: () => number = Date.now) {
    this.org = new SimOrg(() => this.now());
  }

  now(): number {
    return this.baseNow() + this.clockOffsetMs;
  }

  /** Back to a fresh start: demo company, no tokens, messages, to-dos or faults. */
  reset(): void {
    this.org.reset();
    this.settings = defaultSettings();
    this.clockOffsetMs = 0;
    this.faults = [];
    this.calls = [];
    this.tasks.clear();
    this.deliveries = [];
    this.todos.clear();
    this.tokens.clear();
    this.currentToken.clear();
    this.currentTicket.clear();
    this.authCodes.clear();
    this.dailyCounts.clear();
    this.sameContent.clear();
    this.minuteRecipients.clear();
    this.noticeDrops.clear();
    this.windows.clear();
    this.nextTaskId = 100_000_000_001;
  }

  // ---- tokens (ref §2.3, §11.2) ---------------------------------------------------------------

  /**
   * One live token per app and family: the same string while valid (validity pushed to
   * now + 7200 s), a new one after. gettoken issues oapi tokens, /v1.0/oauth2/accessToken api ones.
   */
  issueToken(appKey: string, family: ApiFamily = 'oapi'): IssuedToken {
    return this.issueReusable(this.currentToken, appKey, family === 'oapi' ? 'tok' : 'atk', family);
  }

  /** ref §4: the jsapi ticket, same rule as tokens (one per app, whichever endpoint asks). */
  issueJsapiTicket(appKey: string): IssuedToken {
    return this.issueReusable(this.currentTicket, appKey, 'tkt', 'oapi');
  }

  /** A token presented to an endpoint of `family`; another family's token is as unknown as a made-up one. */
  checkToken(value: string | undefined, family: ApiFamily): TokenCheck {
    if (value === undefined || value === '') return { status: 'missing' };
    const token = this.tokens.get(value);
    if (!token || token.family !== family) return { status: 'unknown' };
    if (this.now() >= token.expiresAt) return { status: 'expired', appKey: token.appKey };
    return { status: 'ok', appKey: token.appKey };
  }

  /** Expires every live token (and jsapi ticket) now; the next token request gets a new string. */
  expireTokens(): number {
    const now = this.now();
    let n = 0;
    for (const t of [...this.tokens.values(), ...this.currentTicket.values()]) {
      if (t.expiresAt > now) {
        t.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  private issueReusable(
    current: Map<string, IssuedToken>,
    appKey: string,
    prefix: string,
    family: ApiFamily,
  ): IssuedToken {
    const now = this.now();
    const key = `${prefix} ${appKey}`;
    const live = current.get(key);
    if (live && now < live.expiresAt) {
      live.expiresAt = now + TOKEN_TTL_MS;
      return live;
    }
    const issued: IssuedToken = {
      value: `${prefix}${randomBytes(16).toString('hex')}`,
      appKey,
      expiresAt: now + TOKEN_TTL_MS,
      family,
    };
    current.set(key, issued);
    if (prefix !== 'tkt') this.tokens.set(issued.value, issued);
    return issued;
  }

  // ---- auth codes (ref §3.1, §3.2) --------------------------------------------------------------

  /** What the DingTalk client does for requestAuthCode: a one-shot code for this person, valid 5 minutes. */
  mintAuthCode(userid: string): string {
    const code = randomBytes(16).toString('hex');
    this.authCodes.set(code, { code, userid, appKey: this.app.appKey, expiresAt: this.now() + AUTH_CODE_TTL_MS });
    return code;
  }

  /** Uses up a code; undefined when unknown, already used or expired. */
  consumeAuthCode(code: string): AuthCode | undefined {
    const entry = this.authCodes.get(code);
    if (!entry) return undefined;
    this.authCodes.delete(code);
    return this.now() < entry.expiresAt ? entry : undefined;
  }

  // ---- faults, throttling, call log -----------------------------------------------------------------

  addFault(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.count });
  }

  /** The first pending fault that matches this path, with one use taken from it. */
  takeFault(pathname: string): (FaultSpec & { remaining: number }) | undefined {
    const index = this.faults.findIndex((f) => f.path === undefined || pathname.startsWith(f.path));
    if (index === -1) return undefined;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** ref §8: at most `qpsPerApi` admitted calls per app and API in any one second. */
  admit(appKey: string, api: string): boolean {
    if (!this.settings.throttle) return true;
    const key = `${appKey} ${api}`;
    const now = this.now();
    const recent = (this.windows.get(key) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= this.settings.qpsPerApi) {
      this.windows.set(key, recent);
      return false;
    }
    recent.push(now);
    this.windows.set(key, recent);
    return true;
  }

  recordCall(record: CallRecord): void {
    this.calls.push(record);
    if (this.calls.length > CALL_LOG_LIMIT) this.calls.splice(0, this.calls.length - CALL_LOG_LIMIT);
  }

  // ---- work notices (ref §5) ----------------------------------------------------------------------

  /**
   * Records a send task and delivers it, applying the silent drops of ref §5.2: the same content
   * to the same person on the same day, and more than 500 notices per person per day, are
   * accepted but not delivered; they appear in the task's forbidden list.
   */
  createNoticeTask(input: {
    appKey: string;
    agentId: string;
    msg: Record<string, unknown>;
    userids: string[];
    deptIds: number[];
    toAllUser: boolean;
  }): NoticeTask {
    const now = this.now();
    const day = shanghaiDate(new Date(now)); // ref §5.2's "same day" is a Shanghai day
    const recipients = new Set<string>();
    const invalidUserIds: string[] = [];
    const invalidDeptIds: number[] = [];
    for (const userid of input.userids) {
      if (this.org.user(userid)) recipients.add(userid);
      else invalidUserIds.push(userid);
    }
    for (const deptId of input.deptIds) {
      if (!this.org.department(deptId)) {
        invalidDeptIds.push(deptId);
        continue;
      }
      for (const d of this.org.subtree(deptId)) for (const u of this.org.directMembers(d)) recipients.add(u.userid);
    }
    if (input.toAllUser) for (const u of this.org.allUsers()) recipients.add(u.userid);

    const task: NoticeTask = {
      taskId: this.nextTaskId++,
      appKey: input.appKey,
      agentId: input.agentId,
      createdAt: now,
      msg: input.msg,
      recipients: [...recipients],
      delivered: [],
      invalidUserIds,
      invalidDeptIds,
      forbidden: [],
      recalled: false,
      progressPolls: 0,
    };
    const content = canonicalJson(input.msg);
    const minuteKey = `${input.appKey}|${Math.floor(now / 60_000)}`;
    for (const userid of task.recipients) {
      const contentKey = `${userid}|${day}|${content}`;
      const dayKey = `${userid}|${day}`;
      const sameBefore = this.sameContent.get(contentKey) ?? 0;
      const todayCount = this.dailyCounts.get(dayKey) ?? 0;
      const injected = this.noticeDrops.get(userid)?.shift();
      if (injected !== undefined) {
        task.forbidden.push({ code: injected, count: 1, userid });
        continue;
      }
      const thisMinute = this.minuteRecipients.get(minuteKey) ?? 0;
      if (thisMinute >= RECIPIENTS_PER_MINUTE) {
        task.forbidden.push({ code: FORBIDDEN_MINUTE_LIMIT, count: thisMinute, userid });
        continue;
      }
      this.minuteRecipients.set(minuteKey, thisMinute + 1);
      if (sameBefore > 0) {
        task.forbidden.push({ code: FORBIDDEN_SAME_CONTENT, count: sameBefore, userid });
        continue;
      }
      if (todayCount >= NOTICES_PER_USER_PER_DAY) {
        task.forbidden.push({ code: FORBIDDEN_DAILY_LIMIT, count: todayCount, userid });
        continue;
      }
      this.sameContent.set(contentKey, sameBefore + 1);
      this.dailyCounts.set(dayKey, todayCount + 1);
      task.delivered.push(userid);
      this.deliveries.push({ taskId: task.taskId, userid, at: now, msg: input.msg, read: false, recalled: false });
    }
    this.tasks.set(task.taskId, task);
    return task;
  }

  /** 16.7: sending is asynchronous (ref §5.1): a task is done once polled enough or after DELIVERY_TIME_MS. */
  taskDone(task: NoticeTask): boolean {
    return (
      task.progressPolls > this.settings.progressPollsBeforeDone || this.now() - task.createdAt >= DELIVERY_TIME_MS
    );
  }

  /** The next `count` notices to this person are accepted and silently dropped with `code` (16.7). */
  dropNotices(userid: string, code: string, count: number): void {
    const queue = this.noticeDrops.get(userid) ?? [];
    for (let i = 0; i < count; i++) queue.push(code);
    this.noticeDrops.set(userid, queue);
  }

  deliveriesOf(taskId: number): Delivery[] {
    return this.deliveries.filter((d) => d.taskId === taskId);
  }

  /** What a person received, newest first. */
  messagesFor(userid: string | undefined): Delivery[] {
    return this.deliveries
      .filter((d) => userid === undefined || d.userid === userid)
      .sort((a, b) => b.at - a.at || b.taskId - a.taskId);
  }

  markRead(userid: string, taskId?: number): number {
    let n = 0;
    for (const d of this.deliveries) {
      if (d.userid === userid && !d.read && (taskId === undefined || d.taskId === taskId)) {
        d.read = true;
        n++;
      }
    }
    return n;
  }

  // ---- to-dos (ref §6) ------------------------------------------------------------------------------

  newTodoId(): string {
    return `task${randomBytes(12).toString('hex')}`;
  }

  /** Live to-dos that show for this person (by unionId): as executor, participant or creator. */
  todosForUnionid(unionid: string): Array<{ todo: SimTodo; role: 'executor' | 'participant' | 'creator' }> {
    const out: Array<{ todo: SimTodo; role: 'executor' | 'participant' | 'creator' }> = [];
    for (const todo of this.todos.values()) {
      if (todo.deleted) continue;
      if (todo.executorIds.includes(unionid)) out.push({ todo, role: 'executor' });
      else if (todo.participantIds.includes(unionid)) out.push({ todo, role: 'participant' });
      else if (todo.creatorId === unionid || todo.ownerUnionId === unionid) out.push({ todo, role: 'creator' });
    }
    return out.sort((a, b) => b.todo.createdTime - a.todo.createdTime);
  }
}

/** JSON with sorted keys, so that "the same content" does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function newRequestIdOapi(): string {
  return randomBytes(7).toString('hex').slice(0, 13);
}

export function newRequestIdApi(): string {
  return randomUUID().toUpperCase();
}
