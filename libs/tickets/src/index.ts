export { TicketsModule } from './tickets.module';
export { TicketQueriesService } from './ticket-queries.service';
export type { ListTicketsQuery, Page } from './ticket-queries.service';
export { TicketRegistrationService } from './ticket-registration.service';
export type { CreateTicketInput } from './ticket-registration.service';
export { TicketActionsService } from './ticket-actions.service';
export type { ActResult } from './ticket-actions.service';
export type { ActionBody } from './action-input.service';
export { OutboxComposer } from './outbox/outbox-composer';
export { InboxService } from './inbox.service';
export type { InboxPage } from './inbox.service';
export {
  can,
  requireAccess,
  requireScope,
  requireSomeRole,
  scopeFor,
  PERMISSIONS,
  OPS_ROLES,
  OFFICE_ROLES,
  UNIT_ROLES,
} from './access/access';
export type { Permission } from './access/access';
export { AuthService, toCurrentUser } from './auth/auth.service';
export type { CurrentUser, SessionResponse, MeResponse } from './auth/auth.service';
export { signToken, verifyToken } from './auth/token';
export { AUTH_SECRET, resolveAuthSecret } from './auth/auth-secret';
export { SignInRateLimitStore } from './auth/sign-in-rate-limit.store';
export { requirePageUnderPublicUrl } from './auth/page-url';
export { ReferenceService } from './reference.service';
export type { UnitResponse, SourceResponse, CategoryResponse } from './reference.service';
export { CLOCK, SettableClock, systemClock } from './clock';
export type { Clock } from './clock';
export { DeadlinePolicy } from './deadline-policy';
export type { DeadlineBasis, ComputedDeadline } from './deadline-policy';
export { CalendarService } from './calendar/calendar.service';
export type { CalendarStatus, CalendarHealth } from './calendar/calendar.service';
export { TimeLimitService } from './deadlines/time-limit.service';
export { DeadlineJobsService } from './deadlines/deadline-jobs.service';
export { DeadlinePreviewService } from './deadlines/deadline-preview.service';
export type { DeadlinePreview, DeadlinePreviewQuery } from './deadlines/deadline-preview.service';
export type { ScanResult } from './deadlines/deadline-jobs.service';
export { maskName, maskPhone, maskAddress } from './masking';
export type { TicketView, AssignmentView, ReplyView } from './ticket-view';
export {
  DINGTALK_CLIENT,
  appLinks,
  dingTalkClientProvider,
  dingTalkEndpoint,
} from './dingtalk/dingtalk-client.provider';
export {
  composeNotice,
  composeTodo,
  ticketAppUrl,
  appPageUrl,
  dingtalkLink,
  shanghaiText,
  truncateBytes,
  utf8Bytes,
  MSG_MAX_BYTES,
} from './dingtalk/notice-composer';
export type { AppLinks, NoticePayload, NoticeItem, TodoOpenPayload, OutboxTicket } from './dingtalk/notice-composer';
export { DingTalkSignInService } from './auth/dingtalk-sign-in.service';
export { DingTalkConfigProblemsService } from './dingtalk/dingtalk-config-problems.service';
export { PostgresCallBudget } from './dingtalk/dingtalk-call-budget';
export type { DingTalkConfigProblem } from './dingtalk/dingtalk-config-problems.service';
export { NoticeDeliveryCheckService, DELIVERY_SETTLE_MS } from './dingtalk/notice-delivery-check.service';
export type { DeliveryCheckReport, NotReachedView } from './dingtalk/notice-delivery-check.service';
export type { JsapiConfigResponse } from './auth/dingtalk-sign-in.service';
export { OrgSyncService } from './org-sync/org-sync.service';
export type { OrgSyncSummary } from './org-sync/org-sync.service';
export { AdminService, MONTHLY_CALL_QUOTA } from './admin.service';
export type { DingTalkUsage } from './admin.service';
export { AdminPeopleService, ConfiguredAdminsBootstrap, ROLE_INFO, UNIT_KINDS } from './admin-people.service';
export type { AdminPersonResponse, RoleInfo, UnitKind, UnitPatch } from './admin-people.service';
export { ALL_ROLES, DINGTALK_ROLES, GRANTED_ROLES } from './org-sync/roles';
export type { Role } from './org-sync/roles';
export { syncedRoles } from './org-sync/org-sync.service';
export { CallerRevealService } from './confidentiality/caller-reveal.service';
export type { RevealedCaller } from './confidentiality/caller-reveal.service';
export { RetentionService } from './confidentiality/retention.service';
export type { RetentionReport } from './confidentiality/retention.service';
export { AttachmentsService } from './attachments/attachments.service';
export type { AttachmentView, IncomingFile, OpenedAttachment } from './attachments/attachments.service';
export { ALLOWED_TYPES, TYPE_RULE, sniffType } from './attachments/file-signature';
export { KnowledgeBaseService } from './intake/knowledge-base.service';
export type { KbArticleInputBody, KbArticleView, KbSuggestion } from './intake/knowledge-base.service';
export { searchTokens } from './intake/kb-tokenizer';
export { TransitService, routeCode, plateOf } from './intake/transit.service';
export type { TransitImportKind, ImportReport, RoutingSuggestion } from './intake/transit.service';
export { RepeatsService } from './intake/repeats.service';
export type { RepeatQueryInput, RepeatMatch, RepeatPanel } from './intake/repeats.service';
export type { TicketCallerView } from './intake/caller-view';
export { UpstreamIntakeService, intakeSignature } from './intake/upstream-intake.service';
export type {
  UpstreamMatter,
  SignedRequest,
  UpstreamResult,
  UpstreamImportReport,
} from './intake/upstream-intake.service';
export type { RowError } from './intake/table-file';
export { ImportRunsService, IMPORT_CANCELLED } from './intake/import-runs.service';
export { StaleRunsService, RUN_HEARTBEAT_MS, RUN_STALE_AFTER_MS } from './stale-runs.service';
export type { ImportProgress, ImportRunView } from './intake/import-runs.service';
export { LoopService, DEFAULT_CONCERN_THRESHOLD, EXPORT_BATCH } from './loop/loop.service';
export { LEDGER_COLUMNS } from './loop/ledger-columns';
export { XlsxStreamWriter, type XlsxCell } from './loop/xlsx-stream';
