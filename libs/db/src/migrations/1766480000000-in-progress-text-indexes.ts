import type { MigrationInterface, QueryRunner } from 'typeorm';

// R-15 with X-9, issue 19 goal 2: a light filter or the light order with a search of middling
// frequency (`light=red&q=乘客反映 123`, one ticket in 900) tested the search on that light's open
// tickets one by one, newest first, until a page was full: about 19,000 tickets read at 10 M
// (115 ms; the light order 234 ms, docs/benchmarks.md). Only a ticket in progress has open
// assignments (a workflow invariant; InboxRepository's unit work relies on it too), and these
// trigram indexes hold only those tickets' subjects and contents: the search's matches among the
// open tickets are then found in a few milliseconds (TicketListRepository.openSearchMatches).
// A ticket's row enters them while it is in progress; the full trigram indexes
// (1766400000000) are written on every new row version anyway.
// Built CONCURRENTLY, outside a transaction, as the characters index (1766470000000): at 10 M
// tickets the table is read once per index while tickets are written. An attempt that failed
// leaves an invalid index, which the next one drops.
export class InProgressTextIndexes1766480000000 implements MigrationInterface {
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const column of ['subject', 'content']) {
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_in_progress_${column}_trgm`);
      await q.query(
        `CREATE INDEX CONCURRENTLY tickets_in_progress_${column}_trgm ON tickets USING gin (${column} gin_trgm_ops)
          WHERE status = 'in_progress'`,
      );
    }
  }

  // TypeORM undoes a migration in a transaction whatever its flag: a plain DROP (quick).
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tickets_in_progress_content_trgm`);
    await q.query(`DROP INDEX IF EXISTS tickets_in_progress_subject_trgm`);
  }
}
