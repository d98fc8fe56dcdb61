export { createDataSource, dataSourceOptions, runMigrations, ensureDatabase } from './data-source';
export { grantAppRole, AUDIT_TABLES } from './app-role';
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
  AssignmentDeadlineFacts,
  DeadlineRecord,
  StepDeadlineRecord,
  Light,
  LightParams,
} from './repositories/ticket.repository';
export { lightSql, OPEN_ASSIGNMENT_STATUSES } from './repositories/ticket.repository';
export { TicketListRepository } from './repositories/ticket-list.repository';
export { TicketSearch } from './repositories/ticket-search';
export type {
  TicketListFilter,
  TicketListCursor,
  LightListCursor,
  TicketListItem,
} from './repositories/ticket-list.repository';
export { TimeLimitRepository } from './repositories/time-limit.repository';
export {
  ReferenceDataRepository,
  type ReferenceSnapshot,
  type ReferenceUnit,
} from './repositories/reference-data.repository';
export type {
  TimeLimitPolicyRow,
  TimeLimitPolicyInput,
  LimitValue,
  LimitUnitName,
} from './repositories/time-limit.repository';
export { CalendarRepository } from './repositories/calendar.repository';
export type { CalendarOverrideRow, CalendarYearRow, MissingYearRow } from './repositories/calendar.repository';
export { DeadlineRepository, SYSTEM_ACTOR } from './repositories/deadline.repository';
export type {
  DueAssignment,
  DueAccept,
  DueReviewStep,
  DueUndispatched,
  DueTicketFacts,
  ReminderKey,
  ReturnWindowDue,
  SystemTimelineEvent,
  DigestFigures,
} from './repositories/deadline.repository';
export { InboxRepository } from './repositories/inbox.repository';
export type { InboxRow, InboxActor, InboxCursor } from './repositories/inbox.repository';
export { IdempotencyRepository } from './repositories/idempotency.repository';
export type { StoredResponse } from './repositories/idempotency.repository';
export { OutboxRepository, OutboxWorkerLock } from './repositories/outbox.repository';
export type { OutboxRow } from './repositories/outbox.repository';
export { seedDemoOrganisation } from './seed/seed';
export type { EntityManager as Tx } from 'typeorm';
export { DingTalkRepository } from './repositories/dingtalk.repository';
export { NoticeDeliveryRepository } from './repositories/notice-delivery.repository';
export type {
  DeliveryStatus,
  NotReachedRow,
  PersonDelivery,
  UncheckedNotice,
} from './repositories/notice-delivery.repository';
export type { DingTalkConfigProblemRow, DingTalkTodoRow } from './repositories/dingtalk.repository';
export { OrgSyncRepository } from './repositories/org-sync.repository';
export type { SyncedUnit, SyncedPerson } from './repositories/org-sync.repository';
export { PeopleAdminRepository } from './repositories/people-admin.repository';
export type {
  AdminPersonRow,
  AdminUnitRow,
  ConfigEntity,
  PeopleFilter,
  RoleChangeRow,
  RoleChangeVia,
} from './repositories/people-admin.repository';
export { AttachmentRepository } from './repositories/attachment.repository';
export type { AttachmentRow, AttachmentKind, NewAttachment } from './repositories/attachment.repository';
export { CallerCipher, parseCallerKeys } from './crypto/caller-cipher';
export type { CallerCipherKeys } from './crypto/caller-cipher';
export { CALLER_DATA_TABLES, NOT_CALLER_DATA_COLUMNS } from './crypto/caller-data-tables';
export type { CallerDataTable } from './crypto/caller-data-tables';
export { callerCipherFromConfig } from './crypto/caller-keys';
export { SecurityRepository } from './repositories/security.repository';
export type { SessionRow, CallerRow, RevealRow } from './repositories/security.repository';
export { KbRepository } from './repositories/kb.repository';
export type { KbArticleRow, KbArticleInput, KbHit, KbListCursor } from './repositories/kb.repository';
export { TransitRepository } from './repositories/transit.repository';
export { DEFAULT_ROUTING_RULES } from './seed/intake-demo';
export type {
  TransitRouteRow,
  TransitStopRow,
  TransitVehicleRow,
  RoutingRuleRow,
} from './repositories/transit.repository';
export { IntakeRepository } from './repositories/intake.repository';
export type {
  IntakeClientRow,
  RepeatRow,
  RepeatQuery,
  TicketCallerRow,
  CallerToAnswerRow,
} from './repositories/intake.repository';
export { LoopRepository } from './repositories/loop.repository';
export type {
  LoopState,
  FollowUpQueueItem,
  CaseFileRow,
  CaseFileFilter,
  VisitRow,
} from './repositories/loop.repository';
export { LedgerRepository } from './repositories/ledger.repository';
export type { LedgerFilter, LedgerCursor, LedgerRow, LedgerUnitReply } from './repositories/ledger.repository';
export { AssessmentRepository } from './repositories/assessment.repository';
export type { UnitFigures, DispatchFigures, HotSpot, HotSpots, Overview } from './repositories/assessment.repository';
export { UpstreamAnswerRepository } from './repositories/upstream-answer.repository';
export type { UpstreamAnswerRow } from './repositories/upstream-answer.repository';
export { ImportRunRepository } from './repositories/import-run.repository';
export type { ImportRun, ImportRunKind, ImportRunPhase, ImportRunStatus } from './repositories/import-run.repository';
