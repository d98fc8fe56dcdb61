import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 16 item 4: one DingTalk call budget for the whole deployment. DingTalk allows 20 calls a
// second per app and API and a standard-edition company about 10,000 counted calls a month
// (reference §8); both used to be kept per process, so api replicas and workers together could
// exceed them. Every process now draws on these two tables before each call.
export class DingTalkCallBudget1766210000000 implements MigrationInterface {
  name = 'DingTalkCallBudget1766210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- A token bucket per API, shared by every process: refilled at the client's rate from at_ms
      -- (epoch ms of the calling process's clock, never the database's) and taken one token per
      -- call in a single INSERT … ON CONFLICT DO UPDATE … WHERE tokens >= 1. One row per API, so
      -- nothing accumulates.
      CREATE TABLE dingtalk_rate_buckets (
        api     text PRIMARY KEY,
        tokens  double precision NOT NULL CHECK (tokens >= 0),
        at_ms   bigint NOT NULL
      );

      -- The calls counted against the monthly quota (token, sign-in and contacts calls are exempt,
      -- reference §8), per month in Asia/Shanghai of the application's clock. Taken before the
      -- call with UPDATE … WHERE calls < quota, so no two processes can pass the quota together.
      -- One row a month, kept as history like dingtalk_call_counts.
      CREATE TABLE dingtalk_quota_months (
        month  text PRIMARY KEY CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
        calls  bigint NOT NULL DEFAULT 0 CHECK (calls >= 0)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dingtalk_quota_months; DROP TABLE dingtalk_rate_buckets;`);
  }
}
