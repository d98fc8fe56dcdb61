import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 15.9 (改派): the operations department withdraws one unit's assignment and dispatches
// another unit in its place. The withdrawn assignment keeps its row (status 'withdrawn') for the
// record; like a returned or cancelled one it is no longer open, so the unit may be dispatched to
// the ticket again and its replacement may be the ticket's (one) lead.
export class AssignmentWithdrawn1766310000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE assignments DROP CONSTRAINT assignments_status_check;
      ALTER TABLE assignments ADD CONSTRAINT assignments_status_check CHECK (status IN
        ('pending_accept', 'accepted', 'awaiting_leader', 'replied', 'return_requested', 'returned', 'cancelled',
         'withdrawn'));
      DROP INDEX assignments_one_open_per_unit;
      DROP INDEX assignments_one_open_lead;
      -- R-6: a unit holds at most one open assignment on a ticket; a ticket has at most one lead.
      CREATE UNIQUE INDEX assignments_one_open_per_unit ON assignments (ticket_id, unit_code)
        WHERE status NOT IN ('returned', 'cancelled', 'withdrawn');
      CREATE UNIQUE INDEX assignments_one_open_lead ON assignments (ticket_id)
        WHERE role = 'lead' AND status NOT IN ('returned', 'cancelled', 'withdrawn');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // A withdrawn assignment ended like a cancelled one (no longer part of the matter).
    await q.query(`
      UPDATE assignments SET status = 'cancelled' WHERE status = 'withdrawn';
      DROP INDEX assignments_one_open_per_unit;
      DROP INDEX assignments_one_open_lead;
      CREATE UNIQUE INDEX assignments_one_open_per_unit ON assignments (ticket_id, unit_code)
        WHERE status NOT IN ('returned', 'cancelled');
      CREATE UNIQUE INDEX assignments_one_open_lead ON assignments (ticket_id)
        WHERE role = 'lead' AND status NOT IN ('returned', 'cancelled');
      ALTER TABLE assignments DROP CONSTRAINT assignments_status_check;
      ALTER TABLE assignments ADD CONSTRAINT assignments_status_check CHECK (status IN
        ('pending_accept', 'accepted', 'awaiting_leader', 'replied', 'return_requested', 'returned', 'cancelled'));
    `);
  }
}
