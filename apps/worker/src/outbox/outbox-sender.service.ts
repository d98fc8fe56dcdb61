import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { DingTalkRepository, OutboxRepository, type OutboxRow } from '@hotline/db';
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

/** A claimed row is someone else's for this long; a worker that dies mid-send gives it back then. */
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

function retryable(err: unknown): boolean {
  return (err as { retryable?: boolean })?.retryable !== false;
}

/**
 * Sends the outbox to DingTalk (R-9a): work notices in batches of 100 people, to-dos created
 * once per opened workflow to-do and completed when it is done. Retries with exponential
 * backoff; after MAX_ATTEMPTS, or on a permanent error, the row is marked failed for an admin.
 */
@Injectable()
export class OutboxSender {
  private readonly logger = new Logger(OutboxSender.name);

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly dingtalk: DingTalkRepository,
    @Inject(DINGTALK_CLIENT) private readonly client: DingTalkClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Claims and sends one batch; returns what happened. Safe to run in several workers at once. */
  async runOnce(limit = BATCH): Promise<SendReport> {
    const rows = await this.outbox.claim(limit, this.clock.now(), LEASE_MS);
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
        return this.closeTodo(String(row.payload.key));
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
    // Already done by a later action (e.g. accepted before this to-do went out): nothing to open.
    if (await this.outbox.laterTodoDone(row.ticketId, p.key, row.id)) {
      return { status: 'skipped' as const, result: { reason: 'done before it was sent' } };
    }
    const unionIds = await this.dingtalk.unionIds(p.userids);
    const executors = p.userids.map((u) => unionIds.get(u)).filter((u): u is string => !!u);
    if (executors.length === 0) return { status: 'skipped' as const, result: { reason: 'no DingTalk unionId' } };
    const owner = executors[0];
    const sourceId = row.dedupeKey;
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

  private async closeTodo(key: string) {
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
}
