import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DingTalkApiError, DingTalkNetworkError } from '@hotline/dingtalk';
import { DomainError } from '@hotline/workflow';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
  errorId?: string;
}

/** Seconds a client is told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
/** While the database stays unreachable, this is said once per this long (not once per request). */
const DATABASE_LOG_EVERY_MS = 30_000;

// Connection-level failures (issue 18.6): the database is down, restarting or refusing us. The
// request may well succeed in a few seconds, so they are 503 with Retry-After, not a bug's 500.
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
// (TypeORM's "Query runner already released" and "Database connection provided by a query runner was
// already released" are what a transaction meets after its connection died.)
// SQLSTATE 08… connection exception; 57P01–57P03 admin/crash shutdown, cannot connect now; 53300 too many connections.
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/;
const CONNECTION_MESSAGES =
  /Connection terminated|Query runner already released|query runner was already released|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i;

/** Whether an error means "the database cannot be reached now" (pg, TypeORM's wrapper or its cause). */
export function isDatabaseUnavailable(err: unknown): boolean {
  // DingTalk's own network errors carry the same errno codes: they have their own answer below.
  if (err instanceof DingTalkNetworkError || err instanceof DingTalkApiError) return false;
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const x = e as { code?: unknown; errno?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof x.code === 'string' && (CONNECTION_ERRNOS.has(x.code) || UNAVAILABLE_SQLSTATES.test(x.code))) {
      return true;
    }
    if (typeof x.message === 'string' && CONNECTION_MESSAGES.test(x.message)) return true;
    if (Array.isArray((e as { errors?: unknown }).errors)) {
      if ((e as { errors: unknown[] }).errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    }
    e = x.driverError ?? x.cause;
  }
  return false;
}

/** Domain error codes → HTTP, in one place (STYLE habit 6). */
export function statusForCode(code: DomainError['code']): number {
  switch (code) {
    case 'VALIDATION':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'INVALID_STATE':
      return 409;
    case 'CONFLICT':
      return 409;
    case 'RATE_LIMITED':
      return 429;
    default: {
      const never: never = code;
      return never;
    }
  }
}

