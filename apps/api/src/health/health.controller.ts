import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { AdminService, CalendarService } from '@hotline/tickets';
import { Public } from '../common/public.decorator';
import { DATABASE_RETRY_AFTER_SECONDS } from '../common/domain-exception.filter';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly admin: AdminService,
    private readonly calendar: CalendarService,
  ) {}

  /**
   * 200 when the database answers; 503 with Retry-After and the report (`error.database`) when it
   * does not (issue 18.6): a load balancer takes the instance out, nothing throws, nothing is
   * logged per request.
   */
  @Public()
  @Get()
  @HealthCheck()
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: 3000 }),
        // Informational: DingTalk calls this month against the quota (down only when unreadable).
        () =>
          this.informational('dingtalk', async () => {
            const usage = await this.admin.currentUsage();
            return {
              month: usage.month,
              calls: usage.calls,
              quota: usage.quota,
              failedNotices: usage.outbox.failed ?? 0,
            };
          }),
        // Informational: the calendar in use and the years a deadline reached into without
        // holiday data (the admin enters them under /api/admin/calendar/years); down only when unreadable.
        () => this.informational('calendar', async () => ({ ...(await this.calendar.health()) })),
      ]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503).header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return err.getResponse();
    }
  }

  /** An informational part: up with its figures, or down (not a thrown error) when they cannot be read. */
  private async informational(
    key: string,
    read: () => Promise<Record<string, unknown>>,
  ): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      return indicator.up(await read());
    } catch (err) {
      return indicator.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }
}
