import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { Inject, Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { NoticeDeliveryCheckService } from '@hotline/tickets';

/** Every 30 s: read DingTalk's send result of the notices sent a little earlier (16.3). Idempotent. */
@Injectable()
export class NoticeDeliveryCheckJob {
  constructor(
    private readonly checks: NoticeDeliveryCheckService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Cron('*/30 * * * * *', { name: 'notice-delivery-check', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    // DINGTALK_DELIVERY_CHECK=false saves the quota: notices then count as delivered once accepted.
    if (!this.config.dingtalk.deliveryCheck) return;
    await this.checks.runOnce();
  }
}
