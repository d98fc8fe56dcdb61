import { Inject, Injectable } from '@nestjs/common';
import { ImportRunRepository, LedgerRepository } from '@hotline/db';
import { CLOCK, type Clock } from './clock';

/** How often a running ledger export or import writes its heartbeat while nothing else moves. */
export const RUN_HEARTBEAT_MS = 30_000;
/** A run whose heartbeat is older than this has lost its process (four heartbeats missed). */
export const RUN_STALE_AFTER_MS = 120_000;

/**
 * Issue 19 goal 3: a run's heartbeat every RUN_HEARTBEAT_MS for as long as it runs (`beat` is
 * called with the clock's time; its errors are ignored: the next beat or the progress writes it
 * again). Stop it when the run ends.
 */
export function heartbeat(clock: Clock, beat: (now: Date) => Promise<void>): { stop(): void } {
  const timer = setInterval(() => void beat(clock.now()).catch(() => undefined), RUN_HEARTBEAT_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * Issue 19 goal 3: ledger exports and imports left 'running' by a process that died (kill -9, a
 * crash, a lost machine) end as 'failed', so their records and the micro-app's progress tell the
 * truth. The worker runs it every minute (StaleRunsJob); a run that is alive writes a heartbeat
 * with its progress and every RUN_HEARTBEAT_MS while it waits.
 */
@Injectable()
export class StaleRunsService {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly imports: ImportRunRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async sweep(): Promise<{ exports: number; imports: number }> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - RUN_STALE_AFTER_MS);
    return {
      exports: await this.ledger.failStaleExports(before, now),
      imports: await this.imports.failStale(before, now),
    };
  }
}
