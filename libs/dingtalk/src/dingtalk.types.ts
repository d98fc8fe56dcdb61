// Request and response types of the DingTalk endpoints this client calls. Response types keep
// DingTalk's wire names (snake_case on the legacy "oapi" family, camelCase on the new "api"
// family) so that the reference's field names apply unchanged (ref §1).
import type { DingTalkCallBudget } from './rate-limiter';

/** ref §1: legacy oapi.dingtalk.com ("oapi") or new api.dingtalk.com ("api"). */
export type DingTalkFamily = 'oapi' | 'api';

export interface DingTalkClientOptions {
  /** e.g. https://oapi.dingtalk.com, or the simulator's URL. */
  oapiBaseUrl: string;
  /** e.g. https://api.dingtalk.com, or the simulator's URL. */
  apiBaseUrl: string;
  appKey: string;
  appSecret: string;
  agentId: string;
  corpId: string;
  /** Per HTTP request; default 10 000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt for rate limits, busy, 5xx and network errors; default 3. */
  maxRetries?: number;
  /** Waits for backoff and for the per-API limiter. `sleep` and `now` form the client's clock: inject them together. */
  sleep?: (ms: number) => Promise<void>;
  /** Epoch ms; token expiry and the limiter use it (real elapsed time). */
  now?: () => number;
  /** Epoch ms of the application's clock; the month a call is counted in. Default: `now`. */
  monthClock?: () => number;
  /** Random source for backoff jitter, in [0, 1); default Math.random. */
  random?: () => number;
  /** Called once per HTTP request sent, with the API key (e.g. `POST /topapi/v2/user/get`) and month 'YYYY-MM' (Asia/Shanghai). */
  onCall?: (api: string, month: string) => void;
  /** Client-side token bucket per API (ref §8: DingTalk allows 20 calls/s per app and API). Default 16/s, burst 3. */
  rateLimit?: { perSecond: number; burst: number };
  /**
   * 16.4: where the per-API rate and the monthly quota are kept. Default: this client alone (in
   * memory). Pass one shared by every process (PostgreSQL) so the deployment has one budget.
   */
  budget?: DingTalkCallBudget;
  /**
   * 16.4, ref §8: calls a month (Asia/Shanghai, `monthClock`) that count against the quota;
   * beyond it a counted call is refused without being sent (kind `quota_exceeded`). Undefined: no
   * client-side limit (DingTalk's own 90020 still applies).
   */
  monthlyQuota?: number;
}

/** ref §1: the legacy envelope, always on HTTP 200. */
export interface OapiEnvelope {
  errcode: number;
  errmsg: string;
  /** ref §2.4: on topapi the real reason of errcode 88 is here, as a string. */
  sub_code?: string;
  sub_msg?: string;
  request_id?: string;
}

/** ref §1: the new family's error body on HTTP 4xx/5xx. */
export interface ApiErrorBody {
  code: string;
  message: string;
  requestid?: string;
}

// ---- tokens (ref §2) ----------------------------------------------------------------------

export interface GetTokenResponse extends OapiEnvelope {
  access_token: string;
  expires_in: number;
}

export interface OAuth2AccessTokenResponse {
  accessToken: string;
  expireIn: number;
}

/** `POST /v1.0/oauth2/jsapiTickets` (ref §4). */
export interface CreateJsapiTicketResponse {
  jsapiTicket: string;
  expireIn: number;
}

/** The archived legacy `GET /get_jsapi_ticket` (ref §4). */
export interface GetJsapiTicketResponse extends OapiEnvelope {
  ticket: string;
  expires_in: number;
}

// ---- users and departments (ref §3.2, §3.3) ------------------------------------------------

/** `topapi/v2/user/getuserinfo` result (ref §3.2). */
export interface UserInfoByCode {
  userid: string;
  unionid: string;
  associated_unionid?: string;
  name: string;
  device_id?: string;
  sys?: boolean;
  /** 1 main admin, 2 sub-admin, 100 boss, 0 other. */
  sys_level?: number;
}

export interface DeptLeaderFlag {
  dept_id: number;
  leader: boolean;
}

export interface DeptOrder {
  dept_id: number;
  order: number;
}

/** `topapi/v2/user/get` result (ref §3.3); use `unionid`, not `union_id`. */
export interface DingTalkUser {
  userid: string;
  unionid: string;
  name: string;
  avatar?: string;
  state_code?: string;
  mobile?: string;
  hide_mobile?: boolean;
  telephone?: string;
  job_number?: string;
  title?: string;
  email?: string;
  org_email?: string;
  work_place?: string;
  remark?: string;
  dept_id_list: number[];
  dept_order_list?: DeptOrder[];
  leader_in_dept?: DeptLeaderFlag[];
  manager_userid?: string;
  hired_date?: number;
  active?: boolean;
  admin?: boolean;
  boss?: boolean;
  /** In `user/list` items: leader of the listed department. */
  leader?: boolean;
  senior?: boolean;
  real_authed?: boolean;
}

export type UserListOrderField = 'entry_asc' | 'entry_desc' | 'modify_asc' | 'modify_desc' | 'custom';

export interface ListUsersRequest {
  /** Direct members of this department only; the root is 1. */
  deptId: number;
  /** Start with 0, then the previous page's `next_cursor`. */
  cursor?: number;
  /** At most 100 (ref §3.3). Default 100. */
  size?: number;
  orderField?: UserListOrderField;
  containAccessLimit?: boolean;
  language?: 'zh_CN' | 'en_US';
}

/** `topapi/v2/user/list` result (ref §3.3). */
export interface UserListPage {
  has_more: boolean;
  next_cursor?: number;
  list: DingTalkUser[];
}

