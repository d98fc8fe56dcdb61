import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { SecurityRepository } from '@hotline/db';
import type { CurrentUser } from '../auth/auth.service';
import { requireAccess } from '../access/access';
import { CLOCK, type Clock } from '../clock';

export interface RetentionReport {
  dryRun: boolean;
  years: number;
  cutoff: string;
  /** Tickets whose caller data is (dry run) or was anonymised. */
  count: number;
  /** Merged callers (并单, X-6) of such tickets whose data is (dry run) or was erased. */
  callers: number;
  oldestClosedAt: string | null;
  sample: string[];
}

const BATCH = 500;
const MAX_BATCHES = 200; // one run is bounded: 100,000 tickets

/**
 * Retention (issue 8, item 7): the caller's name, phone and address of tickets closed more than
 * RETENTION_CALLER_YEARS ago are erased, with every merged caller (并单) of those tickets: every
 * table in CALLER_DATA_TABLES (issue 17). The tickets, their timelines and all statistics stay.
 * The admin sees a dry-run report first.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly security: SecurityRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  cutoff(): Date {
    const d = new Date(this.clock.now());
    d.setUTCFullYear(d.getUTCFullYear() - this.config.retention.callerYears);
    return d;
  }

  async report(user: CurrentUser): Promise<RetentionReport> {
    requireAccess(user, 'admin.retention');
    return this.dryRun();
  }

  async dryRun(): Promise<RetentionReport> {
    const cutoff = this.cutoff();
    const due = await this.security.retentionDue(cutoff, 20);
    return {
      dryRun: true,
      years: this.config.retention.callerYears,
      cutoff: cutoff.toISOString(),
      count: due.count,
      callers: due.callers,
      oldestClosedAt: due.oldest?.toISOString() ?? null,
      sample: due.sample,
    };
  }

  async run(user: CurrentUser): Promise<RetentionReport> {
    requireAccess(user, 'admin.retention');
    return this.apply();
  }

  /** Anonymises in bounded batches (also called by the worker when RETENTION_AUTO=true). */
  async apply(): Promise<RetentionReport> {
    const cutoff = this.cutoff();
    const before = await this.security.retentionDue(cutoff, 20);
    let count = 0;
    let callers = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const done = await this.security.anonymiseBatch(cutoff, this.clock.now(), BATCH);
      count += done.tickets;
      callers += done.callers;
      if (done.tickets < BATCH && done.callers < BATCH) break;
    }
    return {
      dryRun: false,
      years: this.config.retention.callerYears,
      cutoff: cutoff.toISOString(),
      count,
      callers,
      oldestClosedAt: before.oldest?.toISOString() ?? null,
      sample: before.sample,
    };
  }
}
