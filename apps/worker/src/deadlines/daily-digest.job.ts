import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { DeadlineJobsService } from '@hotline/tickets';

/** 08:30 every day; the service sends only on working days, once per day (unique key). */
@Injectable()
export class DailyDigestJob {
  private readonly logger = new Logger(DailyDigestJob.name);

  constructor(private readonly jobs: DeadlineJobsService) {}

  @Cron('0 30 8 * * *', { name: 'daily-digest', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    try {
      const result = await this.jobs.sendDigest();
      this.logger.log({ result }, 'daily digest');
    } catch (err) {
      this.logger.error({ err }, 'daily digest failed');
    }
  }
}
