import type { MigrationInterface, QueryRunner } from 'typeorm';

// The domain model of the ticket lifecycle (issue 3). Invariants that the database can hold
// live here too: CHECKs on every enumerated value, partial unique indexes for "one open thing
// per …", and an append-only timeline.
export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE units (
        code            text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
        name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        kind            text NOT NULL CHECK (kind IN ('department', 'branch')),
        dingtalk_dept_id bigint UNIQUE,
        active          boolean NOT NULL DEFAULT true,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE people (
        userid      text PRIMARY KEY CHECK (length(userid) BETWEEN 1 AND 64),
        unionid     text UNIQUE,
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        title       text,
        roles       text[] NOT NULL DEFAULT '{}'
                    CHECK (roles <@ ARRAY['dispatcher','ops_head','office_reviewer','receiver','unit_leader','admin']::text[]),
        active      boolean NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE unit_memberships (
        userid     text NOT NULL REFERENCES people(userid) ON DELETE CASCADE,
        unit_code  text NOT NULL REFERENCES units(code),
        is_leader  boolean NOT NULL DEFAULT false,
        PRIMARY KEY (userid, unit_code)
      );
      CREATE INDEX unit_memberships_unit_idx ON unit_memberships (unit_code);

      CREATE TABLE sources (
        code       text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
        name       text NOT NULL,
        chain      text NOT NULL CHECK (chain IN ('A', 'B', 'direct')),
        active     boolean NOT NULL DEFAULT true,
        sort       integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE categories (
        code   text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
        name   text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        sort   integer NOT NULL DEFAULT 0
      );

      -- RX20261128-0001: a per-day counter (Asia/Shanghai day) taken in the creating transaction.
      CREATE TABLE ticket_number_counters (
        day  date PRIMARY KEY,
        last integer NOT NULL
      );

      CREATE TABLE tickets (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number            text NOT NULL UNIQUE,
        source_code       text NOT NULL REFERENCES sources(code),
        chain             text NOT NULL CHECK (chain IN ('A', 'B', 'direct')),
        channel           text NOT NULL CHECK (channel IN ('phone', 'wechat', 'dingtalk', 'oa', 'mailbox', 'letter', 'web', 'other')),
        category_code     text NOT NULL REFERENCES categories(code),
        urgency           text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent')),
        subject           text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
        content           text NOT NULL CHECK (length(content) BETWEEN 1 AND 20000),
        caller_name       text,
        caller_phone      text,
        caller_address    text,
        upstream_ref      text,
        upstream_deadline timestamptz,
        route             text,
        direction         text,
        stop              text,
        vehicle_plate     text,
        occurred_at       timestamptz,
        status            text NOT NULL CHECK (status IN ('registered', 'in_progress', 'in_review', 'follow_up', 'closed', 'revoked')),
        step              text CHECK (step IN ('initiator_review', 'ops_review', 'office_review', 'upstream_report')),
        initiator         text NOT NULL REFERENCES people(userid),
        direct_answer     text,
        version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        received_at       timestamptz NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        closed_at         timestamptz,
        CONSTRAINT tickets_step_only_in_review CHECK ((status = 'in_review') = (step IS NOT NULL)),
        CONSTRAINT tickets_closed_at_when_closed CHECK ((status = 'closed') = (closed_at IS NOT NULL))
      );
      -- Lists are keyset-paginated on (created_at, id); filters by status/source/category.
      CREATE INDEX tickets_created_idx ON tickets (created_at DESC, id DESC);
      CREATE INDEX tickets_status_created_idx ON tickets (status, created_at DESC, id DESC);
      CREATE INDEX tickets_source_created_idx ON tickets (source_code, created_at DESC, id DESC);
      CREATE INDEX tickets_upstream_ref_idx ON tickets (upstream_ref) WHERE upstream_ref IS NOT NULL;

      CREATE TABLE assignments (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id       uuid NOT NULL REFERENCES tickets(id),
        unit_code       text NOT NULL REFERENCES units(code),
        role            text NOT NULL CHECK (role IN ('sole', 'lead', 'co')),
        status          text NOT NULL CHECK (status IN ('pending_accept', 'accepted', 'awaiting_leader', 'replied', 'return_requested', 'returned', 'cancelled')),
        dispatched_at   timestamptz NOT NULL,
        dispatched_by   text NOT NULL REFERENCES people(userid),
        reply_deadline  timestamptz NOT NULL,
        accepted_by     text REFERENCES people(userid),
        accepted_at     timestamptz,
        rework_count    integer NOT NULL DEFAULT 0 CHECK (rework_count >= 0),
        seq             integer NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assignments_accepted_pair CHECK ((accepted_by IS NULL) = (accepted_at IS NULL))
      );
      CREATE INDEX assignments_ticket_idx ON assignments (ticket_id, seq);
      -- R-6: a unit holds at most one open assignment on a ticket; a ticket has at most one lead.
      CREATE UNIQUE INDEX assignments_one_open_per_unit ON assignments (ticket_id, unit_code)
        WHERE status NOT IN ('returned', 'cancelled');
      CREATE UNIQUE INDEX assignments_one_open_lead ON assignments (ticket_id)
        WHERE role = 'lead' AND status NOT IN ('returned', 'cancelled');
      -- Inbox and deadline scans: open assignments of a unit by deadline.
      CREATE INDEX assignments_open_by_unit_deadline ON assignments (unit_code, reply_deadline)
        WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested');
      CREATE INDEX assignments_open_deadline ON assignments (reply_deadline)
        WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested');

      CREATE TABLE replies (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        assignment_id    uuid NOT NULL REFERENCES assignments(id),
        ticket_id        uuid NOT NULL REFERENCES tickets(id),
        content          text NOT NULL CHECK (length(content) BETWEEN 1 AND 20000),
        handled_at       timestamptz NOT NULL,
        handler          text NOT NULL CHECK (length(handler) BETWEEN 1 AND 100),
        caller_contacted boolean NOT NULL,
        contact_method   text NOT NULL,
        contact_at       timestamptz NOT NULL,
        contact_summary  text NOT NULL,
        satisfaction     text NOT NULL CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied', 'unknown')),
        status           text NOT NULL CHECK (status IN ('awaiting_leader', 'approved', 'rejected', 'sent_back', 'withdrawn')),
        submitted_by     text NOT NULL REFERENCES people(userid),
        submitted_at     timestamptz NOT NULL,
        approved_by      text REFERENCES people(userid),
        approved_at      timestamptz,
        closed_comment   text,
        CONSTRAINT replies_approved_pair CHECK ((approved_by IS NULL) = (approved_at IS NULL))
      );
      -- R-10: at most one current reply (waiting for the leader or approved) per assignment.
      CREATE UNIQUE INDEX replies_one_current ON replies (assignment_id) WHERE status IN ('awaiting_leader', 'approved');
      CREATE INDEX replies_ticket_idx ON replies (ticket_id);

      CREATE TABLE return_requests (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        assignment_id uuid NOT NULL REFERENCES assignments(id),
        ticket_id     uuid NOT NULL REFERENCES tickets(id),
        reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        basis         text NOT NULL CHECK (length(basis) BETWEEN 1 AND 2000),
        requested_by  text NOT NULL REFERENCES people(userid),
        requested_at  timestamptz NOT NULL,
        decision      text NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'rejected', 'withdrawn')),
        decided_by    text REFERENCES people(userid),
        decided_at    timestamptz,
        comment       text
      );
      -- R-12: one pending return request per assignment.
      CREATE UNIQUE INDEX return_requests_one_pending ON return_requests (assignment_id) WHERE decision = 'pending';
      CREATE INDEX return_requests_pending_idx ON return_requests (requested_at) WHERE decision = 'pending';

      -- Append-only record of everything that happened to a ticket.
      CREATE TABLE timeline_events (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id   uuid NOT NULL REFERENCES tickets(id),
        action      text NOT NULL,
        actor       text NOT NULL,
        at          timestamptz NOT NULL,
        comment     text,
        unit_code   text,
        from_status text,
        to_status   text,
        from_step   text,
        to_step     text,
        data        jsonb
      );
      CREATE INDEX timeline_events_ticket_idx ON timeline_events (ticket_id, id);
      CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER timeline_events_append_only BEFORE UPDATE OR DELETE ON timeline_events
        FOR EACH ROW EXECUTE FUNCTION forbid_change();

      -- Notices and to-dos asked for by the workflow, written in the ticket's transaction and
      -- sent later by the worker (STYLE habit 5).
      CREATE TABLE outbox (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id       uuid REFERENCES tickets(id),
        kind            text NOT NULL CHECK (kind IN ('notice', 'todo_open', 'todo_done')),
        dedupe_key      text NOT NULL UNIQUE,
        payload         jsonb NOT NULL,
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      text,
        result          jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz
      );
      CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending';

      -- Idempotency-Key: a retried action returns the first result.
      CREATE TABLE idempotency_keys (
        actor       text NOT NULL,
        key         text NOT NULL,
        request_hash text NOT NULL,
        status_code integer NOT NULL,
        response    jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor, key)
      );
      CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE idempotency_keys;
      DROP TABLE outbox;
      DROP TRIGGER timeline_events_append_only ON timeline_events;
      DROP TABLE timeline_events;
      DROP FUNCTION forbid_change();
      DROP TABLE return_requests;
      DROP TABLE replies;
      DROP TABLE assignments;
      DROP TABLE tickets;
      DROP TABLE ticket_number_counters;
      DROP TABLE categories;
      DROP TABLE sources;
      DROP TABLE unit_memberships;
      DROP TABLE people;
      DROP TABLE units;
    `);
  }
}
