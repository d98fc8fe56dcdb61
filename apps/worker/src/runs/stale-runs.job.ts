import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { StaleRunsService } from '@hotline/tickets';

/**
 * Issue 19 goal 3: every minute, ledger exports and imports left 'running' by a process that died
 * end as 'failed' (StaleRunsService). Several workers may run it: the update is idempotent.
 */
@Injectable()
export class StaleRunsJob {
  private readonly logger = new Logger(StaleRunsJob.name);

  constructor(private readonly runs: StaleRunsService) {}

  @Cron('45 * * * * *', { name: 'stale-runs', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    try {
      const ended = await this.runs.sweep();
      if (ended.exports + ended.imports > 0) {
        this.logger.warn(ended, 'runs whose process died ended as failed (no heartbeat)');
      }
    } catch (err) {
      this.logger.error({ err }, 'stale runs sweep failed');
    }
  }
}
