import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { DeadlineJobsService } from '@hotline/tickets';

/**
 * Every minute: reminders at yellow and before the deadline, overdue escalation, the R-11
 * return window, the R-17 same-day dispatch alert. Idempotent; several workers may run it.
 */
@Injectable()
export class DeadlineScanJob {
  private readonly logger = new Logger(DeadlineScanJob.name);

  constructor(private readonly jobs: DeadlineJobsService) {}

  @Cron('0 * * * * *', { name: 'deadline-scan', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    try {
      const result = await this.jobs.runScans();
      if (Object.values(result).some((r) => r.notices > 0 || Object.keys(r.made).length > 0)) {
        this.logger.log({ result }, 'deadline scan');
      }
    } catch (err) {
      this.logger.error({ err }, 'deadline scan failed; the next minute retries');
    }
  }
}
