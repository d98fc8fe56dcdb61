import type { MigrationInterface, QueryRunner } from 'typeorm';

// Confidentiality and sign-in hardening (issue 8, R-19): refresh-token sessions, the append-only
// audit of every full view of caller data, and the 保密件 flag on tickets.
export class Security1764700000000 implements MigrationInterface {
  name = 'Security1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_sessions (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        userid        text NOT NULL REFERENCES people(userid),
        refresh_hash  text NOT NULL UNIQUE,
        created_at    timestamptz NOT NULL,
        expires_at    timestamptz NOT NULL,
        rotated_at    timestamptz,
        revoked_at    timestamptz
      );
      CREATE INDEX auth_sessions_user_idx ON auth_sessions (userid) WHERE revoked_at IS NULL;

      -- R-19: who saw which caller's data, when and why. Nobody may change or delete a row:
      -- the trigger refuses it for every role, the application's included.
      CREATE TABLE caller_reveals (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id  uuid NOT NULL REFERENCES tickets(id),
        userid     text NOT NULL REFERENCES people(userid),
        at         timestamptz NOT NULL,
        reason     text NOT NULL CHECK (length(btrim(reason)) BETWEEN 2 AND 500),
        basis      text NOT NULL
      );
      CREATE INDEX caller_reveals_ticket_idx ON caller_reveals (ticket_id, id);
      CREATE INDEX caller_reveals_at_idx ON caller_reveals (at DESC, id DESC);
      CREATE TRIGGER caller_reveals_append_only BEFORE UPDATE OR DELETE ON caller_reveals
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER caller_reveals_no_truncate BEFORE TRUNCATE ON caller_reveals
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

      -- 保密件: the caller is hidden from the handling units entirely.
      ALTER TABLE tickets ADD COLUMN confidential boolean NOT NULL DEFAULT false;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tickets DROP COLUMN confidential;
      DROP TABLE caller_reveals;
      DROP TABLE auth_sessions;
    `);
  }
}
