import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import {
  DeadlineRepository,
  OrganisationRepository,
  TicketRepository,
  type DueAssignment,
  type DueTicketFacts,
  type OutboxInsert,
  type ReminderKey,
  type Tx,
} from '@hotline/db';
import { startOfShanghaiDay, type WorkingCalendar } from '@hotline/calendar';
import { CalendarService } from '../calendar/calendar.service';
import { CLOCK, type Clock } from '../clock';
import type { NoticeItem, OutboxTicket } from '../dingtalk/notice-composer';
import { scrubCallerData } from '../masking';
import { RETURN_WINDOW_MS, reviewStepAudience, type Audience, type ReviewStep } from '@hotline/workflow';

export interface ScanResult {
  /** Rows the scan locked and looked at. */
  claimed: number;
  /** Reminders (or records) made, by kind. */
  made: Record<string, number>;
  /** Outbox rows written (one per folded notice). */
  notices: number;
  batches: number;
}

interface Planned {
  row: DueAssignment;
  kind: 'yellow' | 'due_soon' | 'overdue' | null;
  next: Date | null;
}

/** One person's (or several people's identical) deadline notice. */
interface Fold {
  notice: string;
  stage?: string;
  userids: Set<string>;
  items: Map<string, NoticeItem & { ticketId: string; unit: string | null; key: string }>;
}

const HOUR_MS = 3_600_000;
/** A folded notice stores at most this many matters (the message shows 10 and the count). */
const MAX_ITEMS_STORED = 20;
const DAY_MS = 24 * HOUR_MS;
/** The ops head's digest goes out at 08:30 (Asia/Shanghai) on working days (the cron's time). */
export const DIGEST_AT_MS_OF_DAY = 8 * HOUR_MS + 30 * 60_000;

function emptyResult(): ScanResult {
  return { claimed: 0, made: {}, notices: 0, batches: 0 };
}

function outboxTicket(t: DueTicketFacts): OutboxTicket {
  return {
    id: t.ticketId,
    number: t.number,
    category: t.categoryCode,
    categoryName: t.categoryName,
    // R-19: nothing of the caller leaves for DingTalk.
    subject: scrubCallerData(t.subject, { name: t.callerName, phone: t.callerPhone, address: t.callerAddress }),
    status: t.ticketStatus,
    step: t.step,
  };
}

/**
 * The deadline jobs (X-9, R-11, R-17) as plain methods, so the worker's crons stay thin and tests
 * call them with a set clock. Each batch is one transaction: lock due rows (SKIP LOCKED), insert
 * their reminder keys (ON CONFLICT DO NOTHING), write outbox rows only for keys that were new,
 * move the rows' next reminder. A crash rolls the whole batch back; two workers never send twice.
 */
@Injectable()
export class DeadlineJobsService {
  constructor(
    private readonly repo: DeadlineRepository,
    private readonly tickets: TicketRepository,
    private readonly org: OrganisationRepository,
    private readonly calendars: CalendarService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

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
    result.digest = { ...emptyResult(), made: digest.sent ? { digest: 1 } : {}, notices: digest.sent ? 1 : 0 };
    return result;
  }

  private async batches(
    maxBatches: number,
    batch: (m: Tx, limit: number) => Promise<ScanResult>,
    limit = this.config.deadlines.scanBatchSize,
  ): Promise<ScanResult> {
    const total = emptyResult();
    for (let i = 0; i < maxBatches; i++) {
      const r = await this.repo.transaction((m) => batch(m, limit));
      total.batches += 1;
      total.claimed += r.claimed;
      total.notices += r.notices;
      for (const [k, n] of Object.entries(r.made)) total.made[k] = (total.made[k] ?? 0) + n;
      if (r.claimed < limit) break;
    }
    return total;
  }

  // ---- X-9: yellow, shortly before the deadline, overdue ---------------------------------------

