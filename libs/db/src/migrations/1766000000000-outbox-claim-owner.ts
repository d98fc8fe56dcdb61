import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 18.7: a claimed outbox row names the worker that holds it. A worker is alive while it
// holds its session advisory lock (released by PostgreSQL the moment its connection ends, as on
// a kill -9), so the next worker takes over rows whose owner is gone instead of waiting out the
// lease.
export class OutboxClaimOwner1766000000000 implements MigrationInterface {
  name = 'OutboxClaimOwner1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox ADD COLUMN claimed_by integer;
      CREATE INDEX outbox_claimed_idx ON outbox (claimed_by) WHERE status = 'pending' AND claimed_by IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_claimed_idx; ALTER TABLE outbox DROP COLUMN claimed_by;`);
  }
}
