import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { exec } from './sql';

/** The first key of the workers' advisory locks (`pg_advisory_lock(OUTBOX_LOCK_SPACE, workerId)`). */
export const OUTBOX_LOCK_SPACE = 0x6f7462; // "otb"

/**
 * A worker's identity for outbox claims (issue 18.7): a number held as a session advisory lock on
 * a connection of its own. PostgreSQL drops the lock the moment that connection ends (a kill -9,
 * a crash), which is how the other workers, or the next start, know the owner is gone.
 */
export class OutboxWorkerLock {
  private client: Client | undefined;
  private id: number | undefined;

  constructor(private readonly url: string) {}

  /** The worker id, (re)taking the lock if the connection was lost (e.g. a database restart). */
  async workerId(): Promise<number> {
    if (this.client && this.id !== undefined) {
      try {
        await this.client.query('SELECT 1');
        return this.id;
      } catch {
        await this.drop();
      }
    }
    const client = new Client({ connectionString: this.url, application_name: 'hotline-desk outbox worker' });
    client.on('error', () => undefined); // a lost connection is noticed at the next check
    await client.connect();
    try {
      for (let i = 0; i < 10; i++) {
        const candidate = this.id ?? randomInt(1, 2 ** 31 - 1);
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
          OUTBOX_LOCK_SPACE,
          candidate,
        ]);
        if (rows[0]?.ok) {
          this.client = client;
          this.id = candidate;
          return candidate;
        }
        this.id = undefined; // taken (by another live worker): draw another number
      }
      throw new Error('could not take an outbox worker lock');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** Ends the lock's connection, which frees the lock (shutdown). */
  async release(): Promise<void> {
    await this.drop();
    this.id = undefined;
  }

  private async drop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => undefined);
  }
}

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
 * claimed row is pushed `leaseMs` into the future and names its worker, so two workers never
 * hold one row. A row whose worker is gone (its advisory lock is free: the process died) is
 * taken over at once; the lease is only the backstop for a worker that is alive but stuck.
 * A ticket's rows go in order.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly ds: DataSource) {}

  /** A new worker identity on its own connection (see OutboxWorkerLock). */
  workerLock(): OutboxWorkerLock {
    const url = (this.ds.options as { url?: string }).url;
    if (!url) throw new Error('the outbox worker lock needs a database URL');
    return new OutboxWorkerLock(url);
  }

  async claim(limit: number, now: Date, leaseMs: number, workerId: number | null = null): Promise<OutboxRow[]> {
    return this.ds.transaction(async (m) => {
      const { rows } = await exec<Record<string, any>>(
        m,
        `UPDATE outbox SET attempts = attempts + 1, claimed_by = $4,
                next_attempt_at = $2::timestamptz + ($3 || ' milliseconds')::interval
          WHERE id IN (
            SELECT o.id FROM outbox o
             WHERE o.status = 'pending'
               AND (o.next_attempt_at <= $2
                    OR (o.claimed_by IS NOT NULL AND o.claimed_by IS DISTINCT FROM $4 AND NOT EXISTS (
                          SELECT 1 FROM pg_locks l
                           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                             AND l.classid = $5 AND l.objid = o.claimed_by::oid)))
               AND NOT EXISTS (SELECT 1 FROM outbox e
                                WHERE e.ticket_id = o.ticket_id AND e.status = 'pending' AND e.id < o.id)
             ORDER BY o.next_attempt_at, o.id
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [limit, now, String(leaseMs), workerId, OUTBOX_LOCK_SPACE],
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
    await this.ds.query(
      `UPDATE outbox SET status = $2, result = $3, sent_at = $4, last_error = NULL, claimed_by = NULL WHERE id = $1`,
      [id, status, JSON.stringify(result), now],
    );
  }

  async markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.ds.query(`UPDATE outbox SET last_error = $2, next_attempt_at = $3, claimed_by = NULL WHERE id = $1`, [
      id,
      error.slice(0, 2000),
      nextAttemptAt,
    ]);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.ds.query(`UPDATE outbox SET status = 'failed', last_error = $2, claimed_by = NULL WHERE id = $1`, [
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

  /**
   * Issue 18.4: earlier todo_open rows of this key that failed for good without recording a
   * DingTalk to-do: an attempt of one of them may have created a to-do before an error. (A
   * skipped row already looked for its to-do when it was skipped.)
   */
  async unrecordedTodoOpens(ticketId: string | null, key: string, beforeId: number): Promise<OutboxRow[]> {
    const rows = await this.ds.query(
      `SELECT o.* FROM outbox o
        WHERE o.ticket_id IS NOT DISTINCT FROM $1 AND o.kind = 'todo_open' AND o.id < $3
          AND o.payload->>'key' = $2 AND o.attempts > 0 AND o.status = 'failed'
          AND NOT EXISTS (SELECT 1 FROM dingtalk_todos d WHERE d.source_id = o.dedupe_key)
        ORDER BY o.id`,
      [ticketId, key, beforeId],
    );
    return rows.map(toRow);
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.ds.query(`SELECT status, count(*)::int AS n FROM outbox GROUP BY status`);
    return Object.fromEntries(rows.map((r: { status: string; n: number }) => [r.status, r.n]));
  }
}