  /** X-9: reminders at yellow and shortly before the deadline; overdue marking and escalation. */
  async scanReminders(opts: { batchSize?: number; maxBatches?: number } = {}): Promise<ScanResult> {
    const now = this.clock.now();
    return this.batches(opts.maxBatches ?? 100, (m, limit) => this.reminderBatch(m, now, limit), opts.batchSize);
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

  private async reminderBatch(m: Tx, now: Date, limit: number): Promise<ScanResult> {
    const rows = await this.repo.claimDueReminders(m, now, limit);
    const result = emptyResult();
    result.claimed = rows.length;
    if (rows.length === 0) return result;
    const calendar = await this.calendars.current(m);
    const plans = rows.map((r) => this.plan(r, now, calendar));
    const keys: ReminderKey[] = plans
      .filter((p) => p.kind)
      .map((p) => ({
        item: `assignment:${p.row.id}`,
        kind: p.kind!,
        deadline: p.row.replyDeadline,
        ticketId: p.row.ticketId,
      }));
    const fresh = await this.repo.insertKeys(m, keys, now);
    const sent = plans.filter(
      (p) => p.kind && fresh.has(DeadlineRepository.keyOf(`assignment:${p.row.id}`, p.kind, p.row.replyDeadline)),
    );
    await this.repo.reschedule(
      m,
      plans.map((p) => ({ id: p.row.id, next: p.next, overdue: p.kind === 'overdue' })),
      now,
    );

    const overdue = sent.filter((p) => p.kind === 'overdue');
    // 督办: recorded on the ticket's timeline.
    await this.repo.appendSystemEvents(
      m,
      overdue.map((p) => ({
        ticketId: p.row.ticketId,
        action: 'overdue',
        at: now,
        unitCode: p.row.unitCode,
        status: p.row.ticketStatus,
        step: p.row.step,
        comment: null,
        data: { deadline: p.row.replyDeadline.toISOString(), assignmentStatus: p.row.status },
      })),
    );

    const people = await this.repo.unitPeople(m, [...new Set(sent.map((p) => p.row.unitCode))]);
    const opsHeads = overdue.length > 0 ? await this.org.peopleWithRole('ops_head', m) : [];
    // Issue 13.6: a pending return waits for the initiating department, i.e. every dispatcher.
    const dispatchers = sent.some((p) => p.kind !== 'overdue' && p.row.status === 'return_requested')
      ? await this.org.peopleWithRole('dispatcher', m)
      : [];
    const folds = new Map<string, Fold>();
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
        ticket: outboxTicket(p.row),
        unitName: p.row.unitName,
        deadline: p.row.replyDeadline.toISOString(),
        ticketId: p.row.ticketId,
        unit: p.row.unitCode,
        key: DeadlineRepository.keyOf(`assignment:${p.row.id}`, p.kind!, p.row.replyDeadline),
      };
      for (const userid of new Set(to))
        this.addToFold(folds, userid, notice, p.kind === 'overdue' ? undefined : p.kind!, item);
      result.made[p.kind!] = (result.made[p.kind!] ?? 0) + 1;
    }
    result.notices = await this.writeFolds(m, folds, now);
    return result;
  }

  private addToFold(
    folds: Map<string, Fold>,
    userid: string,
    notice: string,
    stage: string | undefined,
    item: Fold['items'] extends Map<string, infer I> ? I : never,
  ): void {
    const id = `${userid}|${notice}|${stage ?? ''}`;
    let f = folds.get(id);
    if (!f) {
      f = { notice, stage, userids: new Set([userid]), items: new Map() };
      folds.set(id, f);
    }
    f.items.set(item.key, item);
  }

  /**
   * One outbox row per person and kind; people with exactly the same matters share one row (one
   * DingTalk call for them all, reference §5.2 / §8 quota).
   */
  private async writeFolds(m: Tx, folds: Map<string, Fold>, now: Date): Promise<number> {
    const merged = new Map<string, Fold>();
    for (const f of folds.values()) {
      const sig = `${f.notice}|${f.stage ?? ''}|${[...f.items.keys()].sort().join(',')}`;
      const same = merged.get(sig);
      if (same) for (const u of f.userids) same.userids.add(u);
      else merged.set(sig, { ...f, userids: new Set(f.userids) });
    }
    const rows: OutboxInsert[] = [];
    for (const [sig, f] of merged) {
      const items = [...f.items.values()].sort((a, b) => (a.deadline ?? '').localeCompare(b.deadline ?? ''));
      const userids = [...f.userids].sort();
      const first = items[0];
      const single = items.length === 1;
      const oneTicket = items.every((i) => i.ticketId === first.ticketId);
      rows.push({
        ticketId: oneTicket ? first.ticketId : null,
        kind: 'notice',
        // The reminder keys in `sig` are unique for ever, so this key is too.
        dedupeKey: `deadline:${createHash('sha256')
          .update(`${sig}|${userids.join(',')}`)
          .digest('hex')
          .slice(0, 40)}`,
        payload: {
          notice: f.notice,
          ...(f.stage ? { stage: f.stage } : {}),
          userids,
          unit: single ? first.unit : null,
          unitName: single ? first.unitName : null,
          deadline: single ? first.deadline : null,
          at: now.toISOString(),
          ticket: first.ticket,
          // The message lists the first few; the payload keeps a bounded list and the count.
          count: items.length,
          items: items
            .slice(0, MAX_ITEMS_STORED)
            .map((i) => ({ ticket: i.ticket, unitName: i.unitName, deadline: i.deadline })),
        },
      });
    }
    await this.tickets.insertOutbox(m, rows, now);
    return rows.length;
  }

  // ---- X-1, X-9: not accepted by the accept deadline -------------------------------------------

  /**
   * X-1, X-9: an assignment still pending acceptance past its accept deadline: a 催办 to the unit's
   * receivers and, in the same once-only key, the escalation (督办) to the unit's leaders. Sent when
   * it happens, like the overdue escalation (an urgent matter's 30 minutes may end at any hour).
   */
  async scanAccepts(opts: { batchSize?: number; maxBatches?: number } = {}): Promise<ScanResult> {
    const now = this.clock.now();
    return this.batches(
      opts.maxBatches ?? 100,
      async (m, limit) => {
        const result = emptyResult();
        const rows = await this.repo.claimDueAccepts(m, now, limit);
        result.claimed = rows.length;
        if (rows.length === 0) return result;
        const keyOf = (r: (typeof rows)[number]) =>
          DeadlineRepository.keyOf(`assignment:${r.id}`, 'accept_overdue', r.acceptDeadline);
        const fresh = await this.repo.insertKeys(
          m,
          rows.map((r) => ({
            item: `assignment:${r.id}`,
            kind: 'accept_overdue',
            deadline: r.acceptDeadline,
            ticketId: r.ticketId,
          })),
          now,
        );
        await this.repo.markAcceptReminded(
          m,
          rows.map((r) => r.id),
          now,
        );
        const due = rows.filter((r) => fresh.has(keyOf(r)));
        await this.repo.appendSystemEvents(
          m,
          due.map((r) => ({
            ticketId: r.ticketId,
            action: 'accept_overdue',
            at: now,
            unitCode: r.unitCode,
            status: r.ticketStatus,
            step: r.step,
            comment: null,
            data: { acceptDeadline: r.acceptDeadline.toISOString() },
          })),
        );
        const people = await this.repo.unitPeople(m, [...new Set(due.map((r) => r.unitCode))]);
        const folds = new Map<string, Fold>();
        for (const r of due) {
          const unit = people.get(r.unitCode) ?? { receivers: [], leaders: [] };
          const item = {
            ticket: outboxTicket(r),
            unitName: r.unitName,
            deadline: r.acceptDeadline.toISOString(),
            ticketId: r.ticketId,
            unit: r.unitCode,
            key: keyOf(r),
          };
          for (const userid of unit.receivers) this.addToFold(folds, userid, 'remind', 'accept_overdue', item);
          for (const userid of unit.leaders) this.addToFold(folds, userid, 'overdue', 'accept_overdue', item);
        }
        result.notices = await this.writeFolds(m, folds, now);
        result.made.accept_overdue = due.length;
        return result;
      },
      opts.batchSize,
    );
  }

  // ---- X-1, X-9: a review step past its review limit --------------------------------------------

  /**
   * X-1, X-9: a ticket waiting at a review step past the step's deadline: a 催办 to whoever acts at
   * that step (the dispatchers, the ops head or the office reviewer), once per step × deadline.
   */
  async scanReviewSteps(opts: { batchSize?: number; maxBatches?: number } = {}): Promise<ScanResult> {
    const now = this.clock.now();
    return this.batches(
      opts.maxBatches ?? 100,
      async (m, limit) => {
        const result = emptyResult();
        const rows = await this.repo.claimDueReviewSteps(m, now, limit);
        result.claimed = rows.length;
        if (rows.length === 0) return result;
        const itemOf = (r: (typeof rows)[number]) => `ticket:${r.ticketId}:${r.step}`;
        const fresh = await this.repo.insertKeys(
          m,
          rows.map((r) => ({
            item: itemOf(r),
            kind: 'review_overdue',
            deadline: r.stepDeadline,
            ticketId: r.ticketId,
          })),
          now,
        );
        await this.repo.markStepReminded(
          m,
          rows.map((r) => r.ticketId),
          now,
        );
        const due = rows.filter((r) =>
          fresh.has(DeadlineRepository.keyOf(itemOf(r), 'review_overdue', r.stepDeadline)),
        );
        await this.repo.appendSystemEvents(
          m,
          due.map((r) => ({
            ticketId: r.ticketId,
            action: 'review_overdue',
            at: now,
            unitCode: null,
            status: r.ticketStatus,
            step: r.step,
            comment: null,
            data: { step: r.step, stepDeadline: r.stepDeadline.toISOString() },
          })),
        );
        const byRole = new Map<string, string[]>();
        const resolve = async (to: Audience): Promise<string[]> => {
          if (to.kind === 'person') return [to.userid];
          if (to.kind !== 'role') return [];
          if (!byRole.has(to.role)) byRole.set(to.role, await this.org.peopleWithRole(to.role, m));
          return byRole.get(to.role)!;
        };
        const folds = new Map<string, Fold>();
        for (const r of due) {
          const item = {
            ticket: outboxTicket(r),
            unitName: null,
            deadline: r.stepDeadline.toISOString(),
            ticketId: r.ticketId,
            unit: null,
            key: DeadlineRepository.keyOf(itemOf(r), 'review_overdue', r.stepDeadline),
          };
          for (const userid of await resolve(reviewStepAudience(r.step as ReviewStep))) {
            this.addToFold(folds, userid, 'remind', 'review_overdue', item);
          }
        }
        result.notices = await this.writeFolds(m, folds, now);
        result.made.review_overdue = due.length;
        return result;
      },
      opts.batchSize,
    );
  }

  // ---- R-11: the return window closes ----------------------------------------------------------

  /** R-11: records on the timeline that the 24-hour return window of an assignment has closed. */
  async scanReturnWindows(opts: { batchSize?: number; maxBatches?: number } = {}): Promise<ScanResult> {
    const now = this.clock.now();
    return this.batches(
      opts.maxBatches ?? 100,
      async (m, limit) => {
        const result = emptyResult();
        const rows = await this.repo.claimClosedReturnWindows(m, new Date(now.getTime() - RETURN_WINDOW_MS), limit);
        result.claimed = rows.length;
        if (rows.length === 0) return result;
        const closedAt = rows.map((r) => new Date(r.dispatchedAt.getTime() + RETURN_WINDOW_MS));
        const fresh = await this.repo.insertKeys(
          m,
          rows.map((r, i) => ({
            item: `assignment:${r.id}`,
            kind: 'return_window',
            deadline: closedAt[i],
            ticketId: r.ticketId,
          })),
          now,
        );
        const events = rows
          .map((r, i) => ({ r, closed: closedAt[i] }))
          .filter(({ r, closed }) => fresh.has(DeadlineRepository.keyOf(`assignment:${r.id}`, 'return_window', closed)))
          .map(({ r, closed }) => ({
            ticketId: r.ticketId,
            action: 'return_window_closed',
            at: now,
            unitCode: r.unitCode,
            status: r.ticketStatus,
            step: null,
            comment: null,
            data: { closedAt: closed.toISOString() },
          }));
        await this.repo.appendSystemEvents(m, events);
        await this.repo.markReturnWindowsNoted(
          m,
          rows.map((r) => r.id),
          closedAt,
        );
        result.made.return_window = events.length;
        return result;
      },
      opts.batchSize,
    );
  }

  // ---- R-17: registered but not dispatched by close of business ---------------------------------

  /** R-17: tickets still registered shortly before close of business → dispatchers and the ops head. */
  async scanUndispatched(opts: { batchSize?: number; maxBatches?: number } = {}): Promise<ScanResult> {
    const now = this.clock.now();
    const dueBy = new Date(now.getTime() + this.config.deadlines.dispatchAlertLeadMinutes * 60_000);
    return this.batches(
      opts.maxBatches ?? 100,
      async (m, limit) => {
        const result = emptyResult();
        const rows = await this.repo.claimUndispatched(m, dueBy, limit);
        result.claimed = rows.length;
        if (rows.length === 0) return result;
        const fresh = await this.repo.insertKeys(
          m,
          rows.map((r) => ({
            item: `ticket:${r.ticketId}`,
            kind: 'undispatched',
            deadline: r.dispatchDueAt,
            ticketId: r.ticketId,
          })),
          now,
        );
        const due = rows.filter((r) =>
          fresh.has(DeadlineRepository.keyOf(`ticket:${r.ticketId}`, 'undispatched', r.dispatchDueAt)),
        );
        await this.repo.markDispatchAlerted(
          m,
          rows.map((r) => r.ticketId),
          now,
        );
        if (due.length > 0) {
          const to = new Set([
            ...(await this.org.peopleWithRole('dispatcher', m)),
            ...(await this.org.peopleWithRole('ops_head', m)),
          ]);
          const folds = new Map<string, Fold>();
          for (const r of due) {
            const item = {
              ticket: outboxTicket(r),
              unitName: null,
              deadline: r.dispatchDueAt.toISOString(),
              ticketId: r.ticketId,
              unit: null,
              key: DeadlineRepository.keyOf(`ticket:${r.ticketId}`, 'undispatched', r.dispatchDueAt),
            };
            for (const userid of to) this.addToFold(folds, userid, 'undispatched', undefined, item);
          }
          result.notices = await this.writeFolds(m, folds, now);
        }
        result.made.undispatched = due.length;
        return result;
      },
      opts.batchSize,
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
      const opsHeads = await this.org.peopleWithRole('ops_head', m);
      await this.tickets.insertOutbox(
        m,
        [
          {
            ticketId: null,
            kind: 'notice',
            dedupeKey: `digest:${dayStart.toISOString()}`,
            payload: {
              notice: 'digest',
              userids: opsHeads,
              unit: null,
              unitName: null,
              deadline: null,
              at: now.toISOString(),
              ticket: null,
              digest: figures,
            },
          },
        ],
        now,
      );
      return { sent: true };
    });
  }
}
