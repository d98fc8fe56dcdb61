// The worker's outbox sender against this test's database and clock, without the scheduler
// (tests call runOnce/drain themselves, so nothing runs behind their back).
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { HotlineConfigModule, type AppConfig } from '@hotline/config';
import { DatabaseModule } from '@hotline/db';
import { CLOCK, TicketsModule, type Clock } from '@hotline/tickets';
import { OutboxSender } from '../../apps/worker/src/outbox/outbox-sender.service';

export async function createTestSender(
  config: AppConfig,
  databaseUrl: string,
  clock: Clock,
): Promise<{ sender: OutboxSender; ctx: INestApplicationContext }> {
  const moduleRef = await Test.createTestingModule({
    imports: [HotlineConfigModule.forRoot(config), DatabaseModule.forRoot(databaseUrl, 4), TicketsModule],
    providers: [OutboxSender],
  })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .compile();
  const ctx = await moduleRef.init();
  return { sender: ctx.get(OutboxSender), ctx };
}
