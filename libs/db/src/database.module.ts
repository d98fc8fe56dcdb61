import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { CallerCipher } from './crypto/caller-cipher';
import { callerCipherFromConfig } from './crypto/caller-keys';
import { dataSourceOptions } from './data-source';
import { OrganisationRepository } from './repositories/organisation.repository';
import { TicketRepository } from './repositories/ticket.repository';
import { TicketListRepository } from './repositories/ticket-list.repository';
import { TicketSearch } from './repositories/ticket-search';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { InboxRepository } from './repositories/inbox.repository';
import { DingTalkRepository } from './repositories/dingtalk.repository';
import { NoticeDeliveryRepository } from './repositories/notice-delivery.repository';
import { OrgSyncRepository } from './repositories/org-sync.repository';
import { TimeLimitRepository } from './repositories/time-limit.repository';
import { CalendarRepository } from './repositories/calendar.repository';
import { DeadlineRepository } from './repositories/deadline.repository';
import { LoopRepository } from './repositories/loop.repository';
import { LedgerRepository } from './repositories/ledger.repository';
import { AssessmentRepository } from './repositories/assessment.repository';
import { SecurityRepository } from './repositories/security.repository';
import { AttachmentRepository } from './repositories/attachment.repository';
import { KbRepository } from './repositories/kb.repository';
import { TransitRepository } from './repositories/transit.repository';
import { IntakeRepository } from './repositories/intake.repository';
import { PeopleAdminRepository } from './repositories/people-admin.repository';
import { UpstreamAnswerRepository } from './repositories/upstream-answer.repository';
import { ReferenceDataRepository } from './repositories/reference-data.repository';
import { ImportRunRepository } from './repositories/import-run.repository';

const REPOSITORIES = [
  OrganisationRepository,
  TicketRepository,
  TicketSearch,
  TicketListRepository,
  IdempotencyRepository,
  OutboxRepository,
  InboxRepository,
  DingTalkRepository,
  NoticeDeliveryRepository,
  OrgSyncRepository,
  AttachmentRepository,
  SecurityRepository,
  TimeLimitRepository,
  CalendarRepository,
  DeadlineRepository,
  LoopRepository,
  LedgerRepository,
  AssessmentRepository,
  KbRepository,
  TransitRepository,
  IntakeRepository,
  PeopleAdminRepository,
  UpstreamAnswerRepository,
  ReferenceDataRepository,
  ImportRunRepository,
];

/** The one Nest module that owns the connection pool and the repositories. */
@Global()
@Module({})
export class DatabaseModule {
  /**
   * `name` tells apart the pools of the api and the worker when `npm start` runs both in one
   * process (@nestjs/typeorm keeps one registry of data-source names per process).
   */
  static forRoot(url: string, poolSize = 10, name = 'default'): DynamicModule {
    const named = name !== 'default';
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(url, poolSize),
          migrationsRun: false,
          ...(named ? { name } : {}),
        }),
      ],
      providers: [
        ...(named ? [{ provide: DataSource, useExisting: getDataSourceToken(name) }] : []),
        // caller data is encrypted and decrypted here, in the persistence adapter.
        {
          provide: CallerCipher,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => callerCipherFromConfig(config),
        },
        ...REPOSITORIES,
      ],
      exports: [...(named ? [DataSource] : []), CallerCipher, ...REPOSITORIES],
    };
  }
}
