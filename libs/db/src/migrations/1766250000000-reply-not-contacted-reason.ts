import type { MigrationInterface, QueryRunner } from 'typeorm';

// R-13, issue 15.8: a reply that did not reach the caller names why, from a closed list (空号/停机,
// 三次联系未接通/拒接, 来电人要求不回访, 未留联系方式/匿名, 其他). A reply that reached the caller has
// no reason. Replies written before this migration keep a null reason (the workflow requires it
// for every new one).
export class ReplyNotContactedReason1766250000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE replies
        ADD COLUMN not_contacted_reason text
          CHECK (not_contacted_reason IN
            ('empty_number', 'no_answer_3_tries', 'declined_contact', 'no_contact_info', 'other')),
        ADD CONSTRAINT replies_reason_only_when_not_contacted
          CHECK (NOT (caller_contacted AND not_contacted_reason IS NOT NULL));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE replies
        DROP CONSTRAINT replies_reason_only_when_not_contacted,
        DROP COLUMN not_contacted_reason;
    `);
  }
}
