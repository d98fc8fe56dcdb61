import type { MigrationInterface, QueryRunner } from 'typeorm';

// Closing the loop (issue 7): follow-up calls, at-fault decisions and case files (R-16,
// X-8), untrue replies, the record of ledger exports, and the indexes the ledger
// and the unit assessment read through.
export class ClosingTheLoop1765000000000 implements MigrationInterface {
  name = 'ClosingTheLoop1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- X-5: the follow-up call of the current round; visit_status NULL = not ended yet.
      -- visit_due_at is set when a ticket with a caller phone closes (next working day).
      ALTER TABLE tickets
        ADD COLUMN visit_status     text CHECK (visit_status IN ('reached', 'unreachable', 'refused')),
        ADD COLUMN visit_no_answer  integer NOT NULL DEFAULT 0 CHECK (visit_no_answer BETWEEN 0 AND 3),
        ADD COLUMN visit_round      integer NOT NULL DEFAULT 1 CHECK (visit_round >= 1),
        ADD COLUMN visit_due_at     timestamptz,
        ADD COLUMN responsibility   text CHECK (responsibility IN ('at_fault', 'not_at_fault')),
        ADD COLUMN responsible_unit text REFERENCES units(code),
        ADD CONSTRAINT tickets_responsible_unit_when_at_fault
          CHECK ((COALESCE(responsibility, '') = 'at_fault') = (responsible_unit IS NOT NULL));
      -- The call queue reads only closed tickets whose call is still to be made.
      CREATE INDEX tickets_visit_due ON tickets (visit_due_at, id)
        WHERE status = 'closed' AND visit_status IS NULL AND visit_due_at IS NOT NULL;
      -- R-15: the ledger is keyset-paginated on (received_at, id) and filtered by period.
      CREATE INDEX tickets_received_idx ON tickets (received_at, id);
      -- R-18: figures per period read assignments by dispatch time, and each one's first approved reply.
      CREATE INDEX assignments_dispatched_idx ON assignments (dispatched_at);
      CREATE INDEX replies_assignment_approved_idx ON replies (assignment_id, approved_at) WHERE approved_at IS NOT NULL;

      -- X-5: every call, in order; visit_status is where the round stood after it.
      CREATE TABLE visits (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id     uuid NOT NULL REFERENCES tickets(id),
        round         integer NOT NULL CHECK (round >= 1),
        outcome       text NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'refused')),
        solved        boolean,
        satisfaction  text CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
        comment       text,
        unit_at_fault text REFERENCES units(code),
        visit_status  text NOT NULL CHECK (visit_status IN ('pending', 'reached', 'unreachable', 'refused')),
        -- A call that re-opened the ticket: the assignment and the deadline it had before (R-18
        -- judges the first reply against that deadline, not the rework's new one).
        rework_assignment_id uuid REFERENCES assignments(id),
        previous_deadline    timestamptz,
        recorded_by   text NOT NULL REFERENCES people(userid),
        recorded_at   timestamptz NOT NULL,
        CONSTRAINT visits_reached_fields CHECK ((outcome = 'reached') = (solved IS NOT NULL AND satisfaction IS NOT NULL)),
        CONSTRAINT visits_fault_only_unsatisfied CHECK (unit_at_fault IS NULL OR satisfaction = 'unsatisfied'),
        CONSTRAINT visits_rework_fields CHECK (
          (unit_at_fault IS NULL) = (rework_assignment_id IS NULL) AND (unit_at_fault IS NULL) = (previous_deadline IS NULL))
      );
      CREATE INDEX visits_ticket_idx ON visits (ticket_id, id);
      CREATE INDEX visits_rework_assignment_idx ON visits (rework_assignment_id, id) WHERE rework_assignment_id IS NOT NULL;

      -- R-16: one case file per at-fault complaint; withdrawn when a later decision says 无责.
      CREATE TABLE case_files (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id    uuid NOT NULL UNIQUE REFERENCES tickets(id),
        unit_code    text NOT NULL REFERENCES units(code),
        basis        text NOT NULL CHECK (length(basis) BETWEEN 1 AND 2000),
        cause        text NOT NULL CHECK (length(cause) BETWEEN 1 AND 2000),
        party_kind   text NOT NULL CHECK (party_kind IN ('driver', 'route', 'vehicle', 'unit')),
        party        text NOT NULL CHECK (length(party) BETWEEN 1 AND 200),
        measures     text NOT NULL CHECK (length(measures) BETWEEN 1 AND 2000),
        lesson       text NOT NULL CHECK (length(lesson) BETWEEN 1 AND 2000),
        created_by   text NOT NULL REFERENCES people(userid),
        created_at   timestamptz NOT NULL,
        updated_by   text NOT NULL REFERENCES people(userid),
        updated_at   timestamptz NOT NULL,
        withdrawn_at timestamptz
      );
      CREATE INDEX case_files_created_idx ON case_files (created_at DESC, id DESC) WHERE withdrawn_at IS NULL;

      -- R-10: a reply found untrue, recorded against its unit (once per reply).
      CREATE TABLE untrue_reply_flags (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        reply_id      uuid NOT NULL UNIQUE REFERENCES replies(id),
        ticket_id     uuid NOT NULL REFERENCES tickets(id),
        assignment_id uuid NOT NULL REFERENCES assignments(id),
        unit_code     text NOT NULL REFERENCES units(code),
        note          text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
        flagged_by    text NOT NULL REFERENCES people(userid),
        flagged_at    timestamptz NOT NULL
      );
      CREATE INDEX untrue_reply_flags_assignment_idx ON untrue_reply_flags (assignment_id);

      -- R-15, R-19: who exported the ledger, when, with which filters, and how many rows left.
      CREATE TABLE ledger_exports (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        userid      text NOT NULL REFERENCES people(userid),
        started_at  timestamptz NOT NULL,
        filters     jsonb NOT NULL,
        status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
        row_count   integer,
        finished_at timestamptz
      );
      CREATE INDEX ledger_exports_started_idx ON ledger_exports (started_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE ledger_exports;
      DROP TABLE untrue_reply_flags;
      DROP TABLE case_files;
      DROP TABLE visits;
      DROP INDEX replies_assignment_approved_idx;
      DROP INDEX assignments_dispatched_idx;
      DROP INDEX tickets_received_idx;
      DROP INDEX tickets_visit_due;
      ALTER TABLE tickets
        DROP CONSTRAINT tickets_responsible_unit_when_at_fault,
        DROP COLUMN responsible_unit, DROP COLUMN responsibility, DROP COLUMN visit_due_at,
        DROP COLUMN visit_round, DROP COLUMN visit_no_answer, DROP COLUMN visit_status;
    `);
  }
}
