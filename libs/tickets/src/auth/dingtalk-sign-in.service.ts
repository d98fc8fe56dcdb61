import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { OrganisationRepository, OrgSyncRepository } from '@hotline/db';
import { DingTalkApiError, jsapiSignature, type DingTalkClient } from '@hotline/dingtalk';
import { DomainError } from '@hotline/workflow';
import { CLOCK, type Clock } from '../clock';
import { DINGTALK_CLIENT, dingTalkEndpoint } from '../dingtalk/dingtalk-client.provider';
import { DingTalkConfigProblemsService } from '../dingtalk/dingtalk-config-problems.service';
import { AuthService, type SessionResponse } from './auth.service';

export interface JsapiConfigResponse {
  agentId: string;
  corpId: string;
  timeStamp: number;
  nonceStr: string;
  signature: string;
  url: string;
}

/**
 * Sign-in inside DingTalk (reference §3): the micro-app's one-shot auth code is exchanged for
 * the userid, the profile is read, the local person is created or updated, and our token issued.
 */
@Injectable()
export class DingTalkSignInService {
  constructor(
    @Inject(DINGTALK_CLIENT) private readonly client: DingTalkClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly org: OrganisationRepository,
    private readonly orgSync: OrgSyncRepository,
    private readonly auth: AuthService,
    private readonly configProblems: DingTalkConfigProblemsService,
  ) {}

  async signIn(code: string): Promise<SessionResponse> {
    let userid: string;
    try {
      userid = (await this.client.getUserInfoByCode(code)).userid;
    } catch (err) {
      // 16.5: 60011 / 60020 / wrong credentials are the deployment's fault, not the code's: the
      // admin sees them, the person is told the system is mis-configured (error filter).
      if (DingTalkConfigProblemsService.isConfigurationError(err)) {
        await this.configProblems.note(err, 'sign-in');
        throw err;
      }
      if (err instanceof DingTalkApiError && !err.retryable) {
        throw new DomainError('UNAUTHENTICATED', '钉钉登录码无效、已使用或已过期，请重新打开应用。', 'code');
      }
      throw err;
    }
    const profile = await this.client.getUser(userid).catch(async (err: unknown) => {
      await this.configProblems.note(err, 'sign-in');
      throw err;
    });
    const existing = await this.org.findPerson(userid);
    const unitsByDept = await this.orgSync.unitsByDept();
    const units = profile.dept_id_list
      .filter((d) => unitsByDept.get(d)?.active)
      .map((d) => ({
        code: unitsByDept.get(d)!.code,
        isLeader: Boolean(profile.leader_in_dept?.some((l) => l.dept_id === d && l.leader)),
      }));
    if (existing && !existing.active) {
      throw new DomainError('UNAUTHENTICATED', '该账号已停用，请联系热线系统管理员。');
    }
    // A newcomer gets the unit role their department says; an admin grants the office roles.
    const roles = existing
      ? existing.roles
      : units.some((u) => u.isLeader)
        ? ['unit_leader']
        : units.length
          ? ['receiver']
          : [];
    await this.org.upsertPerson({
      userid,
      unionid: profile.unionid,
      name: profile.name,
      title: profile.title ?? existing?.title ?? null,
      roles,
      units: existing ? existing.units.map((u) => ({ code: u.code, isLeader: u.isLeader })) : units,
    });
    const person = await this.org.findPerson(userid);
    return await this.auth.issue(person!);
  }

  /**
   * 13.5: the corp id for requestAuthCode, for a page opened without `?corpId=` (a link sent
   * before links carried it, a bookmarked page). Not a secret: DingTalk puts it in every app URL.
   */
  corp(): { corpId: string } {
    return { corpId: dingTalkEndpoint(this.config).corpId };
  }

  /** `dd.config` parameters for a page URL (reference §4: SHA-1 over the sorted fields). */
  async jsapiConfig(url: string): Promise<JsapiConfigResponse> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DomainError('VALIDATION', 'url 须为页面的完整地址。', 'url');
    }
    if (!['http:', 'https:'].includes(parsed.protocol))
      throw new DomainError('VALIDATION', 'url 须以 http 或 https 开头。', 'url');
    const ticket = await this.client.getJsapiTicket().catch(async (err: unknown) => {
      await this.configProblems.note(err, 'jsapi ticket');
      throw err;
    });
    const timeStamp = Math.floor(this.clock.now().getTime() / 1000);
    const nonceStr = randomBytes(8).toString('hex');
    const endpoint = dingTalkEndpoint(this.config);
    return {
      agentId: endpoint.agentId,
      corpId: endpoint.corpId,
      timeStamp,
      nonceStr,
      url,
      signature: jsapiSignature({ ticket, nonceStr, timeStamp: String(timeStamp), url }),
    };
  }
}
