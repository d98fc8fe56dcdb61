import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source';
import { OrganisationRepository } from './repositories/organisation.repository';
import { TicketRepository } from './repositories/ticket.repository';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { InboxRepository } from './repositories/inbox.repository';
import { DingTalkRepository } from './repositories/dingtalk.repository';
import { OrgSyncRepository } from './repositories/org-sync.repository';

const REPOSITORIES = [
  OrganisationRepository,
  TicketRepository,
  IdempotencyRepository,
  OutboxRepository,
  InboxRepository,
  DingTalkRepository,
  OrgSyncRepository,
];

/** The one Nest module that owns the connection pool and the repositories. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(url: string, poolSize = 10): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(url, poolSize), migrationsRun: false })],
      providers: REPOSITORIES,
      exports: REPOSITORIES,
    };
  }
}
