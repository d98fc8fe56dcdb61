import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 17.4: the audit trail cannot be wiped. Every audit table refuses UPDATE and DELETE per row
// and TRUNCATE per statement, for every role (timeline_events lacked the TRUNCATE trigger, the
// ledger export records had none). A ledger export record is written when the export starts and
// finished once (status, row count, finish time): that one change stays allowed, nothing else.
// The triggers stop the application's own mistakes; what stops its login from disabling them is
// that it does not own the tables (DATABASE_APP_ROLE, see libs/db/src/app-role.ts).
export class AuditTrailAppendOnly1766220000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER timeline_events_no_truncate BEFORE TRUNCATE ON timeline_events
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

      CREATE FUNCTION ledger_exports_finish_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.status = 'running'
           AND NEW.id = OLD.id AND NEW.userid = OLD.userid AND NEW.started_at = OLD.started_at
           AND NEW.filters = OLD.filters THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% is append-only (an export record is only finished, once)', TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER ledger_exports_append_only BEFORE UPDATE OR DELETE ON ledger_exports
        FOR EACH ROW EXECUTE FUNCTION ledger_exports_finish_only();
      CREATE TRIGGER ledger_exports_no_truncate BEFORE TRUNCATE ON ledger_exports
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER ledger_exports_no_truncate ON ledger_exports;
      DROP TRIGGER ledger_exports_append_only ON ledger_exports;
      DROP FUNCTION ledger_exports_finish_only();
      DROP TRIGGER timeline_events_no_truncate ON timeline_events;
    `);
  }
}
