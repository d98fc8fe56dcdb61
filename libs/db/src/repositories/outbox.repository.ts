import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface OutboxRow {
  id: number;
  ticketId: string | null;
  kind: 'notice' | 'todo_open' | 'todo_done';
  dedupeKey: string;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
}

/** Read side of the outbox, for tests and the admin page; the sender lives in the worker. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly ds: DataSource) {}

  async forTicket(ticketId: string): Promise<OutboxRow[]> {
    const rows = await this.ds.query(
      `SELECT id, ticket_id, kind, dedupe_key, payload, status, attempts FROM outbox WHERE ticket_id = $1 ORDER BY id`,
      [ticketId],
    );
    return rows.map((r: Record<string, any>) => ({
      id: Number(r.id),
      ticketId: r.ticket_id,
      kind: r.kind,
      dedupeKey: r.dedupe_key,
      payload: r.payload,
      status: r.status,
      attempts: r.attempts,
    }));
  }
}
