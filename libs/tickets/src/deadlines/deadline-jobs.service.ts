import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { DeadlineRepository, TicketRepository, type DueAssignment, type ReminderKey } from '@hotline/db';
import { startOfShanghaiDay, type WorkingCalendar } from '@hotline/calendar';
import { CalendarService } from '../calendar/calendar.service';
import { CLOCK, type Clock } from '../clock';
import { OutboxComposer } from '../outbox/outbox-composer';
import {
  DeadlineScanRunner,
  emptyScanResult,
  keyString,
  type DeadlineScan,
  type ScanResult,
} from './deadline-scan-runner';
import { RETURN_WINDOW_MS, reviewStepAudience, type ReviewStep } from '@hotline/workflow';

export type { ScanResult } from './deadline-scan-runner';

interface Planned {
  row: DueAssignment;
  kind: 'yellow' | 'due_soon' | 'overdue' | null;
  next: Date | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The ops head's digest goes out at 08:30 (Asia/Shanghai) on working days (the cron's time). */
export const DIGEST_AT_MS_OF_DAY = 8 * HOUR_MS + 30 * 60_000;

type ScanOptions = { batchSize?: number; maxBatches?: number };

/**
 * The deadline jobs as plain methods, so the worker's crons stay thin and tests
 * call them with a set clock. Each scan states its rule (which rows are due, their once-only key,
 * how a row moves on, its timeline event, who is told); `DeadlineScanRunner` runs the shared
 * skeleton: batches of one transaction each, SKIP LOCKED claims, ON CONFLICT DO NOTHING keys,
 * outbox rows only for new keys. A crash rolls the whole batch back; two workers never send twice.
 */
@Injectable()
export class DeadlineJobsService {
  private readonly runner: DeadlineScanRunner;

  constructor(
    private readonly repo: DeadlineRepository,
    private readonly tickets: TicketRepository,
    private readonly composer: OutboxComposer,
    private readonly calendars: CalendarService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.runner = new DeadlineScanRunner(repo, tickets, composer);
  }

  /** Every scan, in turn (the worker's minute job), and the digest if 08:30 was missed. */
  async runScans(): Promise<Record<string, ScanResult>> {
    const result: Record<string, ScanResult> = {
      reminders: await this.scanReminders(),
      accepts: await this.scanAccepts(),
      reviewSteps: await this.scanReviewSteps(),
      returnWindows: await this.scanReturnWindows(),
      undispatched: await this.scanUndispatched(),
    };
    const digest = await this.catchUpDigest();
    result.digest = { ...emptyScanResult(), made: digest.sent ? { digest: 1 } : {}, notices: digest.sent ? 1 : 0 };
    return result;
  }

  private run<R>(scan: DeadlineScan<R>, now: Date, opts: ScanOptions): Promise<ScanResult> {
    return this.runner.run(scan, now, opts.batchSize ?? this.config.deadlines.scanBatchSize, opts.maxBatches ?? 100);
  }

  // ---- yellow, shortly before the deadline, overdue ---------------------------------------