/** `topapi/v2/department/listsub` item (ref §3.3). */
export interface DingTalkDepartment {
  dept_id: number;
  name: string;
  parent_id: number;
  create_dept_group?: boolean;
  auto_add_user?: boolean;
}

// ---- work notices (ref §5) -------------------------------------------------------------------

export interface TextMessage {
  msgtype: 'text';
  text: { content: string };
}
export interface ImageMessage {
  msgtype: 'image';
  image: { media_id: string };
}
export interface VoiceMessage {
  msgtype: 'voice';
  voice: { media_id: string; duration: string };
}
export interface FileMessage {
  msgtype: 'file';
  file: { media_id: string };
}
/** ref §5.3: camelCase inside `link`. */
export interface LinkMessage {
  msgtype: 'link';
  link: { messageUrl: string; picUrl: string; title: string; text: string };
}
export interface MarkdownMessage {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
}
export interface OaMessage {
  msgtype: 'oa';
  oa: {
    message_url: string;
    pc_message_url?: string;
    head: { bgcolor: string; text: string };
    status_bar?: { status_value: string; status_bg?: string };
    body: {
      title?: string;
      form?: Array<{ key: string; value: string }>;
      rich?: { num: string; unit?: string };
      content?: string;
      image?: string;
      file_count?: string;
      author?: string;
    };
  };
}
/** ref §5.3: `action_card` (snake_case), either one link or a list of buttons. */
export interface ActionCardMessage {
  msgtype: 'action_card';
  action_card: {
    title: string;
    markdown: string;
    single_title?: string;
    single_url?: string;
    btn_orientation?: '0' | '1';
    btn_json_list?: Array<{ title: string; action_url: string }>;
  };
}
export type WorkNoticeMessage =
  | TextMessage
  | ImageMessage
  | VoiceMessage
  | FileMessage
  | LinkMessage
  | MarkdownMessage
  | OaMessage
  | ActionCardMessage;

export interface SendWorkNoticeRequest {
  /** userids (not unionIds), at most 100 (ref §5.1). */
  useridList?: string[];
  /** at most 20; sub-departments included. */
  deptIdList?: number[];
  toAllUser?: boolean;
  msg: WorkNoticeMessage;
}

export interface SendWorkNoticeResult {
  /** ref §5.1: what progress, result and recall take. */
  taskId: number;
  requestId?: string;
}

/** `getsendprogress` (ref §5.4): status 0 not started, 1 processing, 2 done. */
export interface SendProgress {
  progress_in_percent: number;
  status: number;
}

/** `getsendresult` (ref §5.4). Silent drops show up in `forbidden_list` (ref §5.2). */
export interface SendResult {
  invalid_user_id_list?: string[];
  forbidden_user_id_list?: string[];
  failed_user_id_list?: string[];
  read_user_id_list?: string[];
  unread_user_id_list?: string[];
  invalid_dept_id_list?: number[];
  /** code 143106 = same content to the same person today; 143105 = over the daily count. */
  forbidden_list?: Array<{ code: string | number; count: number; userid: string }>;
}

// ---- to-dos (ref §6) --------------------------------------------------------------------------

export interface TodoDetailUrl {
  appUrl: string;
  pcUrl: string;
}

/** Body of `POST /v1.0/todo/users/{unionId}/tasks` (ref §6). All ids are unionIds. */
export interface CreateTodoRequest {
  subject: string;
  description?: string;
  /** Epoch ms. */
  dueTime?: number;
  executorIds?: string[];
  participantIds?: string[];
  detailUrl?: TodoDetailUrl;
  isOnlyShowExecutor?: boolean;
  /** 10 low, 20 normal, 30 urgent, 40 very urgent. */
  priority?: 10 | 20 | 30 | 40;
  notifyConfigs?: { dingNotify?: string };
  /** Our business id. */
  sourceId?: string;
  creatorId?: string;
}

/** Body of `PUT /v1.0/todo/users/{unionId}/tasks/{taskId}` (ref §6). */
export interface UpdateTodoRequest {
  subject?: string;
  description?: string;
  dueTime?: number;
  done?: boolean;
  executorIds?: string[];
  participantIds?: string[];
}

/** The task object (ref §6): the id field is `id`, not `taskId`. */
export interface TodoTask {
  id: string;
  subject: string;
  description?: string;
  startTime?: number;
  dueTime?: number;
  finishTime?: number;
  done: boolean;
  executorIds?: string[];
  participantIds?: string[];
  detailUrl?: TodoDetailUrl;
  source?: string;
  sourceId?: string;
  createdTime?: number;
  modifiedTime?: number;
  creatorId?: string;
  modifierId?: string;
  bizTag?: string;
  requestId?: string;
  isOnlyShowExecutor?: boolean;
  priority?: number;
  notifyConfigs?: { dingNotify?: string };
}

/** One item of the to-do query (ref §6: `todoCards[]`). */
export interface TodoCard {
  taskId: string;
  subject: string;
  dueTime?: number;
  isDone: boolean;
  sourceId?: string;
  createdTime?: number;
  modifiedTime?: number;
  creatorId?: string;
}

export interface TodoQueryPage {
  todoCards?: TodoCard[];
  nextToken?: string;
}

/** `PUT`/`DELETE` to-do answers (ref §6). */
export interface TodoResultResponse {
  result: boolean;
  requestId?: string;
}

// ---- JSAPI (ref §4) ---------------------------------------------------------------------------

export interface JsapiSignatureInput {
  ticket: string;
  nonceStr: string;
  /** The same value that goes to dd.config (seconds or ms, ref §4). */
  timeStamp: string | number;
  /** The page URL, decoded; a `#fragment` is dropped. */
  url: string;
}
