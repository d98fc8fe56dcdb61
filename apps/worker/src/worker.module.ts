import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { HotlineConfigModule, type AppConfig } from '@hotline/config';
import { DatabaseModule } from '@hotline/db';
import { TicketsModule } from '@hotline/tickets';

/** The background process: the only owner of @nestjs/schedule (deadline jobs, notice sender). */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        HotlineConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: { level: config.logLevel } }),
        DatabaseModule.forRoot(databaseUrl, Math.min(config.database.poolSize, 5)),
        ScheduleModule.forRoot(),
        TicketsModule,
      ],
    };
  }
}
