import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type AttachmentKind = 'ticket' | 'reply';

export interface NewAttachment {
  id: string;
  ticketId: string;
  assignmentId: string | null;
  kind: AttachmentKind;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  storageKey: string;
  uploadedBy: string;
  /** The application clock's time of the upload (shown next to the timeline's times). */
  createdAt: Date;
}

export interface AttachmentRow extends NewAttachment {
  uploadedByName: string;
}

const COLUMNS = `a.id, a.ticket_id, a.assignment_id, a.kind, a.file_name, a.content_type, a.size_bytes,
  a.storage_key, a.uploaded_by, p.name AS uploaded_by_name, a.created_at`;

function toRow(r: Record<string, unknown>): AttachmentRow {
  return {
    id: r.id as string,
    ticketId: r.ticket_id as string,
    assignmentId: (r.assignment_id as string | null) ?? null,
    kind: r.kind as AttachmentKind,
    fileName: r.file_name as string,
    contentType: r.content_type as string,
    sizeBytes: Number(r.size_bytes),
    storageKey: r.storage_key as string,
    uploadedBy: r.uploaded_by as string,
    uploadedByName: r.uploaded_by_name as string,
    createdAt: new Date(r.created_at as string),
  };
}

/**
 * What we know about stored files. Visibility is not decided here: callers first load the
 * ticket through TicketRepository.load(id, scope), then read its attachments.
 */
@Injectable()
export class AttachmentRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(a: NewAttachment): Promise<AttachmentRow> {
    await this.ds.query(
      `INSERT INTO attachments (id, ticket_id, assignment_id, kind, file_name, content_type, size_bytes, storage_key, uploaded_by, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
      [
        a.id,
        a.ticketId,
        a.assignmentId,
        a.kind,
        a.fileName,
        a.contentType,
        a.sizeBytes,
        a.storageKey,
        a.uploadedBy,
        a.createdAt,
      ],
    );
    const row = await this.find(a.id);
    if (!row) throw new Error(`attachment ${a.id} vanished after insert`);
    return row;
  }

  async listForTicket(ticketId: string): Promise<AttachmentRow[]> {
    const rows = await this.ds.query(
      `SELECT ${COLUMNS} FROM attachments a JOIN people p ON p.userid = a.uploaded_by
       WHERE a.ticket_id = $1 ORDER BY a.created_at, a.id`,
      [ticketId],
    );
    return (rows as Record<string, unknown>[]).map(toRow);
  }

  async find(id: string): Promise<AttachmentRow | null> {
    const rows = await this.ds.query(
      `SELECT ${COLUMNS} FROM attachments a JOIN people p ON p.userid = a.uploaded_by WHERE a.id = $1`,
      [id],
    );
    return rows[0] ? toRow(rows[0] as Record<string, unknown>) : null;
  }
}
