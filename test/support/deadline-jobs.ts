// A second set of deadline jobs against the same database and clock, with its own pool: a
// stand-in for a second worker process (tests race it against the app's own instance).
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { HotlineConfigModule, type AppConfig } from '@hotline/config';
import { DatabaseModule } from '@hotline/db';
import { CLOCK, DeadlineJobsService, TicketsModule, type Clock } from '@hotline/tickets';

export async function createTestDeadlineJobs(
  config: AppConfig,
  databaseUrl: string,
  clock: Clock,
): Promise<{ jobs: DeadlineJobsService; ctx: INestApplicationContext }> {
  const moduleRef = await Test.createTestingModule({
    imports: [HotlineConfigModule.forRoot(config), DatabaseModule.forRoot(databaseUrl, 4), TicketsModule],
  })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .compile();
  const ctx = await moduleRef.init();
  return { jobs: ctx.get(DeadlineJobsService), ctx };
}
