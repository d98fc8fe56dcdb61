import { SHANGHAI_TIME_ZONE } from '@hotline/calendar';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { AssessmentRepository } from '@hotline/db';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';

/** Days recomputed per transaction; a month at a time keeps each one short. */
const DAYS_PER_ROUND = 31;
/** A run stops starting new rounds after this long; the next minute goes on. */
const RUN_BUDGET_MS = 45_000;

/**
 * Issue 19 goal 2: every minute, the per-day sums of the unit figures whose inputs
 * changed (unit_figure_dirty) are recomputed, so a figures read finds at most a few dirty days and
 * reads them directly. After a deployment or a change of REPEAT_WINDOW_DAYS every day is dirty:
 * this catches up a month at a time. Several workers may run it (one at a time takes the lock).
 */
@Injectable()
export class UnitFigureDaysJob {
  private readonly logger = new Logger(UnitFigureDaysJob.name);

  constructor(
    private readonly assessment: AssessmentRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Cron('30 * * * * *', { name: 'unit-figure-days', timeZone: SHANGHAI_TIME_ZONE, waitForCompletion: true })
  async run(): Promise<void> {
    try {
      const started = Date.now();
      let refreshed = 0;
      let left = 0;
      do {
        const r = await this.assessment.refreshUnitFigureDays(this.config.intake.repeatWindowDays, DAYS_PER_ROUND);
        refreshed += r.refreshed;
        left = r.left;
        if (r.refreshed === 0) break; // nothing dirty, or another worker holds the lock
      } while (left > 0 && Date.now() - started < RUN_BUDGET_MS);
      if (refreshed > 0 && (left > 0 || refreshed > DAYS_PER_ROUND)) {
        this.logger.log({ refreshed, left, ms: Date.now() - started }, 'unit figure days recomputed');
      }
    } catch (err) {
      this.logger.error({ err }, 'unit figure days refresh failed; the next minute retries');
    }
  }
}
