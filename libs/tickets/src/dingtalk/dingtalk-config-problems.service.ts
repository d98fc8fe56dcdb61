import { Inject, Injectable, Logger } from '@nestjs/common';
import { DingTalkRepository, type DingTalkConfigProblemRow } from '@hotline/db';
import { DingTalkApiError } from '@hotline/dingtalk';
import { requireAccess } from '../access/access';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';

/** DingTalk refusals that are the deployment's configuration, not the person's or a passing fault. */
const CONFIG_KINDS = new Set(['permission_denied', 'ip_not_allowed', 'invalid_credentials']);

export interface DingTalkConfigProblem {
  code: string;
  kind: string;
  /** What the admin should do, in Chinese. */
  advice: string;
  api: string;
  message: string;
  firstAt: string;
  lastAt: string;
  count: number;
}

/** The code a problem is kept under: the topapi sub_code (60011, 60020), else DingTalk's code. */
function problemCode(err: DingTalkApiError): string {
  return err.subCode ?? String(err.code);
}

function advice(kind: string): string {
  switch (kind) {
    case 'permission_denied':
      return '应用缺少所需的钉钉接口权限：请在钉钉开发者后台为本应用开通错误信息中列出的权限（docs/dingtalk.md 第 3 步）。';
    case 'ip_not_allowed':
      return '服务器出口 IP 不在应用的 IP 白名单中：请在钉钉开发者后台「开发管理」把服务器出口 IP 加入白名单。';
    default:
      return '应用的 AppKey 或 AppSecret 不正确：请核对 DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET 后重启服务。';
  }
}

/**
 * 16.5: a missing permission (60011), an IP not on the allow-list (60020) or wrong app
 * credentials are configuration errors for the admin: logged, kept for the admin page, and the
 * person is told the system is mis-configured (the error filter's DINGTALK_MISCONFIGURED).
 */
@Injectable()
export class DingTalkConfigProblemsService {
  private readonly logger = new Logger('DingTalkConfig');

  constructor(
    private readonly repo: DingTalkRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  static isConfigurationError(err: unknown): err is DingTalkApiError {
    return err instanceof DingTalkApiError && CONFIG_KINDS.has(err.kind);
  }

  /** Records `err` when it is a configuration error; never throws (the caller rethrows `err`). */
  async note(err: unknown, during: string): Promise<void> {
    if (!DingTalkConfigProblemsService.isConfigurationError(err)) return;
    const code = problemCode(err);
    this.logger.error(
      { dingtalkCode: code, kind: err.kind, api: err.api, during, requestId: err.requestId },
      `DingTalk configuration error during ${during}: ${err.message}`,
    );
    await this.repo
      .recordConfigProblem({ code, kind: err.kind, api: err.api, message: err.message, at: this.clock.now() })
      .catch((e: unknown) => this.logger.warn({ err: e }, 'could not record the DingTalk configuration problem'));
  }

  async list(user: CurrentUser): Promise<DingTalkConfigProblem[]> {
    requireAccess(user, 'admin.dingtalk');
    return (await this.repo.configProblems()).map((r: DingTalkConfigProblemRow) => ({
      code: r.code,
      kind: r.kind,
      advice: advice(r.kind),
      api: r.api,
      message: r.message,
      firstAt: r.firstAt.toISOString(),
      lastAt: r.lastAt.toISOString(),
      count: r.count,
    }));
  }

  /** Marks a problem handled; idempotent (an absent code is already handled). */
  async clear(user: CurrentUser, code: string): Promise<void> {
    requireAccess(user, 'admin.dingtalk');
    await this.repo.clearConfigProblem(code);
  }
}
