import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { InboxRepository } from '@hotline/db';
import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';

/**
 * Issue 19 goal 2: every 10 seconds the inbox's kept counts fold their deltas into their sums
 * (inbox_work_compact, migration 1766450000000), so a tab count reads a few rows. The counts are
 * exact without it; a worker that stops only lets the deltas, and the counts' cost, grow. Several
 * workers may run it at once: each delta is folded once.
 */
@Injectable()
export class InboxCountsJob {
  private readonly logger = new Logger(InboxCountsJob.name);

  constructor(private readonly inbox: InboxRepository) {}

  @Cron('*/10 * * * * *', { name: 'inbox-counts', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    try {
      await this.inbox.compactCounts();
    } catch (err) {
      this.logger.error({ err }, 'folding the inbox count deltas failed; the next run retries');
    }
  }
}
