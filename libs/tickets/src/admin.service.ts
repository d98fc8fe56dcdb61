import { Inject, Injectable } from '@nestjs/common';
import { shanghaiMonthKey } from '@hotline/calendar';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { DingTalkRepository, OrgSyncRepository, OutboxRepository, type OutboxRow } from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import type { CurrentUser } from './auth/auth.service';
import { CLOCK, type Clock } from './clock';
import { OrgSyncService, type OrgSyncSummary } from './org-sync/org-sync.service';
import { requireAccess } from './access/access';

/** reference §8: a standard-edition company gets about 10,000 non-contact API calls a month (DINGTALK_MONTHLY_QUOTA's default). */
export const MONTHLY_CALL_QUOTA = 10_000;

export interface DingTalkUsage {
  month: string;
  /** Every call sent this month, token and contacts calls included. */
  calls: number;
  /** 16.4: the calls that count against the quota (all processes); at `quota` counted calls are refused. */
  quotaCalls: number;
  quota: number;
  byApi: Record<string, number>;
  outbox: Record<string, number>;
}

/** The admin's page: DingTalk usage, failed notices with a retry, organisation sync. */
@Injectable()
export class AdminService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly dingtalk: DingTalkRepository,
    private readonly orgSyncRepo: OrgSyncRepository,
    private readonly orgSync: OrgSyncService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async usage(user: CurrentUser): Promise<DingTalkUsage> {
    requireAccess(user, 'admin.dingtalk');
    return this.currentUsage();
  }

  /** Also shown on /health (no access check there: counts only). */
  async currentUsage(): Promise<DingTalkUsage> {
    const month = shanghaiMonthKey(this.clock.now().getTime());
    const { total, byApi } = await this.dingtalk.callsInMonth(month);
    return {
      month,
      calls: total,
      quotaCalls: await this.dingtalk.quotaCallsInMonth(month),
      quota: this.config.dingtalk.monthlyQuota,
      byApi,
      outbox: await this.outbox.counts(),
    };
  }

  async outboxRows(user: CurrentUser, status: string, limit: number, beforeId?: number): Promise<OutboxRow[]> {
    requireAccess(user, 'admin.dingtalk');
    return this.outbox.list(status, limit, beforeId);
  }

  async retryOutbox(user: CurrentUser, id: number): Promise<{ id: number; status: 'pending' }> {
    requireAccess(user, 'admin.dingtalk');
    if (!(await this.outbox.retry(id, this.clock.now()))) {
      throw new DomainError('INVALID_STATE', `发送记录 ${id} 不是发送失败的记录，无需重发。`);
    }
    return { id, status: 'pending' };
  }

  async syncOrganisation(user: CurrentUser): Promise<OrgSyncSummary> {
    requireAccess(user, 'admin.dingtalk');
    return this.orgSync.run('admin');
  }

  async lastOrgSync(user: CurrentUser) {
    requireAccess(user, 'admin.dingtalk');
    return this.orgSyncRepo.lastRun();
  }
}