  /** reminders at yellow and shortly before the deadline; overdue marking and escalation. */
  async scanReminders(opts: ScanOptions = {}): Promise<ScanResult> {
    const now = this.clock.now();
    return this.run<Planned>(
      {
        claim: async (m, limit) => {
          const rows = await this.repo.claimDueReminders(m, now, limit);
          if (rows.length === 0) return [];
          const calendar = await this.calendars.current(m);
          return rows.map((r) => this.plan(r, now, calendar));
        },
        key: (p) =>
          p.kind
            ? { item: `assignment:${p.row.id}`, kind: p.kind, deadline: p.row.replyDeadline, ticketId: p.row.ticketId }
            : null,
        markClaimed: (m, plans) =>
          this.repo.reschedule(
            m,
            plans.map((p) => ({ id: p.row.id, next: p.next, overdue: p.kind === 'overdue' })),
            now,
          ),
        // 督办: an overdue assignment is recorded on the ticket's timeline.
        event: (p) =>
          p.kind !== 'overdue'
            ? null
            : {
                ticketId: p.row.ticketId,
                action: 'overdue',
                at: now,
                unitCode: p.row.unitCode,
                status: p.row.ticketStatus,
                step: p.row.step,
                comment: null,
                data: { deadline: p.row.replyDeadline.toISOString(), assignmentStatus: p.row.status },
              },
        notify: async (m, sent, add) => {
          const people = await this.repo.unitPeople(m, [...new Set(sent.map((p) => p.row.unitCode))]);
          const resolve = this.composer.resolver(m);
          const overdue = sent.some((p) => p.kind === 'overdue');
          const opsHeads = overdue ? await resolve({ kind: 'role', role: 'ops_head' }) : [];
          // Issue 13.6: a pending return waits for the initiating department, i.e. every dispatcher.
          const dispatchers = sent.some((p) => p.kind !== 'overdue' && p.row.status === 'return_requested')
            ? await resolve({ kind: 'role', role: 'dispatcher' })
            : [];
          for (const p of sent) {
            const unit = people.get(p.row.unitCode) ?? { receivers: [], leaders: [] };
            let to: string[];
            let notice: string;
            if (p.kind === 'overdue') {
              notice = 'overdue';
              to = [...unit.leaders, ...opsHeads];
            } else {
              // 催办 goes to whoever must act now.
              notice = 'remind';
              to =
                p.row.status === 'awaiting_leader'
                  ? unit.leaders
                  : p.row.status === 'return_requested'
                    ? dispatchers
                    : unit.receivers;
            }
            const item = {
              ticket: this.composer.dueTicket(p.row),
              unitName: p.row.unitName,
              deadline: p.row.replyDeadline.toISOString(),
              ticketId: p.row.ticketId,
              unit: p.row.unitCode,
              key: DeadlineRepository.keyOf(`assignment:${p.row.id}`, p.kind!, p.row.replyDeadline),
            };
            for (const userid of new Set(to)) add(userid, notice, p.kind === 'overdue' ? undefined : p.kind!, item);
          }
        },
      },
      now,
      opts,
    );
  }

  private plan(row: DueAssignment, now: Date, calendar: WorkingCalendar): Planned {
    const t = now.getTime();
    const start = row.dispatchedAt.getTime();
    const deadline = row.replyDeadline.getTime();
    const yellowAt = start + (deadline - start) * this.config.deadlines.yellowShare;
    const dueSoonAt = deadline - this.config.deadlines.remindBeforeMinutes * 60_000;
    // Overdue is marked when it happens (R-9d), whatever the hour.
    if (t >= deadline) return { row, kind: 'overdue', next: null };
    if (t < yellowAt) {
      // Scheduled early (e.g. the share was changed): wait for the yellow threshold.
      return { row, kind: null, next: new Date(yellowAt) };
    }
    // A 催办 reaches people in working time: at night or on a day off it waits for the next
    // opening (or the deadline, whichever comes first).
    if (!calendar.isWorkingTime(now)) {
      const opening = calendar.startOfNextWorkingPeriod(now).getTime();
      return { row, kind: null, next: new Date(Math.min(opening, deadline)) };
    }
    if (t >= dueSoonAt) return { row, kind: 'due_soon', next: row.replyDeadline };
    return { row, kind: 'yellow', next: new Date(dueSoonAt) };
  }

  // ---- not accepted by the accept deadline -------------------------------------------

