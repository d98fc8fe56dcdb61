import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { OutboxSender } from './outbox-sender.service';

/** Every 2 s: send what the outbox holds. Idempotent; several workers may run it. */
@Injectable()
export class OutboxSenderJob {
  constructor(private readonly sender: OutboxSender) {}

  @Cron('*/2 * * * * *', { name: 'outbox-sender', timeZone: 'Asia/Shanghai', waitForCompletion: true })
  async run(): Promise<void> {
    await this.sender.drain(10);
  }
}
