import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { exec } from './sql';

export type ImportRunKind = 'upstream' | 'routes' | 'stops' | 'vehicles';
export type ImportRunStatus = 'running' | 'done' | 'failed' | 'cancelled';
export type ImportRunPhase = 'checking' | 'writing';

export interface ImportRun {
  key: string;
  userid: string;
  kind: ImportRunKind;
  dryRun: boolean;
  status: ImportRunStatus;
  phase: ImportRunPhase;
  /** The rows of the file, once it has been read; null while it uploads. */
  total: number | null;
  /** Rows checked (phase 'checking') or written (phase 'writing') so far. */
  rowsDone: number;
  cancelRequested: boolean;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * Issue 19 goal 3: the progress of a long import, kept outside its write transaction (each
 * statement on its own connection of the pool), so it is seen while the import runs and stays
 * on record when the import's transaction is rolled back.
 */
@Injectable()
export class ImportRunRepository {
  constructor(private readonly ds: DataSource) {}

  /** Records a new run under the client's key; false when that key is already taken. */
  async start(key: string, userid: string, kind: ImportRunKind, dryRun: boolean, now: Date): Promise<boolean> {
    const { rows } = await exec(
      this.ds.manager,
      `INSERT INTO import_runs (key, userid, kind, dry_run, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, userid, kind, dryRun, now],
    );
    return rows.length === 1;
  }

  /**
   * The rows done so far of a running run (and its phase and total when given). Answers whether a
   * cancel was requested, so the import learns it in the same round trip.
   */
  async progress(
    key: string,
    rowsDone: number,
    now: Date,
    set: { phase?: ImportRunPhase; total?: number } = {},
  ): Promise<{ cancelRequested: boolean }> {
    const { rows } = await exec<{ cancel_requested: boolean }>(
      this.ds.manager,
      `UPDATE import_runs SET rows_done = $2, phase = coalesce($3, phase), total = coalesce($4, total), heartbeat_at = $5
        WHERE key = $1 AND status = 'running' RETURNING cancel_requested`,
      [key, rowsDone, set.phase ?? null, set.total ?? null, now],
    );
    return { cancelRequested: rows[0]?.cancel_requested ?? false };
  }

  /** A running run is still alive (its file still uploading, or a long row). */
  async heartbeat(key: string, now: Date): Promise<void> {
    await exec(this.ds.manager, `UPDATE import_runs SET heartbeat_at = $2 WHERE key = $1 AND status = 'running'`, [
      key,
      now,
    ]);
  }

  /**
   * Runs whose process died (no heartbeat since `before`; the start stands in for one on runs from
   * before heartbeats) end as 'failed'; how many.
   */
  async failStale(before: Date, now: Date): Promise<number> {
    const { affected } = await exec(
      this.ds.manager,
      `UPDATE import_runs SET status = 'failed', finished_at = $2
        WHERE status = 'running' AND COALESCE(heartbeat_at, started_at) < $1`,
      [before, now],
    );
    return affected;
  }

  /** Ends a running run once; a run already ended keeps its end. */
  async finish(key: string, status: Exclude<ImportRunStatus, 'running'>, rowsDone: number, now: Date): Promise<void> {
    await exec(
      this.ds.manager,
      `UPDATE import_runs SET status = $2, rows_done = $3, finished_at = $4 WHERE key = $1 AND status = 'running'`,
      [key, status, rowsDone, now],
    );
  }

  async record(key: string): Promise<ImportRun | null> {
    const { rows } = await exec(this.ds.manager, `SELECT * FROM import_runs WHERE key = $1`, [key]);
    return rows.length ? importRunOf(rows[0]) : null;
  }

  /** Asks a running run to stop; the run as it is now (null when there is none). */
  async requestCancel(key: string): Promise<ImportRun | null> {
    const { rows } = await exec(
      this.ds.manager,
      `UPDATE import_runs SET cancel_requested = true WHERE key = $1 AND status = 'running' RETURNING *`,
      [key],
    );
    return rows.length ? importRunOf(rows[0]) : this.record(key);
  }

  async cancelRequested(key: string): Promise<boolean> {
    const { rows } = await exec<{ cancel_requested: boolean }>(
      this.ds.manager,
      `SELECT cancel_requested FROM import_runs WHERE key = $1`,
      [key],
    );
    return rows[0]?.cancel_requested ?? false;
  }
}

function importRunOf(r: Record<string, any>): ImportRun {
  return {
    key: r.key,
    userid: r.userid,
    kind: r.kind,
    dryRun: r.dry_run,
    status: r.status,
    phase: r.phase,
    total: r.total,
    rowsDone: r.rows_done,
    cancelRequested: r.cancel_requested,
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
  };
}
