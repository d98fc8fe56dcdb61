import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { AuthService } from './auth/auth.service';
import { AUTH_SECRET, resolveAuthSecret } from './auth/auth-secret';
import { CLOCK, systemClock } from './clock';
import { DeadlinePolicy } from './deadline-policy';
import { CalendarService } from './calendar/calendar.service';
import { TimeLimitService } from './deadlines/time-limit.service';
import { DeadlineJobsService } from './deadlines/deadline-jobs.service';
import { DeadlinePreviewService } from './deadlines/deadline-preview.service';
import { TicketQueriesService } from './ticket-queries.service';
import { TicketRegistrationService } from './ticket-registration.service';
import { TicketActionsService } from './ticket-actions.service';
import { ActionInputService } from './action-input.service';
import { DecisionDeadlinesService } from './deadlines/decision-deadlines.service';
import { OutboxComposer } from './outbox/outbox-composer';
import { InboxService } from './inbox.service';
import { LoopHooks } from './loop/loop-hooks';
import { LoopService } from './loop/loop.service';
import { ReferenceService } from './reference.service';
import { DINGTALK_CLIENT, dingTalkClientProvider } from './dingtalk/dingtalk-client.provider';
import { DingTalkSignInService } from './auth/dingtalk-sign-in.service';
import { DingTalkConfigProblemsService } from './dingtalk/dingtalk-config-problems.service';
import { NoticeDeliveryCheckService } from './dingtalk/notice-delivery-check.service';
import { OrgSyncService } from './org-sync/org-sync.service';
import { AdminService } from './admin.service';
import { AdminPeopleService, ConfiguredAdminsBootstrap } from './admin-people.service';
import { AttachmentsService } from './attachments/attachments.service';
import { CallerRevealService } from './confidentiality/caller-reveal.service';
import { IntakeHooks } from './intake/intake-hooks';
import { KnowledgeBaseService } from './intake/knowledge-base.service';
import { RepeatsService } from './intake/repeats.service';
import { TransitService } from './intake/transit.service';
import { UpstreamIntakeService } from './intake/upstream-intake.service';
import { ImportRunsService } from './intake/import-runs.service';
import { StaleRunsService } from './stale-runs.service';
import { RetentionService } from './confidentiality/retention.service';

/** The application layer shared by the api and the worker. Needs DatabaseModule and config. */
@Global()
@Module({
  providers: [
    TicketQueriesService,
    TicketRegistrationService,
    TicketActionsService,
    ActionInputService,
    DecisionDeadlinesService,
    OutboxComposer,
    InboxService,
    LoopHooks,
    LoopService,
    IntakeHooks,
    KnowledgeBaseService,
    TransitService,
    RepeatsService,
    UpstreamIntakeService,
    ImportRunsService,
    StaleRunsService,
    AuthService,
    ReferenceService,
    DeadlinePolicy,
    DingTalkSignInService,
    DingTalkConfigProblemsService,
    NoticeDeliveryCheckService,
    OrgSyncService,
    AdminService,
    AdminPeopleService,
    ConfiguredAdminsBootstrap,
    AttachmentsService,
    CallerRevealService,
    RetentionService,
    dingTalkClientProvider,
    CalendarService,
    TimeLimitService,
    DeadlineJobsService,
    DeadlinePreviewService,
    { provide: CLOCK, useValue: systemClock },
    { provide: AUTH_SECRET, useFactory: (config: AppConfig) => resolveAuthSecret(config), inject: [APP_CONFIG] },
  ],
  exports: [
    TicketQueriesService,
    TicketRegistrationService,
    TicketActionsService,
    InboxService,
    LoopService,
    KnowledgeBaseService,
    TransitService,
    RepeatsService,
    UpstreamIntakeService,
    ImportRunsService,
    StaleRunsService,
    AuthService,
    ReferenceService,
    DeadlinePolicy,
    DingTalkSignInService,
    DingTalkConfigProblemsService,
    NoticeDeliveryCheckService,
    OrgSyncService,
    AdminService,
    AdminPeopleService,
    AttachmentsService,
    CallerRevealService,
    RetentionService,
    CLOCK,
    CalendarService,
    TimeLimitService,
    DeadlineJobsService,
    DeadlinePreviewService,
    DINGTALK_CLIENT,
  ],
})
export class TicketsModule {}
