import type { MigrationInterface, QueryRunner } from 'typeorm';

// Deadlines that hold (issue 5): time-limit policies as data, the admin's calendar data
// what each deadline was computed with, extensions, and the state the deadline jobs
// need to touch only due rows and to send each reminder exactly once.
export class Deadlines1764800000000 implements MigrationInterface {
  name = 'Deadlines1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- X-1: per source × category × urgency; NULL = any. The most specific matching row wins
      -- (urgency 4, source 2, category 1). Defaults: migration 1765500000000-reference-data.
      CREATE TABLE time_limit_policies (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_code    text REFERENCES sources(code),
        category_code  text REFERENCES categories(code),
        urgency        text CHECK (urgency IN ('normal', 'urgent')),
        accept_amount  integer CHECK (accept_amount > 0),
        accept_unit    text CHECK (accept_unit IN ('minutes', 'working_hours', 'working_days', 'calendar_months')),
        reply_amount   integer NOT NULL CHECK (reply_amount > 0),
        reply_unit     text NOT NULL CHECK (reply_unit IN ('minutes', 'working_hours', 'working_days', 'calendar_months')),
        review_amount  integer CHECK (review_amount > 0),
        review_unit    text CHECK (review_unit IN ('minutes', 'working_hours', 'working_days', 'calendar_months')),
        note           text,
        updated_by     text,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT time_limit_accept_pair CHECK ((accept_amount IS NULL) = (accept_unit IS NULL)),
        CONSTRAINT time_limit_review_pair CHECK ((review_amount IS NULL) = (review_unit IS NULL))
      );
      CREATE UNIQUE INDEX time_limit_policies_key
        ON time_limit_policies (COALESCE(source_code, ''), COALESCE(category_code, ''), COALESCE(urgency, ''));

      -- X-2: the admin's local overrides and the years entered from the State Council notice.
      CREATE TABLE calendar_overrides (
        date        date PRIMARY KEY,
        kind        text NOT NULL CHECK (kind IN ('closed', 'working')),
        note        text,
        updated_by  text,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE calendar_years (
        year        integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2200),
        holidays    date[] NOT NULL,
        workdays    date[] NOT NULL,
        source_text text,
        updated_by  text,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      -- Bumped with every calendar change, so every process rebuilds its cached calendar.
      CREATE TABLE calendar_revision (
        id       integer PRIMARY KEY CHECK (id = 1),
        revision bigint NOT NULL
      );
      INSERT INTO calendar_revision (id, revision) VALUES (1, 0);
      -- X-2: years without holiday data that a computed deadline reached into (alert + /health).
      CREATE TABLE calendar_missing_years (
        year           integer PRIMARY KEY,
        first_seen_at  timestamptz NOT NULL,
        last_seen_at   timestamptz NOT NULL,
        last_ticket_id uuid REFERENCES tickets(id)
      );

      -- X-2: what each deadline was computed with; X-4 extensions; X-9 reminder schedule;
      -- overdue marking (R-9d, R-18); R-11 return window recorded.
      ALTER TABLE assignments
        ADD COLUMN extension_count        integer NOT NULL DEFAULT 0 CHECK (extension_count >= 0),
        ADD COLUMN deadline_basis         jsonb,
        ADD COLUMN calendar_version       text,
        ADD COLUMN accept_deadline        timestamptz,
        ADD COLUMN next_reminder_at       timestamptz,
        ADD COLUMN overdue_at             timestamptz,
        ADD COLUMN return_window_noted_at timestamptz;
      UPDATE assignments SET next_reminder_at = dispatched_at + (reply_deadline - dispatched_at) * 2 / 3
       WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested');
      UPDATE assignments SET return_window_noted_at = dispatched_at + interval '24 hours'
       WHERE dispatched_at < now() - interval '24 hours';
      -- The reminder scan reads only rows whose next reminder is due (a range on this index).
      CREATE INDEX assignments_reminder_due ON assignments (next_reminder_at)
        WHERE next_reminder_at IS NOT NULL
          AND status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested');
      CREATE INDEX assignments_return_window_due ON assignments (dispatched_at)
        WHERE return_window_noted_at IS NULL AND status IN ('pending_accept', 'accepted');
      -- R-18: overdue per unit.
      CREATE INDEX assignments_overdue_by_unit ON assignments (unit_code, overdue_at) WHERE overdue_at IS NOT NULL;

      CREATE TABLE extension_requests (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        assignment_id     uuid NOT NULL REFERENCES assignments(id),
        ticket_id         uuid NOT NULL REFERENCES tickets(id),
        days              integer NOT NULL CHECK (days BETWEEN 1 AND 30),
        reason            text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        requested_by      text NOT NULL REFERENCES people(userid),
        requested_at      timestamptz NOT NULL,
        previous_deadline timestamptz NOT NULL,
        new_deadline      timestamptz NOT NULL,
        decision          text NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'rejected', 'withdrawn')),
        decided_by        text REFERENCES people(userid),
        decided_at        timestamptz,
        comment           text,
        CONSTRAINT extension_requests_later CHECK (new_deadline > previous_deadline)
      );
      -- X-4: one pending extension request per assignment.
      CREATE UNIQUE INDEX extension_requests_one_pending ON extension_requests (assignment_id) WHERE decision = 'pending';
      CREATE INDEX extension_requests_ticket_idx ON extension_requests (ticket_id);

      -- R-17: registered tickets are due for dispatch by close of business of their working day.
      ALTER TABLE tickets
        ADD COLUMN dispatch_due_at     timestamptz,
        ADD COLUMN dispatch_alerted_at timestamptz;
      CREATE INDEX tickets_undispatched_due ON tickets (dispatch_due_at)
        WHERE status = 'registered' AND dispatch_alerted_at IS NULL AND dispatch_due_at IS NOT NULL;

      -- Each reminder once: a unique key per item × kind × deadline, written in the transaction
      -- that writes its outbox row (INSERT … ON CONFLICT DO NOTHING).
      CREATE TABLE deadline_reminders (
        item       text NOT NULL,
        kind       text NOT NULL CHECK (kind IN ('yellow', 'due_soon', 'overdue', 'undispatched', 'return_window', 'digest')),
        deadline   timestamptz NOT NULL,
        ticket_id  uuid REFERENCES tickets(id),
        sent_at    timestamptz NOT NULL,
        PRIMARY KEY (item, kind, deadline)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE deadline_reminders;
      DROP INDEX tickets_undispatched_due;
      ALTER TABLE tickets DROP COLUMN dispatch_alerted_at, DROP COLUMN dispatch_due_at;
      DROP TABLE extension_requests;
      DROP INDEX assignments_overdue_by_unit;
      DROP INDEX assignments_return_window_due;
      DROP INDEX assignments_reminder_due;
      ALTER TABLE assignments
        DROP COLUMN return_window_noted_at, DROP COLUMN overdue_at, DROP COLUMN next_reminder_at,
        DROP COLUMN accept_deadline, DROP COLUMN calendar_version, DROP COLUMN deadline_basis,
        DROP COLUMN extension_count;
      DROP TABLE calendar_missing_years;
      DROP TABLE calendar_revision;
      DROP TABLE calendar_years;
      DROP TABLE calendar_overrides;
      DROP TABLE time_limit_policies;
    `);
  }
}
