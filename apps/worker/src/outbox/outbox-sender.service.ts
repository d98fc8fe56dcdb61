import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { DingTalkRepository, OutboxRepository, type OutboxRow, type OutboxWorkerLock } from '@hotline/db';
import { DingTalkApiError, type DingTalkClient } from '@hotline/dingtalk';
import {
  CLOCK,
  DINGTALK_CLIENT,
  appLinks,
  composeNotice,
  composeTodo,
  type Clock,
  type NoticePayload,
  type TodoOpenPayload,
} from '@hotline/tickets';

/**
 * A claimed row is someone else's for this long while its worker is alive (a stuck worker gives
 * it back then). A worker that died is noticed at once through its advisory lock (issue 18.7).
 */
export const LEASE_MS = 60_000;
export const MAX_ATTEMPTS = 8;
const BATCH = 20;
/** reference §5.1: at most 100 userids per asyncsend_v2 call. */
const USERIDS_PER_NOTICE = 100;

export interface SendReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

function describe(err: unknown): string {
  if (err instanceof DingTalkApiError) return `${err.api}: ${err.code} ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Only a refusal DingTalk will repeat fails a row at once (bad parameters, missing permission,
 * the monthly quota); token errors, flow control and lock errors are retried with backoff
 * (issues 16.1, 18.5): the rule is DingTalkApiError.retryable in libs/dingtalk.
 */
function retryable(err: unknown): boolean {
  return (err as { retryable?: boolean })?.retryable !== false;
}

/** Whether an earlier attempt at this row may have reached DingTalk before it was recorded. */
function triedBefore(row: OutboxRow): boolean {
  return row.attempts > 1 || row.lastError !== null;
}

/**
 * Sends the outbox to DingTalk (R-9a): work notices in batches of 100 people, to-dos created
 * once per opened workflow to-do and completed when it is done. Retries with exponential
 * backoff; after MAX_ATTEMPTS, or on a permanent error, the row is marked failed for an admin.
 */
@Injectable()
export class OutboxSender implements OnModuleDestroy {
  private readonly logger = new Logger(OutboxSender.name);
  private lock: OutboxWorkerLock | undefined;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly dingtalk: DingTalkRepository,
    @Inject(DINGTALK_CLIENT) private readonly client: DingTalkClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Claims and sends one batch; returns what happened. Safe to run in several workers at once. */
  async runOnce(limit = BATCH): Promise<SendReport> {
    this.lock ??= this.outbox.workerLock();
    const workerId = await this.lock.workerId();
    const rows = await this.outbox.claim(limit, this.clock.now(), LEASE_MS, workerId);
    const report: SendReport = { claimed: rows.length, sent: 0, retried: 0, failed: 0 };
    for (const row of rows) {
      try {
        const { status, result } = await this.deliver(row);
        await this.outbox.markSent(row.id, result, this.clock.now(), status);
        report.sent++;
      } catch (err) {
        const message = describe(err);
        if (row.attempts >= MAX_ATTEMPTS || !retryable(err)) {
          await this.outbox.markFailed(row.id, message);
          report.failed++;
          this.logger.warn({ outboxId: row.id, kind: row.kind, error: message }, 'outbox row failed');
        } else {
          const backoff = Math.min(5_000 * 2 ** (row.attempts - 1), 10 * 60_000);
          await this.outbox.markRetry(row.id, message, new Date(this.clock.now().getTime() + backoff));
          report.retried++;
        }
      }
    }
    return report;
  }

  async onModuleDestroy(): Promise<void> {
    await this.lock?.release();
  }

  /** Sends until nothing is due (tests and the admin's "send now"); bounded. */
  async drain(maxRounds = 100): Promise<SendReport> {
    const total: SendReport = { claimed: 0, sent: 0, retried: 0, failed: 0 };
    for (let i = 0; i < maxRounds; i++) {
      const r = await this.runOnce();
      total.claimed += r.claimed;
      total.sent += r.sent;
      total.retried += r.retried;
      total.failed += r.failed;
      if (r.claimed === 0) break;
    }
    return total;
  }

  private async deliver(row: OutboxRow): Promise<{ status: 'sent' | 'skipped'; result: Record<string, unknown> }> {
    if (row.kind !== 'notice' && !this.config.dingtalk.todos) {
      return { status: 'skipped', result: { reason: 'DingTalk to-dos are switched off (DINGTALK_TODOS=false)' } };
    }
    switch (row.kind) {
      case 'notice':
        return this.sendNotice(row.payload as NoticePayload);
      case 'todo_open':
        return this.openTodo(row, row.payload as TodoOpenPayload);
      case 'todo_done':
        return this.closeTodo(row, String(row.payload.key));
    }
  }

  private async sendNotice(p: NoticePayload) {
    if (p.userids.length === 0) return { status: 'skipped' as const, result: { reason: 'nobody to notify' } };
    const msg = composeNotice(p, appLinks(this.config));
    const taskIds: number[] = [];
    for (let i = 0; i < p.userids.length; i += USERIDS_PER_NOTICE) {
      const { taskId } = await this.client.sendWorkNotice({
        useridList: p.userids.slice(i, i + USERIDS_PER_NOTICE),
        msg,
      });
      taskIds.push(taskId);
    }
    return { status: 'sent' as const, result: { taskIds } };
  }

  private async openTodo(row: OutboxRow, p: TodoOpenPayload) {
    const unionIds = await this.dingtalk.unionIds(p.userids);
    const executors = p.userids.map((u) => unionIds.get(u)).filter((u): u is string => !!u);
    const owner = executors[0];
    const sourceId = row.dedupeKey;
    // Already done by a later action (e.g. accepted before this to-do went out): nothing to open.
    // Unless an earlier attempt created it at DingTalk without recording it (issue 18.4): then it
    // is recorded now, so the later todo_done row completes it instead of leaving it open.
    if (await this.outbox.laterTodoDone(row.ticketId, p.key, row.id)) {
      const orphan = owner && triedBefore(row) ? await this.client.findOpenTodoBySourceId(owner, sourceId) : undefined;
      if (!orphan) return { status: 'skipped' as const, result: { reason: 'done before it was sent' } };
      await this.dingtalk.recordTodo({
        ticketId: row.ticketId,
        todoKey: p.key,
        sourceId,
        ownerUnionid: owner!,
        executorUserids: p.userids,
        taskId: orphan.taskId,
      });
      return { status: 'sent' as const, result: { taskId: orphan.taskId, adopted: true } };
    }
    if (!owner) return { status: 'skipped' as const, result: { reason: 'no DingTalk unionId' } };
    let taskId: string;
    try {
      taskId = (await this.client.createTodo(owner, composeTodo(p, appLinks(this.config), executors, sourceId))).id;
    } catch (err) {
      // Created by an earlier attempt that died before recording it: adopt that one.
      if (!(err instanceof DingTalkApiError) || !/task exist/i.test(err.message)) throw err;
      const found = await this.client.findOpenTodoBySourceId(owner, sourceId);
      if (!found) throw err;
      taskId = found.taskId;
    }
    await this.dingtalk.recordTodo({
      ticketId: row.ticketId,
      todoKey: p.key,
      sourceId,
      ownerUnionid: owner,
      executorUserids: p.userids,
      taskId,
    });
    return { status: 'sent' as const, result: { taskId } };
  }

  private async closeTodo(row: OutboxRow, key: string) {
    await this.adoptUnrecordedTodos(row, key);
    const open = await this.dingtalk.openTodos(key);
    for (const t of open) {
      try {
        await this.client.completeTodo(t.ownerUnionid, t.taskId);
      } catch (err) {
        // Deleted in DingTalk meanwhile: it is as done as it will get.
        if (!(err instanceof DingTalkApiError) || !/not exist/i.test(err.message)) throw err;
      }
      await this.dingtalk.markTodoDone(t.id, this.clock.now());
    }
    return {
      status: (open.length ? 'sent' : 'skipped') as 'sent' | 'skipped',
      result: { completed: open.map((t) => t.taskId) },
    };
  }

  /**
   * Issue 18.4: a todo_open row of this key that failed for good may have created its to-do at
   * DingTalk before an error; it is found by its sourceId and recorded, so the completion below
   * closes it.
   */
  private async adoptUnrecordedTodos(row: OutboxRow, key: string): Promise<void> {
    for (const open of await this.outbox.unrecordedTodoOpens(row.ticketId, key, row.id)) {
      const p = open.payload as TodoOpenPayload;
      const unionIds = await this.dingtalk.unionIds(p.userids);
      const owner = p.userids.map((u) => unionIds.get(u)).find((u): u is string => !!u);
      if (!owner) continue;
      const found = await this.client.findOpenTodoBySourceId(owner, open.dedupeKey);
      if (!found) continue;
      await this.dingtalk.recordTodo({
        ticketId: open.ticketId,
        todoKey: key,
        sourceId: open.dedupeKey,
        ownerUnionid: owner,
        executorUserids: p.userids,
        taskId: found.taskId,
      });
    }
  }
}
