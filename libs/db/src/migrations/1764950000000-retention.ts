import type { MigrationInterface, QueryRunner } from 'typeorm';

// Retention (issue 8, item 7): caller data of tickets closed long ago is anonymised; the ticket,
// its timeline and every statistic stay. The partial index finds the tickets still to do.
export class Retention1764950000000 implements MigrationInterface {
  name = 'Retention1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tickets ADD COLUMN caller_anonymised_at timestamptz;
      CREATE INDEX tickets_retention_due_idx ON tickets (closed_at, id)
        WHERE status = 'closed' AND caller_anonymised_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP COLUMN caller_anonymised_at;`);
  }
}
