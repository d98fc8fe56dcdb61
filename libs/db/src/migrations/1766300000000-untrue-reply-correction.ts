import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 15.7 (Art. 10 应及时改正, R-18): a reply found untrue re-opens the unit's assignment with a
// new reply deadline (the flag_untrue_reply action). The flag keeps the deadline the assignment
// had before, so the unit's first reply is still judged against it (docs/kpi.md, judged deadline),
// and the new one, for the record. Flags written before this migration (a record only, nothing
// re-opened) keep nulls.
export class UntrueReplyCorrection1766300000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE untrue_reply_flags
        ADD COLUMN previous_deadline timestamptz,
        ADD COLUMN new_deadline timestamptz,
        ADD CONSTRAINT untrue_reply_flags_new_deadline_with_previous
          CHECK ((previous_deadline IS NULL) = (new_deadline IS NULL));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE untrue_reply_flags
        DROP CONSTRAINT untrue_reply_flags_new_deadline_with_previous,
        DROP COLUMN new_deadline,
        DROP COLUMN previous_deadline;
    `);
  }
}
