import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 15.4 (R-6d): co units answer before the lead, so each time-limit policy says how many
// working days before the lead's deadline the co units' deadline falls (default 1), edited by the
// admin on the time-limit page. Issue 15.5: the upstream margin — working days the internal
// deadline keeps before an upstream one — moves from the environment into the policy, so that the
// admin page can refuse a margin smaller than chain B's four review steps' own limits. Existing
// rows get the margin those limits need (at least one working day; a working day is 9 working
// hours with the default office hours; a calendar month counted as 23 working days).
export class CoLeadAndReviewBudget1766260000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE time_limit_policies
        ADD COLUMN co_lead_working_days integer NOT NULL DEFAULT 1
          CHECK (co_lead_working_days BETWEEN 0 AND 10),
        ADD COLUMN upstream_margin_working_days integer NOT NULL DEFAULT 4
          CHECK (upstream_margin_working_days BETWEEN 0 AND 100);
      UPDATE time_limit_policies SET upstream_margin_working_days = GREATEST(1, CASE review_unit
          WHEN 'working_days' THEN 4 * review_amount
          WHEN 'working_hours' THEN CEIL(4 * review_amount / 9.0)::int
          WHEN 'minutes' THEN CEIL(4 * review_amount / 540.0)::int
          WHEN 'calendar_months' THEN LEAST(100, 4 * 23 * review_amount)
          ELSE 1 END);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE time_limit_policies DROP COLUMN co_lead_working_days, DROP COLUMN upstream_margin_working_days;
    `);
  }
}
