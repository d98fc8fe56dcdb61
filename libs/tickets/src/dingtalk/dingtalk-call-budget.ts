import type { DingTalkRepository } from '@hotline/db';
import type { DingTalkCallBudget, RateSpec } from '@hotline/dingtalk';

/**
 * Issue 16 item 4: one DingTalk call budget for the whole deployment. Every api replica and
 * worker takes each call's per-API token and its monthly quota count from PostgreSQL
 * (`dingtalk_rate_buckets`, `dingtalk_quota_months`), so together they stay below DingTalk's
 * 20 calls/s per app and API and the month's quota (reference §8), however many processes run.
 * Times are the client's (`nowMs`) and the month is the application clock's, never the database's.
 */
export class PostgresCallBudget implements DingTalkCallBudget {
  constructor(private readonly repo: DingTalkRepository) {}

  takeRate(api: string, nowMs: number, rate: RateSpec): Promise<number> {
    return this.repo.takeRateToken(api, nowMs, rate.perSecond, rate.burst);
  }

  takeQuota(month: string, quota: number): Promise<boolean> {
    return this.repo.takeQuotaCall(month, quota);
  }
}
