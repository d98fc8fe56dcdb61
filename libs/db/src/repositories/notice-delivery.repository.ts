import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { OutboxInsert } from './ticket.repository';

/** A sent work notice whose delivery has not been checked yet (16.3). */
export interface UncheckedNotice {
  id: number;
  ticketId: string | null;
  dedupeKey: string;
  payload: Record<string, unknown>;
  taskIds: number[];
}

export type DeliveryStatus = 'delivered' | 'failed' | 'forbidden' | 'invalid';

export interface PersonDelivery {
  userid: string;
  taskId: number;
  status: DeliveryStatus;
  code: string | null;
}

/** A person a notice did not reach, for the ticket page and the admin page. */
export interface NotReachedRow {
  outboxId: number;
  ticketId: string | null;
  ticketNumber: string | null;
  notice: string | null;
  userid: string;
  name: string | null;
  status: Exclude<DeliveryStatus, 'delivered'>;
  code: string | null;
  checkedAt: Date;
  resentAs: number | null;
}

/** 16.3: which people a work notice really reached, from DingTalk's send result. */
/** The first key of the delivery check's advisory lock ("dlc"). */
const DELIVERY_CHECK_LOCK_SPACE = 0x646c63;

@Injectable()
export class NoticeDeliveryRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * 16.4: runs `work` unless another process is running it now (a session advisory lock on one
   * connection, held meanwhile); undefined when skipped. Two workers' delivery checks fire at the
   * same second: without this both read every notice's send result before either records it.
   */
  async exclusively<T>(work: () => Promise<T>): Promise<T | undefined> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const [{ ok }] = await runner.query(`SELECT pg_try_advisory_lock($1, $2) AS ok`, [DELIVERY_CHECK_LOCK_SPACE, 1]);
      if (!ok) return undefined;
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1, $2)`, [DELIVERY_CHECK_LOCK_SPACE, 1]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Notices sent at least `settleMs` ago and within DingTalk's 24 h result window (reference §5.4),
   * not checked yet; oldest first.
   */
  async unchecked(now: Date, settleMs: number, limit: number): Promise<UncheckedNotice[]> {
    const rows = await this.ds.query(
      `SELECT o.id, o.ticket_id, o.dedupe_key, o.payload, o.result
         FROM outbox o
        WHERE o.kind = 'notice' AND o.status = 'sent'
          AND o.sent_at <= $1::timestamptz - ($2 || ' milliseconds')::interval
          AND o.sent_at > $1::timestamptz - interval '23 hours'
          AND jsonb_typeof(o.result -> 'taskIds') = 'array'
          AND NOT EXISTS (SELECT 1 FROM notice_delivery_checks c WHERE c.outbox_id = o.id)
        ORDER BY o.id
        LIMIT $3`,
      [now, String(settleMs), limit],
    );
    return rows.map((r: Record<string, any>) => ({
      id: Number(r.id),
      ticketId: r.ticket_id,
      dedupeKey: r.dedupe_key,
      payload: r.payload,
      taskIds: (r.result.taskIds as unknown[]).map(Number),
    }));
  }

  /**
   * Records one notice's outcome per person, and queues the re-send of `resend` (people a second
   * try can help) as a new outbox row; all in one transaction. False when another worker
   * recorded this notice first (nothing is written then).
   */
  async record(
    notice: UncheckedNotice,
    people: PersonDelivery[],
    resend: { userids: string[]; row: OutboxInsert } | null,
    now: Date,
  ): Promise<{ recorded: boolean; resentAs: number | null }> {
    return this.ds.transaction(async (m) => {
      const claimed = await m.query(
        `INSERT INTO notice_delivery_checks (outbox_id, checked_at) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING outbox_id`,
        [notice.id, now],
      );
      if (claimed.length === 0) return { recorded: false, resentAs: null };
      let resentAs: number | null = null;
      if (resend && resend.userids.length > 0) {
        const inserted = await m.query(
          `INSERT INTO outbox (ticket_id, kind, dedupe_key, payload, next_attempt_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
          [resend.row.ticketId, resend.row.kind, resend.row.dedupeKey, resend.row.payload, now],
        );
        resentAs = inserted.length ? Number(inserted[0].id) : null;
      }
      const again = new Set(resend?.userids ?? []);
      for (const p of people) {
        await m.query(
          `INSERT INTO notice_deliveries (outbox_id, userid, ticket_id, task_id, status, code, checked_at, resent_as)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
          [
            notice.id,
            p.userid,
            notice.ticketId,
            p.taskId,
            p.status,
            p.code,
            now,
            again.has(p.userid) ? resentAs : null,
          ],
        );
      }
      return { recorded: true, resentAs };
    });
  }

  /** The people a ticket's notices did not reach (and that no re-send is under way for), newest first. */
  async notReachedOnTicket(ticketId: string): Promise<NotReachedRow[]> {
    return this.notReached(`d.ticket_id = $1 AND d.resent_as IS NULL`, [ticketId], 50);
  }

  /** Every recent person not reached, for the admin page. */
  async recentNotReached(limit: number): Promise<NotReachedRow[]> {
    return this.notReached(`true`, [], limit);
  }

  private async notReached(where: string, params: unknown[], limit: number): Promise<NotReachedRow[]> {
    const rows = await this.ds.query(
      `SELECT d.outbox_id, d.ticket_id, t.number AS ticket_number, o.payload ->> 'notice' AS notice, d.userid,
              p.name, d.status, d.code, d.checked_at, d.resent_as
         FROM notice_deliveries d
         JOIN outbox o ON o.id = d.outbox_id
         LEFT JOIN tickets t ON t.id = d.ticket_id
         LEFT JOIN people p ON p.userid = d.userid
        WHERE d.status <> 'delivered' AND ${where}
        ORDER BY d.checked_at DESC, d.outbox_id DESC, d.userid
        LIMIT ${Number(limit)}`,
      params,
    );
    return rows.map((r: Record<string, any>) => ({
      outboxId: Number(r.outbox_id),
      ticketId: r.ticket_id,
      ticketNumber: r.ticket_number,
      notice: r.notice,
      userid: r.userid,
      name: r.name,
      status: r.status,
      code: r.code,
      checkedAt: r.checked_at,
      resentAs: r.resent_as === null ? null : Number(r.resent_as),
    }));
  }
}
