import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { RetentionService } from '@hotline/tickets';

/** Nightly at 03:30 (Asia/Shanghai), only with RETENTION_AUTO=true: erase old callers' data. */
@Injectable()
export class RetentionJob {
  private readonly logger = new Logger(RetentionJob.name);

  constructor(
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Cron('0 30 3 * * *', { name: 'retention', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    if (!this.config.retention.auto) return;
    const report = await this.retention.apply();
    if (report.count > 0)
      this.logger.log({ count: report.count, cutoff: report.cutoff }, 'caller data anonymised (retention)');
  }
}