const HTTP_NAMES: Record<number, string> = {
  400: 'VALIDATION',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Issue 17.8: Fastify's refusals said in the product's language, with the rule. */
const FASTIFY_MESSAGES: Partial<Record<number, string>> = {
  413: '请求体超过 1 MiB 的上限；附件和表格请以 multipart/form-data 上传。',
  415: '不支持该 Content-Type：请以 application/json 提交，上传文件用 multipart/form-data。',
};

/** The multipart parser's (busboy's) errors for a body that ends early or is malformed. */
const MULTIPART_BROKEN = /^(Unexpected end of (form|multipart data|file)|Malformed part header|Part terminated early)/;

/** 16.5: DingTalk error kinds that mean the deployment is mis-configured, with what is wrong. */
const MISCONFIGURED: Partial<Record<string, string>> = {
  permission_denied: '应用缺少所需权限',
  ip_not_allowed: '服务器 IP 不在应用的白名单中',
  invalid_credentials: '应用的 AppKey 或 AppSecret 不正确',
};

/** PostgreSQL error classes that mean "the input broke a rule", not "the server broke". */
function fromDatabase(err: unknown): ErrorBody | null {
  const code =
    (err as { driverError?: { code?: string }; code?: string })?.driverError?.code ?? (err as { code?: string })?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return null;
  if (code === '23505' || code === '40001' || code === '40P01') {
    return { statusCode: 409, error: 'CONFLICT', message: '数据刚被他人修改，请刷新后重试。' };
  }
  if (
    code === '23514' ||
    code === '23502' ||
    code === '22001' ||
    code === '22P02' ||
    code === '22007' ||
    code === '22008' ||
    code === '23503'
  ) {
    return {
      statusCode: 400,
      error: 'VALIDATION',
      message: '提交的内容不符合数据规则（某个值过长、缺失或不允许），请检查后重试。',
    };
  }
  return null;
}

@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private databaseDownSince: { loggedAt: number; unsaid: number } | undefined;

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (isDatabaseUnavailable(exception)) {
      this.noteDatabaseDown(exception);
      void reply
        .status(503)
        .header('content-type', 'application/json; charset=utf-8')
        .header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
        .send({
          statusCode: 503,
          error: 'DATABASE_UNAVAILABLE',
          message: '系统暂时无法访问数据库，请稍后重试。',
        } satisfies ErrorBody);
      return;
    }
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      body.errorId = randomUUID();
      this.logger.error({ errorId: body.errorId, err: exception }, 'unexpected error');
    }
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  /** One log line when an outage starts, then one per DATABASE_LOG_EVERY_MS with the count in between. */
  private noteDatabaseDown(exception: unknown): void {
    const now = Date.now();
    const down = this.databaseDownSince;
    if (down && now - down.loggedAt < DATABASE_LOG_EVERY_MS) {
      down.unsaid += 1;
      return;
    }
    const err = exception as { message?: string; code?: string };
    this.logger.warn(
      { code: err?.code, reason: err?.message, answeredWith503Since: down?.unsaid ?? 0 },
      'database unavailable: answering 503 with Retry-After',
    );
    this.databaseDownSince = { loggedAt: now, unsaid: 0 };
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = statusForCode(exception.code);
      return {
        statusCode,
        error: exception.code,
        message: exception.message,
        ...(exception.field ? { field: exception.field } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const res = exception.getResponse() as string | { message?: string | string[]; field?: string };
      const raw = typeof res === 'string' ? res : res.message;
      // (A body over the limit arrives here from the body parser, worded in English: say the rule.)
      const message =
        statusCode === 413 ? FASTIFY_MESSAGES[413]! : Array.isArray(raw) ? raw.join('; ') : (raw ?? exception.message);
      const field =
        typeof res === 'object' && res.field ? res.field : Array.isArray(raw) ? firstField(raw[0]) : undefined;
      return { statusCode, error: HTTP_NAMES[statusCode] ?? 'ERROR', message, ...(field ? { field } : {}) };
    }
    const db = fromDatabase(exception);
    if (db) return db;
    // DingTalk down or refusing us is not the caller's fault, nor a bug of ours: 503 / 502.
    if (exception instanceof DingTalkNetworkError || (exception instanceof DingTalkApiError && exception.retryable)) {
      return {
        statusCode: 503,
        error: 'DINGTALK_UNAVAILABLE',
        message: '暂时无法连接钉钉，请稍后重试。',
      };
    }
    // 16.5: refusals only the admin can fix (missing permission, IP allow-list, app credentials):
    // say the system is mis-configured, never that the person did something wrong.
    const misconfigured = exception instanceof DingTalkApiError ? MISCONFIGURED[exception.kind] : undefined;
    if (exception instanceof DingTalkApiError && misconfigured) {
      return {
        statusCode: 503,
        error: 'DINGTALK_MISCONFIGURED',
        message: `系统的钉钉配置有误（${misconfigured}，钉钉错误码 ${exception.subCode ?? exception.code}），暂时无法使用钉钉功能。请联系系统管理员处理。`,
      };
    }
    if (exception instanceof DingTalkApiError) {
      return {
        statusCode: 502,
        error: 'DINGTALK_ERROR',
        message: `钉钉拒绝了请求：${exception.message}`,
      };
    }
    // Fastify's own errors (bad JSON, body too large, wrong content type) carry a 4xx statusCode.
    const sc = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof sc === 'number' && sc >= 400 && sc < 500) {
      const message = FASTIFY_MESSAGES[sc] ?? (exception as Error).message;
      return { statusCode: sc, error: HTTP_NAMES[sc] ?? 'ERROR', message };
    }
    // Issue 17.8: a multipart body cut off or malformed (the form parser's own errors) is the
    // upload's fault, not a bug: 400 naming the file part.
    const text = (exception as { message?: unknown })?.message;
    if (typeof text === 'string' && MULTIPART_BROKEN.test(text)) {
      return {
        statusCode: 400,
        error: 'VALIDATION',
        message: '上传内容不完整或格式有误（multipart/form-data），请重新上传文件。',
        field: 'file',
      };
    }
    return {
      statusCode: 500,
      error: 'INTERNAL',
      message: '服务器内部错误，请稍后重试；报告问题时请提供错误编号（errorId）。',
    };
  }
}

/** class-validator messages start with the property path ("caller.phone must be …"). */
function firstField(message: string | undefined): string | undefined {
  const m = message?.match(/^([A-Za-z][\w.[\]]*)\s/);
  return m?.[1];
}
