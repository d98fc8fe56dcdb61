import type { MigrationInterface, QueryRunner } from 'typeorm';

// at city scale (issue 19): every unit figure reads, per assignment, its first
// leader-approved reply (R-10, judged for on-time replies) and the approved reply standing now
// (judged for on-time closing). Looked up per row, a year at 1 M tickets took seconds; kept as two
// columns of the assignment they are one sequential read. The database keeps them (statement-level
// triggers over the replies a statement wrote, so any writer, including bulk loads, stays right).
export class AssignmentReplyTimes1766100000000 implements MigrationInterface {
  name = 'AssignmentReplyTimes1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE assignments
        ADD COLUMN first_approved_at timestamptz,
        ADD COLUMN final_approved_at timestamptz;

      CREATE FUNCTION assignments_sync_reply_times() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE assignments a
           SET first_approved_at = r.first_at, final_approved_at = r.final_at
          FROM (SELECT c.assignment_id,
                       (SELECT min(x.approved_at) FROM replies x
                         WHERE x.assignment_id = c.assignment_id AND x.approved_at IS NOT NULL) AS first_at,
                       (SELECT max(x.approved_at) FROM replies x
                         WHERE x.assignment_id = c.assignment_id AND x.status = 'approved') AS final_at
                  FROM (SELECT DISTINCT assignment_id FROM changed_replies) c) r
         WHERE a.id = r.assignment_id
           AND (a.first_approved_at IS DISTINCT FROM r.first_at OR a.final_approved_at IS DISTINCT FROM r.final_at);
        RETURN NULL;
      END $$;
      CREATE TRIGGER replies_sync_times_insert AFTER INSERT ON replies
        REFERENCING NEW TABLE AS changed_replies FOR EACH STATEMENT EXECUTE FUNCTION assignments_sync_reply_times();
      CREATE TRIGGER replies_sync_times_update AFTER UPDATE ON replies
        REFERENCING NEW TABLE AS changed_replies FOR EACH STATEMENT EXECUTE FUNCTION assignments_sync_reply_times();

      UPDATE assignments a
         SET first_approved_at = r.first_at, final_approved_at = r.final_at
        FROM (SELECT assignment_id, min(approved_at) AS first_at,
                     max(approved_at) FILTER (WHERE status = 'approved') AS final_at
                FROM replies WHERE approved_at IS NOT NULL GROUP BY assignment_id) r
       WHERE a.id = r.assignment_id;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER replies_sync_times_update ON replies;
      DROP TRIGGER replies_sync_times_insert ON replies;
      DROP FUNCTION assignments_sync_reply_times();
      ALTER TABLE assignments DROP COLUMN final_approved_at, DROP COLUMN first_approved_at;
    `);
  }
}
