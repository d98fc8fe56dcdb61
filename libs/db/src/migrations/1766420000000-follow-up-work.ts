import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 2: a unit's follow-up work (R-14(3), record_unit_follow_up: its replied assignment
// on a ticket under follow-up) was found by walking every ticket under follow-up and probing its
// assignments: at 1 M tickets with 3,000 under follow-up, 4 ms of a receiver's 6 ms tab counts and
// of a unit leader's 4.5, whatever the unit's own share. `assignments.in_follow_up` mirrors the
// ticket's status onto its assignments, kept by triggers (a ticket entering or leaving follow-up;
// an assignment inserted or moved), so a partial index by unit holds exactly that work.
export class FollowUpWork1766420000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE assignments ADD COLUMN in_follow_up boolean NOT NULL DEFAULT false;
      UPDATE assignments a SET in_follow_up = true FROM tickets t WHERE t.id = a.ticket_id AND t.status = 'follow_up';

      CREATE FUNCTION assignments_follow_up_of_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE assignments SET in_follow_up = (NEW.status = 'follow_up')
         WHERE ticket_id = NEW.id AND in_follow_up <> (NEW.status = 'follow_up');
        RETURN NULL;
      END $$;
      CREATE TRIGGER tickets_follow_up_work AFTER UPDATE OF status ON tickets FOR EACH ROW
        WHEN ((OLD.status = 'follow_up') IS DISTINCT FROM (NEW.status = 'follow_up'))
        EXECUTE FUNCTION assignments_follow_up_of_ticket();

      CREATE FUNCTION assignments_follow_up_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.in_follow_up := EXISTS (SELECT 1 FROM tickets t WHERE t.id = NEW.ticket_id AND t.status = 'follow_up');
        RETURN NEW;
      END $$;
      CREATE TRIGGER assignments_follow_up_work BEFORE INSERT OR UPDATE OF ticket_id, in_follow_up ON assignments
        FOR EACH ROW EXECUTE FUNCTION assignments_follow_up_of_row();

      CREATE INDEX assignments_follow_up_work ON assignments (unit_code) INCLUDE (ticket_id)
        WHERE status = 'replied' AND in_follow_up;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX assignments_follow_up_work;
      DROP TRIGGER assignments_follow_up_work ON assignments;
      DROP FUNCTION assignments_follow_up_of_row();
      DROP TRIGGER tickets_follow_up_work ON tickets;
      DROP FUNCTION assignments_follow_up_of_ticket();
      ALTER TABLE assignments DROP COLUMN in_follow_up;
    `);
  }
}
