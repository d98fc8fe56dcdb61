import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { AdminService, CalendarService } from '@hotline/tickets';
import { Public } from '../common/public.decorator';

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

  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 3000 }),
      // Informational: DingTalk calls this month against the quota (never makes the check fail).
      async () => {
        const usage = await this.admin.currentUsage();
        return this.indicators
          .check('dingtalk')
          .up({ month: usage.month, calls: usage.calls, quota: usage.quota, failedNotices: usage.outbox.failed ?? 0 });
      },
      // Informational: the calendar in use and the years a deadline reached into without
      // holiday data (the admin enters them under /api/admin/calendar/years); never fails the check.
      async () => this.indicators.check('calendar').up({ ...(await this.calendar.health()) }),
    ]);
  }
}
