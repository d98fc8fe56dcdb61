import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 2: the ticket list's `light=red`, newest first, walked the tickets by creation
// time and probed each for a red open assignment. The newest tickets are the green ones (just
// dispatched; red ones are older than their reply time), so at 10 M tickets with 70,000 open green
// ones at the head its first page walked 74,360 tickets: 481 ms. Each assignment now carries its
// ticket's creation time (immutable), and a partial index of the open ones in that order lets
// the light filters walk the open assignments instead, reading only their index: the deadline and
// the dispatch time give an assignment's light (docs/benchmarks.md).
// Set from the ticket on insert (and on the first update of a row from before this migration);
// the open rows are filled here, the closed ones when they open again. The ticket's number is
// copied the same way, for the inbox's page order (below).
export class AssignmentTicketCreated1766460000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE assignments ADD COLUMN ticket_created_at timestamptz, ADD COLUMN ticket_number text;

      CREATE FUNCTION assignments_ticket_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT t.created_at, t.number INTO NEW.ticket_created_at, NEW.ticket_number
          FROM tickets t WHERE t.id = NEW.ticket_id;
        RETURN NEW;
      END $$;
      -- A ticket's number is given once, at registration (before any dispatch); should it be given
      -- again, its assignments follow.
      CREATE FUNCTION tickets_number_to_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE assignments SET ticket_number = NEW.number
         WHERE ticket_id = NEW.id AND ticket_number IS DISTINCT FROM NEW.number;
        RETURN NULL;
      END $$;
      CREATE TRIGGER tickets_number_to_assignments AFTER UPDATE OF number ON tickets
        FOR EACH ROW WHEN (NEW.number IS DISTINCT FROM OLD.number)
        EXECUTE FUNCTION tickets_number_to_assignments();
      CREATE TRIGGER assignments_ticket_created_on_insert BEFORE INSERT ON assignments
        FOR EACH ROW EXECUTE FUNCTION assignments_ticket_created();
      CREATE TRIGGER assignments_ticket_created_on_update BEFORE UPDATE ON assignments
        FOR EACH ROW WHEN (NEW.ticket_created_at IS NULL OR NEW.ticket_id IS DISTINCT FROM OLD.ticket_id)
        EXECUTE FUNCTION assignments_ticket_created();

      UPDATE assignments a SET ticket_created_at = t.created_at, ticket_number = t.number FROM tickets t
       WHERE t.id = a.ticket_id AND a.status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested');

      -- The inbox's unit branches sort a deadline's items by ticket number: with the number in the
      -- index after the deadline, a page reads its own rows, not the whole group of its first
      -- deadline joined to the tickets (131 and 408 rows for a receiver at 10 M, 2.4-3.2 ms a
      -- page; 0.4-0.6 with the number here).
      DROP INDEX assignments_inbox;
      CREATE INDEX assignments_inbox ON assignments (unit_code, status, reply_deadline, ticket_number)
        INCLUDE (ticket_id, dispatched_at)
        WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader');

      CREATE INDEX assignments_open_newest ON assignments (ticket_created_at DESC, ticket_id DESC)
        INCLUDE (reply_deadline, dispatched_at)
        WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX assignments_open_newest;
      DROP INDEX assignments_inbox;
      CREATE INDEX assignments_inbox ON assignments (unit_code, status, reply_deadline) INCLUDE (ticket_id, dispatched_at)
        WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader');
      DROP TRIGGER tickets_number_to_assignments ON tickets;
      DROP FUNCTION tickets_number_to_assignments();
      DROP TRIGGER assignments_ticket_created_on_update ON assignments;
      DROP TRIGGER assignments_ticket_created_on_insert ON assignments;
      DROP FUNCTION assignments_ticket_created();
      ALTER TABLE assignments DROP COLUMN ticket_created_at, DROP COLUMN ticket_number;
    `);
  }
}
