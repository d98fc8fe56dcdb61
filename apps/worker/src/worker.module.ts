import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { HotlineConfigModule, loggerParams, type AppConfig } from '@hotline/config';
import { DatabaseModule } from '@hotline/db';
import { TicketsModule } from '@hotline/tickets';
import { OutboxSender } from './outbox/outbox-sender.service';
import { OutboxSenderJob } from './outbox/outbox-sender.job';
import { OrgSyncJob } from './org-sync/org-sync.job';
import { DeadlineScanJob } from './deadlines/deadline-scan.job';
import { DailyDigestJob } from './deadlines/daily-digest.job';
import { UnitFigureDaysJob } from './deadlines/unit-figure-days.job';
import { RetentionJob } from './retention/retention.job';
import { NoticeDeliveryCheckJob } from './dingtalk/notice-delivery-check.job';
import { StaleRunsJob } from './runs/stale-runs.job';
import { InboxCountsJob } from './inbox/inbox-counts.job';

/** The background process: the only owner of @nestjs/schedule (deadline jobs, notice sender). */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        HotlineConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        DatabaseModule.forRoot(databaseUrl, Math.min(config.database.poolSize, 5), 'worker'),
        ScheduleModule.forRoot(),
        TicketsModule,
      ],
      providers: [
        OutboxSender,
        OutboxSenderJob,
        NoticeDeliveryCheckJob,
        OrgSyncJob,
        DeadlineScanJob,
        DailyDigestJob,
        UnitFigureDaysJob,
        RetentionJob,
        StaleRunsJob,
        InboxCountsJob,
      ],
    };
  }
}
