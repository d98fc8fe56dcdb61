import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { exec } from './sql';

export interface OutboxRow {
  id: number;
  ticketId: string | null;
  kind: 'notice' | 'todo_open' | 'todo_done';
  dedupeKey: string;
  payload: Record<string, any>;
  status: string;
  attempts: number;
  lastError: string | null;
  result: Record<string, unknown> | null;
  createdAt: Date;
}

function toRow(r: Record<string, any>): OutboxRow {
  return {
    id: Number(r.id),
    ticketId: r.ticket_id,
    kind: r.kind,
    dedupeKey: r.dedupe_key,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    result: r.result,
    createdAt: new Date(r.created_at),
  };
}

/**
 * The outbox (STYLE habit 5). Rows are claimed with FOR UPDATE SKIP LOCKED and a lease: a
 * claimed row is pushed `leaseMs` into the future, so a worker that dies mid-send leaves it to
 * be retried after the lease, and two workers never hold one row. A ticket's rows go in order.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly ds: DataSource) {}

  async claim(limit: number, now: Date, leaseMs: number): Promise<OutboxRow[]> {
    return this.ds.transaction(async (m) => {
      const { rows } = await exec<Record<string, any>>(
        m,
        `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2::timestamptz + ($3 || ' milliseconds')::interval
          WHERE id IN (
            SELECT o.id FROM outbox o
             WHERE o.status = 'pending' AND o.next_attempt_at <= $2
               AND NOT EXISTS (SELECT 1 FROM outbox e
                                WHERE e.ticket_id = o.ticket_id AND e.status = 'pending' AND e.id < o.id)
             ORDER BY o.next_attempt_at, o.id
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [limit, now, String(leaseMs)],
      );
      return rows.map(toRow).sort((a, b) => a.id - b.id);
    });
  }

  async markSent(
    id: number,
    result: Record<string, unknown>,
    now: Date,
    status: 'sent' | 'skipped' = 'sent',
  ): Promise<void> {
    await this.ds.query(`UPDATE outbox SET status = $2, result = $3, sent_at = $4, last_error = NULL WHERE id = $1`, [
      id,
      status,
      JSON.stringify(result),
      now,
    ]);
  }

  async markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.ds.query(`UPDATE outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1`, [
      id,
      error.slice(0, 2000),
      nextAttemptAt,
    ]);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.ds.query(`UPDATE outbox SET status = 'failed', last_error = $2 WHERE id = $1`, [
      id,
      error.slice(0, 2000),
    ]);
  }

  /** Admin: put a failed row back in the queue. */
  async retry(id: number, now: Date): Promise<boolean> {
    const { affected } = await exec(
      this.ds.manager,
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2 WHERE id = $1 AND status = 'failed'`,
      [id, now],
    );
    return affected === 1;
  }

  async list(status: string, limit: number, beforeId?: number): Promise<OutboxRow[]> {
    const rows = await this.ds.query(
      `SELECT * FROM outbox WHERE status = $1 AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $2`,
      [status, limit, beforeId ?? null],
    );
    return rows.map(toRow);
  }

  async forTicket(ticketId: string): Promise<OutboxRow[]> {
    const rows = await this.ds.query(`SELECT * FROM outbox WHERE ticket_id = $1 ORDER BY id`, [ticketId]);
    return rows.map(toRow);
  }

  /** Whether a later row closes this to-do key (then opening it is moot). */
  async laterTodoDone(ticketId: string | null, key: string, afterId: number): Promise<boolean> {
    const rows = await this.ds.query(
      `SELECT 1 FROM outbox WHERE ticket_id IS NOT DISTINCT FROM $1 AND kind = 'todo_done' AND id > $3
          AND payload->>'key' = $2 LIMIT 1`,
      [ticketId, key, afterId],
    );
    return rows.length > 0;
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.ds.query(`SELECT status, count(*)::int AS n FROM outbox GROUP BY status`);
    return Object.fromEntries(rows.map((r: { status: string; n: number }) => [r.status, r.n]));
  }
}
