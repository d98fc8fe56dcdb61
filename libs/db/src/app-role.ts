// Issue 17.4: migrations run as the tables' owner; the api and worker run as DATABASE_APP_ROLE, a
// role that reads and writes the ordinary tables but may only read and add to the audit trail. It
// does not own the tables, so it cannot DISABLE TRIGGER, ALTER or DROP them either. `migration:run`
// calls grantAppRole after every run (new tables included; default privileges cover tables the
// owner creates later by hand).
import type { DataSource } from 'typeorm';

/** The audit trail: read and append only, for the app role. */
export const AUDIT_TABLES = [
  'timeline_events',
  'caller_reveals',
  'ledger_exports',
  'role_changes',
  'config_changes',
] as const;

/** Columns of an audit table the app role may still update (the trigger allows one change). */
const FINISHABLE: Partial<Record<(typeof AUDIT_TABLES)[number], string[]>> = {
  ledger_exports: ['status', 'row_count', 'finished_at', 'heartbeat_at'],
};

export const APP_ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Grants the app role its privileges on the owner's schema; refuses a role that could undo them. */
export async function grantAppRole(ds: DataSource, role: string): Promise<void> {
  if (!APP_ROLE_NAME.test(role)) throw new Error(`DATABASE_APP_ROLE "${role}" is not a plain role name`);
  const rows: { rolsuper: boolean; owns: boolean; is_me: boolean }[] = await ds.query(
    `SELECT r.rolsuper,
            EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = r.rolname) AS owns,
            r.rolname = current_user AS is_me
       FROM pg_roles r WHERE r.rolname = $1`,
    [role],
  );
  const r = rows[0];
  if (!r)
    throw new Error(
      `DATABASE_APP_ROLE "${role}" does not exist: create it first (CREATE ROLE ${role} LOGIN PASSWORD …)`,
    );
  if (r.rolsuper || r.owns || r.is_me) {
    throw new Error(
      `DATABASE_APP_ROLE "${role}" must not be a superuser nor own the tables (it could disable the audit triggers); run migrations as the owner`,
    );
  }
  const audit = AUDIT_TABLES.join(', ');
  await ds.transaction(async (m) => {
    await m.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await m.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await m.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await m.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${audit} FROM ${role}`);
    for (const [table, cols] of Object.entries(FINISHABLE)) {
      await m.query(`GRANT UPDATE (${cols.join(', ')}) ON ${table} TO ${role}`);
    }
    await m.query(`REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ${role}`);
    await m.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    await m.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`,
    );
    await m.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role}`);
  });
}
