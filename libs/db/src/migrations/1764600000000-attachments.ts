import type { MigrationInterface, QueryRunner } from 'typeorm';

// Attachments (issue 6 item 5): photos and files on a ticket, or on one unit's handling of it
// (an assignment: the reply's photos). The bytes live on disk under ATTACHMENTS_DIR; this table
// holds what we know about them. The content type is the one judged from the file's first bytes.
export class Attachments1764600000000 implements MigrationInterface {
  name = 'Attachments1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attachments (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id      uuid NOT NULL REFERENCES tickets(id),
        assignment_id  uuid REFERENCES assignments(id),
        kind           text NOT NULL CHECK (kind IN ('ticket', 'reply')),
        file_name      text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
        content_type   text NOT NULL
                       CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf')),
        size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
        storage_key    text NOT NULL UNIQUE CHECK (storage_key ~ '^[0-9]{4}/[0-9]{2}/[0-9a-f-]{36}$'),
        uploaded_by    text NOT NULL REFERENCES people(userid),
        created_at     timestamptz NOT NULL DEFAULT now(),
        -- a reply's attachment belongs to one unit's assignment; a ticket's to none
        CHECK ((kind = 'reply') = (assignment_id IS NOT NULL))
      );
      CREATE INDEX attachments_ticket_idx ON attachments (ticket_id, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attachments;`);
  }
}
