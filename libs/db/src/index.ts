export { createDataSource, dataSourceOptions, runMigrations, ensureDatabase } from './data-source';
export { startEmbeddedPostgres, resolveClusterDir } from './embedded/embedded-postgres';
export type { RunningPostgres, EmbeddedPostgresOptions } from './embedded/embedded-postgres';
export { DatabaseModule } from './database.module';
export { OrganisationRepository } from './repositories/organisation.repository';
export type { PersonRow, UnitRow, SourceRow, CategoryRow } from './repositories/organisation.repository';
export { TicketRepository } from './repositories/ticket.repository';
export type {
  TicketAggregate,
  TicketFacts,
  NewTicket,
  OutboxInsert,
  TimelineRow,
  TicketScope,
  TicketListFilter,
  TicketListCursor,
  TicketListItem,
} from './repositories/ticket.repository';
export { InboxRepository } from './repositories/inbox.repository';
export type { InboxRow, InboxActor } from './repositories/inbox.repository';
export { IdempotencyRepository } from './repositories/idempotency.repository';
export type { StoredResponse } from './repositories/idempotency.repository';
export { OutboxRepository } from './repositories/outbox.repository';
export type { OutboxRow } from './repositories/outbox.repository';
export { seedReferenceData, seedDemoOrganisation } from './seed/seed';
export { DEFAULT_SOURCES, DEFAULT_CATEGORIES } from './seed/reference-data';
export type { EntityManager as Tx } from 'typeorm';
export { DingTalkRepository } from './repositories/dingtalk.repository';
export type { DingTalkTodoRow } from './repositories/dingtalk.repository';
export { OrgSyncRepository } from './repositories/org-sync.repository';
export type { SyncedUnit, SyncedPerson } from './repositories/org-sync.repository';
export { AttachmentRepository } from './repositories/attachment.repository';
export type { AttachmentRow, AttachmentKind, NewAttachment } from './repositories/attachment.repository';
