import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { OutboxSender } from './outbox-sender.service';

/** A failing round (the database unreachable) is said once per this long, not every 2 s. */
const SAY_FAILURE_EVERY_MS = 60_000;

/** Every 2 s: send what the outbox holds. Idempotent; several workers may run it. */
@Injectable()
export class OutboxSenderJob {
  private readonly logger = new Logger(OutboxSenderJob.name);
  private failingSince: { saidAt: number; rounds: number } | undefined;

  constructor(private readonly sender: OutboxSender) {}

  @Cron('*/2 * * * * *', { name: 'outbox-sender', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    try {
      await this.sender.drain(10);
      if (this.failingSince) this.logger.log({ failedRounds: this.failingSince.rounds }, 'outbox sending again');
      this.failingSince = undefined;
    } catch (err) {
      // Issue 18.6: rows stay in the outbox; the next round sends them. Say so once, not per round.
      const now = Date.now();
      if (this.failingSince && now - this.failingSince.saidAt < SAY_FAILURE_EVERY_MS) {
        this.failingSince.rounds += 1;
        return;
      }
      this.logger.warn(
        { err, failedRounds: this.failingSince?.rounds ?? 0 },
        'outbox round failed; retrying every 2 s',
      );
      this.failingSince = { saidAt: now, rounds: 0 };
    }
  }
}
