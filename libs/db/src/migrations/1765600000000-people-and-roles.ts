import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 13.3 / 13.4: configuring people, units and reference data in the app.
// - units.kind names what a unit is for the workflow: the operations service department (ops),
//   the company office (office), a branch company (branch) or another department (department);
//   at most one active ops and one active office unit.
// - What the admin decided about a unit survives the org sync: a rename (the sync keeps DingTalk's
//   name in dingtalk_name) and a deactivation (deactivated_by = 'admin'; the sync only brings back
//   units that it deactivated itself because their department had gone).
// - people.receiver_by_admin: once an admin has saved a person's roles, the sync no longer
//   derives the receiver role for them (unit_leader always follows DingTalk's leader flag).
// - role_changes and config_changes: append-only audit of every role change (admin, the
//   ADMIN_USERIDS setting, the org sync) and every change to units, sources and categories.
// - org_sync_runs.status 'partial': a sync cut short by a limit, which deactivates nobody.
export class PeopleAndRoles1765600000000 implements MigrationInterface {
  name = 'PeopleAndRoles1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE units DROP CONSTRAINT units_kind_check;
      ALTER TABLE units ADD CONSTRAINT units_kind_check CHECK (kind IN ('ops', 'office', 'branch', 'department'));
      -- The demo organisation's two special units (libs/demo); a real company sets them on the admin page.
      UPDATE units SET kind = 'ops' WHERE code = 'ops' AND kind = 'department';
      UPDATE units SET kind = 'office' WHERE code = 'office' AND kind = 'department';
      CREATE UNIQUE INDEX units_one_active_ops_office ON units (kind) WHERE active AND kind IN ('ops', 'office');
      ALTER TABLE units ADD COLUMN dingtalk_name text;
      UPDATE units SET dingtalk_name = name WHERE dingtalk_dept_id IS NOT NULL;
      ALTER TABLE units ADD COLUMN deactivated_by text CHECK (deactivated_by IN ('admin', 'sync'));
      UPDATE units SET deactivated_by = 'sync' WHERE NOT active;
      ALTER TABLE units ADD CONSTRAINT units_deactivated_by_when_inactive CHECK ((deactivated_by IS NULL) = active);

      ALTER TABLE people ADD COLUMN receiver_by_admin boolean NOT NULL DEFAULT false;
      CREATE INDEX people_by_name ON people (name, userid);

      ALTER TABLE org_sync_runs DROP CONSTRAINT org_sync_runs_status_check;
      ALTER TABLE org_sync_runs ADD CONSTRAINT org_sync_runs_status_check
        CHECK (status IN ('running', 'ok', 'partial', 'failed'));

      CREATE TABLE role_changes (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at          timestamptz NOT NULL,
        -- the admin who changed it; null for the setting and the sync
        changed_by  text,
        via         text NOT NULL CHECK (via IN ('admin', 'setting', 'org_sync')),
        userid      text NOT NULL,
        before      text[] NOT NULL,
        after       text[] NOT NULL,
        CHECK ((via = 'admin') = (changed_by IS NOT NULL))
      );
      CREATE INDEX role_changes_by_person ON role_changes (userid, id DESC);
      CREATE TRIGGER role_changes_append_only BEFORE UPDATE OR DELETE ON role_changes
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER role_changes_no_truncate BEFORE TRUNCATE ON role_changes
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

      CREATE TABLE config_changes (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at          timestamptz NOT NULL,
        changed_by  text NOT NULL,
        entity      text NOT NULL CHECK (entity IN ('unit', 'source', 'category')),
        code        text NOT NULL,
        before      jsonb,
        after       jsonb NOT NULL
      );
      CREATE INDEX config_changes_by_entity ON config_changes (entity, code, id DESC);
      CREATE TRIGGER config_changes_append_only BEFORE UPDATE OR DELETE ON config_changes
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER config_changes_no_truncate BEFORE TRUNCATE ON config_changes
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE config_changes;
      DROP TABLE role_changes;
      ALTER TABLE org_sync_runs DROP CONSTRAINT org_sync_runs_status_check;
      UPDATE org_sync_runs SET status = 'ok' WHERE status = 'partial';
      ALTER TABLE org_sync_runs ADD CONSTRAINT org_sync_runs_status_check CHECK (status IN ('running', 'ok', 'failed'));
      DROP INDEX people_by_name;
      ALTER TABLE people DROP COLUMN receiver_by_admin;
      ALTER TABLE units DROP CONSTRAINT units_deactivated_by_when_inactive;
      ALTER TABLE units DROP COLUMN deactivated_by;
      ALTER TABLE units DROP COLUMN dingtalk_name;
      DROP INDEX units_one_active_ops_office;
      ALTER TABLE units DROP CONSTRAINT units_kind_check;
      UPDATE units SET kind = 'department' WHERE kind IN ('ops', 'office');
      ALTER TABLE units ADD CONSTRAINT units_kind_check CHECK (kind IN ('department', 'branch'));
    `);
  }
}
