import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 3: a ledger export or an import whose process died (kill -9, a crash, a machine
// lost) would read 'running' for ever. Each running one now writes a heartbeat (with its progress,
// and every RUN_HEARTBEAT_MS while it waits on a slow client); the worker ends those whose
// heartbeat is older than RUN_STALE_AFTER_MS as 'failed' (libs/tickets/src/stale-runs.service.ts).
// Runs from before this migration have none: their start stands in for it. The append-only
// trigger of ledger_exports already lets a running record change (1766220000000).
export class RunHeartbeats1766440000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_exports ADD COLUMN heartbeat_at timestamptz;
      ALTER TABLE import_runs ADD COLUMN heartbeat_at timestamptz;
      CREATE INDEX ledger_exports_running ON ledger_exports (id) WHERE status = 'running';
      CREATE INDEX import_runs_running ON import_runs (key) WHERE status = 'running';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX import_runs_running;
      DROP INDEX ledger_exports_running;
      ALTER TABLE import_runs DROP COLUMN heartbeat_at;
      ALTER TABLE ledger_exports DROP COLUMN heartbeat_at;
    `);
  }
}
