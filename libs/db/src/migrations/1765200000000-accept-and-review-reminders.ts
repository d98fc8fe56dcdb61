import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 5, the reminders still missing: an assignment not accepted by its accept deadline, and a
// review step past the policy's review limit. Each scan reads a range of a partial
// index holding only the rows still due, and each reminder keeps the once-only key of
// deadline_reminders.
export class AcceptAndReviewReminders1765200000000 implements MigrationInterface {
  name = 'AcceptAndReviewReminders1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE deadline_reminders DROP CONSTRAINT deadline_reminders_kind_check;
      ALTER TABLE deadline_reminders ADD CONSTRAINT deadline_reminders_kind_check CHECK (kind IN (
        'yellow', 'due_soon', 'overdue', 'undispatched', 'return_window', 'digest', 'accept_overdue', 'review_overdue'));

      -- X-1, X-9: when the accept-deadline reminder went out (NULL: not yet).
      ALTER TABLE assignments ADD COLUMN accept_reminded_at timestamptz;
      -- Assignments already escalated as overdue need no accept reminder on top.
      UPDATE assignments SET accept_reminded_at = overdue_at WHERE status = 'pending_accept' AND overdue_at IS NOT NULL;
      CREATE INDEX assignments_accept_due ON assignments (accept_deadline)
        WHERE status = 'pending_accept' AND accept_reminded_at IS NULL AND accept_deadline IS NOT NULL;

      -- X-1, X-2: the current review step's deadline from the review limit, with what it was
      -- computed with; cleared when the ticket leaves review. Steps begun before this migration
      -- have none.
      ALTER TABLE tickets
        ADD COLUMN step_started_at       timestamptz,
        ADD COLUMN step_deadline         timestamptz,
        ADD COLUMN step_deadline_basis   jsonb,
        ADD COLUMN step_calendar_version text,
        ADD COLUMN step_reminded_at      timestamptz;
      CREATE INDEX tickets_step_overdue_due ON tickets (step_deadline)
        WHERE status = 'in_review' AND step_deadline IS NOT NULL AND step_reminded_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX tickets_step_overdue_due;
      ALTER TABLE tickets
        DROP COLUMN step_reminded_at, DROP COLUMN step_calendar_version, DROP COLUMN step_deadline_basis,
        DROP COLUMN step_deadline, DROP COLUMN step_started_at;
      DROP INDEX assignments_accept_due;
      ALTER TABLE assignments DROP COLUMN accept_reminded_at;
      DELETE FROM deadline_reminders WHERE kind IN ('accept_overdue', 'review_overdue');
      ALTER TABLE deadline_reminders DROP CONSTRAINT deadline_reminders_kind_check;
      ALTER TABLE deadline_reminders ADD CONSTRAINT deadline_reminders_kind_check CHECK (kind IN (
        'yellow', 'due_soon', 'overdue', 'undispatched', 'return_window', 'digest'));
    `);
  }
}
