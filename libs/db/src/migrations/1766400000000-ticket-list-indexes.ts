import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 19 goal 2: the ticket list's first page with each filter (TicketListRepository):
// - `q=` is a substring search (ILIKE '%…%') of the subject and the content: trigram GIN indexes
//   (pg_trgm, a contrib extension shipped with PostgreSQL and with the embedded server; trusted, so
//   the tables' owner may create it) turn it from a walk of every ticket into a bitmap of the
//   candidates, rechecked. Chinese text gives trigrams too (the clusters are C.UTF-8).
// - `sort=light` walks the open assignments in deadline order, ties by ticket: a partial index on
//   (reply_deadline, ticket_id), covering what the walk reads.
// - the ticket detail asks per assignment whether a return request of it was rejected: by
//   assignment, not a scan of every return request (only the pending one had an index).
export class TicketListIndexes1766400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX tickets_subject_trgm ON tickets USING gin (subject gin_trgm_ops);
      CREATE INDEX tickets_content_trgm ON tickets USING gin (content gin_trgm_ops);
      CREATE INDEX assignments_open_walk ON assignments (reply_deadline, ticket_id) INCLUDE (id, dispatched_at)
        WHERE status IN ('pending_accept', 'accepted', 'awaiting_leader', 'return_requested');
      CREATE INDEX return_requests_assignment_idx ON return_requests (assignment_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX return_requests_assignment_idx;
      DROP INDEX assignments_open_walk;
      DROP INDEX tickets_content_trgm;
      DROP INDEX tickets_subject_trgm;
      DROP EXTENSION IF EXISTS pg_trgm;
    `);
  }
}