  /**
   * an assignment still pending acceptance past its accept deadline: a 催办 to the unit's
   * receivers and, in the same once-only key, the escalation (督办) to the unit's leaders. Sent when
   * it happens, like the overdue escalation (an urgent matter's 30 minutes may end at any hour).
   */
  async scanAccepts(opts: ScanOptions = {}): Promise<ScanResult> {
    const now = this.clock.now();
    type Row = Awaited<ReturnType<DeadlineRepository['claimDueAccepts']>>[number];
    const key = (r: Row): ReminderKey => ({
      item: `assignment:${r.id}`,
      kind: 'accept_overdue',
      deadline: r.acceptDeadline,
      ticketId: r.ticketId,
    });
    return this.run<Row>(
      {
        countAs: 'accept_overdue',
        claim: (m, limit) => this.repo.claimDueAccepts(m, now, limit),
        key,
        markClaimed: (m, rows) =>
          this.repo.markAcceptReminded(
            m,
            rows.map((r) => r.id),
            now,
          ),
        event: (r) => ({
          ticketId: r.ticketId,
          action: 'accept_overdue',
          at: now,
          unitCode: r.unitCode,
          status: r.ticketStatus,
          step: r.step,
          comment: null,
          data: { acceptDeadline: r.acceptDeadline.toISOString() },
        }),
        notify: async (m, due, add) => {
          const people = await this.repo.unitPeople(m, [...new Set(due.map((r) => r.unitCode))]);
          for (const r of due) {
            const unit = people.get(r.unitCode) ?? { receivers: [], leaders: [] };
            const item = {
              ticket: this.composer.dueTicket(r),
              unitName: r.unitName,
              deadline: r.acceptDeadline.toISOString(),
              ticketId: r.ticketId,
              unit: r.unitCode,
              key: keyString(key(r)),
            };
            for (const userid of unit.receivers) add(userid, 'remind', 'accept_overdue', item);
            for (const userid of unit.leaders) add(userid, 'overdue', 'accept_overdue', item);
          }
        },
      },
      now,
      opts,
    );
  }

  // ---- a review step past its review limit --------------------------------------------

  /**
   * a ticket waiting at a review step past the step's deadline: a 催办 to whoever acts at
   * that step (the workflow's `reviewStepAudience`), once per step × deadline.
   */
  async scanReviewSteps(opts: ScanOptions = {}): Promise<ScanResult> {
    const now = this.clock.now();
    type Row = Awaited<ReturnType<DeadlineRepository['claimDueReviewSteps']>>[number];
    const key = (r: Row): ReminderKey => ({
      item: `ticket:${r.ticketId}:${r.step}`,
      kind: 'review_overdue',
      deadline: r.stepDeadline,
      ticketId: r.ticketId,
    });
    return this.run<Row>(
      {
        countAs: 'review_overdue',
        claim: (m, limit) => this.repo.claimDueReviewSteps(m, now, limit),
        key,
        markClaimed: (m, rows) =>
          this.repo.markStepReminded(
            m,
            rows.map((r) => r.ticketId),
            now,
          ),
        event: (r) => ({
          ticketId: r.ticketId,
          action: 'review_overdue',
          at: now,
          unitCode: null,
          status: r.ticketStatus,
          step: r.step,
          comment: null,
          data: { step: r.step, stepDeadline: r.stepDeadline.toISOString() },
        }),
        notify: async (m, due, add) => {
          const resolve = this.composer.resolver(m);
          for (const r of due) {
            const item = {
              ticket: this.composer.dueTicket(r),
              unitName: null,
              deadline: r.stepDeadline.toISOString(),
              ticketId: r.ticketId,
              unit: null,
              key: keyString(key(r)),
            };
            for (const userid of await resolve(reviewStepAudience(r.step as ReviewStep))) {
              add(userid, 'remind', 'review_overdue', item);
            }
          }
        },
      },
      now,
      opts,
    );
  }

  // ---- the return window closes ----------------------------------------------------------

  /** records on the timeline that the 24-hour return window of an assignment has closed. */
  async scanReturnWindows(opts: ScanOptions = {}): Promise<ScanResult> {
    const now = this.clock.now();
    type Row = Awaited<ReturnType<DeadlineRepository['claimClosedReturnWindows']>>[number];
    const closedAt = (r: Row) => new Date(r.dispatchedAt.getTime() + RETURN_WINDOW_MS);
    return this.run<Row>(
      {
        countAs: 'return_window',
        claim: (m, limit) => this.repo.claimClosedReturnWindows(m, new Date(now.getTime() - RETURN_WINDOW_MS), limit),
        key: (r) => ({
          item: `assignment:${r.id}`,
          kind: 'return_window',
          deadline: closedAt(r),
          ticketId: r.ticketId,
        }),
        markClaimed: (m, rows) =>
          this.repo.markReturnWindowsNoted(
            m,
            rows.map((r) => r.id),
            rows.map(closedAt),
          ),
        event: (r) => ({
          ticketId: r.ticketId,
          action: 'return_window_closed',
          at: now,
          unitCode: r.unitCode,
          status: r.ticketStatus,
          step: null,
          comment: null,
          data: { closedAt: closedAt(r).toISOString() },
        }),
      },
      now,
      opts,
    );
  }

