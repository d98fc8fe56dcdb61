import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { HotlineConfigModule, loggerParams, type AppConfig } from '@hotline/config';
import { DatabaseModule, SecurityRepository } from '@hotline/db';
import { CLOCK, SignInRateLimitStore, TicketsModule, type Clock } from '@hotline/tickets';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './common/auth.guard';
import { DomainExceptionFilter } from './common/domain-exception.filter';
import { createValidationPipe } from './common/validation';
import { HealthController } from './health/health.controller';
import { ReferenceController } from './reference/reference.controller';
import { TicketsController } from './tickets/tickets.controller';
import { AdminController } from './admin/admin.controller';
import { DeadlinesAdminController } from './admin/deadlines-admin.controller';
import { PeopleAdminController } from './admin/people-admin.controller';
import { DingTalkController } from './dingtalk/dingtalk.controller';
import { AttachmentsController } from './tickets/attachments.controller';
import { CallerController } from './confidentiality/caller.controller';
import { LoopController } from './loop/loop.controller';
import { DeadlinePreviewController } from './deadlines/deadline-preview.controller';
import { KnowledgeBaseController } from './intake/knowledge-base.controller';
import { TransitController } from './intake/transit.controller';
import { IntakeDeskController } from './intake/intake-desk.controller';
import { UpstreamIntakeController } from './intake/upstream-intake.controller';
import { ImportsController } from './intake/imports.controller';
import { ThrottlerModule } from '@nestjs/throttler';

/** HTTP only: controllers, DTOs, guard, error filter. No scheduler here. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        HotlineConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        DatabaseModule.forRoot(databaseUrl, config.database.poolSize),
        TerminusModule.forRoot({ logger: false }),
        TicketsModule,
        // Issue 17: counted in PostgreSQL, shared by every replica, per client address (TRUSTED_PROXIES).
        ThrottlerModule.forRootAsync({
          imports: [TicketsModule],
          inject: [SecurityRepository, CLOCK],
          useFactory: (security: SecurityRepository, clock: Clock) => ({
            throttlers: [{ name: 'sign-in', ttl: 60_000, limit: config.auth.signInPerMinute }],
            storage: new SignInRateLimitStore(security, clock),
          }),
        }),
      ],
      controllers: [
        HealthController,
        AuthController,
        DingTalkController,
        ReferenceController,
        TicketsController,
        AdminController,
        DeadlinesAdminController,
        PeopleAdminController,
        AttachmentsController,
        CallerController,
        LoopController,
        KnowledgeBaseController,
        TransitController,
        IntakeDeskController,
        UpstreamIntakeController,
        ImportsController,
        DeadlinePreviewController,
      ],
      providers: [
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
