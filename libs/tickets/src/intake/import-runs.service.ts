import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { ImportRunRepository, type ImportRun, type ImportRunKind, type ImportRunPhase } from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { heartbeat } from '../stale-runs.service';

/** Issue 19 goal 3: a client that wants to follow its import names it (a uuid) and may hang up. */
export interface ImportProgress {
  key: string;
  /** Aborted when the client hangs up: the import stops and writes nothing. */
  signal?: AbortSignal;
}

export interface ImportRunView {
  key: string;
  kind: ImportRunKind;
  dryRun: boolean;
  status: ImportRun['status'];
  phase: ImportRunPhase;
  total: number | null;
  rowsDone: number;
  cancelRequested: boolean;
  startedAt: string;
  finishedAt: string | null;
}

export const IMPORT_CANCELLED = '导入已取消，未导入任何数据。';

/** Progress is written at most every this many rows (and always at the end). */
const WRITE_EVERY_ROWS = 50;
/** Between two writes, a cancel is looked for at most this often. */
const READ_EVERY_MS = 200;

/**
 * One import's run: its progress, its cancel switch and its end. Without a key (a client that
 * does not follow its import) every method does nothing, and the import behaves as before.
 */
export class ImportRunTracker {
  private done = 0;
  private written = 0;
  private readAt = performance.now();
  private cancelled = false;

  constructor(
    private readonly repo: ImportRunRepository | null,
    private readonly key: string,
    private readonly clock: Clock,
    private readonly signal?: AbortSignal,
  ) {}

  /** The file has been read: it holds `total` rows, none checked yet. */
  async total(total: number): Promise<void> {
    this.done = 0;
    await this.write({ total });
  }

  /** Every row passed: the write begins (rows done count the rows written from here). */
  async writing(): Promise<void> {
    this.done = 0;
    await this.write({ phase: 'writing' });
  }

  /**
   * `done` rows of the phase are finished. Throws when the import is to stop (a cancel asked for,
   * or the client gone): inside the write transaction, that rolls it back.
   */
  async step(done: number): Promise<void> {
    this.done = done;
    if (!this.repo) return;
    this.stopIfCancelled();
    if (done - this.written >= WRITE_EVERY_ROWS) {
      await this.write();
    } else if (performance.now() - this.readAt >= READ_EVERY_MS) {
      this.readAt = performance.now();
      if (await this.repo.cancelRequested(this.key)) this.cancelled = true;
      this.stopIfCancelled();
    }
  }

  /** Runs the import and records how it ended: done (a report, errors or not), cancelled or failed. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    if (!this.repo) return work();
    const repo = this.repo;
    // Alive while the file uploads or a row takes long; a run whose process dies is swept as failed.
    const beat = heartbeat(this.clock, (now) => repo.heartbeat(this.key, now));
    let out: T;
    try {
      out = await work();
    } catch (e) {
      beat.stop();
      const stopped = this.cancelled || Boolean(this.signal?.aborted);
      await this.repo.finish(this.key, stopped ? 'cancelled' : 'failed', this.done, this.clock.now());
      // A hang-up may surface as the upload's own error: either way the import was cancelled.
      if (stopped) throw new DomainError('INVALID_STATE', IMPORT_CANCELLED);
      throw e;
    }
    beat.stop();
    await this.repo.finish(this.key, 'done', this.done, this.clock.now());
    return out;
  }

  private async write(set: { phase?: ImportRunPhase; total?: number } = {}): Promise<void> {
    if (!this.repo) return;
    const { cancelRequested } = await this.repo.progress(this.key, this.done, this.clock.now(), set);
    this.written = this.done;
    this.readAt = performance.now();
    if (cancelRequested) this.cancelled = true;
    this.stopIfCancelled();
  }

  private stopIfCancelled(): void {
    if (this.cancelled || this.signal?.aborted) {
      this.cancelled = true;
      throw new DomainError('INVALID_STATE', IMPORT_CANCELLED);
    }
  }
}

/** Issue 19 goal 3: long imports' runs, seen and cancelled by whoever started them. */
@Injectable()
export class ImportRunsService {
  constructor(
    private readonly runs: ImportRunRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Records the start of a run (the caller has checked access already); without `progress` a
   * tracker that records nothing. A key already used is refused.
   */
  async begin(
    user: CurrentUser,
    kind: ImportRunKind,
    dryRun: boolean,
    progress: ImportProgress | undefined,
  ): Promise<ImportRunTracker> {
    if (!progress) return new ImportRunTracker(null, '', this.clock);
    if (!(await this.runs.start(progress.key, user.userid, kind, dryRun, this.clock.now()))) {
      throw new DomainError('CONFLICT', '该导入进度编号已被使用，请重新发起导入。', 'progress');
    }
    return new ImportRunTracker(this.runs, progress.key, this.clock, progress.signal);
  }

  async run(user: CurrentUser, key: string): Promise<ImportRunView> {
    return viewOf(await this.own(user, key));
  }

  /** Asks a running import to stop; it ends as 'cancelled' with nothing written. */
  async cancel(user: CurrentUser, key: string): Promise<ImportRunView> {
    await this.own(user, key);
    const run = (await this.runs.requestCancel(key))!;
    if (run.status !== 'running') {
      throw new DomainError('INVALID_STATE', `这次导入已经结束（${STATUS_NAME[run.status]}），无法取消。`);
    }
    return viewOf(run);
  }

  /** Only the person who started a run sees it: anyone else is told there is none. */
  private async own(user: CurrentUser, key: string): Promise<ImportRun> {
    const run = await this.runs.record(key);
    if (!run || run.userid !== user.userid) throw new DomainError('NOT_FOUND', '没有这次导入的记录。');
    return run;
  }
}

const STATUS_NAME: Record<ImportRun['status'], string> = {
  running: '进行中',
  done: '已完成',
  failed: '已失败',
  cancelled: '已取消',
};

function viewOf(r: ImportRun): ImportRunView {
  return {
    key: r.key,
    kind: r.kind,
    dryRun: r.dryRun,
    status: r.status,
    phase: r.phase,
    total: r.total,
    rowsDone: r.rowsDone,
    cancelRequested: r.cancelRequested,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}