  // ---- registered but not dispatched by close of business ---------------------------------

  /** tickets still registered shortly before close of business → dispatchers and the ops head. */
  async scanUndispatched(opts: ScanOptions = {}): Promise<ScanResult> {
    const now = this.clock.now();
    const dueBy = new Date(now.getTime() + this.config.deadlines.dispatchAlertLeadMinutes * 60_000);
    type Row = Awaited<ReturnType<DeadlineRepository['claimUndispatched']>>[number];
    const key = (r: Row): ReminderKey => ({
      item: `ticket:${r.ticketId}`,
      kind: 'undispatched',
      deadline: r.dispatchDueAt,
      ticketId: r.ticketId,
    });
    return this.run<Row>(
      {
        countAs: 'undispatched',
        claim: (m, limit) => this.repo.claimUndispatched(m, dueBy, limit),
        key,
        markClaimed: (m, rows) =>
          this.repo.markDispatchAlerted(
            m,
            rows.map((r) => r.ticketId),
            now,
          ),
        notify: async (m, due, add) => {
          const resolve = this.composer.resolver(m);
          const to = new Set([
            ...(await resolve({ kind: 'role', role: 'dispatcher' })),
            ...(await resolve({ kind: 'role', role: 'ops_head' })),
          ]);
          for (const r of due) {
            const item = {
              ticket: this.composer.dueTicket(r),
              unitName: null,
              deadline: r.dispatchDueAt.toISOString(),
              ticketId: r.ticketId,
              unit: null,
              key: keyString(key(r)),
            };
            for (const userid of to) add(userid, 'undispatched', undefined, item);
          }
        },
      },
      now,
      opts,
    );
  }

  // ---- the ops head's daily digest ---------------------------------------------------------------

  /**
   * The digest of a working day whose 08:30 run was missed (the worker was down or the job
   * failed): the minute scan sends it once, later that day while the office is open (after
   * closing time "due today" is no longer news; the next morning's digest follows). The unique
   * key keeps it to one; the probe first keeps the minute scan from writing anything once sent.
   */
  async catchUpDigest(): Promise<{ sent: boolean; reason?: string }> {
    const now = this.clock.now();
    const dayStart = startOfShanghaiDay(now);
    if (now.getTime() - dayStart.getTime() < DIGEST_AT_MS_OF_DAY) return { sent: false, reason: 'before 08:30' };
    const calendar = await this.calendars.current();
    if (calendar.isWorkingDay(now) && now.getTime() >= calendar.endOfWorkingDay(dayStart).getTime()) {
      return { sent: false, reason: 'after office hours' };
    }
    if (await this.repo.hasKey('digest', 'digest', dayStart)) return { sent: false, reason: 'already sent today' };
    return this.sendDigest();
  }

  /** 08:30 on working days: due today, overdue per unit, undispatched; once per day (unique key). */
  async sendDigest(): Promise<{ sent: boolean; reason?: string }> {
    const now = this.clock.now();
    const calendar = await this.calendars.current();
    if (!calendar.isWorkingDay(now)) return { sent: false, reason: 'not a working day' };
    const dayStart = startOfShanghaiDay(now);
    const dayEnd = new Date(dayStart.getTime() + DAY_MS);
    return this.repo.transaction(async (m) => {
      const fresh = await this.repo.insertKeys(
        m,
        [{ item: 'digest', kind: 'digest', deadline: dayStart, ticketId: null }],
        now,
      );
      if (fresh.size === 0) return { sent: false, reason: 'already sent today' };
      const figures = await this.repo.digest(m, now, dayEnd);
      await this.tickets.insertOutbox(m, [await this.composer.digest(m, dayStart, figures, now)], now);
      return { sent: true };
    });
  }
}
