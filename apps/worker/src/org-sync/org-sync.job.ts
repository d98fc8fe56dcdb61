import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { OrgSyncService } from '@hotline/tickets';

/** Nightly at 02:30 (Asia/Shanghai): units and people from DingTalk. Idempotent. */
@Injectable()
export class OrgSyncJob {
  private readonly logger = new Logger(OrgSyncJob.name);

  constructor(private readonly orgSync: OrgSyncService) {}

  @Cron('0 30 2 * * *', { name: 'org-sync', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    try {
      const summary = await this.orgSync.run('schedule');
      this.logger.log({ summary }, 'organisation synchronised from DingTalk');
    } catch (err) {
      this.logger.error({ err }, 'organisation sync failed; the admin page shows the last run');
    }
  }
}
