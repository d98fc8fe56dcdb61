import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 2: each branch of the inbox (InboxRepository) reads one page in index order from
// the cursor on, so a page costs the same for a unit with 20 or 50,000 open items:
// - a unit's open assignments by status and reply deadline (the receiver's accept and reply
//   branches, the leader's approvals), covering what the inbox reads of them (the ticket, the
//   dispatch time for the light): an index-only scan, which the planner prefers to walking
//   assignments_open_deadline and filtering by unit (that walk reads every open assignment of
//   every unit when the unit has nothing of that status); also the tab counts' side;
// - tickets to dispatch and tickets under follow-up by number (they have no deadline);
// - review steps by step, deadline (none last) and number.
export class InboxPageIndexes1766370000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX assignments_inbox ON assignments (unit_code, status, reply_deadline) INCLUDE (ticket_id, dispatched_at)
        WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader');
      CREATE INDEX tickets_inbox_by_number ON tickets (status, number)
        WHERE status IN ('registered', 'follow_up');
      CREATE INDEX tickets_inbox_review ON tickets (step, (COALESCE(step_deadline, 'infinity'::timestamptz)), number)
        WHERE status = 'in_review';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX tickets_inbox_review;
      DROP INDEX tickets_inbox_by_number;
      DROP INDEX assignments_inbox;
    `);
  }
}
