import type { MigrationInterface, QueryRunner } from 'typeorm';

// 16.5: DingTalk refusals that only the admin can fix (60011 a missing permission, 60020 the
// server's IP not on the app's allow-list, a wrong app key or secret), kept per code for the
// admin page until the admin marks them handled. Times come from the application clock.
export class DingTalkConfigProblems1765700000000 implements MigrationInterface {
  name = 'DingTalkConfigProblems1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dingtalk_config_problems (
        code      text PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 64),
        kind      text NOT NULL CHECK (kind IN ('permission_denied', 'ip_not_allowed', 'invalid_credentials')),
        api       text NOT NULL,
        message   text NOT NULL,
        first_at  timestamptz NOT NULL,
        last_at   timestamptz NOT NULL CHECK (last_at >= first_at),
        count     integer NOT NULL DEFAULT 1 CHECK (count > 0)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dingtalk_config_problems;`);
  }
}
