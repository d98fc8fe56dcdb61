import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 3: a long import (an upstream batch, transit routes, stops or vehicles) shows the
// rows checked and written so far and can be cancelled. The client names the run with a key of its
// own (a uuid) before the upload starts, so it can follow it while its request is still running.
// An ordinary table, not part of the audit trail: the app role reads and writes it.
export class ImportRuns1766430000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_runs (
        key uuid PRIMARY KEY,
        userid text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('upstream', 'routes', 'stops', 'vehicles')),
        dry_run boolean NOT NULL,
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        phase text NOT NULL DEFAULT 'checking' CHECK (phase IN ('checking', 'writing')),
        total integer CHECK (total >= 0),
        rows_done integer NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
        cancel_requested boolean NOT NULL DEFAULT false,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        CHECK ((status = 'running') = (finished_at IS NULL))
      );
      CREATE INDEX import_runs_user_idx ON import_runs (userid, started_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_runs`);
  }
}
