import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 2: a year's unit figures without rescanning the year. The figures of
// the assignments whose contribution no longer depends on the clock ("settled": returned,
// cancelled, withdrawn, or with both a first and a standing approved reply) are kept summed per
// unit and dispatch day (Asia/Shanghai) in unit_figure_days; AssessmentRepository.unitFigures
// adds those sums for the whole clean days of a period to a direct read of everything else (the
// partial days at its edges, days not yet recomputed, and the open "live" assignments).
//
// Exactness does not rest on incremental deltas: every change to an input of a day's figures
// (assignments, tickets, calls, requests, untrue-reply flags, the revoke event, and for repeat
// calls the same caller's later tickets within the window) appends that day to
// unit_figure_dirty in the same transaction; a dirty day is read directly until the repository
// recomputes it whole. Writers only append (no unique key, so concurrent writers never wait on
// each other); the recompute deletes exactly the rows it saw.
//
// No backfill statement here: every day that has assignments is marked dirty (one cheap pass),
// and the first figures read (or AssessmentRepository.refreshUnitFigureDays) computes them with
// the repository's own SQL, so the stored sums and the direct read cannot differ in definition.
export class UnitFigureDays1766410000000 implements MigrationInterface {
  name = 'UnitFigureDays1766410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE unit_figure_days (
        day                 date NOT NULL,
        unit_code           text NOT NULL,
        dispatched          int NOT NULL,
        handled             int NOT NULL,
        accepted_on_time    int NOT NULL,
        due                 int NOT NULL,
        replied_on_time     int NOT NULL,
        overdue             int NOT NULL,
        returns_approved    int NOT NULL,
        rework              int NOT NULL,
        reworked            int NOT NULL,
        closed              int NOT NULL,
        closed_on_time      int NOT NULL,
        closed_late         int NOT NULL,
        first_time_closed   int NOT NULL,
        repeat_calls        int NOT NULL,
        return_requests     int NOT NULL,
        extension_requests  int NOT NULL,
        extensions_approved int NOT NULL,
        untrue_replies      int NOT NULL,
        calls_reached       int NOT NULL,
        calls_solved        int NOT NULL,
        calls_satisfied     int NOT NULL,
        calls_unreachable   int NOT NULL,
        visit_rework        int NOT NULL,
        PRIMARY KEY (day, unit_code)
      );
      -- No key: a mark is only a day, repeated marks are harmless, and a restore (which loads
      -- these rows while the triggers below add marks of their own) cannot collide on one.
      CREATE TABLE unit_figure_dirty (
        day date NOT NULL
      );
      CREATE INDEX unit_figure_dirty_day ON unit_figure_dirty (day);
      -- The repeat window (REPEAT_WINDOW_DAYS) the stored sums were computed with; another window
      -- recomputes them all.
      CREATE TABLE unit_figure_state (
        one         boolean PRIMARY KEY DEFAULT true CHECK (one),
        window_days int NOT NULL
      );
      INSERT INTO unit_figure_state (window_days) VALUES (30);

      -- The live (clock-dependent) assignments the figures read directly, by dispatch time.
      CREATE INDEX assignments_figures_live ON assignments (dispatched_at)
        WHERE status NOT IN ('returned', 'cancelled', 'withdrawn') AND (first_approved_at IS NULL OR final_approved_at IS NULL);
      -- Per-assignment probes of the direct read; at-fault complaints by receipt (R-16).
      -- (return_requests (assignment_id) is migration 1766400000000's.)
      CREATE INDEX extension_requests_assignment_idx ON extension_requests (assignment_id);
      CREATE INDEX tickets_at_fault_idx ON tickets (received_at) WHERE responsibility = 'at_fault';

      -- Days of the assignments of the given tickets and, for repeat calls, of the same callers'
      -- tickets received up to the window after them.
      CREATE FUNCTION unit_figures_mark_tickets(ids uuid[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO unit_figure_dirty (day)
        SELECT DISTINCT (a.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date
          FROM assignments a
         WHERE a.ticket_id IN (
                 SELECT unnest(ids)
                 UNION
                 SELECT e.id FROM tickets t JOIN tickets e ON e.caller_phone_hash = t.caller_phone_hash
                  WHERE t.id = ANY(ids) AND t.caller_phone_hash IS NOT NULL
                    AND e.received_at >= t.received_at
                    AND e.received_at <= t.received_at + (SELECT window_days FROM unit_figure_state) * interval '1 day')
      $$;

      CREATE FUNCTION unit_figures_dirty_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO unit_figure_dirty (day)
          SELECT DISTINCT (o.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date FROM old_rows o;
        ELSE
          INSERT INTO unit_figure_dirty (day)
          SELECT DISTINCT (n.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date FROM new_rows n;
        END IF;
        RETURN NULL;
      END $$;
      CREATE FUNCTION unit_figures_dirty_assignment_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO unit_figure_dirty (day) VALUES ((OLD.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date);
        IF (NEW.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date <> (OLD.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date THEN
          INSERT INTO unit_figure_dirty (day) VALUES ((NEW.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER assignments_figures_insert AFTER INSERT ON assignments
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_assignments();
      CREATE TRIGGER assignments_figures_delete AFTER DELETE ON assignments
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_assignments();
      -- Only the columns the figures read; a status change only when it moves into or out of the
      -- statuses they tell apart (returned, cancelled, withdrawn).
      CREATE TRIGGER assignments_figures_update AFTER UPDATE ON assignments FOR EACH ROW
        WHEN (OLD.ticket_id IS DISTINCT FROM NEW.ticket_id OR OLD.unit_code IS DISTINCT FROM NEW.unit_code
              OR OLD.role IS DISTINCT FROM NEW.role
              OR (OLD.status IS DISTINCT FROM NEW.status
                  AND (OLD.status IN ('returned', 'cancelled', 'withdrawn') OR NEW.status IN ('returned', 'cancelled', 'withdrawn')))
              OR OLD.dispatched_at IS DISTINCT FROM NEW.dispatched_at OR OLD.accepted_at IS DISTINCT FROM NEW.accepted_at
              OR OLD.accept_deadline IS DISTINCT FROM NEW.accept_deadline
              OR OLD.reply_deadline IS DISTINCT FROM NEW.reply_deadline OR OLD.rework_count IS DISTINCT FROM NEW.rework_count
              OR OLD.first_approved_at IS DISTINCT FROM NEW.first_approved_at
              OR OLD.final_approved_at IS DISTINCT FROM NEW.final_approved_at)
        EXECUTE FUNCTION unit_figures_dirty_assignment_row();

      CREATE FUNCTION unit_figures_dirty_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.status <> 'revoked' AND NEW.status <> 'revoked'
           AND OLD.received_at = NEW.received_at AND OLD.caller_phone_hash IS NOT DISTINCT FROM NEW.caller_phone_hash
           AND OLD.category_code = NEW.category_code AND OLD.route IS NOT DISTINCT FROM NEW.route THEN
          -- Closed or re-opened (the hot path): only this ticket's own assignments; whether it is
          -- the earlier call of a later one does not change.
          INSERT INTO unit_figure_dirty (day)
          SELECT DISTINCT (a.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date FROM assignments a WHERE a.ticket_id = NEW.id;
        ELSIF TG_OP = 'UPDATE' THEN
          -- The old caller and receipt: the later tickets that were repeats of this one.
          INSERT INTO unit_figure_dirty (day)
          SELECT DISTINCT (a.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date
            FROM tickets e JOIN assignments a ON a.ticket_id = e.id
           WHERE OLD.caller_phone_hash IS NOT NULL AND e.caller_phone_hash = OLD.caller_phone_hash
             AND e.received_at >= OLD.received_at
             AND e.received_at <= OLD.received_at + (SELECT window_days FROM unit_figure_state) * interval '1 day';
          PERFORM unit_figures_mark_tickets(ARRAY[NEW.id]);
        ELSIF TG_OP = 'INSERT' THEN
          PERFORM unit_figures_mark_tickets(ARRAY(SELECT n.id FROM new_rows n WHERE n.caller_phone_hash IS NOT NULL));
        ELSE
          INSERT INTO unit_figure_dirty (day)
          SELECT DISTINCT (a.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date
            FROM old_rows o JOIN tickets e ON e.caller_phone_hash = o.caller_phone_hash
            JOIN assignments a ON a.ticket_id = e.id
           WHERE e.received_at >= o.received_at
             AND e.received_at <= o.received_at + (SELECT window_days FROM unit_figure_state) * interval '1 day';
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER tickets_figures_insert AFTER INSERT ON tickets
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_tickets();
      CREATE TRIGGER tickets_figures_delete AFTER DELETE ON tickets
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_tickets();
      -- What the figures read of a ticket: revoked or not, closed (or under follow-up) or not, and
      -- for repeat calls its caller, matter and receipt.
      CREATE TRIGGER tickets_figures_update AFTER UPDATE ON tickets FOR EACH ROW
        WHEN ((OLD.status IS DISTINCT FROM NEW.status
               AND (OLD.status IN ('revoked', 'closed', 'follow_up') OR NEW.status IN ('revoked', 'closed', 'follow_up')))
              OR OLD.received_at IS DISTINCT FROM NEW.received_at
              OR OLD.caller_phone_hash IS DISTINCT FROM NEW.caller_phone_hash
              OR OLD.category_code IS DISTINCT FROM NEW.category_code OR OLD.route IS DISTINCT FROM NEW.route)
        EXECUTE FUNCTION unit_figures_dirty_tickets();

      -- Calls, requests and flags: the days of their ticket's (or assignment's) assignments.
      CREATE FUNCTION unit_figures_dirty_by_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO unit_figure_dirty (day)
        SELECT DISTINCT (a.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date
          FROM assignments a WHERE a.ticket_id IN (SELECT ticket_id FROM changed_rows);
        RETURN NULL;
      END $$;
      CREATE FUNCTION unit_figures_dirty_by_ticket_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO unit_figure_dirty (day)
        SELECT DISTINCT (a.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date
          FROM assignments a WHERE a.ticket_id IN (OLD.ticket_id, NEW.ticket_id);
        RETURN NULL;
      END $$;
      CREATE TRIGGER visits_figures_insert AFTER INSERT ON visits
        REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_by_ticket();
      CREATE TRIGGER visits_figures_delete AFTER DELETE ON visits
        REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_by_ticket();
      CREATE TRIGGER visits_figures_update AFTER UPDATE ON visits FOR EACH ROW
        WHEN (OLD.ticket_id IS DISTINCT FROM NEW.ticket_id OR OLD.outcome IS DISTINCT FROM NEW.outcome
              OR OLD.solved IS DISTINCT FROM NEW.solved OR OLD.satisfaction IS DISTINCT FROM NEW.satisfaction
              OR OLD.visit_status IS DISTINCT FROM NEW.visit_status OR OLD.unit_at_fault IS DISTINCT FROM NEW.unit_at_fault
              OR OLD.rework_assignment_id IS DISTINCT FROM NEW.rework_assignment_id
              OR OLD.previous_deadline IS DISTINCT FROM NEW.previous_deadline OR OLD.recorded_at IS DISTINCT FROM NEW.recorded_at)
        EXECUTE FUNCTION unit_figures_dirty_by_ticket_row();
      -- Issue 15: the revoke time (the timeline's revoke event) judges a revoked ticket's assignments.
      CREATE TRIGGER timeline_events_figures_revoke AFTER INSERT ON timeline_events FOR EACH ROW
        WHEN (NEW.action = 'revoke') EXECUTE FUNCTION unit_figures_dirty_by_ticket_row();

      CREATE FUNCTION unit_figures_dirty_by_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO unit_figure_dirty (day)
        SELECT DISTINCT (a.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date
          FROM assignments a WHERE a.id IN (SELECT assignment_id FROM changed_rows);
        RETURN NULL;
      END $$;
      CREATE FUNCTION unit_figures_dirty_by_assignment_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO unit_figure_dirty (day)
        SELECT DISTINCT (a.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date
          FROM assignments a WHERE a.id IN (SELECT assignment_id FROM changed_rows UNION SELECT assignment_id FROM old_rows);
        RETURN NULL;
      END $$;
    `);
    for (const table of ['return_requests', 'extension_requests', 'untrue_reply_flags']) {
      await q.query(`
        CREATE TRIGGER ${table}_figures_insert AFTER INSERT ON ${table}
          REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_by_assignment();
        CREATE TRIGGER ${table}_figures_delete AFTER DELETE ON ${table}
          REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_by_assignment();
        CREATE TRIGGER ${table}_figures_update AFTER UPDATE ON ${table}
          REFERENCING NEW TABLE AS changed_rows OLD TABLE AS old_rows
          FOR EACH STATEMENT EXECUTE FUNCTION unit_figures_dirty_by_assignment_updated();
      `);
    }
    // Every day with assignments is computed by the first read (see above).
    await q.query(`
      INSERT INTO unit_figure_dirty (day)
      SELECT DISTINCT (dispatched_at AT TIME ZONE 'Asia/Shanghai')::date FROM assignments;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['untrue_reply_flags', 'extension_requests', 'return_requests']) {
      await q.query(`
        DROP TRIGGER ${table}_figures_update ON ${table};
        DROP TRIGGER ${table}_figures_delete ON ${table};
        DROP TRIGGER ${table}_figures_insert ON ${table};
      `);
    }
    await q.query(`
      DROP TRIGGER timeline_events_figures_revoke ON timeline_events;
      DROP TRIGGER visits_figures_update ON visits;
      DROP TRIGGER visits_figures_delete ON visits;
      DROP TRIGGER visits_figures_insert ON visits;
      DROP TRIGGER tickets_figures_update ON tickets;
      DROP TRIGGER tickets_figures_delete ON tickets;
      DROP TRIGGER tickets_figures_insert ON tickets;
      DROP TRIGGER assignments_figures_update ON assignments;
      DROP TRIGGER assignments_figures_delete ON assignments;
      DROP TRIGGER assignments_figures_insert ON assignments;
      DROP FUNCTION unit_figures_dirty_by_assignment_updated();
      DROP FUNCTION unit_figures_dirty_by_assignment();
      DROP FUNCTION unit_figures_dirty_by_ticket_row();
      DROP FUNCTION unit_figures_dirty_by_ticket();
      DROP FUNCTION unit_figures_dirty_tickets();
      DROP FUNCTION unit_figures_dirty_assignment_row();
      DROP FUNCTION unit_figures_dirty_assignments();
      DROP FUNCTION unit_figures_mark_tickets(uuid[]);
      DROP INDEX tickets_at_fault_idx;
      DROP INDEX extension_requests_assignment_idx;
      DROP INDEX assignments_figures_live;
      DROP TABLE unit_figure_state;
      DROP TABLE unit_figure_dirty;
      DROP TABLE unit_figure_days;
    `);
  }
}
