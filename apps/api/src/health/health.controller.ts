import { Controller, Get, Headers, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { AdminService, AuthService, CalendarService, can } from '@hotline/tickets';
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
    private readonly auth: AuthService,
  ) {}

  /**
   * 200 when the database answers; 503 with Retry-After and the report (`error.database`) when it
   * does not (issue 18.6): a load balancer takes the instance out, nothing throws, nothing is
   * logged per request. Issue 17, item 7: the details (DingTalk calls and failed notices, the
   * calendar) only with an admin's bearer token; anyone else gets the liveness answer.
   */
  @Public()
  @Get()
  @HealthCheck()
  async check(@Res({ passthrough: true }) reply: FastifyReply, @Headers('authorization') authorization?: string) {
    const database = () => this.db.pingCheck('database', { timeout: 3000 });
    try {
      if (!(await this.isAdmin(authorization))) return await this.health.check([database]);
      return await this.health.check([
        database,
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

  private async isAdmin(authorization: string | undefined): Promise<boolean> {
    if (!authorization?.startsWith('Bearer ')) return false;
    try {
      const user = await this.auth.authenticate(authorization.slice(7).trim());
      return can(user, 'admin.health_details');
    } catch {
      return false;
    }
  }
}
