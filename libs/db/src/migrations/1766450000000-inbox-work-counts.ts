import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 2: the inbox's tab counts are true totals, and counting grew with the open work: at
// 10 M tickets a unit holds 58,000 open assignments and a receiver's counts read every one of
// their index entries (25.8 ms p99 idle, 39.5 under writes). The counts of the large kinds of work
// are now kept as they change, in the same transaction: a trigger adds a +1 / -1 row to
// inbox_work_deltas whenever an assignment or a ticket enters or leaves a kind of work, and the
// worker folds the deltas into inbox_work_counts (inbox_work_compact(), every few seconds). A count
// is the sum of a few rows of both tables, read in one statement, so it is exact whatever the
// compaction has reached (the compaction deletes deltas and adds them to the sums in one
// transaction). Writers only insert: no row is shared between two writers' transactions.
//
// The kinds of work (which status is which inbox action) are the inbox's (InboxRepository): the
// action-matrix e2e test holds the counts equal to the inbox's items in every reachable state, and
// test/inbox-work-counts.e2e-spec.ts holds the kept counts equal to a recount under concurrent
// writers and compactions.
export class InboxWorkCounts1766450000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbox_work_counts (
        work text NOT NULL,
        unit_code text NOT NULL DEFAULT '',
        n bigint NOT NULL,
        PRIMARY KEY (work, unit_code)
      );
      CREATE TABLE inbox_work_deltas (
        work text NOT NULL,
        unit_code text NOT NULL DEFAULT '',
        n integer NOT NULL
      );
      CREATE INDEX inbox_work_deltas_key ON inbox_work_deltas (work, unit_code);
      -- Every folded delta is a dead row until a vacuum, and a count reads past the dead ones of
      -- its key: vacuumed after 2,000 of them whatever the table's size, without cost pauses (the
      -- table holds a few seconds of changes).
      ALTER TABLE inbox_work_deltas SET (
        autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 2000,
        autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 2000,
        autovacuum_vacuum_cost_delay = 0
      );

      -- A unit's open work (its unit_code): what waits for its receivers and its leader.
      CREATE FUNCTION inbox_work_of_assignment(status text, in_follow_up boolean) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE status
                 WHEN 'pending_accept' THEN 'accept'
                 WHEN 'accepted' THEN 'submit_reply'
                 WHEN 'awaiting_leader' THEN 'approve_reply'
                 WHEN 'replied' THEN CASE WHEN in_follow_up THEN 'record_unit_follow_up' END
               END
      $$;
      -- The operations department's work on a ticket (unit_code ''): to dispatch, to finish
      -- following up, and each review step.
      CREATE FUNCTION inbox_work_of_ticket(status text, step text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE status
                 WHEN 'registered' THEN 'dispatch'
                 WHEN 'follow_up' THEN 'finish_follow_up'
                 WHEN 'in_review' THEN 'review:' || step
               END
      $$;

      -- A row moved from the work \`was\` of unit \`was_unit\` to \`now_\` of \`now_unit\` (NULL: none,
      -- as in OLD on an INSERT and NEW on a DELETE): -1 and +1, nothing when the two are the same.
      CREATE FUNCTION inbox_work_move(was text, was_unit text, now_ text, now_unit text) RETURNS void
        LANGUAGE sql AS $$
        INSERT INTO inbox_work_deltas (work, unit_code, n)
        SELECT w, u, n FROM (VALUES (was, was_unit, -1), (now_, now_unit, 1)) v (w, u, n)
         WHERE w IS NOT NULL AND (was, was_unit) IS DISTINCT FROM (now_, now_unit)
      $$;

      CREATE FUNCTION inbox_work_assignment_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM inbox_work_move(inbox_work_of_assignment(OLD.status, OLD.in_follow_up), OLD.unit_code,
                                inbox_work_of_assignment(NEW.status, NEW.in_follow_up), NEW.unit_code);
        RETURN NULL;
      END $$;
      CREATE TRIGGER assignments_inbox_work
        AFTER INSERT OR DELETE OR UPDATE OF status, in_follow_up, unit_code ON assignments
        FOR EACH ROW EXECUTE FUNCTION inbox_work_assignment_delta();

      CREATE FUNCTION inbox_work_ticket_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM inbox_work_move(inbox_work_of_ticket(OLD.status, OLD.step), '',
                                inbox_work_of_ticket(NEW.status, NEW.step), '');
        RETURN NULL;
      END $$;
      CREATE TRIGGER tickets_inbox_work
        AFTER INSERT OR DELETE OR UPDATE OF status, step ON tickets
        FOR EACH ROW EXECUTE FUNCTION inbox_work_ticket_delta();

      -- Every count from the tables themselves, the deltas dropped. Holds writers off while it runs
      -- (SHARE locks): for this migration, a database loaded with triggers off (bench:generate)
      -- and a TRUNCATE.
      CREATE FUNCTION inbox_work_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        LOCK TABLE tickets, assignments IN SHARE MODE;
        DELETE FROM inbox_work_deltas;
        DELETE FROM inbox_work_counts;
        INSERT INTO inbox_work_counts (work, unit_code, n)
        SELECT work, unit_code, count(*) FROM (
          SELECT inbox_work_of_assignment(status, in_follow_up) AS work, unit_code FROM assignments
          UNION ALL
          SELECT inbox_work_of_ticket(status, step), '' FROM tickets
        ) w WHERE work IS NOT NULL GROUP BY work, unit_code;
      END $$;
      CREATE FUNCTION inbox_work_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM inbox_work_rebuild();
        RETURN NULL;
      END $$;
      CREATE TRIGGER assignments_inbox_work_truncate AFTER TRUNCATE ON assignments
        FOR EACH STATEMENT EXECUTE FUNCTION inbox_work_after_truncate();
      CREATE TRIGGER tickets_inbox_work_truncate AFTER TRUNCATE ON tickets
        FOR EACH STATEMENT EXECUTE FUNCTION inbox_work_after_truncate();

      -- Folds the deltas into the sums; returns how many it folded (0 when another compaction holds
      -- the turn). Safe beside writers and readers: a delta is deleted and its sum added in one
      -- statement, so a reader's snapshot sees it on one side or the other.
      CREATE FUNCTION inbox_work_compact() RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        folded bigint;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(hashtext('inbox_work_compact')) THEN RETURN 0; END IF;
        WITH d AS (DELETE FROM inbox_work_deltas RETURNING work, unit_code, n),
             s AS (SELECT work, unit_code, sum(n) AS n, count(*) AS k FROM d GROUP BY work, unit_code),
             up AS (
               INSERT INTO inbox_work_counts AS c (work, unit_code, n)
               SELECT work, unit_code, n FROM s
               ON CONFLICT (work, unit_code) DO UPDATE SET n = c.n + excluded.n
             )
        SELECT COALESCE(sum(k), 0) INTO folded FROM s;
        RETURN folded;
      END $$;

      SELECT inbox_work_rebuild();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER tickets_inbox_work_truncate ON tickets;
      DROP TRIGGER assignments_inbox_work_truncate ON assignments;
      DROP FUNCTION inbox_work_after_truncate();
      DROP FUNCTION inbox_work_rebuild();
      DROP FUNCTION inbox_work_compact();
      DROP TRIGGER tickets_inbox_work ON tickets;
      DROP FUNCTION inbox_work_ticket_delta();
      DROP TRIGGER assignments_inbox_work ON assignments;
      DROP FUNCTION inbox_work_assignment_delta();
      DROP FUNCTION inbox_work_move(text, text, text, text);
      DROP FUNCTION inbox_work_of_ticket(text, text);
      DROP FUNCTION inbox_work_of_assignment(text, boolean);
      DROP TABLE inbox_work_deltas;
      DROP TABLE inbox_work_counts;
    `);
  }
}
